import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { assertMathError } from "../_test/assertions.ts";
import { Prng } from "../testing/prng.ts";
import { WAD } from "../constants.ts";
import { MAX_UINT256 } from "./checked.ts";
import {
  bankruptcyPrice,
  chosenLeverage,
  equity,
  fee,
  fillPrice,
  increasedJ,
  isLiquidatable,
  liquidationThresholdK,
  k,
  liquidationPrice,
  notionalDown,
  notionalUp,
  pnl,
  requiredMargin,
  sliceMargin,
  tierOf,
  type TierBoundsX1e4,
} from "./position.ts";

const W = WAD;
/** 0.9%, DESIGN's ETH/BTC maintenance margin. */
const MMR_0_9_PCT = 9n * 10n ** 15n;
/** 10%: round numbers for exact boundaries. */
const MMR_10_PCT = 10n ** 17n;
/** DESIGN's default tiers: exempt ≤ 3x, 3–10x, 10–20x, 20–40x, above 40x. */
const BOUNDS: TierBoundsX1e4 = [30_000, 100_000, 200_000, 400_000];

describe("pnl / equity", () => {
  // 2 ETH long, margin 100, J = 1,900, at P = 2,000.
  const long = { sizeWad: 2n * W, marginWad: 100n * W, jWad: 1_900n * W, priceWad: 2_000n * W };

  test("test_pnl_isSizeTimesPriceMinusFundingMinusJ", () => {
    // 2·(2,000 − 0 − 1,900) = 200; with F = 10: 2·(2,000 − 10 − 1,900) = 180
    assert.equal(pnl({ ...long, fundingIndexWad: 0n }), 200n * W);
    assert.equal(pnl({ ...long, fundingIndexWad: 10n * W }), 180n * W);
    // a short of the same size gains when F rises: −2·(2,000 − 10 − 1,900) = −180
    assert.equal(pnl({ ...long, sizeWad: -2n * W, fundingIndexWad: 10n * W }), -180n * W);
  });

  test("test_equity_isMarginPlusPnl", () => {
    assert.equal(equity({ ...long, fundingIndexWad: 0n }), 300n * W);
    assert.equal(equity({ ...long, fundingIndexWad: 10n * W }), 280n * W);
    // a short 2 ETH at J = 1,900 with 100 margin at 2,000: 100 + 2·(1,900 − 2,000) = −100 (past bankruptcy)
    assert.equal(equity({ ...long, sizeWad: -2n * W, fundingIndexWad: 0n }), -100n * W);
  });

  test("test_pnl_roundsDownForBothSides", () => {
    // ±3 wei × (P − F − J = 0.5) = ±1.5 wei: the long gets 1, the short −2 (against the trader either way).
    const base = { jWad: 1_000n * W, fundingIndexWad: 0n, priceWad: 1_000n * W + W / 2n };
    assert.equal(pnl({ ...base, sizeWad: 3n }), 1n);
    assert.equal(pnl({ ...base, sizeWad: -3n }), -2n);
  });

  test("test_pnl_throwsOnANegativePrice", () => {
    assertMathError(() => pnl({ sizeWad: W, jWad: 0n, fundingIndexWad: 0n, priceWad: -1n }), "NegativeUnsigned", "pnl");
  });

  test("test_equity_throwsOnANegativeMargin", () => {
    assertMathError(
      () => equity({ sizeWad: W, marginWad: -1n, jWad: 0n, fundingIndexWad: 0n, priceWad: W }),
      "NegativeUnsigned",
      "equity"
    );
  });

  test("test_pnl_throwsOnAPriceThatInt256CannotHold", () => {
    // int256(priceWad) would wrap in Solidity; inputs stored in 128 bits never get there, so the SDK refuses.
    const base = { sizeWad: 0n, jWad: 0n, fundingIndexWad: 0n };
    assert.equal(pnl({ ...base, priceWad: (1n << 255n) - 1n }), 0n);
    assertMathError(() => pnl({ ...base, priceWad: 1n << 255n }), "Overflow", "pnl");
  });

  test("test_pnl_throwsWhenTheProductOverflowsInt256", () => {
    assertMathError(
      () => pnl({ sizeWad: 1n << 200n, jWad: 0n, fundingIndexWad: 0n, priceWad: 1n << 60n }),
      "Overflow",
      "pnl"
    );
  });
});

