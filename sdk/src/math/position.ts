/**
 * Per-position formulas, mirroring contracts/libraries/PositionMath.sol function by function and rounding by
 * rounding (plus {@link sliceMargin}, from PerpEngine's pro-rata slice). On a signed size s (long > 0),
 * margin m, break-even J and the market's cumulative funding index F, at oracle price P (DESIGN "Positions"):
 *
 *     equity = m + s·(P − F − J)
 *     K = J − m/|s| (long), J + m/|s| (short); bankruptcy price K + F
 *     profit per unit π = P − F − J (long), J + F − P (short)
 *
 * Values that favour the trader round against them: equity down, K towards liquidation, chosen leverage up.
 * Every intermediate is range-checked like Solidity's checked arithmetic, so a function throws an
 * {@link SdkMathError} exactly where the contract reverts.
 */
import { WAD, X1E4_TO_WAD } from "../constants.ts";
import { SdkMathError } from "../errors/math.ts";
import { checkDivisor, checkedAbs, checkedDiv, checkInt256, checkUint256, MAX_UINT256, toInt256 } from "./checked.ts";
import { abs, mulDivDown, mulDivUp, wDivDown, wMulDown, wMulUp } from "./fixedPoint.ts";

/** Parameters of {@link pnl}. */
export type PnlParameters = {
  /** Signed size s in units, long > 0 (int256). */
  sizeWad: bigint;
  /** Break-even J, in price units (int256). */
  jWad: bigint;
  /** The market's current cumulative funding index F, in price units (int256). */
  fundingIndexWad: bigint;
  /** Oracle price P (uint256). */
  priceWad: bigint;
};

/** Parameters of {@link equity}. */
export type EquityParameters = PnlParameters & {
  /** Margin m, in USD (uint256). */
  marginWad: bigint;
};

/** Parameters of {@link notionalUp} and {@link notionalDown}. */
export type NotionalParameters = {
  /** Signed size s (int256). */
  sizeWad: bigint;
  /** Price P (uint256). */
  priceWad: bigint;
};

/** Parameters of {@link requiredMargin}. */
export type RequiredMarginParameters = NotionalParameters & {
  /** Margin ratio (IMR or MMR), as a WAD fraction (uint256). */
  ratioWad: bigint;
};

/** Parameters of {@link k}. */
export type KParameters = {
  /** Signed size s, non-zero (int256). */
  sizeWad: bigint;
  /** Margin m (uint256). */
  marginWad: bigint;
  /** Break-even J (int256). */
  jWad: bigint;
};

/** Parameters of {@link bankruptcyPrice}. */
export type BankruptcyPriceParameters = KParameters & {
  /** Current funding index F (int256). */
  fundingIndexWad: bigint;
};

/** Parameters of {@link liquidationPrice}. */
export type LiquidationPriceParameters = BankruptcyPriceParameters & {
  /** Maintenance margin ratio, as a WAD fraction (uint256). */
  mmrWad: bigint;
};

/** Parameters of {@link isLiquidatable}. */
export type IsLiquidatableParameters = EquityParameters & {
  /** Maintenance margin ratio, as a WAD fraction (uint256). */
  mmrWad: bigint;
};

/** Parameters of {@link chosenLeverage}. */
export type LiquidationThresholdKParameters = {
  /** The side: true for longs. */
  isLong: boolean;
  /** Oracle price P, WAD. */
  priceWad: bigint;
  /** The market's funding index F, WAD. */
  fundingIndexWad: bigint;
  /** Maintenance margin ratio, WAD. */
  mmrWad: bigint;
};

export type ChosenLeverageParameters = {
  /** Signed size s (int256). */
  sizeWad: bigint;
  /** Margin m (uint256). */
  marginWad: bigint;
  /** Break-even J (int256). */
  jWad: bigint;
  /** The funding index F0 stored with the position when J last changed (int256). */
  f0Wad: bigint;
};

/**
 * A market's four ADL tier lower bounds, as leverages ×1e4 (uint32), ascending: `[30000, 100000, 200000,
 * 400000]` is 3x, 10x, 20x, 40x. `number`s, as viem decodes a `uint32[4]`.
 */
export type TierBoundsX1e4 = readonly [number, number, number, number];

/** An ADL tier: 0 is exempt (in no list), 4 the highest. */
export type AdlTier = 0 | 1 | 2 | 3 | 4;

