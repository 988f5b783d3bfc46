/**
 * Helpers for the PerpEngine unit tests: the DESIGN formulas in bigint with the rounding DESIGN "Details fixed"
 * prescribes (so expected values are computed, not copied from the contract), a reference model of one trade,
 * a snapshot of every balance and ledger a revert must leave untouched, event readers, EIP-2612 permit
 * signing, and the fixtures the funded system does not cover.
 */
import { expect } from "chai";
import type { BaseContract, ContractTransactionReceipt, ContractTransactionResponse, Signer } from "ethers";
import {
  FeeOnTransferToken__factory,
  MockAggregator__factory,
  PerpEngine__factory,
} from "../../types/ethers-contracts/index.js";
import type { IPerpEngine as PerpEngine } from "../../types/ethers-contracts/index.js";
import type { TypedContractEvent, TypedEventLog } from "../../types/ethers-contracts/common.js";
import {
  deployEngine, BTC, ETH, WAD, deployProtocol, ethers, networkHelpers, tokens } from "./fixture.js";

export const SECONDS_PER_DAY = 86_400n;
const X1E4_TO_WAD = 10n ** 14n;

/* ARITHMETIC (signed rounding towards ±infinity, never towards zero, as FixedPointMath) */

export const abs = (x: bigint): bigint => (x < 0n ? -x : x);
export const minOf = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const maxOf = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** x / d rounded towards negative infinity (d > 0). */
export function divDown(x: bigint, d: bigint): bigint {
  const q = x / d;
  return x % d !== 0n && x < 0n ? q - 1n : q;
}

/** x / d rounded towards positive infinity (d > 0). */
export function divUp(x: bigint, d: bigint): bigint {
  const q = x / d;
  return x % d !== 0n && x > 0n ? q + 1n : q;
}

export const wMulDown = (x: bigint, y: bigint): bigint => divDown(x * y, WAD);
export const wMulUp = (x: bigint, y: bigint): bigint => divUp(x * y, WAD);
export const wDivUp = (x: bigint, y: bigint): bigint => divUp(x * WAD, y);
export const wDivDown = (x: bigint, y: bigint): bigint => divDown(x * WAD, y);

/* DESIGN FORMULAS */

/**
 * fill = P·(1 + (skew before + skew after)/2/skewScale), rounded against the trader: up for a buy, down for a
 * sell. Zero when the impact would push the price to zero or below.
 */
export function fillPriceWad(a: {
  priceWad: bigint;
  skewBeforeWad: bigint;
  sizeDeltaWad: bigint;
  skewScaleWad: bigint;
}): bigint {
  const numerator = a.priceWad * (2n * a.skewBeforeWad + a.sizeDeltaWad);
  const denominator = 2n * a.skewScaleWad;
  const impact = a.sizeDeltaWad > 0n ? divUp(numerator, denominator) : divDown(numerator, denominator);
  const fill = a.priceWad + impact;
  return fill > 0n ? fill : 0n;
}

/** fee = |Δ|·fill·rate, each product rounded up. */
export function tradingFeeWad(a: { sizeAbsWad: bigint; fillPriceWad: bigint; feeRateWad: bigint }): bigint {
  return wMulUp(wMulUp(a.sizeAbsWad, a.fillPriceWad), a.feeRateWad);
}

/** Size-weighted average of the old J and (fill − F), rounded up for longs and down for shorts. */
export function increasedJWad(a: {
  sizeWad: bigint;
  jWad: bigint;
  addedSizeWad: bigint;
  fillPriceWad: bigint;
  fundingIndexWad: bigint;
}): bigint {
  const oldSize = abs(a.sizeWad);
  const weighted = oldSize * a.jWad + a.addedSizeWad * (a.fillPriceWad - a.fundingIndexWad);
  const total = oldSize + a.addedSizeWad;
  return a.sizeWad > 0n ? divUp(weighted, total) : divDown(weighted, total);
}

/** s·(P − F − J): unrealised PnL with funding and the entry's impact, rounded down. */
export function pnlWad(a: { sizeWad: bigint; jWad: bigint; fundingIndexWad: bigint; priceWad: bigint }): bigint {
  return divDown(a.sizeWad * (a.priceWad - a.fundingIndexWad - a.jWad), WAD);
}

