import assert from "node:assert/strict";

import { SdkMathError, type SdkMathErrorReason } from "../errors/math.ts";

/**
 * Asserts that `run` throws an {@link SdkMathError} with the given reason (and, if given, from the given
 * function), so a test cannot pass on an unrelated exception.
 *
 * @param run - The call expected to throw.
 * @param reason - The expected reason.
 * @param functionName - The expected reporting function, when the test is about it.
 */
export function assertMathError(run: () => unknown, reason: SdkMathErrorReason, functionName?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof SdkMathError, `expected an SdkMathError, got ${String(error)}`);
    assert.equal(error.reason, reason);
    if (functionName !== undefined) assert.equal(error.functionName, functionName);
    return true;
  });
}
