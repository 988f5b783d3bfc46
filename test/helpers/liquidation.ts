/**
 * Helpers for the liquidation unit tests: a funded book with more traders and funding switched off (so that
 * F = 0 and every expected number is a closed formula of the positions' stored J and margin), the DESIGN
 * waterfall formulas in bigint with the contracts' rounding, a ledger snapshot of every balance the
 * waterfall can move, the conservation check, ADL list walks and event readers.
 */
import { expect } from "chai";
import type { BaseContract } from "ethers";
import {
  ETH,
  BTC,
  TOKEN_TO_WAD,
  WAD,
  anyPrice,
  deployFunded,
  disableFunding,
  ethers,
  fundAccounts,
  setPrice,
  tokens,
} from "./fixture.js";
import {
  abs,
  divDown,
  eventNames,
  eventsNamed,
  eventsOf,
  expectRevertKeeping,
  fillPriceWad,
  maxOf,
  mined,
  minOf,
  selectorOf,
  wMulDown,
  wMulUp,
} from "./engine.js";

/* THE BOOK */

/**
 * The funded system (an LP's $5M in the vault; alice, bob and carol with $100k free each) plus six more
 * traders with $100k free each and a keeper with nothing deposited. ETH funding is switched off: with F = 0 a
 * position's equity is m + s·(P − J) and its profit per unit P − J (long) or J − P (short), exactly.
 */
export async function deployBook() {
  const d = await deployFunded();
  const signers = await ethers.getSigners();
  const [dave, erin, frank, grace, heidi, ivan] = signers.slice(7, 13);
  await fundAccounts(d, [dave, erin, frank, grace, heidi, ivan], {
    walletTokens: tokens(1_000_000),
    depositTokens: tokens(100_000),
  });
  await disableFunding(d);
  return { ...d, dave, erin, frank, grace, heidi, ivan };
}

export type Book = Awaited<ReturnType<typeof deployBook>>;
export type Actor = Book["alice"];

/** Every account a scenario can touch, for snapshots and the conservation check. */
export const actorsOf = (d: Book): Actor[] => [
  d.admin,
  d.alice,
  d.bob,
  d.carol,
  d.lp,
  d.keeper,
  d.stranger,
  d.dave,
  d.erin,
  d.frank,
  d.grace,
  d.heidi,
  d.ivan,
];

/** Opens or increases a position of `sizeWad` (signed) with `marginWad` of collateral, hints from the head. */
export async function open(d: Book, trader: Actor, sizeWad: bigint, marginWad: bigint) {
  return mined(d.engine.connect(trader).trade(ETH, sizeWad, marginWad, anyPrice(sizeWad), []));
}

/** The protocol configuration with some fields replaced (setProtocolConfig takes the whole struct). */
export async function setProtocol(
  d: Pick<Book, "registry">,
  overrides: Partial<{
    insuranceFeeShareWad: bigint;
    floorAbsoluteUsdWad: bigint;
    adlFillBudget: bigint;
    vestingThresholdUsdWad: bigint;
  }>
) {
  const p = await d.registry.protocolConfig();
  await d.registry.setProtocolConfig({
    insuranceFeeShareWad: overrides.insuranceFeeShareWad ?? p.insuranceFeeShareWad,
    treasuryFeeShareWad: p.treasuryFeeShareWad,
    lpFeeWad: p.lpFeeWad,
    floorRatioWad: p.floorRatioWad,
    floorAbsoluteUsdWad: overrides.floorAbsoluteUsdWad ?? p.floorAbsoluteUsdWad,
    keeperRewardFloorUsdWad: p.keeperRewardFloorUsdWad,
    withdrawStopRatioWad: p.withdrawStopRatioWad,
    adlTargetRatioWad: p.adlTargetRatioWad,
    adlTriggerRatioWad: p.adlTriggerRatioWad,
    scalingRatioWad: p.scalingRatioWad,
    keeperRewardRatioWad: p.keeperRewardRatioWad,
    tierDropDelay: p.tierDropDelay,
    hintWalkBound: p.hintWalkBound,
    adlFillBudget: overrides.adlFillBudget ?? p.adlFillBudget,
    vestingPeriod: p.vestingPeriod,
    vestingThresholdUsdWad: overrides.vestingThresholdUsdWad ?? p.vestingThresholdUsdWad,
  });
}