/** m + s·(P − F − J), rounded down. */
export function equityWad(a: {
  sizeWad: bigint;
  marginWad: bigint;
  jWad: bigint;
  fundingIndexWad: bigint;
  priceWad: bigint;
}): bigint {
  return a.marginWad + pnlWad(a);
}

/** ratio·|s|·P, both products rounded up. */
export function requiredMarginWad(a: { sizeWad: bigint; priceWad: bigint; ratioWad: bigint }): bigint {
  return wMulUp(wMulUp(abs(a.sizeWad), a.priceWad), a.ratioWad);
}

/** K = J − m/|s| (long) or J + m/|s| (short), m/|s| rounded down so that K errs towards liquidation. */
export function kWad(a: { sizeWad: bigint; marginWad: bigint; jWad: bigint }): bigint {
  const marginPerUnit = (a.marginWad * WAD) / abs(a.sizeWad);
  return a.sizeWad > 0n ? a.jWad - marginPerUnit : a.jWad + marginPerUnit;
}

/**
 * The K beyond which a side is liquidatable at P (DESIGN "Liquidation trigger": equity at P < MMR·|s|·P, decided
 * on K): P − MMR·P − F for longs, P + MMR·P − F for shorts, MMR·P rounded up so that both err towards
 * liquidation.
 */
export function liquidationThresholdKWad(a: {
  isLong: boolean;
  priceWad: bigint;
  fundingIndexWad: bigint;
  mmrWad: bigint;
}): bigint {
  const buffer = wMulUp(a.priceWad, a.mmrWad);
  return a.isLong ? a.priceWad - buffer - a.fundingIndexWad : a.priceWad + buffer - a.fundingIndexWad;
}

/** Liquidatable at P: longs with K above the threshold, shorts with K below it. */
export function isLiquidatableAt(
  p: { sizeWad: bigint; marginWad: bigint; jWad: bigint },
  m: { priceWad: bigint; fundingIndexWad: bigint; mmrWad: bigint }
): boolean {
  const isLong = p.sizeWad > 0n;
  const k = kWad(p);
  const threshold = liquidationThresholdKWad({ isLong, ...m });
  return isLong ? k > threshold : k < threshold;
}

/** Chosen leverage E·|s|/m with E = J + F0, rounded up (a higher tier is the safe side). */
export function chosenLeverageWad(a: { sizeWad: bigint; marginWad: bigint; jWad: bigint; f0Wad: bigint }): bigint {
  const entry = a.jWad + a.f0Wad;
  if (a.marginWad === 0n) return 2n ** 256n - 1n;
  if (entry <= 0n) return 0n;
  return divUp(entry * abs(a.sizeWad), a.marginWad);
}

/** The number of tier bounds the leverage exceeds strictly: exactly 3x is exempt, exactly 10x is in 3–10x. */
export function tierOf(a: { leverageWad: bigint; boundsX1e4: readonly bigint[] }): bigint {
  return BigInt(a.boundsX1e4.filter((bound) => a.leverageWad > bound * X1E4_TO_WAD).length);
}

/**
 * ΔF = P × rate per day × elapsed / 86,400 with rate per day = maxRate × clamp(skew/skewScale, −1, 1); every
 * division truncates towards zero (FundingMath), which is what bigint division does.
 */
export function fundingIndexDeltaWad(a: {
  skewWad: bigint;
  skewScaleWad: bigint;
  maxRatePerDayWad: bigint;
  priceWad: bigint;
  elapsedSeconds: bigint;
}): bigint {
  let ratio = (a.skewWad * WAD) / a.skewScaleWad;
  if (ratio > WAD) ratio = WAD;
  if (ratio < -WAD) ratio = -WAD;
  const ratePerDay = (a.maxRatePerDayWad * ratio) / WAD;
  return (a.priceWad * ratePerDay * a.elapsedSeconds) / (WAD * SECONDS_PER_DAY);
}

/** Insurance and treasury shares rounded down; the vault takes the remainder. */
export function feeSplitWad(a: { feeWad: bigint; insuranceShareWad: bigint; treasuryShareWad: bigint }) {
  const insuranceWad = wMulDown(a.feeWad, a.insuranceShareWad);
  const treasuryWad = wMulDown(a.feeWad, a.treasuryShareWad);
  return { insuranceWad, treasuryWad, vaultWad: a.feeWad - insuranceWad - treasuryWad };
}

