import assert from "node:assert/strict";
import { test } from "node:test";

import type { AdlQueue } from "../adl/queue.ts";
import { WAD } from "../constants.ts";
import { InvalidInputError } from "../errors/base.ts";
import { fee, fillPrice } from "../math/position.ts";
import { previewTradeFromState, type TradeState } from "./preview.ts";
import { acceptablePrice } from "./writes.ts";

const empty = (isLong: boolean): AdlQueue => ({ marketId: 1n, isLong, tiers: [[], [], [], []] });

/** ETH at $4,000, no funding, one 2 ETH long at J = 3,900 with 1,000 USDC of margin (7.8x: tier 1). */
function state(overrides: Partial<TradeState["position"]> = {}): TradeState {
  return {
    marketId: 1n,
    account: "0x0000000000000000000000000000000000000001",
    blockNumber: 10n,
    timestamp: 1_000n,
    priceWad: 4_000n * WAD,
    config: {
      tradingFeeWad: 5n * 10n ** 14n,
      skewScaleWad: 2_500_000n * WAD,
      maxFundingRatePerDayWad: 0n,
      mmrWad: 9n * 10n ** 15n,
      imrWad: 1125n * 10n ** 13n,
      tierBoundsX1e4: [30_000, 100_000, 200_000, 400_000],
    },
    scalingRatioWad: 75n * 10n ** 16n,
    market: {
      longSizeWad: 2n * WAD,
      shortSizeWad: 0n,
      longJSum: 2n * 3_900n * WAD * WAD,
      shortJSum: 0n,
      fundingIndexWad: 0n,
      lastUpdateTime: 900n,
      cachedLongPnlWad: 200n * WAD,
      cachedShortPnlWad: 0n,
    },
    position: { accountId: 7, sizeWad: 2n * WAD, marginWad: 1_000n * WAD, jWad: 3_900n * WAD, f0Wad: 0n, tier: 1, pendingTier: 0, pendingTierSince: 0n, seq: 1n, inLiquidation: false, ...overrides },
    freeCollateralWad: 10_000n * WAD,
    vaultCashWad: 1_000_000n * WAD,
    vaultEquityWad: 999_800n * WAD,
    tradersProfitWad: 200n * WAD,
    queues: { long: { ...empty(true), tiers: [[{ accountId: 7, sizeWad: 2n * WAD, jWad: 3_900n * WAD, seq: 1n, inLiquidation: false }], [], [], []] }, short: empty(false) },
  };
}

test("test_previewTradeFromState_flipClosesThenOpensAtTheSkewTheCloseLeft", () => {
  const preview = previewTradeFromState({ state: state(), sizeDeltaWad: -5n * WAD, marginWad: 1_000n * WAD });
  assert.equal(preview.kind, "flip");
  assert.equal(preview.fills.length, 2);
  const closeFill = fillPrice({ priceWad: 4_000n * WAD, skewBeforeWad: 2n * WAD, sizeDeltaWad: -2n * WAD, skewScaleWad: 2_500_000n * WAD });
  const openFill = fillPrice({ priceWad: 4_000n * WAD, skewBeforeWad: 0n, sizeDeltaWad: -3n * WAD, skewScaleWad: 2_500_000n * WAD });
  assert.equal(preview.fills[0]?.fillPriceWad, closeFill);
  assert.equal(preview.fills[1]?.fillPriceWad, openFill);
  assert.equal(preview.fills[0]?.realisedPnlWad, 2n * (closeFill - 3_900n * WAD));
  assert.equal(preview.worstFillPriceWad, openFill < closeFill ? openFill : closeFill, "selling: the lowest fill binds");
  const openFee = fee({ sizeAbsWad: 3n * WAD, fillWad: openFill, rateWad: 5n * 10n ** 14n });
  assert.equal(preview.position?.sizeWad, -3n * WAD);
  assert.equal(preview.position?.marginWad, 1_000n * WAD - openFee);
  assert.equal(preview.position?.jWad, openFill);
  assert.ok(preview.hints.length === 1 && preview.hints[0] === 0, "the short list is empty: insert at the head");
});

test("test_previewTradeFromState_closeFreesMarginAndPnlLessTheFee", () => {
  const preview = previewTradeFromState({ state: state(), sizeDeltaWad: -2n * WAD });
  assert.equal(preview.kind, "close");
  assert.equal(preview.position, undefined);
  assert.equal(preview.adl.level, 0);
  const f = preview.fills[0]!;
  assert.equal(preview.freeCollateralAfterWad, 10_000n * WAD + 1_000n * WAD + f.realisedPnlWad - f.feeWad);
  assert.deepEqual(preview.hints, []);
});

test("test_previewTradeFromState_decreaseKeepsJAndThePlaceInTheList", () => {
  const preview = previewTradeFromState({ state: state(), sizeDeltaWad: -WAD });
  assert.equal(preview.kind, "decrease");
  assert.equal(preview.position?.jWad, 3_900n * WAD);
  assert.equal(preview.position?.marginWad, 500n * WAD);
  assert.equal(preview.adl.rank, 1);
});

test("test_previewTradeFromState_refusesBadInputs", () => {
  assert.throws(() => previewTradeFromState({ state: state(), sizeDeltaWad: 0n }), (e: unknown) => e instanceof InvalidInputError && e.parameter === "sizeDeltaWad");
  assert.throws(() => previewTradeFromState({ state: state(), sizeDeltaWad: WAD, marginWad: -1n }), (e: unknown) => e instanceof InvalidInputError && e.parameter === "marginWad");
  assert.throws(() => previewTradeFromState({ state: state(), sizeDeltaWad: -WAD, marginWad: WAD }), /no margin may be given with a reducing order/);
  assert.throws(() => previewTradeFromState({ state: state({ inLiquidation: true }), sizeDeltaWad: WAD, marginWad: WAD }), /being liquidated/);
});

test("test_acceptablePrice_allowsTheSlippageAgainstTheTrader", () => {
  assert.equal(acceptablePrice({ fillPriceWad: 4_000n * WAD, buying: true, slippageBps: 50 }), 4_020n * WAD);
  assert.equal(acceptablePrice({ fillPriceWad: 4_000n * WAD, buying: false, slippageBps: 50 }), 3_980n * WAD);
  assert.equal(acceptablePrice({ fillPriceWad: 1n, buying: true, slippageBps: 1 }), 2n, "rounded up when buying");
  assert.equal(acceptablePrice({ fillPriceWad: 1n, buying: false, slippageBps: 1 }), 0n, "rounded down when selling");
  assert.throws(() => acceptablePrice({ fillPriceWad: WAD, buying: true, slippageBps: 10_001 }), InvalidInputError);
  assert.throws(() => acceptablePrice({ fillPriceWad: WAD, buying: true, slippageBps: 0.5 }), InvalidInputError);
});
