/**
 * Trade preview: what `trade` will do, computed with the SDK's math from the chain's state at one block, step
 * by step as PerpEngine does it (funding accrual, fill, fee, new J and margin, the tier, the profit scale on a
 * reduction, a flip's close then open), so the numbers equal the contract's to the wei when the trade lands at
 * the previewed time on the same state.
 */
import type { Address } from "viem";

import { marketRegistryAbi, perpEngineAbi } from "../abi/generated.ts";
import { adlStanding, insertHint, readAdlQueue, withPosition, type AdlListMember, type AdlQueue, type AdlStanding } from "../adl/queue.ts";
import { WAD } from "../constants.ts";
import type { ProtocolDeployment } from "../deployment/deployment.ts";
import { InvalidInputError } from "../errors/base.ts";
import { toSdkError } from "../errors/normalize.ts";
import type { AnyPublicClient } from "../events/logs.ts";
import { abs, divUp, mulDivDown, wDivDown, wDivUp, wMulDown } from "../math/fixedPoint.ts";
import { indexDelta } from "../math/funding.ts";
import {
  bankruptcyPrice,
  chosenLeverage,
  equity,
  fee as feeOf,
  fillPrice,
  increasedJ,
  liquidationPrice,
  notionalUp,
  pnl,
  tierOf,
  type AdlTier,
  type TierBoundsX1e4,
} from "../math/position.ts";

/** The chain state a preview needs, read at one block. */
export type TradeState = {
  /** The market. */
  readonly marketId: bigint;
  /** The trader. */
  readonly account: Address;
  /** The block the state was read at. */
  readonly blockNumber: bigint;
  /** The timestamp the action is previewed at. */
  readonly timestamp: bigint;
  /** The oracle price. */
  readonly priceWad: bigint;
  /** The market parameters a trade uses. */
  readonly config: {
    readonly tradingFeeWad: bigint;
    readonly skewScaleWad: bigint;
    readonly maxFundingRatePerDayWad: bigint;
    readonly mmrWad: bigint;
    readonly imrWad: bigint;
    readonly tierBoundsX1e4: TierBoundsX1e4;
  };
  /** The protocol's profit-scaling ratio. */
  readonly scalingRatioWad: bigint;
  /** The market's stored state. */
  readonly market: {
    readonly longSizeWad: bigint;
    readonly shortSizeWad: bigint;
    readonly longJSum: bigint;
    readonly shortJSum: bigint;
    readonly fundingIndexWad: bigint;
    readonly lastUpdateTime: bigint;
    readonly cachedLongPnlWad: bigint;
    readonly cachedShortPnlWad: bigint;
  };
  /** The trader's stored position (all zero when none) and account id. */
  readonly position: {
    readonly accountId: number;
    readonly sizeWad: bigint;
    readonly marginWad: bigint;
    readonly jWad: bigint;
    readonly f0Wad: bigint;
    readonly tier: AdlTier;
    readonly pendingTier: AdlTier;
    readonly pendingTierSince: bigint;
    readonly inLiquidation: boolean;
  };
  /** The trader's free collateral. */
  readonly freeCollateralWad: bigint;
  /** The vault's cash. */
  readonly vaultCashWad: bigint;
  /** The vault's equity (cached PnL). */
  readonly vaultEquityWad: bigint;
  /** Traders' unrealised profit (cached). */
  readonly tradersProfitWad: bigint;
  /** Both sides' ADL lists. */
  readonly queues: { readonly long: AdlQueue; readonly short: AdlQueue };
};

/** Parameters of {@link readTradeState}. */
export type ReadTradeStateParameters = {
  /** The client to read with. */
  client: AnyPublicClient;
  /** The protocol's addresses. */
  deployment: ProtocolDeployment;
  /** The trader. */
  account: Address;
  /** The market. */
  marketId: bigint;
  /** Block to read (default latest). */
  blockNumber?: bigint;
  /** Time the action executes at (default: the later of the block's timestamp + 1 and now). */
  timestamp?: bigint;
};

/**
 * Reads what a preview needs at one block.
 *
 * @param parameters - {@link ReadTradeStateParameters}
 */
