import assert from "node:assert/strict";
import { test } from "node:test";

import { waitFor, WaitTimeoutError } from "./waitFor.ts";

test("test_waitFor_resolvesOnceAnAsyncConditionHolds", async () => {
  let checks = 0;
  await waitFor("the third check", async () => ++checks === 3, { intervalMs: 1 });
  assert.equal(checks, 3);
});

test("test_waitFor_throwsATypedErrorNamingWhatItWaitedFor", async () => {
  let checks = 0;
  await assert.rejects(
    waitFor("a condition that never holds", () => (++checks, false), { timeoutMs: 30, intervalMs: 5 }),
    (error: unknown) =>
      error instanceof WaitTimeoutError &&
      error.what === "a condition that never holds" &&
      error.timeoutMs === 30 &&
      error.message === "timed out after 30 ms waiting for a condition that never holds",
  );
  assert.ok(checks >= 2, "it kept checking until the deadline");
});

test("test_waitFor_endsWithTheErrorOfACheckThatThrows", async () => {
  await assert.rejects(
    waitFor("a broken check", () => {
      throw new RangeError("broken");
    }),
    RangeError,
  );
});
