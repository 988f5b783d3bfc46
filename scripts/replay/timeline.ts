/**
 * Which positions were liquidatable at the end of each block of a replay, rebuilt from the chain's events: the
 * positions' states from PositionUpdated and Liquidated, the oracle price from the feed's rounds, the funding
 * index per block. From that: the longest wait between becoming liquidatable and the first liquidation, the
 * most positions liquidatable at once and how many blocks the keeper took to clear them.
 */
import { isLiquidatable } from "@open-waterfall/sdk";

/** A position event of the replayed market, in chain order. */
export type TimelineEvent =
  | { kind: "updated"; block: bigint; logIndex: number; account: string; sizeWad: bigint; marginWad: bigint; jWad: bigint }
  | { kind: "liquidated"; block: bigint; logIndex: number; account: string; remainingSizeWad: bigint };

/** An oracle round of the replayed market's feed. */
export type TimelineRound = { block: bigint; logIndex: number; priceWad: bigint };

/** Parameters of {@link liquidatableTimeline}. */
export type TimelineParameters = {
  /** Every position event of the market up to `toBlock` (also before `fromBlock`), in any order. */
  events: TimelineEvent[];
  /** Every round of the market's feed up to `toBlock`, in any order. */
  rounds: TimelineRound[];
  fromBlock: bigint;
  toBlock: bigint;
  mmrWad: bigint;
  /** The market's funding index at the end of a block. */
  fundingAt: (block: bigint) => Promise<bigint> | bigint;
};

/** What the timeline shows. */
export type Timeline = {
  /** Largest number of blocks from the end of the block after which a position was liquidatable to the block of its first liquidation. */
  maxBlocksLiquidatable: number;
  /** The position that waited longest: its account, the first block after which it was liquidatable, the block of its liquidation. */
  longestWait: { account: string; liquidatableFrom: bigint; liquidatedIn: bigint } | null;
  /** Most positions liquidatable (or left in liquidation) at the end of one block. */
  peakLiquidatable: number;
  /** The first block with that many. */
  peakBlock: bigint;
  /** Blocks after the peak until none of the peak's positions was liquidatable any more. */
  peakBlocksToClear: number;
  /** Most positions left in liquidation (to be continued) at the end of one block. */
  inLiquidationPeak: number;
  /** Liquidatable positions at the end of each block, fromBlock..toBlock. */
  liquidatableCount: Map<bigint, number>;
};

type State = { sizeWad: bigint; marginWad: bigint; jWad: bigint; inLiquidation: boolean };

const byChainOrder = (a: { block: bigint; logIndex: number }, b: { block: bigint; logIndex: number }) =>
  a.block === b.block ? a.logIndex - b.logIndex : a.block < b.block ? -1 : 1;

/**
 * Rebuilds the liquidatable set block by block. A position liquidated in block b was liquidatable at the end
 * of an earlier block (the keeper's transaction goes into the block after the round it reacts to), so its wait
 * is b minus the first block of its streak.
 */
export async function liquidatableTimeline(p: TimelineParameters): Promise<Timeline> {
  const events = [...p.events].sort(byChainOrder);
  const rounds = [...p.rounds].sort(byChainOrder);
  const positions = new Map<string, State>();
  let cursor = 0;
  // Applies every event of blocks before `block`.
  const applyBefore = (block: bigint) => {
    for (; cursor < events.length && events[cursor].block < block; cursor++) {
      const e = events[cursor];
      const k = e.account.toLowerCase();
      if (e.kind === "updated") {
        if (e.sizeWad === 0n) {
          positions.delete(k);
          continue;
        }
        const prev = positions.get(k);
        positions.set(k, { sizeWad: e.sizeWad, marginWad: e.marginWad, jWad: e.jWad, inLiquidation: prev?.inLiquidation ?? false });
      } else {
        const s = positions.get(k);
        if (s) s.inLiquidation = e.remainingSizeWad > 0n;
      }
    }
  };
  const firstLiquidationIn = new Map<bigint, string[]>();
  for (const e of events) {
    if (e.kind !== "liquidated" || e.block < p.fromBlock) continue;
    const list = firstLiquidationIn.get(e.block) ?? [];
    list.push(e.account.toLowerCase());
    firstLiquidationIn.set(e.block, list);
  }

  let r = 0;
  let priceWad: bigint | undefined;
  const streakStart = new Map<string, bigint>();
  const measured = new Set<string>();
  const sets = new Map<bigint, Set<string>>();
  const out: Timeline = { maxBlocksLiquidatable: 0, longestWait: null, peakLiquidatable: 0, peakBlock: p.fromBlock, peakBlocksToClear: 0, inLiquidationPeak: 0, liquidatableCount: new Map() };
  for (let b = p.fromBlock; b <= p.toBlock; b++) {
    // Liquidations in this block end the streaks of positions liquidatable at the end of an earlier one.
    for (const k of firstLiquidationIn.get(b) ?? []) {
      const since = streakStart.get(k);
      if (since !== undefined && !measured.has(k)) {
        if (Number(b - since) > out.maxBlocksLiquidatable) {
          out.maxBlocksLiquidatable = Number(b - since);
          out.longestWait = { account: k, liquidatableFrom: since, liquidatedIn: b };
        }
        measured.add(k);
      }
    }
    // The state and the price at the end of block b.
    applyBefore(b + 1n);
    for (; r < rounds.length && rounds[r].block <= b; r++) priceWad = rounds[r].priceWad;
    const set = new Set<string>();
    if (priceWad !== undefined) {
      const fundingIndexWad = await p.fundingAt(b);
      let inLiquidation = 0;
      for (const [k, s] of positions) {
        if (s.inLiquidation) inLiquidation++;
        if (s.inLiquidation || isLiquidatable({ sizeWad: s.sizeWad, marginWad: s.marginWad, jWad: s.jWad, fundingIndexWad, priceWad, mmrWad: p.mmrWad })) {
          set.add(k);
          if (!streakStart.has(k)) streakStart.set(k, b);
        }
      }
      out.inLiquidationPeak = Math.max(out.inLiquidationPeak, inLiquidation);
    }
    for (const k of [...streakStart.keys()]) {
      if (!set.has(k)) {
        streakStart.delete(k);
        measured.delete(k);
      }
    }
    sets.set(b, set);
    out.liquidatableCount.set(b, set.size);
    if (set.size > out.peakLiquidatable) {
      out.peakLiquidatable = set.size;
      out.peakBlock = b;
    }
  }
  if (out.peakLiquidatable > 0) {
    const peak = [...sets.get(out.peakBlock)!];
    let b = out.peakBlock + 1n;
    while (b <= p.toBlock && peak.some((k) => sets.get(b)!.has(k))) b++;
    out.peakBlocksToClear = Number((b > p.toBlock ? p.toBlock : b) - out.peakBlock);
  }
  return out;
}
