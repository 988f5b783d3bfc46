import { test } from "node:test";
import assert from "node:assert/strict";
import { FeedSchedule } from "./feed.ts";

const W = 10n ** 18n;

test("isDue_publishesOnTheDeviationThreshold", () => {
  const s = new FeedSchedule({ mode: "chainlink", deviationWad: 5n * 10n ** 15n, heartbeatSec: 3600 });
  s.published(100n * W, 0);
  assert.equal(s.isDue(100n * W + 49n * 10n ** 16n, 10), false); // +0.49%
  assert.equal(s.isDue(100n * W + 5n * 10n ** 17n, 10), true); // +0.5%
  assert.equal(s.isDue(100n * W - 5n * 10n ** 17n, 10), true); // −0.5%
});

test("isDue_publishesOnTheHeartbeat", () => {
  const s = new FeedSchedule({ mode: "chainlink", deviationWad: 5n * 10n ** 15n, heartbeatSec: 3600 });
  s.published(100n * W, 0);
  assert.equal(s.isDue(100n * W, 3599), false);
  assert.equal(s.isDue(100n * W, 3600), true);
});

test("isDue_rawPublishesEveryRow", () => {
  const s = new FeedSchedule({ mode: "raw", deviationWad: 5n * 10n ** 15n, heartbeatSec: 3600 });
  s.published(100n * W, 0);
  assert.equal(s.isDue(100n * W, 1), true);
});