describe("notional / requiredMargin", () => {
  test("test_notional_roundsUpAndDownWhateverTheSide", () => {
    // 3 wei × 0.5 = 1.5 wei
    assert.equal(notionalUp({ sizeWad: -3n, priceWad: W / 2n }), 2n);
    assert.equal(notionalDown({ sizeWad: -3n, priceWad: W / 2n }), 1n);
    assert.equal(notionalUp({ sizeWad: 3n, priceWad: W / 2n }), 2n);
    assert.equal(notionalDown({ sizeWad: -2n * W, priceWad: 2_000n * W }), 4_000n * W);
  });

  test("test_requiredMargin_isRatioTimesNotional", () => {
    // 0.9% of 2 × 2,000 = 36
    assert.equal(requiredMargin({ sizeWad: -2n * W, priceWad: 2_000n * W, ratioWad: MMR_0_9_PCT }), 36n * W);
  });

  test("test_requiredMargin_roundsUpTwice", () => {
    // 1 wei × 1 wei = 1e-18 wei → 1, then × 0.9% → 1: never zero for a non-zero position.
    assert.equal(requiredMargin({ sizeWad: 1n, priceWad: 1n, ratioWad: MMR_0_9_PCT }), 1n);
  });

  test("test_notional_throwsOnANegativePrice", () => {
    assertMathError(() => notionalUp({ sizeWad: W, priceWad: -W }), "NegativeUnsigned", "notionalUp");
    assertMathError(() => notionalDown({ sizeWad: W, priceWad: -W }), "NegativeUnsigned", "notionalDown");
  });
});

describe("k / bankruptcyPrice / liquidationPrice", () => {
  test("test_k_isJMinusMarginPerUnitForLongsAndPlusForShorts", () => {
    // 2 ETH, margin 100, J = 1,900: 1,900 ∓ 50
    assert.equal(k({ sizeWad: 2n * W, marginWad: 100n * W, jWad: 1_900n * W }), 1_850n * W);
    assert.equal(k({ sizeWad: -2n * W, marginWad: 100n * W, jWad: 1_900n * W }), 1_950n * W);
  });

  test("test_k_roundsTowardsLiquidation", () => {
    // m/|s| = 100/3 = 33.333…, floored to 33.333333333333333333: K errs up for a long, down for a short.
    assert.equal(k({ sizeWad: 3n * W, marginWad: 100n * W, jWad: 1_000n * W }), 966_666_666_666_666_666_667n);
    assert.equal(k({ sizeWad: -3n * W, marginWad: 100n * W, jWad: 1_000n * W }), 1_033_333_333_333_333_333_333n);
  });

  test("test_k_throwsForAZeroSize", () => {
    assertMathError(() => k({ sizeWad: 0n, marginWad: W, jWad: W }), "DivisionByZero", "k");
  });

  test("test_bankruptcyPrice_isKPlusFunding", () => {
    assert.equal(
      bankruptcyPrice({ sizeWad: 2n * W, marginWad: 100n * W, jWad: 1_900n * W, fundingIndexWad: 10n * W }),
      1_860n * W
    );
    assert.equal(
      bankruptcyPrice({ sizeWad: -2n * W, marginWad: 100n * W, jWad: 1_900n * W, fundingIndexWad: -10n * W }),
      1_940n * W
    );
  });

  test("test_bankruptcyPrice_isWhereEquityIsZero", () => {
    // long 1 ETH, margin 100, J = 1,000, F = 5: bankrupt at 905, where 100 + (905 − 5 − 1,000) = 0
    const position = { sizeWad: W, marginWad: 100n * W, jWad: 1_000n * W, fundingIndexWad: 5n * W };
    const priceWad = bankruptcyPrice(position);
    assert.equal(priceWad, 905n * W);
    assert.equal(equity({ ...position, priceWad }), 0n);
  });

  test("test_liquidationPrice_isExactWhenTheDivisionIs", () => {
    // K + F = 900 (long) / 1,100 (short) at MMR 10%: 900 / 0.9 = 1,000 and 1,100 / 1.1 = 1,000
    const base = { marginWad: 100n * W, jWad: 1_000n * W, fundingIndexWad: 0n, mmrWad: MMR_10_PCT };
    assert.equal(liquidationPrice({ ...base, sizeWad: W }), 1_000n * W);
    assert.equal(liquidationPrice({ ...base, sizeWad: -W }), 1_000n * W);
  });

  test("test_liquidationPrice_roundsUpForLongsAndDownForShorts", () => {
    // K + F = 1,000 at MMR 0.9%: 1,000 / 0.991 = 1,009.081735620585267406|6…
    // and 1,000 / 1.009 = 991.080277502477700693|7…
    const base = { marginWad: 0n, jWad: 1_000n * W, fundingIndexWad: 0n, mmrWad: MMR_0_9_PCT };
    assert.equal(liquidationPrice({ ...base, sizeWad: W }), 1_009_081_735_620_585_267_407n);
    assert.equal(liquidationPrice({ ...base, sizeWad: -W }), 991_080_277_502_477_700_693n);
  });

  test("test_liquidationPrice_throwsForALongAtFullMmr", () => {
    assertMathError(
      () => liquidationPrice({ sizeWad: W, marginWad: W, jWad: 2n * W, fundingIndexWad: 0n, mmrWad: W }),
      "DivisionByZero",
      "liquidationPrice"
    );
  });
});

