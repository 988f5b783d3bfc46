/**
 * Skew-based funding, mirroring contracts/libraries/FundingMath.sol function by function. Funding accrues
 * per second into a market's cumulative index F (funding per unit of size, in price units; longs pay
 * shorts when it rises):
 *
 *     rate per day = maxFundingRatePerDay × clamp(skew / skewScale, −1, 1)
 *     ΔF = P × rate per day × elapsed / 86,400
 *
 * Every division truncates towards zero, in the contract's order. BigInt `/` truncates towards zero as
 * Solidity's `/` does, so the plain operator is the faithful one here (not `divDown`, which rounds towards −∞).
 */
import { SECONDS_PER_DAY, WAD } from "../constants.ts";
import { checkDivisor, checkInt256, checkUint256, toInt256 } from "./checked.ts";

/** Parameters of {@link skewRatio}. */
export type SkewRatioParameters = {
  /** Market skew, long OI − short OI in units (int256). */
  skewWad: bigint;
  /** The market's skew scale in units (uint256, non-zero). */
  skewScaleWad: bigint;
};

/** Parameters of {@link ratePerDay}. */
export type RatePerDayParameters = SkewRatioParameters & {
  /** Funding rate per day at full skew, as a WAD fraction of price (uint256). */
  maxRatePerDayWad: bigint;
};

/** Parameters of {@link indexDelta}. */
export type IndexDeltaParameters = RatePerDayParameters & {
  /** Oracle price P (uint256). */
  priceWad: bigint;
  /** Seconds since the index was last accrued (uint256). */
  elapsedSeconds: bigint;
};

/**
 * clamp(skew / skewScale, −1, 1) as a signed WAD fraction, truncated towards zero.
 *
 * @param parameters - {@link SkewRatioParameters}
 * @returns The ratio, WAD (int256), in [−1e18, 1e18].
 * @throws {SdkMathError} `DivisionByZero` for a zero skew scale; `Overflow` where the contract overflows.
 *
 * @example
 * skewRatio({ skewWad: -WAD, skewScaleWad: 3n * WAD }); // -333333333333333333n (towards zero)
 */
export function skewRatio({ skewWad, skewScaleWad }: SkewRatioParameters): bigint {
  const fn = "skewRatio";
  checkInt256(fn, "skewWad", skewWad);
  const scale = toInt256(fn, "skewScaleWad", checkUint256(fn, "skewScaleWad", skewScaleWad));
  const ratio = checkInt256(fn, "skew · WAD", skewWad * WAD) / checkDivisor(fn, "skewScaleWad", scale);
  if (ratio > WAD) return WAD;
  if (ratio < -WAD) return -WAD;
  return ratio;
}

/**
 * The funding rate per day at the given skew, maxRate × ratio / WAD truncated towards zero.
 *
 * @param parameters - {@link RatePerDayParameters}
 * @returns The rate as a signed WAD fraction of price per day (int256); positive when longs pay.
 * @throws {SdkMathError} `DivisionByZero` for a zero skew scale; `NegativeUnsigned` for a negative max rate.
 *
 * @example
 * // half the skew scale at 1% a day max: 0.5% a day
 * ratePerDay({ skewWad: 500n * WAD, skewScaleWad: 1_000n * WAD, maxRatePerDayWad: 10n ** 16n }); // 5n * 10n ** 15n
 */
export function ratePerDay({ skewWad, skewScaleWad, maxRatePerDayWad }: RatePerDayParameters): bigint {
  const fn = "ratePerDay";
  const maxRate = toInt256(fn, "maxRatePerDayWad", checkUint256(fn, "maxRatePerDayWad", maxRatePerDayWad));
  return checkInt256(fn, "maxRate · ratio", maxRate * skewRatio({ skewWad, skewScaleWad })) / WAD;
}

/**
 * The change of the funding index over `elapsedSeconds` at constant skew and price:
 * P × rate × elapsed / (WAD × 86,400), truncated towards zero once, after the products.
 *
 * @param parameters - {@link IndexDeltaParameters}
 * @returns ΔF in price units, WAD (int256); add it to the stored index to preview the current one.
 * @throws {SdkMathError} `DivisionByZero` for a zero skew scale; `NegativeUnsigned` for a negative price,
 * rate or duration; `Overflow` where the contract overflows.
 *
 * @example
 * // full long skew, 1% a day max, price 2,000, one day: longs pay 20 USD per unit
 * indexDelta({
 *   skewWad: WAD,
 *   skewScaleWad: WAD,
 *   maxRatePerDayWad: 10n ** 16n,
 *   priceWad: 2_000n * WAD,
 *   elapsedSeconds: 86_400n,
 * }); // 20n * WAD
 */
export function indexDelta({
  skewWad,
  skewScaleWad,
  maxRatePerDayWad,
  priceWad,
  elapsedSeconds,
}: IndexDeltaParameters): bigint {
  const fn = "indexDelta";
  const price = toInt256(fn, "priceWad", checkUint256(fn, "priceWad", priceWad));
  const elapsed = toInt256(fn, "elapsedSeconds", checkUint256(fn, "elapsedSeconds", elapsedSeconds));
  const rate = ratePerDay({ skewWad, skewScaleWad, maxRatePerDayWad });
  const priceRate = checkInt256(fn, "P · rate", price * rate);
  return checkInt256(fn, "P · rate · elapsed", priceRate * elapsed) / (WAD * SECONDS_PER_DAY);
}