/** A pro-rata slice's margin, rounded down so that the remainder keeps the dust. */
export function sliceMarginWad(a: { marginWad: bigint; closeAbsWad: bigint; sizeAbsWad: bigint }): bigint {
  return a.closeAbsWad === a.sizeAbsWad ? a.marginWad : (a.marginWad * a.closeAbsWad) / a.sizeAbsWad;
}

/** Traders' net PnL per side, longs S·(P − F) − A and shorts A − S·(P − F), rounded up; gross notional up. */
export function sidePnlWad(a: { market: MarketView; priceWad: bigint; fundingIndexWad: bigint }) {
  const netPrice = a.priceWad - a.fundingIndexWad;
  const m = a.market;
  return {
    longPnlWad: divUp(m.longSizeWad * netPrice - m.longJSum, WAD),
    shortPnlWad: divUp(m.shortJSum - m.shortSizeWad * netPrice, WAD),
    notionalWad: wMulUp(m.longSizeWad + m.shortSizeWad, a.priceWad),
  };
}

/* PLAIN VIEWS OF THE ENGINE'S STRUCTS */

export interface PositionView {
  sizeWad: bigint;
  marginWad: bigint;
  jWad: bigint;
  f0Wad: bigint;
  tier: bigint;
  pendingTier: bigint;
  pendingTierSince: bigint;
  inLiquidation: boolean;
}

export interface MarketView {
  longSizeWad: bigint;
  shortSizeWad: bigint;
  longJSum: bigint;
  shortJSum: bigint;
  fundingIndexWad: bigint;
  lastUpdateTime: bigint;
  lastPriceWad: bigint;
  cachedNotionalWad: bigint;
  cachedLongPnlWad: bigint;
  cachedShortPnlWad: bigint;
}

export const EMPTY_POSITION: PositionView = {
  sizeWad: 0n,
  marginWad: 0n,
  jWad: 0n,
  f0Wad: 0n,
  tier: 0n,
  pendingTier: 0n,
  pendingTierSince: 0n,
  inLiquidation: false,
};

export async function positionOf(engine: PerpEngine, account: string, marketId: bigint): Promise<PositionView> {
  const p = await engine.positionOf(account, marketId);
  return {
    sizeWad: p.sizeWad,
    marginWad: p.marginWad,
    jWad: p.jWad,
    f0Wad: p.f0Wad,
    tier: p.tier,
    pendingTier: p.pendingTier,
    pendingTierSince: p.pendingTierSince,
    inLiquidation: p.inLiquidation,
  };
}

export async function marketOf(engine: PerpEngine, marketId: bigint): Promise<MarketView> {
  const m = await engine.marketState(marketId);
  return {
    longSizeWad: m.longSizeWad,
    shortSizeWad: m.shortSizeWad,
    longJSum: m.longJSum,
    shortJSum: m.shortJSum,
    fundingIndexWad: m.fundingIndexWad,
    lastUpdateTime: m.lastUpdateTime,
    lastPriceWad: m.lastPriceWad,
    cachedNotionalWad: m.cachedNotionalWad,
    cachedLongPnlWad: m.cachedLongPnlWad,
    cachedShortPnlWad: m.cachedShortPnlWad,
  };
}

/** The market parameters a trade's numbers depend on (a subset of MarketConfig). */
export interface TradeParams {
  skewScaleWad: bigint;
  tradingFeeWad: bigint;
  maxFundingRatePerDayWad: bigint;
  tierBoundsX1e4: readonly bigint[];
}

/** The funding index a state-changing action at `timestamp` stores, from the market's last stored state. */
export function fundingIndexAtWad(a: {
  market: MarketView;
  params: TradeParams;
  priceWad: bigint;
  timestamp: bigint;
}): bigint {
  const m = a.market;
  if (m.lastUpdateTime === 0n || a.timestamp <= m.lastUpdateTime) return m.fundingIndexWad;
  return (
    m.fundingIndexWad +
    fundingIndexDeltaWad({
      skewWad: m.longSizeWad - m.shortSizeWad,
      skewScaleWad: a.params.skewScaleWad,
      maxRatePerDayWad: a.params.maxFundingRatePerDayWad,
      priceWad: a.priceWad,
      elapsedSeconds: a.timestamp - m.lastUpdateTime,
    })
  );
}