/** Parameters of {@link tierOf}. */
export type TierOfParameters = {
  /** Chosen leverage, WAD (uint256), as {@link chosenLeverage} returns it. */
  leverageWad: bigint;
  /** The market's tier bounds. */
  tierBoundsX1e4: TierBoundsX1e4;
};

/** Parameters of {@link fillPrice}. */
export type FillPriceParameters = {
  /** Oracle price P (uint256). */
  priceWad: bigint;
  /** Market skew before the trade, long OI − short OI in units (int256). */
  skewBeforeWad: bigint;
  /** Signed size of the trade: > 0 buys, < 0 sells (int256). */
  sizeDeltaWad: bigint;
  /** The market's skew scale, in units (uint256, non-zero). */
  skewScaleWad: bigint;
};

/** Parameters of {@link increasedJ}. */
export type IncreasedJParameters = {
  /** Signed size before the increase (int256); its sign picks the rounding. */
  sizeWad: bigint;
  /** Break-even J before the increase (int256). */
  jWad: bigint;
  /** Size added, unsigned (uint256). */
  addedSizeWad: bigint;
  /** Fill price of the increase (uint256). */
  fillWad: bigint;
  /** Funding index F at the increase (int256). */
  fundingIndexWad: bigint;
};

/** Parameters of {@link fee}. */
export type FeeParameters = {
  /** |Δs|, the traded size (uint256). */
  sizeAbsWad: bigint;
  /** Fill price (uint256). */
  fillWad: bigint;
  /** Fee rate, as a WAD fraction of notional (uint256). */
  rateWad: bigint;
};

/** Parameters of {@link sliceMargin}. */
export type SliceMarginParameters = {
  /** Signed size of the whole position (int256, non-zero). */
  sizeWad: bigint;
  /** Margin of the whole position (uint256). */
  marginWad: bigint;
  /** |size| of the slice closed, at most |sizeWad| (uint256). */
  closeSizeAbsWad: bigint;
};

/**
 * Unrealised PnL s·(P − F − J), including accrued funding and the entry's price impact, rounded down.
 *
 * @param parameters - {@link PnlParameters}
 * @returns The PnL in USD, WAD (int256).
 * @throws {SdkMathError} `NegativeUnsigned` for a negative price; `Overflow` where the contract overflows.
 *
 * @example
 * // 2 ETH long, J = 1,900, F = 0, at 2,000: +200 USD
 * pnl({ sizeWad: 2n * WAD, jWad: 1_900n * WAD, fundingIndexWad: 0n, priceWad: 2_000n * WAD }); // 200n * WAD
 */
export function pnl({ sizeWad, jWad, fundingIndexWad, priceWad }: PnlParameters): bigint {
  const fn = "pnl";
  checkInt256(fn, "sizeWad", sizeWad);
  checkInt256(fn, "jWad", jWad);
  checkInt256(fn, "fundingIndexWad", fundingIndexWad);
  const price = toInt256(fn, "priceWad", checkUint256(fn, "priceWad", priceWad));
  const perUnit = checkInt256(fn, "P − F − J", checkInt256(fn, "P − F", price - fundingIndexWad) - jWad);
  const product = checkInt256(fn, "s · (P − F − J)", sizeWad * perUnit);
  return checkedDiv(fn, "s · (P − F − J) / WAD", product, WAD, "down");
}

/**
 * Equity m + s·(P − F − J), rounded down: what the position is worth at P with no fee and no impact.
 *
 * @param parameters - {@link EquityParameters}
 * @returns Equity in USD, WAD (int256); negative when the position is past bankruptcy.
 * @throws {SdkMathError} `NegativeUnsigned` for a negative price or margin; `Overflow` where the contract overflows.
 *
 * @example
 * // 2 ETH long with 100 USD margin, J = 1,900, F = 0, at 2,000: 300 USD
 * const position = { sizeWad: 2n * WAD, marginWad: 100n * WAD, jWad: 1_900n * WAD, fundingIndexWad: 0n };
 * equity({ ...position, priceWad: 2_000n * WAD }); // 300n * WAD
 */
export function equity({ sizeWad, marginWad, jWad, fundingIndexWad, priceWad }: EquityParameters): bigint {
  const fn = "equity";
  const margin = toInt256(fn, "marginWad", checkUint256(fn, "marginWad", marginWad));
  return checkInt256(fn, "m + pnl", margin + pnl({ sizeWad, jWad, fundingIndexWad, priceWad }));
}

