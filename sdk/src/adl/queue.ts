/**
 * The ADL order of a market side, read off chain from PerpLens.walkList pages, and what follows from it: a
 * position's standing (profitable notional ahead of it, its rank, the five-level light) and the sorted-list
 * hints for an insertion. The order is the contract's: tiers 4 → 1, each list by profit per unit (longs by J
 * ascending, shorts by J descending, ties by insertion order), and within a tier only the profitable prefix
 * (the walk stops at the first head without profit, never skipping).
 */
import type { Address } from "viem";

import { perpEngineAbi, perpLensAbi } from "../abi/generated.ts";
import type { ProtocolDeployment } from "../deployment/deployment.ts";
import { InvalidInputError } from "../errors/base.ts";
import { toSdkError } from "../errors/normalize.ts";
import type { AnyPublicClient } from "../events/logs.ts";
import { notionalDown } from "../math/position.ts";
import type { AdlTier } from "../math/position.ts";

/** One member of a tier list, as the lists order it. */
export type AdlListMember = {
  /** The account id (what the lists link and hints name). */
  readonly accountId: number;
  /** Signed size (the side's sign). */
  readonly sizeWad: bigint;
  /** Break-even J: the order's key. */
  readonly jWad: bigint;
  /** Whether the position is being liquidated. */
  readonly inLiquidation: boolean;
};

/** A market side's four tier lists, head first. */
export type AdlQueue = {
  /** The market. */
  readonly marketId: bigint;
  /** The side. */
  readonly isLong: boolean;
  /** Lists by tier: index 0 is tier 1, index 3 tier 4. */
  readonly tiers: readonly [readonly AdlListMember[], readonly AdlListMember[], readonly AdlListMember[], readonly AdlListMember[]];
};

/** Parameters of {@link readAdlQueue}. */
export type ReadAdlQueueParameters = {
  /** The client to read with. */
  client: AnyPublicClient;
  /** The protocol's addresses. */
  deployment: ProtocolDeployment;
  /** The market. */
  marketId: bigint;
  /** The side. */
  isLong: boolean;
  /** Positions per walkList page (default 200). */
  pageSize?: bigint;
  /** Block to read at (default latest); one block for every page, so the pages are consistent. */
  blockNumber?: bigint;
};

/**
 * Reads a market side's four ADL tier lists with PerpLens.walkList, page by page, at one block.
 *
 * @param parameters - {@link ReadAdlQueueParameters}
 * @returns The lists, head first.
 */
export async function readAdlQueue(parameters: ReadAdlQueueParameters): Promise<AdlQueue> {
  const { client, deployment, marketId, isLong } = parameters;
  const pageSize = parameters.pageSize ?? 200n;
  if (pageSize < 1n) throw new InvalidInputError({ parameter: "pageSize", reason: `must be at least 1, got ${pageSize}` });
  try {
    const blockNumber = parameters.blockNumber ?? (await client.getBlockNumber({ cacheTime: 0 }));
    const readTier = async (tier: number): Promise<AdlListMember[]> => {
      const members: AdlListMember[] = [];
      let cursor = 0;
      for (;;) {
        const [ids, positions, next] = await client.readContract({
          address: deployment.lens,
          abi: perpLensAbi,
          functionName: "walkList",
          args: [marketId, isLong, tier, cursor, pageSize],
          blockNumber,
        });
        ids.forEach((id, i) => {
          const p = positions[i];
          if (p === undefined) return;
          members.push({ accountId: id, sizeWad: p.sizeWad, jWad: p.jWad, inLiquidation: p.inLiquidation });
        });
        if (next === 0 || ids.length === 0) return members;
        cursor = next;
      }
    };
    const [t1, t2, t3, t4] = await Promise.all([1, 2, 3, 4].map(readTier));
    return { marketId, isLong, tiers: [t1 ?? [], t2 ?? [], t3 ?? [], t4 ?? []] };
  } catch (error) {
    throw toSdkError(error);
  }
}