/* REFERENCE MODEL OF ONE TRADE (success path only: callers check reverts against the chain) */

export interface ModelFill {
  sizeDeltaWad: bigint;
  fillPriceWad: bigint;
  feeWad: bigint;
  realisedPnlWad: bigint;
  feeToInsuranceWad: bigint;
  feeToTreasuryWad: bigint;
}

export interface ModelTradeOutcome {
  fills: ModelFill[];
  position: PositionView;
  market: MarketView;
  freeCollateralDeltaWad: bigint;
  vaultCashDeltaWad: bigint;
  insuranceDeltaWad: bigint;
  treasuryDeltaWad: bigint;
}

/**
 * One order through DESIGN "Orders": same side (or none) opens or increases with the fee out of the order's
 * collateral; the opposite side up to the size is a pro-rata decrease with the fee out of the slice's proceeds;
 * beyond the size it is a full close followed by a fresh open of the rest. `fundingIndexWad` is the index the
 * action accrues to (see fundingIndexAtWad); the returned market has it stored.
 */
export function modelTrade(a: {
  position: PositionView;
  market: MarketView;
  params: TradeParams;
  insuranceShareWad: bigint;
  treasuryShareWad: bigint;
  priceWad: bigint;
  fundingIndexWad: bigint;
  timestamp: bigint;
  sizeDeltaWad: bigint;
  marginWad: bigint;
}): ModelTradeOutcome {
  const F = a.fundingIndexWad;
  const market: MarketView = { ...a.market, fundingIndexWad: F, lastUpdateTime: a.timestamp };
  const out: ModelTradeOutcome = {
    fills: [],
    position: { ...a.position },
    market,
    freeCollateralDeltaWad: 0n,
    vaultCashDeltaWad: 0n,
    insuranceDeltaWad: 0n,
    treasuryDeltaWad: 0n,
  };
  /** Books a fill as the engine does: its fee split between the fund, the treasury and the vault. */
  const book = (fill: Omit<ModelFill, "feeToInsuranceWad" | "feeToTreasuryWad">) => {
    const split = feeSplitWad({
      feeWad: fill.feeWad,
      insuranceShareWad: a.insuranceShareWad,
      treasuryShareWad: a.treasuryShareWad,
    });
    out.insuranceDeltaWad += split.insuranceWad;
    out.treasuryDeltaWad += split.treasuryWad;
    out.vaultCashDeltaWad += split.vaultWad;
    out.fills.push({ ...fill, feeToInsuranceWad: split.insuranceWad, feeToTreasuryWad: split.treasuryWad });
  };

  const increase = (p: PositionView, deltaWad: bigint, marginWad: bigint): PositionView => {
    const fill = fillPriceWad({
      priceWad: a.priceWad,
      skewBeforeWad: market.longSizeWad - market.shortSizeWad,
      sizeDeltaWad: deltaWad,
      skewScaleWad: a.params.skewScaleWad,
    });
    const fee = tradingFeeWad({ sizeAbsWad: abs(deltaWad), fillPriceWad: fill, feeRateWad: a.params.tradingFeeWad });
    const isNew = p.sizeWad === 0n;
    const newJ = isNew
      ? fill - F
      : increasedJWad({
          sizeWad: p.sizeWad,
          jWad: p.jWad,
          addedSizeWad: abs(deltaWad),
          fillPriceWad: fill,
          fundingIndexWad: F,
        });
    const newSize = p.sizeWad + deltaWad;
    if (newSize > 0n) {
      market.longSizeWad += abs(deltaWad);
      market.longJSum += newSize * newJ - p.sizeWad * p.jWad;
    } else {
      market.shortSizeWad += abs(deltaWad);
      market.shortJSum += p.sizeWad * p.jWad - newSize * newJ;
    }
    const next: PositionView = {
      ...p,
      sizeWad: newSize,
      marginWad: p.marginWad + marginWad - fee,
      jWad: newJ,
      f0Wad: F,
    };
    const target = tierOf({ leverageWad: chosenLeverageWad(next), boundsX1e4: a.params.tierBoundsX1e4 });
    if (isNew || target >= p.tier) {
      next.tier = target;
      next.pendingTier = 0n;
      next.pendingTierSince = 0n;
    } else {
      next.pendingTier = target;
      next.pendingTierSince = a.timestamp;
    }
    out.freeCollateralDeltaWad -= marginWad;
    book({ sizeDeltaWad: deltaWad, fillPriceWad: fill, feeWad: fee, realisedPnlWad: 0n });
    return next;
  };

  const decrease = (p: PositionView, closeAbsWad: bigint): PositionView => {
    const sliceSize = p.sizeWad > 0n ? closeAbsWad : -closeAbsWad;
    const fill = fillPriceWad({
      priceWad: a.priceWad,
      skewBeforeWad: market.longSizeWad - market.shortSizeWad,
      sizeDeltaWad: -sliceSize,
      skewScaleWad: a.params.skewScaleWad,
    });
    const sliceMargin = sliceMarginWad({ marginWad: p.marginWad, closeAbsWad, sizeAbsWad: abs(p.sizeWad) });
    const realised = pnlWad({ sizeWad: sliceSize, jWad: p.jWad, fundingIndexWad: F, priceWad: fill });
    const fee = tradingFeeWad({ sizeAbsWad: closeAbsWad, fillPriceWad: fill, feeRateWad: a.params.tradingFeeWad });
    if (p.sizeWad > 0n) {
      market.longSizeWad -= closeAbsWad;
      market.longJSum -= closeAbsWad * p.jWad;
    } else {
      market.shortSizeWad -= closeAbsWad;
      market.shortJSum -= closeAbsWad * p.jWad;
    }
    out.vaultCashDeltaWad -= realised;
    out.freeCollateralDeltaWad += sliceMargin + realised - fee;
    book({ sizeDeltaWad: -sliceSize, fillPriceWad: fill, feeWad: fee, realisedPnlWad: realised });
    const remaining = p.sizeWad - sliceSize;
    return remaining === 0n
      ? { ...EMPTY_POSITION }
      : { ...p, sizeWad: remaining, marginWad: p.marginWad - sliceMargin };
  };

  const size = a.position.sizeWad;
  if (size === 0n || size > 0n === a.sizeDeltaWad > 0n) {
    out.position = increase(a.position, a.sizeDeltaWad, a.marginWad);
  } else {
    const deltaAbs = abs(a.sizeDeltaWad);
    out.position = decrease(a.position, minOf(deltaAbs, abs(size)));
    if (deltaAbs > abs(size)) out.position = increase(EMPTY_POSITION, a.sizeDeltaWad + size, a.marginWad);
  }
  return out;
}