/**
 * Notional |s|·P rounded up, as used for margin requirements.
 *
 * @param parameters - {@link NotionalParameters}
 * @returns Notional in USD, WAD (uint256).
 * @throws {SdkMathError} `NegativeUnsigned` for a negative price; `Overflow` where the contract overflows.
 */
export function notionalUp({ sizeWad, priceWad }: NotionalParameters): bigint {
  return wMulUp(absOfSize("notionalUp", sizeWad), checkUint256("notionalUp", "priceWad", priceWad));
}

/**
 * Notional |s|·P rounded down, as used for caps the trader must stay under and for minimum sizes.
 *
 * @param parameters - {@link NotionalParameters}
 * @returns Notional in USD, WAD (uint256).
 * @throws {SdkMathError} `NegativeUnsigned` for a negative price; `Overflow` where the contract overflows.
 */
export function notionalDown({ sizeWad, priceWad }: NotionalParameters): bigint {
  return wMulDown(absOfSize("notionalDown", sizeWad), checkUint256("notionalDown", "priceWad", priceWad));
}

/**
 * The margin a position needs at a ratio: ratio·|s|·P, both products rounded up.
 *
 * @param parameters - {@link RequiredMarginParameters}
 * @returns Required margin in USD, WAD (uint256).
 * @throws {SdkMathError} `NegativeUnsigned` for a negative price or ratio; `Overflow` where the contract overflows.
 */
export function requiredMargin({ sizeWad, priceWad, ratioWad }: RequiredMarginParameters): bigint {
  checkUint256("requiredMargin", "ratioWad", ratioWad);
  return wMulUp(notionalUp({ sizeWad, priceWad }), ratioWad);
}

/**
 * K = J − m/|s| (long) or J + m/|s| (short), with m/|s| rounded down so that K errs towards liquidation.
 * K changes only when the owner trades or moves margin, never with the price or with time.
 *
 * @param parameters - {@link KParameters}
 * @returns K in price units, WAD (int256).
 * @throws {SdkMathError} `DivisionByZero` for a zero size; `NegativeUnsigned` for a negative margin.
 *
 * @example
 * // 2 ETH long, 100 USD margin, J = 1,900: K = 1,850
 * k({ sizeWad: 2n * WAD, marginWad: 100n * WAD, jWad: 1_900n * WAD }); // 1_850n * WAD
 */
export function k({ sizeWad, marginWad, jWad }: KParameters): bigint {
  const fn = "k";
  checkUint256(fn, "marginWad", marginWad);
  checkInt256(fn, "jWad", jWad);
  const sizeAbs = checkDivisor(fn, "|sizeWad|", absOfSize(fn, sizeWad));
  const marginPerUnit = toInt256(fn, "m / |s|", wDivDown(marginWad, sizeAbs));
  return checkInt256(fn, "J ∓ m / |s|", sizeWad > 0n ? jWad - marginPerUnit : jWad + marginPerUnit);
}

/**
 * Bankruptcy price K + F: the oracle price at which equity reaches zero.
 *
 * @param parameters - {@link BankruptcyPriceParameters}
 * @returns The price, WAD (int256); may be ≤ 0 for a long with more margin than notional.
 * @throws {SdkMathError} `DivisionByZero` for a zero size; `NegativeUnsigned` for a negative margin.
 */
export function bankruptcyPrice({ sizeWad, marginWad, jWad, fundingIndexWad }: BankruptcyPriceParameters): bigint {
  const fn = "bankruptcyPrice";
  checkInt256(fn, "fundingIndexWad", fundingIndexWad);
  return checkInt256(fn, "K + F", k({ sizeWad, marginWad, jWad }) + fundingIndexWad);
}

/**
 * Liquidation price: where equity equals maintenance margin, (K + F)/(1 − MMR) for longs and
 * (K + F)/(1 + MMR) for shorts, rounded towards liquidation (up for longs, down for shorts).
 *
 * @param parameters - {@link LiquidationPriceParameters}
 * @returns The price, WAD (int256).
 * @throws {SdkMathError} `DivisionByZero` for a zero size or, for a long, MMR = 100%.
 *
 * @example
 * // 2 ETH long, K = 1,850, F = 0, MMR 0.9%: 1,850 / 0.991 rounded up
 * const position = { sizeWad: 2n * WAD, marginWad: 100n * WAD, jWad: 1_900n * WAD, fundingIndexWad: 0n };
 * liquidationPrice({ ...position, mmrWad: 9n * 10n ** 15n }); // 1866801210898082744703n
 */