/** A position's place in the ADL order. */
export type AdlStanding = {
  /** Whether ADL would reach it now: in a tier, in profit, and not behind an unprofitable head of its tier. */
  readonly candidate: boolean;
  /** Profitable notional (|s|·P, rounded down) ahead of it in the order, in USD. */
  readonly notionalAheadWad: bigint;
  /** The side's total profitable notional in the order, in USD. */
  readonly totalNotionalWad: bigint;
  /** 1 = next to be deleveraged; 0 when not a candidate. */
  readonly rank: number;
  /** Candidates on the side. */
  readonly candidates: number;
  /** The five-level light: 5 − min(4, ⌊5·ahead/total⌋) for a candidate (5 = next), 0 otherwise. */
  readonly level: 0 | 1 | 2 | 3 | 4 | 5;
};

/** Parameters of {@link adlStanding}. */
export type AdlStandingParameters = {
  /** The side's lists. */
  queue: AdlQueue;
  /** The position's account id. */
  accountId: number;
  /** The mark price. */
  priceWad: bigint;
  /** The funding index accrued to now. */
  fundingIndexWad: bigint;
};

/** Profit per unit at the mark price: the order's key and the candidate test. */
function profitPerUnit(isLong: boolean, jWad: bigint, priceWad: bigint, fundingIndexWad: bigint): bigint {
  const net = priceWad - fundingIndexWad;
  return isLong ? net - jWad : jWad - net;
}

/** The side's candidates in ADL order: tiers 4 → 1, each tier's profitable prefix. */
export function adlOrder(queue: AdlQueue, priceWad: bigint, fundingIndexWad: bigint): { member: AdlListMember; tier: AdlTier }[] {
  const out: { member: AdlListMember; tier: AdlTier }[] = [];
  for (let tier = 4; tier >= 1; tier--) {
    for (const member of queue.tiers[tier - 1] ?? []) {
      if (profitPerUnit(queue.isLong, member.jWad, priceWad, fundingIndexWad) <= 0n) break;
      out.push({ member, tier: tier as AdlTier });
    }
  }
  return out;
}

/**
 * A position's ADL standing, computed from the side's lists exactly as the contract walks them.
 *
 * @param parameters - {@link AdlStandingParameters}
 * @returns The standing; `candidate: false` and level 0 when ADL would not reach the position.
 */
export function adlStanding({ queue, accountId, priceWad, fundingIndexWad }: AdlStandingParameters): AdlStanding {
  const order = adlOrder(queue, priceWad, fundingIndexWad);
  let total = 0n;
  let ahead = 0n;
  let rank = 0;
  for (const [i, { member }] of order.entries()) {
    const notional = notionalDown({ sizeWad: member.sizeWad, priceWad });
    if (member.accountId === accountId) {
      ahead = total;
      rank = i + 1;
    }
    total += notional;
  }
  if (rank === 0) {
    return { candidate: false, notionalAheadWad: 0n, totalNotionalWad: total, rank: 0, candidates: order.length, level: 0 };
  }
  const quintile = total === 0n ? 0n : (5n * ahead) / total;
  const level = (5 - Math.min(4, Number(quintile))) as 1 | 2 | 3 | 4 | 5;
  return { candidate: true, notionalAheadWad: ahead, totalNotionalWad: total, rank, candidates: order.length, level };
}

/**
 * The queue with one position moved to (or placed in) `tier` at break-even `jWad`, inserted as the contract
 * inserts (behind members of equal J), or removed when `tier` is 0: what the lists look like after a trade.
 */
export function withPosition(queue: AdlQueue, member: AdlListMember, tier: AdlTier): AdlQueue {
  const tiers = queue.tiers.map((list) => list.filter((m) => m.accountId !== member.accountId)) as AdlListMember[][];
  if (tier !== 0) {
    const list = tiers[tier - 1] as AdlListMember[];
    const at = insertionIndex(list, queue.isLong, member.jWad, member.accountId);
    list.splice(at, 0, member);
  }
  return { ...queue, tiers: tiers as unknown as AdlQueue["tiers"] };
}