describe("isLiquidatable", () => {
  // 1 unit, margin 100, J = 1,000, F = 0, MMR 10%: the liquidation price is exactly 1,000 on both sides.
  const base = { marginWad: 100n * W, jWad: 1_000n * W, fundingIndexWad: 0n, mmrWad: MMR_10_PCT };

  test("test_isLiquidatable_isFalseWithEquityExactlyAtMaintenance", () => {
    // equity 100 = 10% of 1,000: the trigger is strict.
    assert.equal(isLiquidatable({ ...base, sizeWad: W, priceWad: 1_000n * W }), false);
    assert.equal(isLiquidatable({ ...base, sizeWad: -W, priceWad: 1_000n * W }), false);
  });

  test("test_isLiquidatable_isTrueOneWeiPastTheLiquidationPrice", () => {
    // long at 1,000 − 1 wei: equity 100 − 1 wei < ⌈10% × (1,000 − 1 wei)⌉ = 100
    assert.equal(isLiquidatable({ ...base, sizeWad: W, priceWad: 1_000n * W - 1n }), true);
    // short at 1,000 + 1 wei: equity 100 − 1 wei < ⌈10% × (1,000 + 1 wei)⌉ = 100 + 1 wei
    assert.equal(isLiquidatable({ ...base, sizeWad: -W, priceWad: 1_000n * W + 1n }), true);
  });

  test("test_isLiquidatable_isFalseOnTheSafeSide", () => {
    assert.equal(isLiquidatable({ ...base, sizeWad: W, priceWad: 1_000n * W + 1n }), false);
    assert.equal(isLiquidatable({ ...base, sizeWad: -W, priceWad: 1_000n * W - 1n }), false);
  });

  test("test_fuzz_isLiquidatable_flipsAtTheLiquidationPrice", () => {
    // Rounding (equity down, requirement up, K towards liquidation) moves the on-chain boundary by at most a
    // few wei from (K + F)/(1 ∓ MMR) for |s| ≥ 1 and MMR ≤ 50%; 10 wei either side is unambiguous.
    const prng = new Prng(0x6c6971n);
    let checked = 0;
    for (let i = 0; i < 1_500; i++) {
      const sizeAbs = prng.between(W, 1_000_000n * W);
      const sizeWad = prng.boolean() ? sizeAbs : -sizeAbs;
      const jWad = prng.between(W, 100_000n * W);
      const marginWad = prng.below((sizeAbs * jWad) / W);
      const fundingIndexWad = prng.between(-1_000n * W, 1_000n * W);
      const mmrWad = prng.below(W / 2n + 1n);
      const position = { sizeWad, marginWad, jWad, fundingIndexWad, mmrWad };
      const liquidationWad = liquidationPrice(position);
      if (liquidationWad <= 10n) continue;
      checked++;
      const worse = sizeWad > 0n ? liquidationWad - 10n : liquidationWad + 10n;
      const better = sizeWad > 0n ? liquidationWad + 10n : liquidationWad - 10n;
      assert.equal(isLiquidatable({ ...position, priceWad: worse }), true, `iteration ${i}: worse`);
      assert.equal(isLiquidatable({ ...position, priceWad: better }), false, `iteration ${i}: better`);
    }
    assert.ok(checked > 1_000, `only ${checked} cases had a positive liquidation price`);
  });

  test("test_fuzz_equity_isSizeTimesDistanceToK", () => {
    // equity = |s|·(P − F − K) (long), |s|·(K + F − P) (short) up to rounding: equity is floored (< 1 wei)
    // and K keeps the floor of m/|s| (< |s|/WAD wei of margin), so W·equity − |s|·distance ∈ (−W, |s|).
    const prng = new Prng(0x657175697479n);
    for (let i = 0; i < 2_000; i++) {
      const sizeAbs = prng.magnitude(100) + 1n;
      const sizeWad = prng.boolean() ? sizeAbs : -sizeAbs;
      const marginWad = prng.magnitude(100);
      const jWad = prng.signedMagnitude(100);
      const fundingIndexWad = prng.signedMagnitude(80);
      const priceWad = prng.magnitude(100);
      const kWad = k({ sizeWad, marginWad, jWad });
      const distance = sizeWad > 0n ? priceWad - fundingIndexWad - kWad : kWad + fundingIndexWad - priceWad;
      const gap = W * equity({ sizeWad, marginWad, jWad, fundingIndexWad, priceWad }) - sizeAbs * distance;
      assert.ok(-W < gap && gap < sizeAbs, `iteration ${i}: gap ${gap}`);
    }
  });
});

