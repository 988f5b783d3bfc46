/**
 * Precisions and fixed parameters, mirrored from the contracts. `constants.test.ts` reads them back out of
 * the Solidity sources, so a change on either side fails a test.
 */

/** 1e18: the one internal precision (DESIGN "Units"). Prices, sizes, values and ratios are WAD. */
export const WAD = 10n ** 18n;

/** Decimals of the collateral token (USDC), which is converted to WAD only at the edges. */
export const TOKEN_DECIMALS = 6;

/** 10^(18 − 6): a raw token amount times this is WAD. Token → WAD is exact; WAD → token rounds down. */
export const TOKEN_TO_WAD = 10n ** 12n;

/** Tier bounds are leverages ×1e4 (uint32): 30000 is 3x. */
export const TIER_BOUND_PRECISION = 10n ** 4n;

/** WAD / 1e4: a tier bound ×1e4 times this is a WAD leverage (PositionMath.X1E4_TO_WAD). */
export const X1E4_TO_WAD = 10n ** 14n;

/** Seconds in a day: funding rates are per day, and "per day" caps and ramps use UTC days. */
export const SECONDS_PER_DAY = 86_400n;

/** A margin ratio may rise by at most 10% (relative) per UTC day (RiskBounds.MAX_MARGIN_RAISE_PER_DAY). */
export const MAX_MARGIN_RAISE_PER_DAY_WAD = 10n ** 17n;
