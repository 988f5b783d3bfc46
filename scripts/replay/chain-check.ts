/**
 * Checks a replay's JSON report against the chain it ran on, from the events alone (counts, sums, and what the
 * liquidation events imply for the liquidatable figures), never from the report's own counters. Used by the
 * end-to-end tests; returns the differences found, empty when the report agrees with the chain.
 */
import { mockAggregatorAbi, perpEngineAbi } from "@open-waterfall/sdk";
import { parseEventLogs, type Address, type Log, type PublicClient } from "viem";
import { WAD, absBig, wadToNumber } from "./units.ts";

/** The JSON report's fields this check reads. */
export type ReportJson = {
  rounds: number;
  positionsOpened: number;
  traders: number;
  liquidations: number;
  adlFills: number;
  adlNotionalUsd: number;
  adlHaircutUsd: number;
  badDebtUsd: number;
  insuranceStartUsd: number;
  insuranceEndUsd: number;
  maxBlocksLiquidatable: number;
  peakLiquidatable: number;
  peakBlocksToClear: number;
  peakBlocksLowerBound: number;
  profitScaledAwayUsd: number;
  waterfall: Record<string, boolean>;
  invariants: Record<string, boolean>;
  blocks: { seedFrom: number; from: number; to: number };
  addresses: { engine: string; feed: string };
  marketId: number;
};

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * Compares the report with the chain's events.
 * @returns One readable line per disagreement.
 */
export async function checkReportAgainstChain(pc: PublicClient, r: ReportJson): Promise<string[]> {
  const bad: string[] = [];
  const expect = (what: string, reported: number, fromChain: number, approx = false) => {
    if (approx ? !close(reported, fromChain) : reported !== fromChain) bad.push(`${what}: report ${reported}, chain ${fromChain}`);
  };
  const engine = r.addresses.engine as Address;
  const marketId = BigInt(r.marketId);
  const from = BigInt(r.blocks.from);
  const to = BigInt(r.blocks.to);
  const logs = (await pc.getLogs({ address: engine, fromBlock: 0n, toBlock: to })) as Log[];
  const allEvents = parseEventLogs({ abi: perpEngineAbi, logs });
  const events = allEvents.filter((e) => "marketId" in e.args && e.args.marketId === marketId);
  const during = events.filter((e) => e.blockNumber! >= from);
  const feedLogs = (await pc.getLogs({ address: r.addresses.feed as Address, fromBlock: from, toBlock: to })) as Log[];
  expect("rounds", r.rounds, parseEventLogs({ abi: mockAggregatorAbi, logs: feedLogs, eventName: "AnswerUpdated" }).length);

  const opened = new Set<string>();
  for (const e of allEvents) {
    if (e.eventName === "PositionUpdated" && e.blockNumber! < from && e.args.sizeWad !== 0n) opened.add(`${e.args.account.toLowerCase()}:${e.args.marketId}`);
  }
  expect("positionsOpened (positions in any market before the replay)", r.positionsOpened, opened.size);

  const liquidated = during.filter((e) => e.eventName === "Liquidated");
  expect("liquidations", r.liquidations, liquidated.length);
  const fills = during.filter((e) => e.eventName === "AdlFill");
  expect("adlFills", r.adlFills, fills.length);
  let haircut = 0n;
  let notional = 0n;
  for (const f of fills) {
    if (f.eventName !== "AdlFill") continue;
    haircut += f.args.haircutWad;
    notional += (absBig(f.args.sizeWad) * f.args.priceWad) / WAD;
  }
  expect("adlHaircutUsd", r.adlHaircutUsd, wadToNumber(haircut), true);
  expect("adlNotionalUsd", r.adlNotionalUsd, wadToNumber(notional), true);
  let badDebt = 0n;
  let withheld = 0n;
  for (const e of events) {
    if (e.eventName === "BadDebt") badDebt += e.args.amountWad;
    if (e.eventName === "ProfitScaled" && e.blockNumber! >= from) withheld += e.args.withheldWad;
  }
  expect("badDebtUsd", r.badDebtUsd, wadToNumber(badDebt), true);
  expect("profitScaledAwayUsd", r.profitScaledAwayUsd, wadToNumber(withheld), true);
  const insurance = async (block: bigint) =>
    wadToNumber(await pc.readContract({ address: engine, abi: perpEngineAbi, functionName: "insuranceFundWad", blockNumber: block }));
  expect("insuranceStartUsd", r.insuranceStartUsd, await insurance(from - 1n), true);
  expect("insuranceEndUsd", r.insuranceEndUsd, await insurance(to), true);

  // A position the keeper liquidates was liquidatable at the end of an earlier block (its transaction goes
  // into the block after the round it reacts to): so each block's first liquidations were all liquidatable
  // at once, and each waited at least one block.
  const firstIn = new Map<bigint, Set<string>>();
  const seen = new Set<string>();
  for (const e of liquidated) {
    if (e.eventName !== "Liquidated") continue;
    const k = e.args.account.toLowerCase();
    if (seen.has(k)) continue;
    seen.add(k);
    const set = firstIn.get(e.blockNumber!) ?? new Set<string>();
    set.add(k);
    firstIn.set(e.blockNumber!, set);
  }
  const mostAtOnce = Math.max(0, ...[...firstIn.values()].map((s) => s.size));
  if (r.peakLiquidatable < mostAtOnce) bad.push(`peakLiquidatable ${r.peakLiquidatable} is below the ${mostAtOnce} positions first liquidated in one block`);
  if (liquidated.length > 0 && r.maxBlocksLiquidatable < 1) bad.push(`maxBlocksLiquidatable ${r.maxBlocksLiquidatable} with ${liquidated.length} liquidations`);
  if (liquidated.length > 0 && r.peakBlocksToClear < Math.max(1, r.peakBlocksLowerBound)) {
    bad.push(`peakBlocksToClear ${r.peakBlocksToClear} is below 1 and the gas lower bound ${r.peakBlocksLowerBound}`);
  }

  const w = r.waterfall;
  const deficits = during.filter((e) => e.eventName === "DeficitPaid");
  const anyDeficit = (field: "insuranceWad" | "vaultWad") => deficits.some((e) => e.eventName === "DeficitPaid" && e.args[field] > 0n);
  if (w.liquidation !== liquidated.length > 0) bad.push("waterfall.liquidation disagrees with the Liquidated events");
  if (w.insurance !== anyDeficit("insuranceWad")) bad.push("waterfall.insurance disagrees with the DeficitPaid events");
  if (w.vaultToFloor !== anyDeficit("vaultWad")) bad.push("waterfall.vaultToFloor disagrees with the DeficitPaid events");
  if (w.adl !== fills.length > 0) bad.push("waterfall.adl disagrees with the AdlFill events");
  if (w.adlHaircut !== haircut > 0n) bad.push("waterfall.adlHaircut disagrees with the AdlFill events");
  if (w.badDebt !== badDebt > 0n) bad.push("waterfall.badDebt disagrees with the BadDebt events");
  for (const [name, held] of Object.entries(r.invariants)) if (!held) bad.push(`invariant ${name} failed`);
  return bad;
}