/* CHAIN HELPERS */

export type Protocol = Awaited<ReturnType<typeof deployProtocol>>;

/** The market's checked oracle price (reverts like the engine would on a bad feed). */
export async function priceWadOf(d: Protocol, marketId: bigint): Promise<bigint> {
  const [priceWad] = await d.registry.readPrice(marketId);
  return priceWad;
}

export async function tradeParamsOf(d: Protocol, marketId: bigint): Promise<TradeParams> {
  const c = await d.registry.marketConfig(marketId);
  return {
    skewScaleWad: c.skewScaleWad,
    tradingFeeWad: c.tradingFeeWad,
    maxFundingRatePerDayWad: c.maxFundingRatePerDayWad,
    tierBoundsX1e4: [...c.tierBoundsX1e4],
  };
}

/**
 * Fixes the timestamp of the next block (and of the pending block that gas estimation and `pending` calls
 * run in), so that expected values depending on funding are exact. Returns that timestamp.
 */
export async function pinTimestamp(timestamp: bigint): Promise<bigint> {
  await networkHelpers.time.setNextBlockTimestamp(timestamp);
  return timestamp;
}

/** pinTimestamp at the latest block's time plus `secondsAhead`. */
export async function pinNextTimestamp(secondsAhead = 1n): Promise<bigint> {
  return pinTimestamp(BigInt(await networkHelpers.time.latest()) + secondsAhead);
}

export async function latestTimestamp(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest());
}

/** The funding index an action on the market would store if mined at `timestamp`. */
export async function fundingIndexAt(d: Protocol, marketId: bigint, timestamp: bigint): Promise<bigint> {
  const [market, params, priceWad] = await Promise.all([
    marketOf(d.engine, marketId),
    tradeParamsOf(d, marketId),
    priceWadOf(d, marketId),
  ]);
  return fundingIndexAtWad({ market, params, priceWad, timestamp });
}