describe("chosenLeverage / tierOf", () => {
  test("test_chosenLeverage_isEntryTimesSizeOverMargin", () => {
    // 2 ETH at E = J + F0 = 1,990 + 10 = 2,000 with margin 400: 10x, whatever the side
    assert.equal(chosenLeverage({ sizeWad: 2n * W, marginWad: 400n * W, jWad: 1_990n * W, f0Wad: 10n * W }), 10n * W);
    assert.equal(chosenLeverage({ sizeWad: -2n * W, marginWad: 400n * W, jWad: 1_990n * W, f0Wad: 10n * W }), 10n * W);
  });

  test("test_chosenLeverage_roundsUp", () => {
    // 1 × 1 / 3 = 0.333… → 0.333333333333333334
    assert.equal(chosenLeverage({ sizeWad: W, marginWad: 3n * W, jWad: W, f0Wad: 0n }), 333_333_333_333_333_334n);
  });

  test("test_chosenLeverage_isUnboundedWithoutMargin", () => {
    assert.equal(chosenLeverage({ sizeWad: W, marginWad: 0n, jWad: W, f0Wad: 0n }), MAX_UINT256);
    // the margin check comes before the sign of E, as in the contract
    assert.equal(chosenLeverage({ sizeWad: W, marginWad: 0n, jWad: -W, f0Wad: 0n }), MAX_UINT256);
  });

  test("test_chosenLeverage_isZeroWhenTheEntryIsNotPositive", () => {
    assert.equal(chosenLeverage({ sizeWad: W, marginWad: W, jWad: -5n * W, f0Wad: 5n * W }), 0n);
    assert.equal(chosenLeverage({ sizeWad: W, marginWad: W, jWad: -6n * W, f0Wad: 5n * W }), 0n);
  });

  test("test_tierOf_isExemptAtExactlyTheFirstBound", () => {
    // 3 units at E = 2,000 with margin 2,000: exactly 3x
    const leverageWad = chosenLeverage({ sizeWad: 3n * W, marginWad: 2_000n * W, jWad: 2_000n * W, f0Wad: 0n });
    assert.equal(leverageWad, 3n * W);
    assert.equal(tierOf({ leverageWad, tierBoundsX1e4: BOUNDS }), 0);
    assert.equal(tierOf({ leverageWad: 3n * W + 1n, tierBoundsX1e4: BOUNDS }), 1);
  });

  test("test_tierOf_isOneAtExactlyTenX", () => {
    assert.equal(tierOf({ leverageWad: 10n * W, tierBoundsX1e4: BOUNDS }), 1);
    assert.equal(tierOf({ leverageWad: 10n * W + 1n, tierBoundsX1e4: BOUNDS }), 2);
    assert.equal(tierOf({ leverageWad: 20n * W, tierBoundsX1e4: BOUNDS }), 2);
    assert.equal(tierOf({ leverageWad: 40n * W, tierBoundsX1e4: BOUNDS }), 3);
    assert.equal(tierOf({ leverageWad: 40n * W + 1n, tierBoundsX1e4: BOUNDS }), 4);
  });

  test("test_tierOf_putsEverythingAboveTheTopBoundInTheTopTier", () => {
    assert.equal(tierOf({ leverageWad: 1_000n * W, tierBoundsX1e4: BOUNDS }), 4);
    assert.equal(tierOf({ leverageWad: MAX_UINT256, tierBoundsX1e4: BOUNDS }), 4);
    assert.equal(tierOf({ leverageWad: 0n, tierBoundsX1e4: BOUNDS }), 0);
  });

  test("test_tierOf_takesTheLastBoundExceededAsTheContractDoes", () => {
    // Unordered bounds never pass the registry's checks, but the loop keeps the last bound exceeded.
    assert.equal(tierOf({ leverageWad: 5n * W, tierBoundsX1e4: [100_000, 40_000, 200_000, 20_000] }), 4);
  });

  test("test_tierOf_throwsOnABoundThatIsNotAUint32", () => {
    assertMathError(() => tierOf({ leverageWad: W, tierBoundsX1e4: [30_000.5, 1, 2, 3] }), "NotAnInteger", "tierOf");
    assertMathError(() => tierOf({ leverageWad: W, tierBoundsX1e4: [0, 2 ** 32, 2, 3] }), "NotAnInteger", "tierOf");
    assertMathError(() => tierOf({ leverageWad: W, tierBoundsX1e4: [0, 1, -1, 3] }), "NotAnInteger", "tierOf");
  });
});

