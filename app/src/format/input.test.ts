import assert from "node:assert/strict";
import { test } from "node:test";

import { AmountInputError, parseAmount } from "./input.ts";

test("test_parseAmount_readsGroupedDecimals", () => {
  assert.equal(parseAmount({ text: " 1,000.5 ", decimals: 6, field: "amount" }), 1_000_500_000n);
  assert.equal(parseAmount({ text: ".25", decimals: 18, field: "size" }), 25n * 10n ** 16n);
  assert.equal(parseAmount({ text: "7.", decimals: 6, field: "amount" }), 7_000_000n);
  assert.equal(parseAmount({ text: "0", decimals: 6, field: "margin", allowZero: true }), 0n);
});

test("test_parseAmount_rejectsBadInputWithTheFieldAndRule", () => {
  const cases: [string, string][] = [
    ["", "enter an amount"],
    ["-1", "must not be negative"],
    ["abc", '"abc" is not a number'],
    [".", '"." is not a number'],
    ["1e5", '"1e5" is not a number'],
    ["1.1234567", "at most 6 decimals"],
    ["0.000", "must be more than zero"],
  ];
  for (const [text, reason] of cases) {
    assert.throws(
      () => parseAmount({ text, decimals: 6, field: "amount" }),
      (e: unknown) => e instanceof AmountInputError && e.field === "amount" && e.reason === reason,
      text
    );
  }
});