export function liquidationPrice({
  sizeWad,
  marginWad,
  jWad,
  fundingIndexWad,
  mmrWad,
}: LiquidationPriceParameters): bigint {
  const fn = "liquidationPrice";
  const mmr = toInt256(fn, "mmrWad", checkUint256(fn, "mmrWad", mmrWad));
  const bankruptcy = bankruptcyPrice({ sizeWad, marginWad, jWad, fundingIndexWad });
  const scaled = checkInt256(fn, "(K + F) · WAD", bankruptcy * WAD);
  if (sizeWad > 0n) {
    return checkedDiv(fn, "(K + F) / (1 − MMR)", scaled, checkInt256(fn, "WAD − MMR", WAD - mmr), "up");
  }
  return checkedDiv(fn, "(K + F) / (1 + MMR)", scaled, checkInt256(fn, "WAD + MMR", WAD + mmr), "down");
}

/**
 * The K beyond which a side is liquidatable at price P: P·(1 − MMR) − F for longs (rounded down),
 * P·(1 + MMR) − F for shorts (rounded up), both towards liquidation, as on chain.
 *
 * @param parameters - {@link LiquidationThresholdKParameters}
 * @returns The threshold, WAD (int256).
 * @throws {SdkMathError} `NegativeUnsigned` for a negative price or MMR; `Overflow` where the contract overflows.
 *
 * @example
 * // longs at P = 1,000, MMR 10%, F = 0: liquidatable once K > 900
 * liquidationThresholdK({ isLong: true, priceWad: 1_000n * WAD, fundingIndexWad: 0n, mmrWad: WAD / 10n }); // 900n * WAD
 */
export function liquidationThresholdK({
  isLong,
  priceWad,
  fundingIndexWad,
  mmrWad,
}: LiquidationThresholdKParameters): bigint {
  const fn = "liquidationThresholdK";
  checkUint256(fn, "priceWad", priceWad);
  checkInt256(fn, "fundingIndexWad", fundingIndexWad);
  const buffer = toInt256(fn, "P·MMR", wMulUp(priceWad, checkUint256(fn, "mmrWad", mmrWad)));
  const price = toInt256(fn, "priceWad", priceWad);
  return checkInt256(fn, "threshold", isLong ? price - buffer - fundingIndexWad : price + buffer - fundingIndexWad);
}

/**
 * The liquidation trigger, equity at P (no fee, no impact) < MMR·|s|·P, decided on K as on chain: longs with
 * K > P·(1 − MMR) − F, shorts with K < P·(1 + MMR) − F. So the liquidatable positions of a side are exactly a
 * prefix of the K order.
 *
 * @param parameters - {@link IsLiquidatableParameters}
 * @returns Whether a keeper may liquidate the position at this price.
 * @throws {SdkMathError} `DivisionByZero` for a zero size; `NegativeUnsigned` for a negative price, margin or
 * MMR; `Overflow` where the contract overflows.
 */
export function isLiquidatable({
  sizeWad,
  marginWad,
  jWad,
  fundingIndexWad,
  priceWad,
  mmrWad,
}: IsLiquidatableParameters): boolean {
  const isLong = sizeWad > 0n;
  const threshold = liquidationThresholdK({ isLong, priceWad, fundingIndexWad, mmrWad });
  const kWad = k({ sizeWad, marginWad, jWad });
  return isLong ? kWad > threshold : kWad < threshold;
}

/**
 * The leverage the owner chose, E·|s|/m with E = J + F0, rounded up (a higher tier is the safe side).
 * Like K and J it changes only when the owner acts.
 *
 * @param parameters - {@link ChosenLeverageParameters}
 * @returns The leverage, WAD (uint256): 2^256 − 1 (viem's `maxUint256`) without margin, 0 when E ≤ 0.
 * @throws {SdkMathError} `NegativeUnsigned` for a negative margin; `Overflow` where the contract overflows.
 *
 * @example
 * // 2 ETH at E = 2,000 with 400 USD margin: 10x
 * chosenLeverage({ sizeWad: 2n * WAD, marginWad: 400n * WAD, jWad: 2_000n * WAD, f0Wad: 0n }); // 10n * WAD
 */