describe("fillPrice", () => {
  // P = 2,000, skew scale 1,000 units.
  const market = { priceWad: 2_000n * W, skewScaleWad: 1_000n * W };

  test("test_fillPrice_chargesHalfTheSkewMidpointOnAFlatMarket", () => {
    // buy 1 on a flat market: 2,000 × (1 + (0 + 1)/2/1,000) = 2,001; sell 1: 1,999
    assert.equal(fillPrice({ ...market, skewBeforeWad: 0n, sizeDeltaWad: W }), 2_001n * W);
    assert.equal(fillPrice({ ...market, skewBeforeWad: 0n, sizeDeltaWad: -W }), 1_999n * W);
  });

  test("test_fillPrice_rewardsTradesThatReduceTheSkew", () => {
    // skew +10, sell 2: midpoint 9 → 2,000 × (1 + 9/1,000) = 2,018, above the oracle price
    assert.equal(fillPrice({ ...market, skewBeforeWad: 10n * W, sizeDeltaWad: -2n * W }), 2_018n * W);
    // skew −10, buy 2: midpoint −9 → 1,982, below the oracle price
    assert.equal(fillPrice({ ...market, skewBeforeWad: -10n * W, sizeDeltaWad: 2n * W }), 1_982n * W);
  });

  test("test_fillPrice_roundsUpForBuysAndDownForSells", () => {
    // P = 1, skew scale 1, ±1 wei: impact ±0.5 wei
    const tiny = { priceWad: W, skewBeforeWad: 0n, skewScaleWad: W };
    assert.equal(fillPrice({ ...tiny, sizeDeltaWad: 1n }), W + 1n);
    assert.equal(fillPrice({ ...tiny, sizeDeltaWad: -1n }), W - 1n);
  });

  test("test_fillPrice_roundsAZeroDeltaDownAsTheContractDoes", () => {
    // impact = 1 × (−2 wei)/(2 × 3) = −1/3 wei → −1
    assert.equal(fillPrice({ priceWad: W, skewBeforeWad: -1n, sizeDeltaWad: 0n, skewScaleWad: 3n * W }), W - 1n);
  });

  test("test_fillPrice_isZeroWhenTheImpactWouldMakeItNonPositive", () => {
    // skew −1,000 at scale 1, sell 1: impact −1,000.5 × P
    assert.equal(fillPrice({ priceWad: W, skewBeforeWad: -1_000n * W, sizeDeltaWad: -W, skewScaleWad: W }), 0n);
  });

  test("test_fillPrice_throwsOnAZeroSkewScaleOrANegativePrice", () => {
    assertMathError(
      () => fillPrice({ priceWad: W, skewBeforeWad: 0n, sizeDeltaWad: W, skewScaleWad: 0n }),
      "DivisionByZero",
      "fillPrice"
    );
    assertMathError(
      () => fillPrice({ priceWad: -W, skewBeforeWad: 0n, sizeDeltaWad: W, skewScaleWad: W }),
      "NegativeUnsigned",
      "fillPrice"
    );
  });

  test("test_fuzz_fillPrice_isNeverBetterForTheTraderThanTheExactPrice", () => {
    const prng = new Prng(0x66696c6cn);
    for (let i = 0; i < 2_000; i++) {
      const priceWad = prng.between(1n, 1_000_000n * W);
      const skewBeforeWad = prng.signedMagnitude(90);
      const sizeDeltaWad = prng.signedMagnitude(90);
      const skewScaleWad = prng.magnitude(100) + 1n;
      const fill = fillPrice({ priceWad, skewBeforeWad, sizeDeltaWad, skewScaleWad });
      // exact: fill · 2·scale = P · (2·scale + 2·skewBefore + Δs)
      const exactScaled = priceWad * (2n * skewScaleWad + 2n * skewBeforeWad + sizeDeltaWad);
      const scaled = fill * 2n * skewScaleWad;
      if (fill === 0n) {
        assert.ok(exactScaled <= 2n * skewScaleWad * (sizeDeltaWad > 0n ? 0n : 1n), `iteration ${i}: zero`);
      } else if (sizeDeltaWad > 0n) {
        assert.ok(scaled >= exactScaled && scaled - exactScaled < 2n * skewScaleWad, `iteration ${i}: buy`);
      } else {
        assert.ok(scaled <= exactScaled && exactScaled - scaled < 2n * skewScaleWad, `iteration ${i}: sell`);
      }
    }
  });
});