export async function readTradeState(parameters: ReadTradeStateParameters): Promise<TradeState> {
  const { client, deployment, account, marketId } = parameters;
  if (marketId < 1n) throw new InvalidInputError({ parameter: "marketId", reason: `market ids start at 1, got ${marketId}` });
  try {
    const block = await client.getBlock(parameters.blockNumber === undefined ? { blockTag: "latest" } : { blockNumber: parameters.blockNumber });
    const blockNumber = block.number;
    const engine = { address: deployment.engine, abi: perpEngineAbi, blockNumber } as const;
    const registry = { address: deployment.registry, abi: marketRegistryAbi, blockNumber } as const;
    const [config, protocol, [priceWad], m, p, accountId, freeCollateralWad, vaultCashWad, vaultEquityWad, tradersProfitWad, long, short] = await Promise.all([
      client.readContract({ ...registry, functionName: "marketConfig", args: [marketId] }),
      client.readContract({ ...registry, functionName: "protocolConfig" }),
      client.readContract({ ...registry, functionName: "readPrice", args: [marketId] }),
      client.readContract({ ...engine, functionName: "marketState", args: [marketId] }),
      client.readContract({ ...engine, functionName: "positionOf", args: [account, marketId] }),
      client.readContract({ ...engine, functionName: "accountIdOf", args: [account] }),
      client.readContract({ ...engine, functionName: "freeCollateralWad", args: [account] }),
      client.readContract({ ...engine, functionName: "vaultCashWad" }),
      client.readContract({ ...engine, functionName: "vaultEquityWad" }),
      client.readContract({ ...engine, functionName: "tradersProfitWad" }),
      readAdlQueue({ client, deployment, marketId, isLong: true, blockNumber }),
      readAdlQueue({ client, deployment, marketId, isLong: false, blockNumber }),
    ]);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const next = block.timestamp + 1n;
    const b = config.tierBoundsX1e4;
    return {
      marketId,
      account,
      blockNumber,
      timestamp: parameters.timestamp ?? (now > next ? now : next),
      priceWad,
      config: {
        tradingFeeWad: config.tradingFeeWad,
        skewScaleWad: config.skewScaleWad,
        maxFundingRatePerDayWad: config.maxFundingRatePerDayWad,
        mmrWad: config.mmrWad,
        imrWad: config.imrWad,
        tierBoundsX1e4: [b[0] ?? 0, b[1] ?? 0, b[2] ?? 0, b[3] ?? 0],
      },
      scalingRatioWad: protocol.scalingRatioWad,
      market: {
        longSizeWad: m.longSizeWad,
        shortSizeWad: m.shortSizeWad,
        longJSum: m.longJSum,
        shortJSum: m.shortJSum,
        fundingIndexWad: m.fundingIndexWad,
        lastUpdateTime: BigInt(m.lastUpdateTime),
        cachedLongPnlWad: m.cachedLongPnlWad,
        cachedShortPnlWad: m.cachedShortPnlWad,
      },
      position: {
        accountId,
        sizeWad: p.sizeWad,
        marginWad: p.marginWad,
        jWad: p.jWad,
        f0Wad: p.f0Wad,
        tier: p.tier as AdlTier,
        pendingTier: p.pendingTier as AdlTier,
        pendingTierSince: BigInt(p.pendingTierSince),
        inLiquidation: p.inLiquidation,
      },
      freeCollateralWad,
      vaultCashWad,
      vaultEquityWad,
      tradersProfitWad,
      queues: { long, short },
    };
  } catch (error) {
    throw toSdkError(error);
  }
}

/** One fill of a trade (a flip has two: the close, then the open). */
export type TradeFill = {
  /** Signed size filled (positive = bought). */
  readonly sizeDeltaWad: bigint;
  /** The fill price: the oracle price moved by the skew impact. */
  readonly fillPriceWad: bigint;
  /** The trading fee, in USD. */
  readonly feeWad: bigint;
  /** Price impact paid, (fill − P)·Δ in USD, truncated (negative when the trade reduces the skew and gains). */
  readonly priceImpactWad: bigint;
  /** PnL realised by a reduction after any profit scaling, funding included (0 on an increase). */
  readonly realisedPnlWad: bigint;
  /** Profit withheld by scaling on this fill. */
  readonly profitWithheldWad: bigint;
};