/* EVENTS */

/** Anything holding the engine (the funded system, a liquidation book). */
export interface WithEngine {
  engine: PerpEngine;
}

/** The engine's events of a transaction, each as [name, ...arguments], keeping only the given names, in order. */
export function eventsOf(d: WithEngine, receipt: ContractTransactionReceipt, names: string[]): unknown[][] {
  const out: unknown[][] = [];
  for (const log of receipt.logs.filter((l) => l.address === d.engine.target)) {
    const parsed = d.engine.interface.parseLog(log);
    if (parsed !== null && names.includes(parsed.name)) out.push([parsed.name, ...parsed.args.toArray()]);
  }
  return out;
}

/** The arguments of every `name` event the engine emitted in this transaction, in order, as plain arrays. */
export function eventsNamed(d: WithEngine, receipt: ContractTransactionReceipt, name: string): unknown[][] {
  return eventsOf(d, receipt, [name]).map(([, ...args]) => args);
}

/** The names of the engine's events in this transaction, in order. */
export function eventNames(d: WithEngine, receipt: ContractTransactionReceipt): string[] {
  return receipt.logs
    .filter((log) => log.address === d.engine.target)
    .map((log) => d.engine.interface.parseLog(log)?.name ?? "unknown");
}

/** A custom error's selector, as LiquidationSkipped reports it. */
export function selectorOf(d: WithEngine, error: string): string {
  const fragment = d.engine.interface.getError(error);
  if (fragment === null) throw new Error(`no error ${error}`);
  return fragment.selector;
}

/**
 * Asserts that `action` reverts with exactly this custom error (and these arguments, when given) and that
 * `read` returns the same state afterwards; `same` compares (deep equality unless given, e.g. field by field so
 * that a failure names what moved).
 */
export async function expectRevertKeeping<T>(a: {
  read: () => Promise<T>;
  same?: (actual: T, expected: T) => void;
  action: () => Promise<unknown>;
  contract: BaseContract;
  error: string;
  args?: unknown[];
}): Promise<void> {
  const before = await a.read();
  const assertion = expect(a.action()).to.be.revertedWithCustomError(a.contract, a.error);
  if (a.args === undefined) await assertion;
  else await assertion.withArgs(...a.args);
  const after = await a.read();
  if (a.same === undefined) expect(after).to.deep.equal(before);
  else a.same(after, before);
}

/** Waits for a transaction and returns its receipt. */
export async function mined(tx: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction was not mined");
  return receipt;
}

export async function timestampOf(receipt: ContractTransactionReceipt): Promise<bigint> {
  const block = await receipt.getBlock();
  return BigInt(block.timestamp);
}

/** The decoded logs of one event emitted by the engine in this transaction, in emission order. */
export async function eventsIn<E extends TypedContractEvent>(
  engine: PerpEngine,
  receipt: ContractTransactionReceipt,
  event: E
): Promise<TypedEventLog<E>["args"][]> {
  const logs = await engine.queryFilter(event, receipt.blockNumber, receipt.blockNumber);
  return logs.filter((log) => log.transactionHash === receipt.hash).map((log) => log.args);
}

/**
 * The model's prediction of one trade of `account` mined in the next block, whose timestamp is pinned (to
 * `timestamp`, or one second after the latest block) so that the funding index is known in advance.
 */
export async function predictTrade(
  d: Protocol,
  a: { account: string; marketId: bigint; sizeDeltaWad: bigint; marginWad: bigint; timestamp?: bigint }
): Promise<ModelTradeOutcome & { timestamp: bigint; priceWad: bigint; fundingIndexWad: bigint }> {
  const [position, market, params, priceWad, pc] = await Promise.all([
    positionOf(d.engine, a.account, a.marketId),
    marketOf(d.engine, a.marketId),
    tradeParamsOf(d, a.marketId),
    priceWadOf(d, a.marketId),
    d.registry.protocolConfig(),
  ]);
  const timestamp = a.timestamp === undefined ? await pinNextTimestamp() : await pinTimestamp(a.timestamp);
  const fundingIndexWad = fundingIndexAtWad({ market, params, priceWad, timestamp });
  const outcome = modelTrade({
    position,
    market,
    params,
    insuranceShareWad: pc.insuranceFeeShareWad,
    treasuryShareWad: pc.treasuryFeeShareWad,
    priceWad,
    fundingIndexWad,
    timestamp,
    sizeDeltaWad: a.sizeDeltaWad,
    marginWad: a.marginWad,
  });
  return { ...outcome, timestamp, priceWad, fundingIndexWad };
}

