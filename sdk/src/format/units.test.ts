import assert from "node:assert/strict";
import { test } from "node:test";

import { formatFixed, formatPriceWad, formatRatioWad, formatSizeWad, formatTokenUnits, formatUsdWad } from "./units.ts";

test("test_formatFixed_cutsTrimsAndKeepsOneDecimal", () => {
  assert.equal(formatFixed(12_300000n, 6), "12.3");
  assert.equal(formatFixed(15n * 10n ** 18n, 18), "15.0");
  assert.equal(formatFixed(1n, 18), "0.0");
  assert.equal(formatFixed(-1n, 18), "0.0");
  assert.equal(formatFixed(-1_500000n, 6), "-1.5");
  assert.equal(formatFixed(123456789n, 8, { maxDecimals: 2 }), "1.23");
  assert.equal(formatFixed(0n, 0), "0.0");
});

test("test_formatters_putTheUnitNextToTheNumber", () => {
  assert.equal(formatUsdWad(12_300000000000000000n), "12.3 USDC");
  assert.equal(formatTokenUnits(100_000001n), "100.000001 USDC");
  assert.equal(formatPriceWad(4000_5n * 10n ** 17n), "$4000.5");
  assert.equal(formatPriceWad(-2n * 10n ** 18n), "-$2.0");
  assert.equal(formatRatioWad(9n * 10n ** 15n), "0.9%");
  assert.equal(formatSizeWad(-15n * 10n ** 17n), "-1.5");
});