/** A position's stored fields and derived numbers after an action. */
export type PreviewPosition = {
  /** Signed size. */
  readonly sizeWad: bigint;
  /** Margin, USD. */
  readonly marginWad: bigint;
  /** Break-even J. */
  readonly jWad: bigint;
  /** Funding index when J last changed. */
  readonly f0Wad: bigint;
  /** Stored ADL tier. */
  readonly tier: AdlTier;
  /** Pending lower tier (0 when none). */
  readonly pendingTier: AdlTier;
  /** When the pending drop was recorded (0 when none). */
  readonly pendingTierSince: bigint;
  /** E = J + F0. */
  readonly entryPriceWad: bigint;
  /** Equity at the oracle price, in USD. */
  readonly equityWad: bigint;
  /** Liquidation price with funding at the previewed index. */
  readonly liquidationPriceWad: bigint;
  /** Bankruptcy price, K + F. */
  readonly bankruptcyPriceWad: bigint;
  /** Notional / equity, rounded up as the lens does (max uint256 when equity ≤ 0). */
  readonly effectiveLeverageWad: bigint;
  /** E·|s|/m, what the tier is based on. */
  readonly chosenLeverageWad: bigint;
};

/** What {@link previewTrade} returns. */
export type TradePreview = {
  /** What the trade does to the position. */
  readonly kind: "open" | "increase" | "decrease" | "close" | "flip";
  /** The market. */
  readonly marketId: bigint;
  /** The trader. */
  readonly account: Address;
  /** The block the state was read at and the time the trade is previewed at. */
  readonly blockNumber: bigint;
  /** The time the trade is previewed at. */
  readonly timestamp: bigint;
  /** The oracle price. */
  readonly priceWad: bigint;
  /** The funding index accrued to `timestamp`. */
  readonly fundingIndexWad: bigint;
  /** The fills, in order. */
  readonly fills: readonly TradeFill[];
  /** The worst fill price (highest when buying, lowest when selling): what the acceptable price must allow. */
  readonly worstFillPriceWad: bigint;
  /** Total fee. */
  readonly feeWad: bigint;
  /** Total price impact paid, in USD. */
  readonly priceImpactWad: bigint;
  /** Total realised PnL (after scaling). */
  readonly realisedPnlWad: bigint;
  /** φ applied to realised profit (1e18 = none). */
  readonly profitScaleWad: bigint;
  /** Free collateral before. */
  readonly freeCollateralBeforeWad: bigint;
  /** Free collateral after. */
  readonly freeCollateralAfterWad: bigint;
  /** The position after the trade; undefined when it is closed. */
  readonly position: PreviewPosition | undefined;
  /** The ADL standing after the trade (level 0 when closed or not a candidate). */
  readonly adl: AdlStanding;
  /** Sorted-list hints for the trade (the predecessor in the new tier list; empty when no insertion). */
  readonly hints: readonly number[];
};

/** Parameters of {@link previewTradeFromState}. */
export type PreviewTradeFromStateParameters = {
  /** The state, from {@link readTradeState}. */
  state: TradeState;
  /** Signed size to buy (> 0) or sell (< 0). */
  sizeDeltaWad: bigint;
  /** Collateral moved from free collateral into the position (opening or increasing only). */
  marginWad?: bigint;
};

type SideAggregates = { longSizeWad: bigint; shortSizeWad: bigint; longJSum: bigint; shortJSum: bigint };

/** Traders' net PnL per side at a price, rounded up as the engine's cache does. */
function sidePnl(m: SideAggregates, priceWad: bigint, fundingIndexWad: bigint): { longPnl: bigint; shortPnl: bigint } {
  const net = priceWad - fundingIndexWad;
  return { longPnl: divUp(m.longSizeWad * net - m.longJSum, WAD), shortPnl: divUp(m.shortJSum - m.shortSizeWad * net, WAD) };
}

const positive = (x: bigint): bigint => (x > 0n ? x : 0n);
const MAX_UINT256 = (1n << 256n) - 1n;

/** φ as PerpEngine computes it before a reduction (this market at the action's price, others cached). */
function profitScaleAt(state: TradeState, fundingIndexWad: bigint): bigint {
  const m = state.market;
  const { longPnl, shortPnl } = sidePnl(m, state.priceWad, fundingIndexWad);
  const profit = state.tradersProfitWad - positive(m.cachedLongPnlWad) - positive(m.cachedShortPnlWad) + positive(longPnl) + positive(shortPnl);
  if (profit <= 0n) return WAD;
  const totalPnl = state.vaultCashWad - state.vaultEquityWad;
  const equityAt = state.vaultCashWad - (totalPnl - m.cachedLongPnlWad - m.cachedShortPnlWad + longPnl + shortPnl);
  const capacity = equityAt > 0n ? wMulDown(equityAt, state.scalingRatioWad) : 0n;
  if (capacity >= profit) return WAD;
  return wDivDown(capacity, profit);
}