/** Lowers (or raises) the ETH vault exposure cap, a fraction of the vault's equity; other limits unchanged. */
export async function setExposureCap(d: Book, capWad: bigint) {
  const c = await d.registry.marketConfig(ETH);
  await d.registry.setLimits(ETH, c.oiCapUsdWad, c.minNotionalUsdWad, capWad, c.insuranceDailyCapUsdWad);
}

/**
 * Pokes ETH at the current oracle price (so the cached PnL and gross notional are at that price) and sets the
 * absolute floor to leave the vault exactly `roomWad` of equity above it: what step 3 lets the vault pay.
 */
export async function leaveVaultRoom(d: Book, roomWad: bigint) {
  await d.engine.poke(ETH);
  await setProtocol(d, { floorAbsoluteUsdWad: (await d.engine.vaultEquityWad()) - roomWad });
  expect(await d.engine.solvencyFloorWad()).to.equal((await d.engine.vaultEquityWad()) - roomWad);
}

/**
 * A book where nothing but ADL pays a deficit: no fee share reaches the insurance fund (it stays empty), `openPositions`
 * opens the book, then ETH moves to `priceUsd` and the vault is left exactly at its floor.
 */
export async function deployNothingPaysBook(priceUsd: number, openPositions: (d: Book) => Promise<void>): Promise<Book> {
  const d = await deployBook();
  await setProtocol(d, { insuranceFeeShareWad: 0n });
  await openPositions(d);
  await setPrice(d.ethFeed, priceUsd);
  await leaveVaultRoom(d, 0n);
  return d;
}

/* POSITIONS */

/** A position as the engine stores it. */
export interface PositionRead {
  sizeWad: bigint;
  marginWad: bigint;
  jWad: bigint;
  f0Wad: bigint;
  tier: bigint;
  pendingTier: bigint;
  pendingTierSince: bigint;
  inLiquidation: boolean;
  prevId: bigint;
  nextId: bigint;
}

/** A position as the ledger keeps it: its list links are checked with tierList instead. */
export type PositionState = Omit<PositionRead, "prevId" | "nextId">;

export const EMPTY: PositionState = {
  sizeWad: 0n,
  marginWad: 0n,
  jWad: 0n,
  f0Wad: 0n,
  tier: 0n,
  pendingTier: 0n,
  pendingTierSince: 0n,
  inLiquidation: false,
};

const stateOf = (p: PositionRead): PositionState => {
  const { prevId: _prev, nextId: _next, ...rest } = p;
  return rest;
};

/* DESIGN FORMULAS (F = 0) */

export interface Terms {
  priceWad: bigint;
  skewScaleWad: bigint;
  tradingFeeWad: bigint;
  liquidationFeeExtraWad: bigint;
  mmrWad: bigint;
  insuranceDailyCapUsdWad: bigint;
  vaultExposureCapWad: bigint;
  keeperRewardFloorUsdWad: bigint;
  keeperRewardRatioWad: bigint;
}

/** The parameters a liquidation at `priceWad` depends on, read from the registry. */
export async function termsAt(d: Book, priceWad: bigint): Promise<Terms> {
  const c = await d.registry.marketConfig(ETH);
  const p = await d.registry.protocolConfig();
  return {
    priceWad,
    skewScaleWad: c.skewScaleWad,
    tradingFeeWad: c.tradingFeeWad,
    liquidationFeeExtraWad: c.liquidationFeeExtraWad,
    mmrWad: c.mmrWad,
    insuranceDailyCapUsdWad: c.insuranceDailyCapUsdWad,
    vaultExposureCapWad: c.vaultExposureCapWad,
    keeperRewardFloorUsdWad: p.keeperRewardFloorUsdWad,
    keeperRewardRatioWad: p.keeperRewardRatioWad,
  };
}

/** Keeper reward: max(floor, ratio × |s|·P), the notional and its fraction both rounded up. */
export function keeperRewardWad(t: Terms, sizeAbsWad: bigint): bigint {
  return maxOf(t.keeperRewardFloorUsdWad, wMulUp(wMulUp(sizeAbsWad, t.priceWad), t.keeperRewardRatioWad));
}

/**
 * Liquidation fee of a slice: (trading fee + extra) × |slice|·P rounded up, plus the adverse impact a voluntary
 * close of that size would pay at the current skew (per unit against the trader, times the size rounded up).
 */
