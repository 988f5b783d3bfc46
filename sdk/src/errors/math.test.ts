import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { k } from "../math/position.ts";
import { SdkMathError } from "./math.ts";

describe("SdkMathError", () => {
  test("test_SdkMathError_carriesItsFieldsAndAReadableMessage", () => {
    const error = new SdkMathError({ functionName: "k", reason: "DivisionByZero", details: "|sizeWad| is zero" });
    assert.ok(error instanceof Error);
    assert.equal(error.name, "SdkMathError");
    assert.equal(error.functionName, "k");
    assert.equal(error.reason, "DivisionByZero");
    assert.equal(error.details, "|sizeWad| is zero");
    assert.equal(error.message, "k: |sizeWad| is zero (DivisionByZero)");
  });

  test("test_SdkMathError_namesTheArgumentAndTheValueAtTheCallSite", () => {
    assert.throws(() => k({ sizeWad: 1n, marginWad: -5n, jWad: 0n }), {
      name: "SdkMathError",
      message: "k: marginWad must be a uint256, got -5 (NegativeUnsigned)",
    });
  });
});