/**
 * Asserts that a mined trade did exactly what `predicted` says: its Traded events (in order), the position, the
 * account's free collateral, the ledgers and the market's aggregates and funding index.
 */
export async function expectTradeOutcome(a: {
  d: Protocol;
  account: string;
  marketId: bigint;
  predicted: Awaited<ReturnType<typeof predictTrade>>;
  receipt: ContractTransactionReceipt;
  before: EngineSnapshot;
}): Promise<void> {
  const { d, predicted: p } = a;
  expect(await timestampOf(a.receipt)).to.equal(p.timestamp);
  expect(await eventsIn(d.engine, a.receipt, d.engine.filters.Traded)).to.deep.equal(
    p.fills.map((f) => [
      a.account,
      a.marketId,
      f.sizeDeltaWad,
      p.priceWad,
      f.fillPriceWad,
      f.feeWad,
      f.realisedPnlWad,
      p.fundingIndexWad,
      f.feeToInsuranceWad,
      f.feeToTreasuryWad,
    ])
  );
  expect(await positionOf(d.engine, a.account, a.marketId)).to.deep.equal(p.position);
  expect(await d.engine.freeCollateralWad(a.account)).to.equal(
    freeCollateralIn(a.before, a.account) + p.freeCollateralDeltaWad
  );
  expect(await d.engine.insuranceFundWad()).to.equal(a.before.insuranceFundWad + p.insuranceDeltaWad);
  expect(await d.engine.treasuryWad()).to.equal(a.before.treasuryWad + p.treasuryDeltaWad);
  expect(await d.engine.vaultCashWad()).to.equal(a.before.vaultCashWad + p.vaultCashDeltaWad);
  const m = await marketOf(d.engine, a.marketId);
  expect([m.longSizeWad, m.shortSizeWad, m.longJSum, m.shortJSum, m.fundingIndexWad, m.lastUpdateTime]).to.deep.equal([
    p.market.longSizeWad,
    p.market.shortSizeWad,
    p.market.longJSum,
    p.market.shortJSum,
    p.fundingIndexWad,
    p.timestamp,
  ]);
}

/* STATE SNAPSHOT: what a reverted call must leave exactly as it was */

/** Something with a token balance (MockUSDC or FeeOnTransferToken). */
export interface BalanceReader {
  balanceOf(account: string): Promise<bigint>;
}

export interface StateScope {
  engine: PerpEngine;
  token: BalanceReader;
  accounts: string[];
  marketIds?: bigint[];
}

export interface EngineSnapshot {
  accounts: string[];
  freeCollateralWad: bigint[];
  tokenBalances: bigint[];
  engineTokenBalance: bigint;
  positions: PositionView[];
  markets: MarketView[];
  insuranceFundWad: bigint;
  treasuryWad: bigint;
  vaultCashWad: bigint;
  vaultEquityWad: bigint;
  totalNotionalWad: bigint;
  tradersProfitWad: bigint;
  paused: boolean;
}

export async function captureState(scope: StateScope): Promise<EngineSnapshot> {
  const { engine, token, accounts } = scope;
  const marketIds = scope.marketIds ?? [ETH, BTC];
  const engineAddress = await engine.getAddress();
  const positions: PositionView[] = [];
  for (const account of accounts) {
    for (const id of marketIds) positions.push(await positionOf(engine, account, id));
  }
  return {
    accounts: [...accounts],
    freeCollateralWad: await Promise.all(accounts.map((account) => engine.freeCollateralWad(account))),
    tokenBalances: await Promise.all(accounts.map((account) => token.balanceOf(account))),
    engineTokenBalance: await token.balanceOf(engineAddress),
    positions,
    markets: await Promise.all(marketIds.map((id) => marketOf(engine, id))),
    insuranceFundWad: await engine.insuranceFundWad(),
    treasuryWad: await engine.treasuryWad(),
    vaultCashWad: await engine.vaultCashWad(),
    vaultEquityWad: await engine.vaultEquityWad(),
    totalNotionalWad: await engine.totalNotionalWad(),
    tradersProfitWad: await engine.tradersProfitWad(),
    paused: await engine.paused(),
  };
}