export function liquidationFeeWad(t: Terms, a: { sliceAbsWad: bigint; isLong: boolean; skewWad: bigint }) {
  const fill = fillPriceWad({
    priceWad: t.priceWad,
    skewBeforeWad: a.skewWad,
    sizeDeltaWad: a.isLong ? -a.sliceAbsWad : a.sliceAbsWad,
    skewScaleWad: t.skewScaleWad,
  });
  const perUnit = a.isLong ? maxOf(0n, t.priceWad - fill) : maxOf(0n, fill - t.priceWad);
  const impactWad = wMulUp(a.sliceAbsWad, perUnit);
  const baseWad = wMulUp(wMulUp(a.sliceAbsWad, t.priceWad), t.tradingFeeWad + t.liquidationFeeExtraWad);
  return { feeWad: baseWad + impactWad, impactWad };
}

/** m + s·(P − J), rounded down (F = 0). */
export const equityAtWad = (p: { sizeWad: bigint; marginWad: bigint; jWad: bigint }, priceWad: bigint): bigint =>
  p.marginWad + divDown(p.sizeWad * (priceWad - p.jWad), WAD);

/** Profit per unit at P: P − J (long), J − P (short). */
export const profitPerUnitWad = (p: { sizeWad: bigint; jWad: bigint }, priceWad: bigint): bigint =>
  p.sizeWad > 0n ? priceWad - p.jWad : p.jWad - priceWad;

/**
 * Step 1 of the waterfall: out of positive equity only, the keeper reward first, then the fee, the rest to the
 * trader; what the equity cannot pay of the reward adds to the deficit with the negative equity.
 */
export function splitEquity(a: { equityWad: bigint; rewardWad: bigint; feeWad: bigint }) {
  const positive = maxOf(a.equityWad, 0n);
  const rewardFromEquityWad = minOf(positive, a.rewardWad);
  const feeChargedWad = minOf(positive - rewardFromEquityWad, a.feeWad);
  const payoutWad = positive - rewardFromEquityWad - feeChargedWad;
  const rewardShortfallWad = a.rewardWad - rewardFromEquityWad;
  const deficitWad = (a.equityWad < 0n ? -a.equityWad : 0n) + rewardShortfallWad;
  return { rewardFromEquityWad, feeChargedWad, payoutWad, rewardShortfallWad, deficitWad };
}

/**
 * DESIGN step 4's haircuts, written from the spec: with G = Σ q_i·π_i, when U ≥ G every fill gives up its whole
 * profit; otherwise the level x solves Σ q_i·min(x, π_i) = U (walking up the fills sorted by π, x rounded up)
 * and h_i = q_i·min(x, π_i), each rounded up but never above the fill's profit q_i·π_i rounded down.
 */
export function waterFill(a: { sizesWad: bigint[]; profitsWad: bigint[]; deficitWad: bigint }) {
  const n = a.sizesWad.length;
  const profitUsd = a.sizesWad.map((q, i) => wMulDown(q, a.profitsWad[i]));
  if (n === 0 || a.deficitWad === 0n) return { levelWad: 0n, haircutsWad: a.sizesWad.map(() => 0n), totalWad: 0n };
  const target = a.deficitWad * WAD;
  const gross = a.sizesWad.reduce((sum, q, i) => sum + q * a.profitsWad[i], 0n);
  let levelWad: bigint | undefined;
  if (gross > target) {
    const order = [...a.profitsWad.keys()].sort((i, j) => (a.profitsWad[i] < a.profitsWad[j] ? -1 : 1));
    let capped = 0n;
    let sizeAbove = a.sizesWad.reduce((sum, q) => sum + q, 0n);
    for (const i of order) {
      if (capped + a.profitsWad[i] * sizeAbove >= target) {
        levelWad = (target - capped + sizeAbove - 1n) / sizeAbove;
        break;
      }
      capped += a.profitsWad[i] * a.sizesWad[i];
      sizeAbove -= a.sizesWad[i];
    }
  }
  const haircutsWad = a.sizesWad.map((q, i) =>
    levelWad === undefined ? profitUsd[i] : minOf(wMulUp(q, levelWad), profitUsd[i])
  );
  return { levelWad: levelWad ?? 0n, haircutsWad, totalWad: haircutsWad.reduce((s, h) => s + h, 0n) };
}

/** The counterparty's fill price reported in AdlFill: P moved against it by its haircut per unit, rounded up. */
export function adlFillPriceWad(a: {
  priceWad: bigint;
  counterpartyIsLong: boolean;
  sizeWad: bigint;
  haircutWad: bigint;
}) {
  const perUnit = (a.haircutWad * WAD + a.sizeWad - 1n) / a.sizeWad;
  return a.counterpartyIsLong ? a.priceWad - minOf(perUnit, a.priceWad) : a.priceWad + perUnit;
}