/** The derived numbers of stored position fields at a price and funding index. */
export function describePosition(
  stored: Omit<PreviewPosition, "entryPriceWad" | "equityWad" | "liquidationPriceWad" | "bankruptcyPriceWad" | "effectiveLeverageWad" | "chosenLeverageWad">,
  priceWad: bigint,
  fundingIndexWad: bigint,
  mmrWad: bigint
): PreviewPosition {
  const equityWad = equity({ sizeWad: stored.sizeWad, marginWad: stored.marginWad, jWad: stored.jWad, fundingIndexWad, priceWad });
  const notional = notionalUp({ sizeWad: stored.sizeWad, priceWad });
  return {
    ...stored,
    entryPriceWad: stored.jWad + stored.f0Wad,
    equityWad,
    liquidationPriceWad: liquidationPrice({ sizeWad: stored.sizeWad, marginWad: stored.marginWad, jWad: stored.jWad, fundingIndexWad, mmrWad }),
    bankruptcyPriceWad: bankruptcyPrice({ sizeWad: stored.sizeWad, marginWad: stored.marginWad, jWad: stored.jWad, fundingIndexWad }),
    effectiveLeverageWad: equityWad > 0n ? wDivUp(notional, equityWad) : MAX_UINT256,
    chosenLeverageWad: chosenLeverage({ sizeWad: stored.sizeWad, marginWad: stored.marginWad, jWad: stored.jWad, f0Wad: stored.f0Wad }),
  };
}

/** The funding index the engine accrues to at `timestamp`. */
export function fundingIndexAt(state: TradeState): bigint {
  const m = state.market;
  if (m.lastUpdateTime === 0n || state.timestamp <= m.lastUpdateTime) return m.fundingIndexWad;
  return (
    m.fundingIndexWad +
    indexDelta({
      skewWad: m.longSizeWad - m.shortSizeWad,
      skewScaleWad: state.config.skewScaleWad,
      maxRatePerDayWad: state.config.maxFundingRatePerDayWad,
      priceWad: state.priceWad,
      elapsedSeconds: state.timestamp - m.lastUpdateTime,
    })
  );
}

/** A sentinel id for an account that gets its id with this trade. */
const NEW_ACCOUNT_ID = -1;

/**
 * Previews a trade from a state read with {@link readTradeState}: pure, so it can be re-run for other sizes.
 *
 * @param parameters - {@link PreviewTradeFromStateParameters}
 * @throws {InvalidInputError} For a zero size delta, a negative margin, or margin on a pure reduction.
 */