describe("increasedJ", () => {
  test("test_increasedJ_isTheSizeWeightedAverageOfJAndFillMinusFunding", () => {
    // 1 at J = 1,900, plus 1 at 2,000 with F = 0: 1,950; with F = 10: (1,900 + 1,990)/2 = 1,945
    const base = { sizeWad: W, jWad: 1_900n * W, addedSizeWad: W, fillWad: 2_000n * W };
    assert.equal(increasedJ({ ...base, fundingIndexWad: 0n }), 1_950n * W);
    assert.equal(increasedJ({ ...base, fundingIndexWad: 10n * W }), 1_945n * W);
  });

  test("test_increasedJ_roundsUpForLongsAndDownForShorts", () => {
    // (1 × 1,000 + 2 × 1,001)/3 = 1,000.666…
    const base = { jWad: 1_000n * W, addedSizeWad: 2n * W, fillWad: 1_001n * W, fundingIndexWad: 0n };
    assert.equal(increasedJ({ ...base, sizeWad: W }), 1_000_666_666_666_666_666_667n);
    assert.equal(increasedJ({ ...base, sizeWad: -W }), 1_000_666_666_666_666_666_666n);
  });

  test("test_increasedJ_isFillMinusFundingForANewPosition", () => {
    assert.equal(
      increasedJ({ sizeWad: 0n, jWad: 0n, addedSizeWad: 3n * W, fillWad: 2_000n * W, fundingIndexWad: -7n * W }),
      2_007n * W
    );
  });

  test("test_increasedJ_throwsWhenBothSizesAreZero", () => {
    assertMathError(
      () => increasedJ({ sizeWad: 0n, jWad: W, addedSizeWad: 0n, fillWad: W, fundingIndexWad: 0n }),
      "DivisionByZero",
      "increasedJ"
    );
  });
});

describe("fee", () => {
  test("test_fee_isSizeTimesFillTimesRate", () => {
    // 2 × 2,000 × 0.05% = 2
    assert.equal(fee({ sizeAbsWad: 2n * W, fillWad: 2_000n * W, rateWad: 5n * 10n ** 14n }), 2n * W);
  });

  test("test_fee_roundsUpBothProducts", () => {
    // 1 wei × 1 wei × 1 wei is 1e-54 wei, charged as 1 wei
    assert.equal(fee({ sizeAbsWad: 1n, fillWad: 1n, rateWad: 1n }), 1n);
    assert.equal(fee({ sizeAbsWad: 1n, fillWad: 1n, rateWad: 0n }), 0n);
  });

  test("test_fee_throwsOnANegativeSize", () => {
    assertMathError(() => fee({ sizeAbsWad: -1n, fillWad: W, rateWad: W }), "NegativeUnsigned", "fee");
  });
});

