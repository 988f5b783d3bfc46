/**
 * The replay's report, read back from the chain after the run: the engine's and the feed's events (decoded
 * with the SDK's ABIs), historical state at chosen blocks, and the position states rebuilt from
 * PositionUpdated. Nothing here trusts the replay driver's own counters.
 */
import {
  chosenLeverage,
  marketRegistryAbi,
  mockAggregatorAbi,
  perpEngineAbi,
} from "@open-waterfall/sdk";
import { decodeEventLog, parseEventLogs, type Address, type Log } from "viem";
import type { ChainConnection } from "./chain.ts";
import type { Deployment } from "./deploy.ts";
import { median } from "./population.ts";
import { liquidatableTimeline, type TimelineEvent } from "./timeline.ts";
import { WAD, absBig, feedAnswerToWad, wadToNumber } from "./units.ts";

/** The JSON report's figures (USD as numbers, rounded to cents only for display). */
export type ReportFigures = {
  rounds: number;
  traders: number;
  positionsOpened: number;
  liquidations: number;
  adlFills: number;
  adlNotionalUsd: number;
  adlHaircutUsd: number;
  adlOvershootUsd: number;
  principalLossUsd: number;
  profitScaledAwayUsd: number;
  vaultLimitOverrides: number;
  inLiquidationPeak: number;
  insuranceStartUsd: number;
  insuranceEndUsd: number;
  vaultEquityStartUsd: number;
  vaultEquityEndUsd: number;
  badDebtUsd: number;
  maxBlocksLiquidatable: number;
  /** The position behind maxBlocksLiquidatable (account, blocks), to look it up on chain. */
  longestWait: { account: string; liquidatableFromBlock: number; liquidatedInBlock: number } | null;
  peakLiquidatable: number;
  peakBlocksToClear: number;
  /** ⌈peakLiquidatable × gas per liquidation / block gas limit⌉. */
  peakBlocksLowerBound: number;
  gasPerLiquidation: number;
  adlVictimLeverageMedian: number | null;
  populationLeverageMedian: number | null;
  /** Liquidated slices that left a deficit (negative equity), and how the deficits were paid. */
  deficits: { count: number; totalUsd: number; insuranceUsd: number; vaultUsd: number; haircutUsd: number; badDebtUsd: number };
  /** Largest price move between two consecutive rounds of the replayed market, in percent. */
  largestRoundMovePercent: number;
  /** Largest fall and largest rise between two consecutive rounds, in percent (both ≥ 0). */
  largestRoundFallPercent: number;
  largestRoundRisePercent: number;
  /** The market's maintenance margin ratio, in percent. */
  mmrPercent: number;
  /** Positions closed by vault-solvency ADL (at the oracle price, no haircut). */
  solvencyAdlCloses: number;
  /** Why the run reached the steps it did, and what stopped it short of the others. */
  waterfallWhy: string[];
  /** Which steps of the waterfall the run reached. */
  waterfall: {
    liquidation: boolean;
    takeover: boolean;
    insurance: boolean;
    vaultToFloor: boolean;
    adl: boolean;
    adlHaircut: boolean;
    badDebt: boolean;
    profitScaling: boolean;
    solvencyAdl: boolean;
  };
};

/** One point of the report's time series. */
export type SeriesPoint = {
  block: number;
  timeSec: number;
  priceUsd: number;
  liquidations: number;
  adlFills: number;
  insuranceUsd: number;
  vaultEquityUsd: number;
  badDebtUsd: number;
};

type PositionState = { sizeWad: bigint; marginWad: bigint; jWad: bigint; f0Wad: bigint; tier: number; inLiquidation: boolean };

type Decoded = { eventName: string; args: Record<string, unknown>; blockNumber: bigint; logIndex: number; transactionHash: `0x${string}` };

/** Parameters of {@link readReport}. */
export type ReadReportParameters = {
  conn: ChainConnection;
  d: Deployment;
  marketId: bigint;
  feed: Address;
  traders: number;
  /** Block before which the replay had not started (seeding included in the counts of positions opened). */
  seedFromBlock: bigint;
  fromBlock: bigint;
  toBlock: bigint;
  /** Number of points in the time series at most. */
  maxPoints?: number;
};

const num = (x: unknown): bigint => x as bigint;