/**
 * A counterparty's pro-rata slice of q units closed by ADL: its margin share (rounded down, the remainder keeps
 * the dust), its profit q·π rounded down, and what is left of the position (gone when q is the whole size; J,
 * F0 and tier otherwise unchanged, so it keeps its place in its list).
 */
export function adlSlice(p: PositionState, qWad: bigint, priceWad: bigint) {
  const sizeAbs = abs(p.sizeWad);
  const marginSliceWad = qWad === sizeAbs ? p.marginWad : (p.marginWad * qWad) / sizeAbs;
  const profitPerUnit = profitPerUnitWad(p, priceWad);
  const profitWad = wMulDown(qWad, profitPerUnit);
  const after: PositionState =
    qWad === sizeAbs
      ? EMPTY
      : {
          ...p,
          sizeWad: p.sizeWad > 0n ? p.sizeWad - qWad : p.sizeWad + qWad,
          marginWad: p.marginWad - marginSliceWad,
        };
  return { marginSliceWad, profitPerUnitWad: profitPerUnit, profitWad, after };
}

/**
 * The ADL step for the given fills (counterparty and size, in the order the walk meets them) and the unpaid
 * deficit U: the water-filled haircuts, and what each fill does to the events, the counterparties' free
 * collateral and positions, the vault's cash (it pays each counterparty its profit less the haircut) and the
 * market's aggregates.
 */
export function planAdl(
  d: Book,
  before: Ledger,
  a: { liquidated: Actor; priceWad: bigint; fills: [Actor, bigint][]; unpaidWad: bigint }
) {
  const slices = a.fills.map(([actor, qWad]) => {
    const p = positionIn(d, before, actor);
    return { actor, qWad, p, ...adlSlice(p, qWad, a.priceWad) };
  });
  const wf = waterFill({
    sizesWad: slices.map((s) => s.qWad),
    profitsWad: slices.map((s) => s.profitPerUnitWad),
    deficitWad: a.unpaidWad,
  });
  const events: unknown[][] = [];
  let longSizeWad = 0n;
  let shortSizeWad = 0n;
  let longJSum = 0n;
  let shortJSum = 0n;
  slices.forEach((s, i) => {
    const isLong = s.p.sizeWad > 0n;
    const fillPrice = adlFillPriceWad({
      priceWad: a.priceWad,
      counterpartyIsLong: isLong,
      sizeWad: s.qWad,
      haircutWad: wf.haircutsWad[i],
    });
    events.push([
      "AdlFill",
      s.actor.address,
      ETH,
      a.liquidated.address,
      isLong ? -s.qWad : s.qWad,
      a.priceWad,
      fillPrice,
      wf.haircutsWad[i],
      s.p.tier,
    ]);
    events.push(["PositionUpdated", ...positionUpdated(s.actor, s.after)]);
    if (isLong) {
      longSizeWad -= s.qWad;
      longJSum -= s.qWad * s.p.jWad;
    } else {
      shortSizeWad -= s.qWad;
      shortJSum -= s.qWad * s.p.jWad;
    }
  });
  return {
    levelWad: wf.levelWad,
    haircutsWad: wf.haircutsWad,
    haircutTotalWad: wf.totalWad,
    profitsWad: slices.map((s) => s.profitWad),
    /** AdlFill then PositionUpdated per fill, each prefixed with the event name. */
    events,
    free: slices.map((s, i): [Actor, bigint] => [s.actor, s.marginSliceWad + s.profitWad - wf.haircutsWad[i]]),
    positions: slices.map((s): [Actor, PositionState] => [s.actor, s.after]),
    vaultPaysWad: slices.reduce((sum, s, i) => sum + s.profitWad - wf.haircutsWad[i], 0n),
    longSizeWad,
    shortSizeWad,
    longJSum,
    shortJSum,
  };
}

/** The Liquidated event's arguments, in order. */
export function liquidatedArgs(a: {
  account: Actor;
  keeper: Actor;
  sizeClosedWad: bigint;
  priceWad: bigint;
  equityWad: bigint;
  rewardWad: bigint;
  feeWad: bigint;
  takenOverWad: bigint;
  adlSizeWad: bigint;
  remainingWad: bigint;
}): unknown[] {
  return [
    a.account.address,
    ETH,
    a.keeper.address,
    a.sizeClosedWad,
    a.priceWad,
    a.equityWad,
    a.rewardWad,
    a.feeWad,
    a.takenOverWad,
    a.adlSizeWad,
    a.remainingWad,
  ];
}

