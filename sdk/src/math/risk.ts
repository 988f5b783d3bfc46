/**
 * The cross-parameter risk constraints of DESIGN "Risk parameters", mirroring the pure functions of
 * contracts/libraries/RiskBounds.sol: MMR ≥ opening fee + closing fee + δ + latency buffer,
 * IMR ≥ 1.25·MMR, fee ≥ δ/2 per side, and margin ratios that rise by at most 10% (relative) a day.
 * A market that falls out of compliance takes no new risk until its margins have ramped up.
 */
import { MAX_MARGIN_RAISE_PER_DAY_WAD, WAD } from "../constants.ts";
import { checkUint256 } from "./checked.ts";
import { wMulDown } from "./fixedPoint.ts";

/** Parameters of {@link requiredMmr}: the market config fields it reads (uint64 on chain). */
export type RequiredMmrParameters = {
  /** Trading fee per side, as a WAD fraction of notional. */
  tradingFeeWad: bigint;
  /** The feed's deviation threshold δ, as a WAD fraction. */
  deviationWad: bigint;
  /** Extra maintenance buffer for keeper latency, as a WAD fraction. */
  latencyBufferWad: bigint;
};

/** Parameters of {@link requiredImr}. */
export type RequiredImrParameters = {
  /** Maintenance margin ratio, WAD. */
  mmrWad: bigint;
};

/** Parameters of {@link feeFloor}. */
export type FeeFloorParameters = {
  /** The feed's deviation threshold δ, WAD. */
  deviationWad: bigint;
};

/** Parameters of {@link maxRaise}. */
export type MaxRaiseParameters = {
  /** The margin ratio at the start of the current UTC day, WAD. */
  baseWad: bigint;
};

/** Parameters of {@link isCompliant}: the market config fields it reads. */
export type IsCompliantParameters = RequiredMmrParameters & {
  /** Maintenance margin ratio, WAD. */
  mmrWad: bigint;
  /** Initial margin ratio, WAD. */
  imrWad: bigint;
};

/**
 * The smallest MMR the market's fees, deviation threshold and latency buffer allow: 2·fee + δ + buffer.
 *
 * @param parameters - {@link RequiredMmrParameters}
 * @returns The MMR floor, WAD.
 * @throws {SdkMathError} `NegativeUnsigned` for a negative input.
 *
 * @example
 * // fee 0.05%, δ 0.1%, buffer 0.1%: 0.3%
 * requiredMmr({ tradingFeeWad: 5n * 10n ** 14n, deviationWad: 10n ** 15n, latencyBufferWad: 10n ** 15n });
 * // 3n * 10n ** 15n
 */
export function requiredMmr({ tradingFeeWad, deviationWad, latencyBufferWad }: RequiredMmrParameters): bigint {
  const fn = "requiredMmr";
  checkUint256(fn, "tradingFeeWad", tradingFeeWad);
  checkUint256(fn, "deviationWad", deviationWad);
  checkUint256(fn, "latencyBufferWad", latencyBufferWad);
  return checkUint256(fn, "2 · fee + δ + buffer", 2n * tradingFeeWad + deviationWad + latencyBufferWad);
}

/**
 * The smallest IMR for a given MMR: 1.25 × MMR, rounded up.
 *
 * @param parameters - {@link RequiredImrParameters}
 * @returns ⌈5·MMR/4⌉, WAD.
 * @throws {SdkMathError} `NegativeUnsigned` for a negative MMR.
 *
 * @example
 * requiredImr({ mmrWad: 1n }); // 2n
 */
export function requiredImr({ mmrWad }: RequiredImrParameters): bigint {
  const fn = "requiredImr";
  checkUint256(fn, "mmrWad", mmrWad);
  return checkUint256(fn, "5 · MMR + 3", mmrWad * 5n + 3n) / 4n;
}

/**
 * The smallest trading fee per side: δ/2, rounded up, so trading against a pending oracle update does not pay.
 *
 * @param parameters - {@link FeeFloorParameters}
 * @returns ⌈δ/2⌉, WAD.
 * @throws {SdkMathError} `NegativeUnsigned` for a negative δ.
 *
 * @example
 * feeFloor({ deviationWad: 10n ** 15n }); // 5n * 10n ** 14n
 */
export function feeFloor({ deviationWad }: FeeFloorParameters): bigint {
  const fn = "feeFloor";
  checkUint256(fn, "deviationWad", deviationWad);
  return checkUint256(fn, "δ + 1", deviationWad + 1n) / 2n;
}

/**
 * The highest value a margin ratio may reach today, given its value at the start of the UTC day:
 * base × 1.1, rounded down.
 *
 * @param parameters - {@link MaxRaiseParameters}
 * @returns The ceiling for today, WAD.
 * @throws {SdkMathError} `NegativeUnsigned` for a negative base.
 *
 * @example
 * maxRaise({ baseWad: 9n * 10n ** 15n }); // 99n * 10n ** 14n (0.9% → 0.99%)
 */
export function maxRaise({ baseWad }: MaxRaiseParameters): bigint {
  return wMulDown(checkUint256("maxRaise", "baseWad", baseWad), WAD + MAX_MARGIN_RAISE_PER_DAY_WAD);
}

/**
 * Whether every cross-parameter constraint holds:
 * fee ≥ ⌈δ/2⌉, MMR ≥ 2·fee + δ + buffer, IMR ≥ ⌈1.25·MMR⌉.
 *
 * @param parameters - {@link IsCompliantParameters}
 * @returns True when the market may take new risk as far as its parameters go.
 * @throws {SdkMathError} `NegativeUnsigned` for a negative input.
 *
 * @example
 * // DESIGN's ETH defaults: fee 0.05%, δ 0.1%, buffer 0.1%, MMR 0.9%, IMR 1.125%
 * isCompliant({
 *   tradingFeeWad: 5n * 10n ** 14n,
 *   deviationWad: 10n ** 15n,
 *   latencyBufferWad: 10n ** 15n,
 *   mmrWad: 9n * 10n ** 15n,
 *   imrWad: 1125n * 10n ** 13n,
 * }); // true
 */
export function isCompliant({
  tradingFeeWad,
  deviationWad,
  latencyBufferWad,
  mmrWad,
  imrWad,
}: IsCompliantParameters): boolean {
  checkUint256("isCompliant", "tradingFeeWad", tradingFeeWad);
  checkUint256("isCompliant", "latencyBufferWad", latencyBufferWad);
  checkUint256("isCompliant", "mmrWad", mmrWad);
  checkUint256("isCompliant", "imrWad", imrWad);
  return (
    tradingFeeWad >= feeFloor({ deviationWad }) &&
    mmrWad >= requiredMmr({ tradingFeeWad, deviationWad, latencyBufferWad }) &&
    imrWad >= requiredImr({ mmrWad })
  );
}