describe("sliceMargin", () => {
  test("test_sliceMargin_roundsDownSoTheRemainderKeepsTheDust", () => {
    // a third of 100: 33.333333333333333333, the remaining two thirds keep 66.666666666666666667
    assert.equal(
      sliceMargin({ sizeWad: 3n * W, marginWad: 100n * W, closeSizeAbsWad: W }),
      33_333_333_333_333_333_333n
    );
    assert.equal(
      sliceMargin({ sizeWad: -3n * W, marginWad: 100n * W, closeSizeAbsWad: W }),
      33_333_333_333_333_333_333n
    );
  });

  test("test_sliceMargin_releasesTheWholeMarginOnAFullClose", () => {
    assert.equal(sliceMargin({ sizeWad: -3n * W, marginWad: 100n * W + 1n, closeSizeAbsWad: 3n * W }), 100n * W + 1n);
  });

  test("test_sliceMargin_leavesKUnchangedOnARoundSlice", () => {
    // long 3 at J = 1,000 with margin 100 (K = 966.666666666666666667); close 1: the remainder has 2 units and
    // 66.666666666666666667 margin, and ⌊66.666666666666666667 / 2⌋ = 33.333333333333333333 as before.
    const position = { sizeWad: 3n * W, marginWad: 100n * W, jWad: 1_000n * W };
    const released = sliceMargin({ ...position, closeSizeAbsWad: W });
    assert.equal(k({ sizeWad: 2n * W, marginWad: 100n * W - released, jWad: 1_000n * W }), k(position));
  });

  test("test_fuzz_sliceMargin_movesKAwayFromLiquidationByAtMostOneWei", () => {
    // m'/|s'| ≥ m/|s| because the remainder keeps the dust, and the excess is < WAD/|s'| ≤ 1 wei for |s'| ≥ 1.
    const prng = new Prng(0x736c696365n);
    for (let i = 0; i < 2_000; i++) {
      const sizeAbs = prng.between(2n * W, 1_000_000n * W);
      const closeAbs = prng.between(1n, sizeAbs - W);
      const sizeWad = prng.boolean() ? sizeAbs : -sizeAbs;
      const marginWad = prng.magnitude(110);
      const jWad = prng.between(W, 100_000n * W);
      const before = k({ sizeWad, marginWad, jWad });
      const released = sliceMargin({ sizeWad, marginWad, closeSizeAbsWad: closeAbs });
      const remainderSize = sizeWad > 0n ? sizeAbs - closeAbs : closeAbs - sizeAbs;
      const after = k({ sizeWad: remainderSize, marginWad: marginWad - released, jWad });
      const awayFromLiquidation = sizeWad > 0n ? before - after : after - before;
      assert.ok(
        awayFromLiquidation === 0n || awayFromLiquidation === 1n,
        `iteration ${i}: moved ${awayFromLiquidation}`
      );
    }
  });

  test("test_sliceMargin_throwsOnANegativeMargin", () => {
    assertMathError(
      () => sliceMargin({ sizeWad: W, marginWad: -1n, closeSizeAbsWad: 1n }),
      "NegativeUnsigned",
      "sliceMargin"
    );
  });
});

describe("liquidationThresholdK", () => {
  test("test_isLiquidatable_liquidatableSetIsAPrefixOfTheKOrder", () => {
    // The case that broke an equity-based check at the rounding boundary: position A has K one wei above B's
    // (so A comes first in the longs' K order), B sits 0.88 wei of equity above maintenance.
    const priceWad = 3166457245778929600378n;
    const mmrWad = 9n * 10n ** 15n;
    const threshold = liquidationThresholdK({ isLong: true, priceWad, fundingIndexWad: 0n, mmrWad });
    const prng = new Prng(0x707265n);
    for (let i = 0; i < 2_000; i++) {
      const sizeWad = prng.between(10n ** 15n, 1_000n * W);
      const jWad = prng.between(priceWad - 100n * W, priceWad + 100n * W);
      const marginWad = prng.below((sizeWad * jWad) / W / 10n);
      const position = { sizeWad, marginWad, jWad, fundingIndexWad: 0n, priceWad, mmrWad };
      assert.equal(isLiquidatable(position), k(position) > threshold, `iteration ${i}`);
    }
  });
});
