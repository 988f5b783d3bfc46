import assert from "node:assert/strict";
import { test } from "node:test";

import type { AdlStanding } from "@open-waterfall/sdk";

import { lightsOf, standingText } from "./standing.ts";

const W = 10n ** 18n;

test("test_standingText_givesNotionalAheadAndRank", () => {
  const standing: AdlStanding = { candidate: true, notionalAheadWad: 1_234_567n * W, totalNotionalWad: 9_000_000n * W, rank: 12, candidates: 340, level: 4 };
  assert.equal(standingText({ standing, side: "long", tier: 3 }), "$1.2M of profitable longs ahead of you; 12th of 340");
});

test("test_standingText_firstInLine", () => {
  const standing: AdlStanding = { candidate: true, notionalAheadWad: 0n, totalNotionalWad: W, rank: 1, candidates: 1, level: 5 };
  assert.equal(standingText({ standing, side: "short", tier: 4 }), "$0.00 of profitable shorts ahead of you; 1st of 1");
});

test("test_standingText_exemptAndNotCandidate", () => {
  const none: AdlStanding = { candidate: false, notionalAheadWad: 0n, totalNotionalWad: 0n, rank: 0, candidates: 0, level: 0 };
  assert.match(standingText({ standing: none, side: "long", tier: 0 }), /^Tier 0: exempt/);
  assert.equal(standingText({ standing: none, side: "long", tier: 2 }), "Not in line for ADL now: only profitable longs are deleveraged.");
});

test("test_lightsOf_lightsUpToTheLevel", () => {
  assert.deepEqual(lightsOf(0), [false, false, false, false, false]);
  assert.deepEqual(lightsOf(3), [true, true, true, false, false]);
  assert.deepEqual(lightsOf(5), [true, true, true, true, true]);
  assert.deepEqual(lightsOf(9), [true, true, true, true, true]);
  assert.deepEqual(lightsOf(-1), [false, false, false, false, false]);
});