/** Collateral that opens |size| at `leverage`× chosen leverage at $4,000, plus the 0.05% fee and a dollar. */
export const marginFor = (sizeAbsWad: bigint, leverage: bigint): bigint =>
  (sizeAbsWad * 4000n) / leverage + (sizeAbsWad * 4000n * 5n) / 10_000n + WAD;

/* READS */

export async function positionOf(d: Book, account: Actor): Promise<PositionRead> {
  const p = await d.engine.positionOf(account.address, ETH);
  return {
    sizeWad: p.sizeWad,
    marginWad: p.marginWad,
    jWad: p.jWad,
    f0Wad: p.f0Wad,
    tier: p.tier,
    pendingTier: p.pendingTier,
    pendingTierSince: p.pendingTierSince,
    inLiquidation: p.inLiquidation,
    prevId: p.prevId,
    nextId: p.nextId,
  };
}

/** The PositionUpdated arguments a position's state makes (size zero once it is gone). */
export const positionUpdated = (account: Actor, p: PositionState): unknown[] => [
  account.address,
  ETH,
  p.sizeWad,
  p.marginWad,
  p.jWad,
  p.f0Wad,
  p.tier,
  p.pendingTier,
  p.pendingTierSince,
];

/** An ETH tier list from head to tail, walked with positionById(...).nextId: each member's account, links and J. */
export async function tierListMembers(d: Pick<Book, "engine">, isLong: boolean, tier: number) {
  // The generated type intersects the tuple with a `length` field, which TypeScript reduces to never.
  const [head, tail, length] = (await d.engine.listEnds(ETH, isLong, tier)) as unknown as [bigint, bigint, bigint];
  const members: { account: string; prevId: bigint; nextId: bigint; jWad: bigint }[] = [];
  for (let id = head; id !== 0n; ) {
    const p = await d.engine.positionById(ETH, id);
    members.push({ account: await d.engine.accountOf(id), prevId: p.prevId, nextId: p.nextId, jWad: p.jWad });
    id = p.nextId;
  }
  expect(BigInt(members.length)).to.equal(length);
  return { head, tail, members };
}

/** The accounts of an ETH tier list from head to tail. */
export async function tierList(d: Pick<Book, "engine">, isLong: boolean, tier: number): Promise<string[]> {
  return (await tierListMembers(d, isLong, tier)).members.map((m) => m.account);
}

/** The skew (traders' long − short size) of ETH. */
export async function skewOf(d: Book): Promise<bigint> {
  const m = await d.engine.marketState(ETH);
  return m.longSizeWad - m.shortSizeWad;
}

export interface Ledger {
  freeWad: bigint[];
  positions: PositionState[];
  insuranceWad: bigint;
  vaultCashWad: bigint;
  treasuryWad: bigint;
  badDebtWad: bigint;
  insuranceUsedTodayWad: bigint;
  inLiquidation: bigint;
  longSizeWad: bigint;
  shortSizeWad: bigint;
  longJSum: bigint;
  shortJSum: bigint;
  engineTokens: bigint;
}

/** Every balance and aggregate the waterfall can move, for the actors of the book. */
export async function ledgerOf(d: Book): Promise<Ledger> {
  const actors = actorsOf(d);
  const m = await d.engine.marketState(ETH);
  return {
    freeWad: await Promise.all(actors.map((a) => d.engine.freeCollateralWad(a.address))),
    positions: (await Promise.all(actors.map((a) => positionOf(d, a)))).map(stateOf),
    insuranceWad: await d.engine.insuranceFundWad(),
    vaultCashWad: await d.engine.vaultCashWad(),
    treasuryWad: await d.engine.treasuryWad(),
    badDebtWad: await d.engine.badDebtWad(ETH),
    insuranceUsedTodayWad: await d.engine.insuranceUsedTodayWad(ETH),
    inLiquidation: await d.engine.positionsInLiquidation(),
    longSizeWad: m.longSizeWad,
    shortSizeWad: m.shortSizeWad,
    longJSum: m.longJSum,
    shortJSum: m.shortJSum,
    engineTokens: await d.usdc.balanceOf(await d.engine.getAddress()),
  };
}