/** Engine events of a block range, decoded and in chain order. */
async function engineEvents(conn: ChainConnection, engine: Address, fromBlock: bigint, toBlock: bigint): Promise<Decoded[]> {
  const out: Decoded[] = [];
  const step = 2_000n;
  for (let b = fromBlock; b <= toBlock; b += step) {
    const end = b + step - 1n < toBlock ? b + step - 1n : toBlock;
    const logs = await conn.publicClient.getLogs({ address: engine, fromBlock: b, toBlock: end });
    for (const ev of parseEventLogs({ abi: perpEngineAbi, logs: logs as Log[] })) {
      out.push({ eventName: ev.eventName, args: ev.args as Record<string, unknown>, blockNumber: ev.blockNumber!, logIndex: ev.logIndex!, transactionHash: ev.transactionHash! });
    }
  }
  return out;
}

/**
 * Reads the replay's figures and time series from the chain.
 */
export async function readReport(p: ReadReportParameters): Promise<{ figures: ReportFigures; series: SeriesPoint[] }> {
  const { conn, d, marketId } = p;
  const pc = conn.publicClient;
  const read = <T>(functionName: string, args: unknown[], blockNumber: bigint): Promise<T> =>
    pc.readContract({ address: d.engine, abi: perpEngineAbi, functionName: functionName as never, args: args as never, blockNumber }) as Promise<T>;

  const all = await engineEvents(conn, d.engine, 0n, p.toBlock);
  const during = all.filter((e) => e.blockNumber >= p.fromBlock);
  const feedLogs = await pc.getLogs({ address: p.feed, fromBlock: 0n, toBlock: p.toBlock });
  const rounds = feedLogs
    .map((l) => ({ l, ev: decodeEventLog({ abi: mockAggregatorAbi, data: l.data, topics: l.topics }) }))
    .filter((x) => x.ev.eventName === "AnswerUpdated")
    .map((x) => ({ block: x.l.blockNumber!, logIndex: x.l.logIndex!, priceWad: feedAnswerToWad(num((x.ev.args as { current: bigint }).current)) }));
  const roundsDuring = rounds.filter((r) => r.block >= p.fromBlock);
  const config = await pc.readContract({ address: d.registry, abi: marketRegistryAbi, functionName: "marketConfig", args: [marketId], blockNumber: p.toBlock });
  const mmrWad = BigInt(config.mmrWad);

  const inMarket = (e: Decoded) => num(e.args.marketId) === marketId;
  const liquidatedEvents = during.filter((e) => e.eventName === "Liquidated" && inMarket(e));
  const fills = during.filter((e) => e.eventName === "AdlFill" && inMarket(e));
  const deficits = during.filter((e) => e.eventName === "DeficitPaid" && inMarket(e));
  const scaled = during.filter((e) => e.eventName === "ProfitScaled");
  const positionsOpened = all.filter(
    (e) => e.eventName === "Traded" && e.blockNumber >= p.seedFromBlock && e.blockNumber < p.fromBlock && num(e.args.realisedPnlWad) === 0n,
  ).length;

  // Position states rebuilt from the events, for the ADL fills' slice profit and the leverage figures.
  const positions = new Map<string, PositionState>();
  const posKey = (account: unknown, m: unknown) => `${String(account).toLowerCase()}:${String(m)}`;
  let cursor = 0;
  // Applies every event strictly before (block, logIndex) in chain order.
  const applyBefore = (block: bigint, logIndex: number) => {
    while (cursor < all.length && (all[cursor].blockNumber < block || (all[cursor].blockNumber === block && all[cursor].logIndex < logIndex))) {
      const e = all[cursor++];
      if (e.eventName === "PositionUpdated") {
        const k = posKey(e.args.account, e.args.marketId);
        const prev = positions.get(k);
        positions.set(k, {
          sizeWad: num(e.args.sizeWad),
          marginWad: num(e.args.marginWad),
          jWad: num(e.args.jWad),
          f0Wad: num(e.args.f0Wad),
          tier: Number(e.args.tier),
          inLiquidation: prev?.inLiquidation ?? false,
        });
      } else if (e.eventName === "Liquidated") {
        const k = posKey(e.args.account, e.args.marketId);
        const s = positions.get(k);
        if (s) s.inLiquidation = num(e.args.remainingSizeWad) > 0n;
      }
    }
  };

  // Per block of the replay: price, funding index, liquidatable set (timeline.ts).
  const fundingAt = async (block: bigint) => read<bigint>("currentFundingIndex", [marketId], block);
  const timelineEvents: TimelineEvent[] = [];
  for (const e of all) {
    if (!inMarket(e)) continue;
    if (e.eventName === "PositionUpdated") {
      timelineEvents.push({ kind: "updated", block: e.blockNumber, logIndex: e.logIndex, account: String(e.args.account), sizeWad: num(e.args.sizeWad), marginWad: num(e.args.marginWad), jWad: num(e.args.jWad) });
    } else if (e.eventName === "Liquidated") {
      timelineEvents.push({ kind: "liquidated", block: e.blockNumber, logIndex: e.logIndex, account: String(e.args.account), remainingSizeWad: num(e.args.remainingSizeWad) });
    }
  }
  const timeline = await liquidatableTimeline({ events: timelineEvents, rounds, fromBlock: p.fromBlock, toBlock: p.toBlock, mmrWad, fundingAt });
  const { maxBlocksLiquidatable, peakLiquidatable, peakBlocksToClear, inLiquidationPeak } = timeline;

  // Slice profit and chosen leverage of ADL victims, from their state just before each fill.
  let principalLossWad = 0n;
  const victimLeverage: number[] = [];
  const populationLeverage: number[] = [];
  const fillBlocks = new Set<bigint>();
  for (const e of fills) {
    applyBefore(e.blockNumber, e.logIndex);
    const s = positions.get(posKey(e.args.counterparty, e.args.marketId));
    if (!s) continue;
    const f = await fundingAt(e.blockNumber);
    const size = absBig(num(e.args.sizeWad));
    const price = num(e.args.priceWad);
    const perUnit = s.sizeWad > 0n ? price - f - s.jWad : s.jWad + f - price;
    const sliceProfit = (size * perUnit) / WAD;
    const haircut = num(e.args.haircutWad);
    if (haircut > sliceProfit && haircut - sliceProfit > 1_000_000n) principalLossWad += haircut - (sliceProfit > 0n ? sliceProfit : 0n);
    victimLeverage.push(wadToNumber(chosenLeverage({ sizeWad: s.sizeWad, marginWad: s.marginWad, jWad: s.jWad, f0Wad: s.f0Wad })));
    if (!fillBlocks.has(e.blockNumber)) {
      fillBlocks.add(e.blockNumber);
      for (const [k, q] of positions) {
        if (k.endsWith(`:${marketId}`) && q.sizeWad !== 0n && q.marginWad > 0n) {
          populationLeverage.push(wadToNumber(chosenLeverage({ sizeWad: q.sizeWad, marginWad: q.marginWad, jWad: q.jWad, f0Wad: q.f0Wad })));
        }
      }
    }
  }

  const sum = (events: Decoded[], field: string) => events.reduce((acc, e) => acc + num(e.args[field]), 0n);
  const haircutWad = sum(fills, "haircutWad");
  const unpaidWad = deficits.reduce(
    (acc, e) => acc + num(e.args.deficitWad) - num(e.args.insuranceWad) - num(e.args.vaultWad) - num(e.args.badDebtWad),
    0n,
  );
  const adlNotionalWad = fills.reduce((acc, e) => acc + (absBig(num(e.args.sizeWad)) * num(e.args.priceWad)) / WAD, 0n);
  const before = p.fromBlock - 1n;
  const insuranceStart = await read<bigint>("insuranceFundWad", [], before);
  const insuranceEnd = await read<bigint>("insuranceFundWad", [], p.toBlock);
  const equityStart = await read<bigint>("vaultEquityWad", [], before);
  const equityEnd = await read<bigint>("vaultEquityWad", [], p.toBlock);
  const badDebt = await read<bigint>("badDebtWad", [marketId], p.toBlock);
  const gasPerLiquidation = await liquidationGas(conn, liquidatedEvents);
  const lowerBound = peakLiquidatable === 0 ? 0 : Math.ceil((peakLiquidatable * gasPerLiquidation) / Number(conn.blockGasLimit));

  const sumDeficits = (field: string) => wadToNumber(deficits.reduce((acc, e) => acc + num(e.args[field]), 0n));
  const deficitFigures = {
    count: deficits.length,
    totalUsd: sumDeficits("deficitWad"),
    insuranceUsd: sumDeficits("insuranceWad"),
    vaultUsd: sumDeficits("vaultWad"),
    haircutUsd: sumDeficits("haircutWad"),
    badDebtUsd: sumDeficits("badDebtWad"),
  };
  let largestFall = 0;
  let largestRise = 0;
  for (let i = 1; i < rounds.length; i++) {
    if (rounds[i].block < p.fromBlock) continue;
    const a = wadToNumber(rounds[i - 1].priceWad);
    const b = wadToNumber(rounds[i].priceWad);
    if (a <= 0) continue;
    largestFall = Math.max(largestFall, (1 - b / a) * 100);
    largestRise = Math.max(largestRise, (b / a - 1) * 100);
  }
  const largestMove = Math.max(largestFall, largestRise);
  const solvencyCloses = during.filter((e) => e.eventName === "SolvencyDeleveraged" && inMarket(e)).length;
  const figures: ReportFigures = {
    rounds: roundsDuring.length,
    traders: p.traders,
    positionsOpened,
    liquidations: liquidatedEvents.length,
    adlFills: fills.length,
    adlNotionalUsd: wadToNumber(adlNotionalWad),
    adlHaircutUsd: wadToNumber(haircutWad),
    adlOvershootUsd: wadToNumber(haircutWad - unpaidWad),
    principalLossUsd: wadToNumber(principalLossWad),
    profitScaledAwayUsd: wadToNumber(sum(scaled, "withheldWad")),
    vaultLimitOverrides: during.filter((e) => e.eventName === "VaultLimitOverride").length,
    inLiquidationPeak,
    insuranceStartUsd: wadToNumber(insuranceStart),
    insuranceEndUsd: wadToNumber(insuranceEnd),
    vaultEquityStartUsd: wadToNumber(equityStart),
    vaultEquityEndUsd: wadToNumber(equityEnd),
    badDebtUsd: wadToNumber(badDebt),
    maxBlocksLiquidatable,
    longestWait: timeline.longestWait
      ? { account: timeline.longestWait.account, liquidatableFromBlock: Number(timeline.longestWait.liquidatableFrom), liquidatedInBlock: Number(timeline.longestWait.liquidatedIn) }
      : null,
    peakLiquidatable,
    peakBlocksToClear,
    peakBlocksLowerBound: lowerBound,
    gasPerLiquidation,
    adlVictimLeverageMedian: median(victimLeverage) ?? null,
    populationLeverageMedian: median(populationLeverage) ?? null,
    deficits: deficitFigures,
    largestRoundMovePercent: largestMove,
    largestRoundFallPercent: largestFall,
    largestRoundRisePercent: largestRise,
    mmrPercent: wadToNumber(mmrWad * 100n),
    solvencyAdlCloses: solvencyCloses,
    waterfallWhy: [],
    waterfall: {
      liquidation: liquidatedEvents.length > 0,
      takeover: liquidatedEvents.some((e) => num(e.args.takenOverWad) > 0n),
      insurance: deficits.some((e) => num(e.args.insuranceWad) > 0n),
      vaultToFloor: deficits.some((e) => num(e.args.vaultWad) > 0n),
      adl: fills.length > 0,
      adlHaircut: haircutWad > 0n,
      badDebt: badDebt > 0n,
      profitScaling: scaled.some((e) => num(e.args.withheldWad) > 0n),
      solvencyAdl: during.some((e) => e.eventName === "SolvencyDeleveraged"),
    },
  };
  figures.waterfallWhy = explainWaterfall(figures, adlCapacityFills(fills));
  const series = await readSeries(p, read, rounds, during);
  return { figures, series };
}