export function previewTradeFromState({ state, sizeDeltaWad, marginWad = 0n }: PreviewTradeFromStateParameters): TradePreview {
  if (sizeDeltaWad === 0n) throw new InvalidInputError({ parameter: "sizeDeltaWad", reason: "must not be zero" });
  if (marginWad < 0n) throw new InvalidInputError({ parameter: "marginWad", reason: `must not be negative, got ${marginWad}` });
  const p = state.position;
  if (p.inLiquidation) throw new InvalidInputError({ parameter: "account", reason: "the position is being liquidated; its owner cannot trade it" });
  const c = state.config;
  const F = fundingIndexAt(state);
  const P = state.priceWad;
  const agg: SideAggregates = { ...state.market };
  const fills: TradeFill[] = [];
  let free = state.freeCollateralWad;
  let profitScaleWad = WAD;
  let position: PreviewPosition | undefined;
  let moved: { member: AdlListMember; tier: AdlTier } | undefined;
  let hints: number[] = [];
  const accountId = p.accountId === 0 ? NEW_ACCOUNT_ID : p.accountId;
  const isIncrease = p.sizeWad === 0n || p.sizeWad > 0n === sizeDeltaWad > 0n;
  const deltaAbs = abs(sizeDeltaWad);
  const sizeAbs = abs(p.sizeWad);
  if (!isIncrease && deltaAbs <= sizeAbs && marginWad !== 0n) {
    throw new InvalidInputError({ parameter: "marginWad", reason: "no margin may be given with a reducing order" });
  }

  const increase = (old: { sizeWad: bigint; marginWad: bigint; jWad: bigint; tier: AdlTier; pendingTier: AdlTier; pendingTierSince: bigint }, delta: bigint): void => {
    const skewBefore = agg.longSizeWad - agg.shortSizeWad;
    const fill = fillPrice({ priceWad: P, skewBeforeWad: skewBefore, sizeDeltaWad: delta, skewScaleWad: c.skewScaleWad });
    const fee = feeOf({ sizeAbsWad: abs(delta), fillWad: fill, rateWad: c.tradingFeeWad });
    free -= marginWad;
    const isNew = old.sizeWad === 0n;
    const newJ = isNew ? fill - F : increasedJ({ sizeWad: old.sizeWad, jWad: old.jWad, addedSizeWad: abs(delta), fillWad: fill, fundingIndexWad: F });
    const newSize = old.sizeWad + delta;
    const newMargin = old.marginWad + marginWad - fee;
    if (newSize > 0n) {
      agg.longSizeWad += abs(delta);
      agg.longJSum += newSize * newJ - old.sizeWad * old.jWad;
    } else {
      agg.shortSizeWad += abs(delta);
      agg.shortJSum += old.sizeWad * old.jWad - newSize * newJ;
    }
    const target = tierOf({ leverageWad: chosenLeverage({ sizeWad: newSize, marginWad: newMargin, jWad: newJ, f0Wad: F }), tierBoundsX1e4: c.tierBoundsX1e4 });
    const rises = isNew || target >= old.tier;
    const tier = rises ? target : old.tier;
    const stored = {
      sizeWad: newSize,
      marginWad: newMargin,
      jWad: newJ,
      f0Wad: F,
      tier,
      pendingTier: rises ? (0 as AdlTier) : target,
      pendingTierSince: rises ? 0n : state.timestamp,
    };
    position = describePosition(stored, P, F, c.mmrWad);
    moved = { member: { accountId, sizeWad: newSize, jWad: newJ, inLiquidation: false }, tier };
    const queue = newSize > 0n ? state.queues.long : state.queues.short;
    hints = tier === 0 ? [] : [insertHint(queue.tiers[tier - 1] ?? [], newSize > 0n, newJ, accountId)];
    fills.push({ sizeDeltaWad: delta, fillPriceWad: fill, feeWad: fee, priceImpactWad: ((fill - P) * delta) / WAD, realisedPnlWad: 0n, profitWithheldWad: 0n });
  };

  let kind: TradePreview["kind"];
  if (isIncrease) {
    kind = p.sizeWad === 0n ? "open" : "increase";
    increase(p, sizeDeltaWad);
  } else {
    profitScaleWad = profitScaleAt(state, F);
    const closeAbs = deltaAbs < sizeAbs ? deltaAbs : sizeAbs;
    const sliceSigned = p.sizeWad > 0n ? closeAbs : -closeAbs;
    const skew = agg.longSizeWad - agg.shortSizeWad;
    const fill = fillPrice({ priceWad: P, skewBeforeWad: skew, sizeDeltaWad: -sliceSigned, skewScaleWad: c.skewScaleWad });
    const sliceMarginWad = closeAbs === sizeAbs ? p.marginWad : mulDivDown(p.marginWad, closeAbs, sizeAbs);
    const realised = pnl({ sizeWad: sliceSigned, jWad: p.jWad, fundingIndexWad: F, priceWad: fill });
    const fee = feeOf({ sizeAbsWad: closeAbs, fillWad: fill, rateWad: c.tradingFeeWad });
    const paid = realised > 0n && profitScaleWad !== WAD ? wMulDown(realised, profitScaleWad) : realised;
    free += sliceMarginWad + paid - fee;
    // The slice leaves its side at its J.
    if (p.sizeWad > 0n) {
      agg.longSizeWad -= closeAbs;
      agg.longJSum -= closeAbs * p.jWad;
    } else {
      agg.shortSizeWad -= closeAbs;
      agg.shortJSum -= closeAbs * p.jWad;
    }
    fills.push({ sizeDeltaWad: -sliceSigned, fillPriceWad: fill, feeWad: fee, priceImpactWad: ((fill - P) * -sliceSigned) / WAD, realisedPnlWad: paid, profitWithheldWad: realised - paid });
    const remaining = p.sizeWad - sliceSigned;
    if (remaining !== 0n) {
      kind = "decrease";
      position = describePosition(
        { sizeWad: remaining, marginWad: p.marginWad - sliceMarginWad, jWad: p.jWad, f0Wad: p.f0Wad, tier: p.tier, pendingTier: p.pendingTier, pendingTierSince: p.pendingTierSince },
        P,
        F,
        c.mmrWad
      );
    } else if (deltaAbs > sizeAbs) {
      kind = "flip";
      increase({ sizeWad: 0n, marginWad: 0n, jWad: 0n, tier: 0, pendingTier: 0, pendingTierSince: 0n }, sizeDeltaWad + p.sizeWad);
    } else {
      kind = "close";
      position = undefined;
    }
  }

  // The lists after the trade: the position leaves its old place; an increase re-enters behind equal J.
  const queueFor = (isLong: boolean): AdlQueue => {
    let queue = isLong ? state.queues.long : state.queues.short;
    if (p.sizeWad !== 0n && p.sizeWad > 0n === isLong) {
      queue = withPosition(queue, { accountId, sizeWad: 0n, jWad: 0n, inLiquidation: false }, 0);
      if (kind === "decrease" && position !== undefined && p.tier !== 0) {
        queue = replaceInPlace(isLong ? state.queues.long : state.queues.short, accountId, position.sizeWad);
      }
    }
    if (moved !== undefined && moved.member.sizeWad > 0n === isLong) queue = withPosition(queue, moved.member, moved.tier);
    return queue;
  };
  const finalPosition = position as PreviewPosition | undefined;
  const adl: AdlStanding =
    finalPosition === undefined
      ? { candidate: false, notionalAheadWad: 0n, totalNotionalWad: 0n, rank: 0, candidates: 0, level: 0 }
      : adlStanding({ queue: queueFor(finalPosition.sizeWad > 0n), accountId, priceWad: P, fundingIndexWad: F });
  const buying = sizeDeltaWad > 0n;
  const worst = fills.reduce((w, f) => (buying ? (f.fillPriceWad > w ? f.fillPriceWad : w) : f.fillPriceWad < w ? f.fillPriceWad : w), fills[0]?.fillPriceWad ?? 0n);
  return {
    kind,
    marketId: state.marketId,
    account: state.account,
    blockNumber: state.blockNumber,
    timestamp: state.timestamp,
    priceWad: P,
    fundingIndexWad: F,
    fills,
    worstFillPriceWad: worst,
    feeWad: fills.reduce((s, f) => s + f.feeWad, 0n),
    priceImpactWad: fills.reduce((s, f) => s + f.priceImpactWad, 0n),
    realisedPnlWad: fills.reduce((s, f) => s + f.realisedPnlWad, 0n),
    profitScaleWad,
    freeCollateralBeforeWad: state.freeCollateralWad,
    freeCollateralAfterWad: free,
    position: finalPosition,
    adl,
    hints,
  };
}