/** An actor's position in a ledger. */
export function positionIn(d: Book, l: Ledger, account: Actor): PositionState {
  return l.positions[actorsOf(d).indexOf(account)];
}

/** What a waterfall may change, as deltas (amounts) or new values (positions, counters of state). */
export interface LedgerChange {
  free?: [Actor, bigint][];
  positions?: [Actor, PositionState][];
  insuranceWad?: bigint;
  vaultCashWad?: bigint;
  treasuryWad?: bigint;
  badDebtWad?: bigint;
  insuranceUsedTodayWad?: bigint;
  inLiquidation?: bigint;
  longSizeWad?: bigint;
  shortSizeWad?: bigint;
  longJSum?: bigint;
  shortJSum?: bigint;
}

/**
 * Asserts the ledger moved by exactly `change` and nothing else: every other free balance, position, fund,
 * counter and market aggregate, the treasury and the engine's token balance are as they were.
 */
export async function expectLedger(d: Book, before: Ledger, change: LedgerChange): Promise<void> {
  const actors = actorsOf(d);
  const expected: Ledger = {
    ...before,
    freeWad: [...before.freeWad],
    positions: [...before.positions],
    insuranceWad: before.insuranceWad + (change.insuranceWad ?? 0n),
    vaultCashWad: before.vaultCashWad + (change.vaultCashWad ?? 0n),
    treasuryWad: before.treasuryWad + (change.treasuryWad ?? 0n),
    badDebtWad: before.badDebtWad + (change.badDebtWad ?? 0n),
    insuranceUsedTodayWad: change.insuranceUsedTodayWad ?? before.insuranceUsedTodayWad,
    inLiquidation: change.inLiquidation ?? before.inLiquidation,
    longSizeWad: before.longSizeWad + (change.longSizeWad ?? 0n),
    shortSizeWad: before.shortSizeWad + (change.shortSizeWad ?? 0n),
    longJSum: before.longJSum + (change.longJSum ?? 0n),
    shortJSum: before.shortJSum + (change.shortJSum ?? 0n),
  };
  for (const [actor, delta] of change.free ?? []) expected.freeWad[actors.indexOf(actor)] += delta;
  for (const [actor, p] of change.positions ?? []) expected.positions[actors.indexOf(actor)] = p;
  expectSameLedger(d, await ledgerOf(d), expected);
}

/** Field by field, so that a failure names what moved. */
function expectSameLedger(d: Book, actual: Ledger, expected: Ledger): void {
  const actors = actorsOf(d);
  actors.forEach((a, i) => {
    expect(actual.freeWad[i], `free collateral of ${a.address}`).to.equal(expected.freeWad[i]);
    expect(actual.positions[i], `position of ${a.address}`).to.deep.equal(expected.positions[i]);
  });
  for (const key of Object.keys(expected) as (keyof Ledger)[]) {
    if (key !== "freeWad" && key !== "positions") expect(actual[key], key).to.equal(expected[key]);
  }
}

/**
 * Conservation (DESIGN "Invariants"): the engine's token balance equals Σ free collateral + Σ position margins
 * (both markets) + the insurance fund + the vault's cash + the treasury, to the wei.
 */
export async function expectConservation(d: Book): Promise<void> {
  let held = (await d.engine.insuranceFundWad()) + (await d.engine.vaultCashWad()) + (await d.engine.treasuryWad());
  for (const a of actorsOf(d)) {
    held += await d.engine.freeCollateralWad(a.address);
    for (const market of [ETH, BTC]) held += (await d.engine.positionOf(a.address, market)).marginWad;
  }
  expect((await d.usdc.balanceOf(await d.engine.getAddress())) * TOKEN_TO_WAD).to.equal(held);
}

/** Asserts the custom error (and its arguments, when given) and that no balance, position or ledger moved. */
export async function expectRevertUnchanged(a: {
  d: Book;
  action: () => Promise<unknown>;
  contract: BaseContract;
  error: string;
  args?: unknown[];
}): Promise<void> {
  const { d, ...rest } = a;
  await expectRevertKeeping({
    read: () => ledgerOf(d),
    same: (actual, expected) => expectSameLedger(d, actual, expected),
    ...rest,
  });
}

/* EVENTS (shared with the engine tests) */

export { eventNames, eventsNamed, eventsOf, mined, selectorOf };

export { minOf, maxOf, wMulUp };