export function chosenLeverage({ sizeWad, marginWad, jWad, f0Wad }: ChosenLeverageParameters): bigint {
  const fn = "chosenLeverage";
  checkInt256(fn, "sizeWad", sizeWad);
  checkUint256(fn, "marginWad", marginWad);
  checkInt256(fn, "jWad", jWad);
  checkInt256(fn, "f0Wad", f0Wad);
  const entry = checkInt256(fn, "J + F0", jWad + f0Wad);
  if (marginWad === 0n) return MAX_UINT256;
  if (entry <= 0n) return 0n;
  return mulDivUp(entry, abs(sizeWad), marginWad);
}

/**
 * The ADL tier of a chosen leverage: the number of bounds it exceeds strictly. Exactly 3x is exempt with
 * bounds starting at 3x, exactly 10x is in the 3–10x tier.
 *
 * @param parameters - {@link TierOfParameters}
 * @returns The tier, 0 (exempt) to 4.
 * @throws {SdkMathError} `NegativeUnsigned` for a negative leverage; `NotAnInteger` for a bound that is not a uint32.
 *
 * @example
 * tierOf({ leverageWad: 10n * WAD, tierBoundsX1e4: [30_000, 100_000, 200_000, 400_000] }); // 1
 */
export function tierOf({ leverageWad, tierBoundsX1e4 }: TierOfParameters): AdlTier {
  const fn = "tierOf";
  checkUint256(fn, "leverageWad", leverageWad);
  const [b0, b1, b2, b3] = tierBoundsX1e4;
  const steps = [
    [b0, 1],
    [b1, 2],
    [b2, 3],
    [b3, 4],
  ] as const;
  // The contract assigns the tier of the last bound exceeded, without assuming the bounds ascend.
  let tier: AdlTier = 0;
  for (const [bound, tierAbove] of steps) {
    if (leverageWad > uint32(fn, bound) * X1E4_TO_WAD) tier = tierAbove;
  }
  return tier;
}

/**
 * Fill price with skew impact, P·(1 + (skew before + skew after)/2/skewScale), rounded against the trader:
 * up for a buy (Δs > 0), down for a sell. Trades that reduce the skew get a better price.
 *
 * @param parameters - {@link FillPriceParameters}
 * @returns The fill price, WAD (uint256); 0 when the impact would push it to zero or below (the engine
 * then rejects the trade).
 * @throws {SdkMathError} `DivisionByZero` for a zero skew scale; `NegativeUnsigned` for a negative price.
 *
 * @example
 * // buy 1 unit at 2,000 on a flat market with skew scale 1,000: 2,000·(1 + 0.5/1,000) = 2,001
 * fillPrice({ priceWad: 2_000n * WAD, skewBeforeWad: 0n, sizeDeltaWad: WAD, skewScaleWad: 1_000n * WAD });
 * // 2_001n * WAD
 */
export function fillPrice({ priceWad, skewBeforeWad, sizeDeltaWad, skewScaleWad }: FillPriceParameters): bigint {
  const fn = "fillPrice";
  const price = toInt256(fn, "priceWad", checkUint256(fn, "priceWad", priceWad));
  checkInt256(fn, "skewBeforeWad", skewBeforeWad);
  checkInt256(fn, "sizeDeltaWad", sizeDeltaWad);
  const scale = toInt256(fn, "skewScaleWad", checkUint256(fn, "skewScaleWad", skewScaleWad));
  const twiceSkewBefore = checkInt256(fn, "2 · skewBefore", 2n * skewBeforeWad);
  const skewSum = checkInt256(fn, "2 · skewBefore + Δs", twiceSkewBefore + sizeDeltaWad);
  const numerator = checkInt256(fn, "P · (2 · skewBefore + Δs)", price * skewSum);
  const denominator = checkInt256(fn, "2 · skewScale", 2n * scale);
  const impact = checkedDiv(fn, "impact", numerator, denominator, sizeDeltaWad > 0n ? "up" : "down");
  const fill = checkInt256(fn, "P + impact", price + impact);
  return fill > 0n ? fill : 0n;
}

/**
 * Break-even after an increase: the size-weighted average of the old J and (fill − F), rounded up for
 * longs and down for shorts (against the trader).
 *
 * @param parameters - {@link IncreasedJParameters}
 * @returns The new J, WAD (int256).
 * @throws {SdkMathError} `DivisionByZero` when both sizes are zero; `NegativeUnsigned` for a negative added
 * size or fill; `Overflow` where the contract overflows.
 *
 * @example
 * // 1 ETH long at J = 1,900 plus 1 ETH filled at 2,000 with F = 0: J = 1,950
 * increasedJ({ sizeWad: WAD, jWad: 1_900n * WAD, addedSizeWad: WAD, fillWad: 2_000n * WAD, fundingIndexWad: 0n });
 * // 1_950n * WAD
 */