/** The queue with one member's size changed in place (a pro-rata slice keeps J and the place). */
function replaceInPlace(queue: AdlQueue, accountId: number, sizeWad: bigint): AdlQueue {
  const tiers = queue.tiers.map((list) => list.map((m) => (m.accountId === accountId ? { ...m, sizeWad } : m)));
  return { ...queue, tiers: tiers as unknown as AdlQueue["tiers"] };
}

/** Parameters of {@link previewTrade}. */
export type PreviewTradeParameters = ReadTradeStateParameters & Omit<PreviewTradeFromStateParameters, "state">;

/**
 * Previews a trade: fill price, fee, price impact, realised PnL, the new margin, liquidation price, leverage,
 * ADL tier and standing, and the list hints the trade needs.
 *
 * @param parameters - {@link PreviewTradeParameters}
 * @example
 * const preview = await previewTrade({ client, deployment, account, marketId: 1n, sizeDeltaWad: 10n ** 18n, marginWad: 400n * 10n ** 18n });
 * console.log(preview.position?.liquidationPriceWad, preview.adl.level);
 */
export async function previewTrade(parameters: PreviewTradeParameters): Promise<TradePreview> {
  const state = await readTradeState(parameters);
  return previewTradeFromState({ state, sizeDeltaWad: parameters.sizeDeltaWad, ...(parameters.marginWad === undefined ? {} : { marginWad: parameters.marginWad }) });
}
