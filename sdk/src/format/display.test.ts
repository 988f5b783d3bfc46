import assert from "node:assert/strict";
import { test } from "node:test";

import {
  formatDecimal,
  formatDuration,
  formatFundingRate,
  formatLeverage,
  formatPercent,
  formatPrice,
  formatSignedUsd,
  formatSize,
  formatTokenAmount,
  formatUsd,
  formatUsdCompact,
  ordinal,
  shortAddress,
} from "./display.ts";

const W = 10n ** 18n;

test("test_formatDecimal_groupsThousandsAndCutsDigits", () => {
  assert.equal(formatDecimal(1_234_567_891n, 6), "1,234.56");
  assert.equal(formatDecimal(1_500_000n, 6, { decimals: 4, fixed: false }), "1.5");
  assert.equal(formatDecimal(1_999_999n, 6), "1.99");
  assert.equal(formatDecimal(-1_000_000_000n, 6, { group: false }), "−1000.00");
});

test("test_formatDecimal_showsNoSignOnNegativeDust", () => {
  assert.equal(formatDecimal(-1n, 18), "0.00");
});

test("test_formatUsdCompact_usesSuffixesWithOneCutDecimal", () => {
  assert.equal(formatUsdCompact(1_299_999n * W), "$1.2M");
  assert.equal(formatUsdCompact(1_200_000n * W), "$1.2M");
  assert.equal(formatUsdCompact(12_345n * W), "$12.3K");
  assert.equal(formatUsdCompact(3_000_000_000n * W), "$3B");
  assert.equal(formatUsdCompact(950n * W + 12n * 10n ** 16n), "$950.12");
  assert.equal(formatUsdCompact(-4_500n * W), "−$4.5K");
  assert.equal(formatUsdCompact(0n), "$0.00");
});

test("test_formatUsd_andSignedUsd", () => {
  assert.equal(formatUsd(12_345_678n * 10n ** 16n), "$123,456.78");
  assert.equal(formatUsd(-5n * W), "−$5.00");
  assert.equal(formatSignedUsd(1234n * 10n ** 16n), "+$12.34");
  assert.equal(formatSignedUsd(-5n * W), "−$5.00");
  assert.equal(formatSignedUsd(0n), "$0.00");
  assert.equal(formatSignedUsd(1n), "$0.00");
});

test("test_formatPrice_showsMoreDecimalsBelowOneDollar", () => {
  assert.equal(formatPrice(3_812_4n * 10n ** 17n), "$3,812.40");
  assert.equal(formatPrice(4_512n * 10n ** 12n), "$0.004512");
});

test("test_formatSize_trimsZerosAndKeepsSign", () => {
  assert.equal(formatSize(15n * 10n ** 17n, "ETH"), "1.5 ETH");
  assert.equal(formatSize(-25n * 10n ** 16n, "BTC"), "−0.25 BTC");
  assert.equal(formatSize(2n * W, "ETH"), "2 ETH");
});

test("test_formatPercent_andFundingRate", () => {
  assert.equal(formatPercent(125n * 10n ** 14n), "1.25%");
  assert.equal(formatFundingRate(123n * 10n ** 12n), "+0.0123%/day");
  assert.equal(formatFundingRate(-5n * 10n ** 13n), "−0.0050%/day");
  assert.equal(formatFundingRate(0n), "0.0000%/day");
});

test("test_formatLeverage_showsDashWhenEquityIsGone", () => {
  assert.equal(formatLeverage(10n * W), "10.0×");
  assert.equal(formatLeverage(25n * 10n ** 17n), "2.5×");
  assert.equal(formatLeverage((1n << 256n) - 1n), "—");
});

test("test_formatTokenAmount", () => {
  assert.equal(formatTokenAmount(1_000_000_000n), "1,000.00 USDC");
});

test("test_ordinal_handlesTeens", () => {
  assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112, 340].map(ordinal), [
    "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th", "340th",
  ]);
});

test("test_shortAddress_andDuration", () => {
  assert.equal(shortAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), "0xf39F…2266");
  assert.equal(formatDuration(45n), "45s");
  assert.equal(formatDuration(720n), "12m");
  assert.equal(formatDuration(12_000n), "3h 20m");
  assert.equal(formatDuration(187_200n), "2d 4h");
  assert.equal(formatDuration(-3n), "0s");
});