export function increasedJ({ sizeWad, jWad, addedSizeWad, fillWad, fundingIndexWad }: IncreasedJParameters): bigint {
  const fn = "increasedJ";
  checkInt256(fn, "jWad", jWad);
  checkUint256(fn, "addedSizeWad", addedSizeWad);
  const fill = toInt256(fn, "fillWad", checkUint256(fn, "fillWad", fillWad));
  checkInt256(fn, "fundingIndexWad", fundingIndexWad);
  const oldSize = absOfSize(fn, sizeWad);
  const oldWeighted = checkInt256(fn, "|s| · J", oldSize * jWad);
  const addedPerUnit = checkInt256(fn, "fill − F", fill - fundingIndexWad);
  const added = toInt256(fn, "addedSizeWad", addedSizeWad);
  const addedWeighted = checkInt256(fn, "Δ · (fill − F)", added * addedPerUnit);
  const weighted = checkInt256(fn, "|s| · J + Δ · (fill − F)", oldWeighted + addedWeighted);
  const total = toInt256(fn, "|s| + Δ", checkUint256(fn, "|s| + Δ", oldSize + addedSizeWad));
  return checkedDiv(fn, "weighted J", weighted, total, sizeWad > 0n ? "up" : "down");
}

/**
 * Trading fee |Δs|·fill·rate, both products rounded up.
 *
 * @param parameters - {@link FeeParameters}
 * @returns The fee in USD, WAD (uint256).
 * @throws {SdkMathError} `NegativeUnsigned` for a negative input; `Overflow` where the contract overflows.
 *
 * @example
 * // 2 ETH at 2,000 at 0.05%: 2 USD
 * fee({ sizeAbsWad: 2n * WAD, fillWad: 2_000n * WAD, rateWad: 5n * 10n ** 14n }); // 2n * WAD
 */
export function fee({ sizeAbsWad, fillWad, rateWad }: FeeParameters): bigint {
  checkUint256("fee", "sizeAbsWad", sizeAbsWad);
  checkUint256("fee", "fillWad", fillWad);
  checkUint256("fee", "rateWad", rateWad);
  return wMulUp(wMulUp(sizeAbsWad, fillWad), rateWad);
}

/**
 * Margin released with a pro-rata slice (PerpEngine `_slice`): the whole margin when the whole size closes,
 * else m·|Δs|/|s| rounded down, so the remainder keeps the dust and its K can only move the safe way.
 *
 * @param parameters - {@link SliceMarginParameters}
 * @returns The slice's margin in USD, WAD (uint256).
 * @throws {SdkMathError} `DivisionByZero` for a zero size and a non-zero slice; `NegativeUnsigned` for a
 * negative input.
 *
 * @example
 * // a third of a 3 ETH position with 100 USD margin: 33.333… USD, rounded down
 * sliceMargin({ sizeWad: 3n * WAD, marginWad: 100n * WAD, closeSizeAbsWad: WAD }); // 33_333_333_333_333_333_333n
 */
export function sliceMargin({ sizeWad, marginWad, closeSizeAbsWad }: SliceMarginParameters): bigint {
  const fn = "sliceMargin";
  checkUint256(fn, "marginWad", marginWad);
  checkUint256(fn, "closeSizeAbsWad", closeSizeAbsWad);
  const sizeAbs = absOfSize(fn, sizeWad);
  return closeSizeAbsWad === sizeAbs ? marginWad : mulDivDown(marginWad, closeSizeAbsWad, sizeAbs);
}

function absOfSize(functionName: string, sizeWad: bigint): bigint {
  return checkedAbs(functionName, "sizeWad", checkInt256(functionName, "sizeWad", sizeWad));
}

function uint32(functionName: string, bound: number): bigint {
  if (!Number.isSafeInteger(bound) || bound < 0 || bound > 0xffff_ffff) {
    throw new SdkMathError({
      functionName,
      reason: "NotAnInteger",
      details: `tier bound ${bound} is not a uint32`,
    });
  }
  return BigInt(bound);
}