/** Where a new insertion at `jWad` lands: after every member with J at or before it (ties keep insertion order). */
function insertionIndex(list: readonly AdlListMember[], isLong: boolean, jWad: bigint, excludeId: number): number {
  let index = 0;
  for (const [i, m] of list.entries()) {
    if (m.accountId === excludeId) continue;
    const precedes = isLong ? m.jWad <= jWad : m.jWad >= jWad;
    if (!precedes) return i;
    index = i + 1;
  }
  return index;
}

/**
 * The exact predecessor hint for inserting `accountId` at break-even `jWad` into one tier list: the last member
 * (other than the position itself) that precedes it, or 0 for the head.
 *
 * @param list - The tier list, head first.
 * @param isLong - The side.
 * @param jWad - The position's new J.
 * @param accountId - The position's id (skipped: the contract unlinks it before inserting).
 */
export function insertHint(list: readonly AdlListMember[], isLong: boolean, jWad: bigint, accountId: number): number {
  let hint = 0;
  for (const m of list) {
    if (m.accountId === accountId) continue;
    const precedes = isLong ? m.jWad <= jWad : m.jWad >= jWad;
    if (!precedes) break;
    hint = m.accountId;
  }
  return hint;
}

/** The account behind an id (for showing who is ahead). */
export async function accountOfId(client: AnyPublicClient, deployment: ProtocolDeployment, accountId: number): Promise<Address> {
  try {
    return await client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "accountOf", args: [accountId] });
  } catch (error) {
    throw toSdkError(error);
  }
}

/** Parameters of {@link computeInsertHints}. */
export type ComputeInsertHintsParameters = {
  /** The client to read with. */
  client: AnyPublicClient;
  /** The protocol's addresses. */
  deployment: ProtocolDeployment;
  /** The market. */
  marketId: bigint;
  /** The side. */
  isLong: boolean;
  /** The tier list the position goes into (1–4). */
  tier: 1 | 2 | 3 | 4;
  /** The position's J after the action. */
  jWad: bigint;
  /** The position's account id (0 for an account that has none yet). */
  accountId: number;
  /** Lists up to this length are walked for the exact predecessor (default 512); longer ones are sampled with
   * PerpLens.approxHint, and the insertion walks the few steps left on chain. */
  maxWalk?: number;
};

/**
 * Sorted-list hints for inserting a position into a tier list: the exact predecessor from a walk of the list
 * when it is short, otherwise PerpLens.approxHint's sample (k·√n trials) followed by the head as a fallback.
 *
 * @param parameters - {@link ComputeInsertHintsParameters}
 * @returns Candidate predecessors, best first.
 */
export async function computeInsertHints(parameters: ComputeInsertHintsParameters): Promise<number[]> {
  const { client, deployment, marketId, isLong, tier, jWad, accountId } = parameters;
  const maxWalk = parameters.maxWalk ?? 512;
  try {
    const blockNumber = await client.getBlockNumber({ cacheTime: 0 });
    const [, , length] = await client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "listEnds", args: [marketId, isLong, tier], blockNumber });
    if (length <= maxWalk) {
      const queue = await readAdlQueue({ client, deployment, marketId, isLong, blockNumber });
      return [insertHint(queue.tiers[tier - 1] ?? [], isLong, jWad, accountId)];
    }
    const accounts = await client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "accountCount", blockNumber });
    const trials = BigInt(Math.ceil(15 * Math.sqrt(accounts))) + 16n;
    const seed = BigInt(Math.floor(Math.random() * Number.MAX_SAFE_INTEGER));
    const [hint] = await client.readContract({
      address: deployment.lens,
      abi: perpLensAbi,
      functionName: "approxHint",
      args: [marketId, isLong, tier, jWad, trials, seed],
      blockNumber,
    });
    return hint === 0 || hint === accountId ? [0] : [hint, 0];
  } catch (error) {
    throw toSdkError(error);
  }
}