/** An account's free collateral as the snapshot saw it. */
export function freeCollateralIn(snapshot: EngineSnapshot, account: string): bigint {
  const index = snapshot.accounts.indexOf(account);
  if (index < 0) throw new Error(`${account} is not in the snapshot`);
  return snapshot.freeCollateralWad[index];
}

/** An account's token balance as the snapshot saw it. */
export function tokenBalanceIn(snapshot: EngineSnapshot, account: string): bigint {
  const index = snapshot.accounts.indexOf(account);
  if (index < 0) throw new Error(`${account} is not in the snapshot`);
  return snapshot.tokenBalances[index];
}

/** The default scope: the fixture's engine and USDC, its three traders, the LP and the stranger. */
export function scopeOf(d: Protocol): StateScope {
  return {
    engine: d.engine,
    token: d.usdc,
    accounts: [d.alice.address, d.bob.address, d.carol.address, d.lp.address, d.stranger.address, d.admin.address],
  };
}

/**
 * Asserts that `action` reverts with exactly this custom error (and these arguments, when given) and that no
 * balance, position, market or ledger in `scope` moved.
 */
export async function expectRevertWithoutChange(a: {
  scope: StateScope;
  action: () => Promise<unknown>;
  contract: BaseContract;
  error: string;
  args?: unknown[];
}): Promise<void> {
  const { scope, ...rest } = a;
  await expectRevertKeeping({ read: () => captureState(scope), ...rest });
}

/* PERMIT */

/** Signs an EIP-2612 permit for MockUSDC ("Mock USD Coin", version "1"). */
export async function signPermit(a: {
  d: Protocol;
  owner: Signer;
  spender: string;
  valueTokens: bigint;
  deadline: bigint;
}) {
  const ownerAddress = await a.owner.getAddress();
  const { chainId } = await ethers.provider.getNetwork();
  const signature = await a.owner.signTypedData(
    { name: "Mock USD Coin", version: "1", chainId, verifyingContract: await a.d.usdc.getAddress() },
    {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    {
      owner: ownerAddress,
      spender: a.spender,
      value: a.valueTokens,
      nonce: await a.d.usdc.nonces(ownerAddress),
      deadline: a.deadline,
    }
  );
  return ethers.Signature.from(signature);
}

/* FIXTURES (named functions: loadFixture keys its snapshots on the function) */

/** The system with no LP deposit: the vault's equity is zero, at or below any floor. */
export async function deployEmptyVault() {
  const s = await deployProtocol();
  await s.usdc.mint(s.alice.address, tokens(1_000_000));
  await s.usdc.connect(s.alice).approve(await s.engine.getAddress(), ethers.MaxUint256);
  await s.engine.connect(s.alice).deposit(tokens(100_000));
  return s;
}

/** A second engine on the fixture's registry whose collateral burns 1% of every transfer. */
export async function deployFeeOnTransferEngine() {
  const s = await deployProtocol();
  const feeToken = await new FeeOnTransferToken__factory(s.admin).deploy();
  const feeEngine = await deployEngine(s.admin, await feeToken.getAddress(), await s.registry.getAddress());
  await feeToken.mint(s.alice.address, tokens(1_000_000));
  await feeToken.connect(s.alice).approve(await feeEngine.getAddress(), ethers.MaxUint256);
  return { ...s, feeToken, feeEngine };
}

/** The vault's address as a signer, to call the engine's vault-only functions directly. */
export async function impersonateVault(d: Protocol) {
  const address = await d.vault.getAddress();
  await networkHelpers.impersonateAccount(address);
  await networkHelpers.setBalance(address, 10n ** 18n);
  return ethers.getSigner(address);
}

/** A fresh MockAggregator, e.g. a sequencer-uptime feed (answer 0 = up). */
export async function deployFeed(d: Protocol, decimals: number, answer: bigint) {
  return new MockAggregator__factory(d.admin).deploy(decimals, "test feed", answer);
}