/** ADL fills without a haircut (capacity ADL: size beyond the vault's exposure cap, closed at the oracle price). */
function adlCapacityFills(fills: Decoded[]): number {
  return fills.filter((e) => num(e.args.haircutWad) === 0n).length;
}

const usd = (x: number) => `$${x.toLocaleString("en-US", { maximumFractionDigits: 0 })}`;

/**
 * Why a run reached the waterfall steps it did, in words, from its figures: which balance paid the deficits,
 * and for the deep steps not reached, what stopped the run short of them.
 */
export function explainWaterfall(f: ReportFigures, capacityFills: number): string[] {
  const out: string[] = [];
  const d = f.deficits;
  if (f.liquidations === 0) return ["No position became liquidatable: the price never moved far enough."];
  if (d.count === 0) {
    out.push(
      `No liquidation left a deficit: every position the keeper liquidated (one block after the round that made it liquidatable) still had positive equity, ` +
        `so the insurance fund, the vault's equity, haircut ADL and bad debt were never needed ` +
        `(largest fall between two rounds ${f.largestRoundFallPercent.toFixed(2)}%, largest rise ${f.largestRoundRisePercent.toFixed(2)}%, maintenance margin ${f.mmrPercent.toFixed(2)}%).`,
    );
  } else {
    out.push(
      `${d.count} liquidated slices left deficits of ${usd(d.totalUsd)} in total (rounds gapped up to ${f.largestRoundMovePercent.toFixed(2)}% against a ${f.mmrPercent.toFixed(2)}% maintenance margin): ` +
        `insurance fund ${usd(d.insuranceUsd)}, vault equity down to its floor ${usd(d.vaultUsd)}, ADL haircuts ${usd(d.haircutUsd)}, bad debt ${usd(d.badDebtUsd)}.`,
    );
    if (d.haircutUsd === 0 && d.badDebtUsd === 0) {
      out.push("The insurance fund and the vault's equity above its floor paid every deficit, so no winner was haircut (start with --insurance 0 --lp-withdraw-to-floor to go deeper).");
    }
  }
  if (capacityFills > 0) out.push(`${capacityFills} ADL fills without haircut: capacity ADL, the size beyond the vault's exposure cap closed against the most profitable opposite positions at the oracle price.`);
  if (f.solvencyAdlCloses > 0) {
    out.push(`Vault-solvency ADL closed ${f.solvencyAdlCloses} winning positions at the oracle price (no haircut) when traders' unrealised profit passed the trigger share of the vault's equity.`);
  }
  if (f.profitScaledAwayUsd > 0) out.push(`Profit scaling withheld ${usd(f.profitScaledAwayUsd)} from winners who closed while traders' profit was above the scaling threshold.`);
  else out.push("Profit scaling never applied: traders' unrealised profit stayed below its threshold of the vault's equity whenever a winner closed.");
  return out;
}

/** Gas per liquidated position: the gas of every transaction that liquidated, over the positions it liquidated. */
async function liquidationGas(conn: ChainConnection, liquidated: Decoded[]): Promise<number> {
  if (liquidated.length === 0) return 0;
  const txs = new Set(liquidated.map((e) => e.transactionHash));
  let gas = 0n;
  for (const hash of txs) gas += (await conn.publicClient.getTransactionReceipt({ hash })).gasUsed;
  return Math.round(Number(gas) / liquidated.length);
}

async function readSeries(
  p: ReadReportParameters,
  read: <T>(fn: string, args: unknown[], block: bigint) => Promise<T>,
  rounds: { block: bigint; priceWad: bigint }[],
  during: Decoded[],
): Promise<SeriesPoint[]> {
  const span = p.toBlock - p.fromBlock + 1n;
  const maxPoints = BigInt(p.maxPoints ?? 400);
  const step = span > maxPoints ? (span + maxPoints - 1n) / maxPoints : 1n;
  const out: SeriesPoint[] = [];
  let r = 0;
  let price = 0n;
  let liquidations = 0;
  let adlFills = 0;
  let e = 0;
  for (let b = p.fromBlock; ; b += step) {
    const block = b > p.toBlock ? p.toBlock : b;
    while (r < rounds.length && rounds[r].block <= block) price = rounds[r++].priceWad;
    while (e < during.length && during[e].blockNumber <= block) {
      const ev = during[e++];
      if (num(ev.args.marketId) !== p.marketId) continue;
      if (ev.eventName === "Liquidated") liquidations++;
      if (ev.eventName === "AdlFill") adlFills++;
    }
    const header = await p.conn.publicClient.getBlock({ blockNumber: block });
    out.push({
      block: Number(block),
      timeSec: Number(header.timestamp),
      priceUsd: wadToNumber(price),
      liquidations,
      adlFills,
      insuranceUsd: wadToNumber(await read<bigint>("insuranceFundWad", [], block)),
      vaultEquityUsd: wadToNumber(await read<bigint>("vaultEquityWad", [], block)),
      badDebtUsd: wadToNumber(await read<bigint>("badDebtWad", [p.marketId], block)),
    });
    if (block === p.toBlock) break;
  }
  return out;
}
