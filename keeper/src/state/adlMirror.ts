/**
 * A mirror of the on-chain ADL tier lists, read page by page with PerpLens.walkList (nothing reads a whole list in one
 * call). The lists are a different order from the keeper's K index: per side and tier, by J (longs ascending, shorts
 * descending: most profit per unit first), ties by insertion. From the mirror the keeper knows what ADL would hit if
 * a liquidation needed it, and computes exact hints for re-insertions (pending tier drops).
 */
import type { Address, PublicClient } from "viem";
import { perpLensAbi } from "@open-waterfall/sdk";

/** Tiers that have lists (0 is exempt and listed nowhere). */
export const LISTED_TIERS = [1, 2, 3, 4] as const;

/** One member of a tier list. */
export type ListMember = {
  /** The account id the lists link. */
  readonly accountId: number;
  /** Signed size, WAD. */
  readonly sizeWad: bigint;
  /** Break-even J, WAD. */
  readonly jWad: bigint;
};

/** An ADL fill the mirror predicts. */
export type PredictedFill = {
  /** The counterparty's account id. */
  readonly accountId: number;
  /** Its tier. */
  readonly tier: number;
  /** Size it would close, WAD (absolute). */
  readonly sizeWad: bigint;
  /** Its profit per unit at the price, WAD. */
  readonly profitPerUnitWad: bigint;
};

const listKey = (marketId: bigint, isLong: boolean, tier: number) => `${marketId}:${isLong ? "L" : "S"}:${tier}`;

/**
 * The last member that precedes an insertion of J with the newest sequence number: every member with J at or before
 * it in the list's order (longs: J ≤ j, shorts: J ≥ j). Binary search over a list sorted in that order.
 *
 * @param members - A tier list, head first.
 * @param isLong - Its side.
 * @param jWad - J of the position to insert.
 * @returns The predecessor's account id, or 0 (insert at the head).
 */
export function predecessorFor(members: readonly ListMember[], isLong: boolean, jWad: bigint): number {
  let low = 0;
  let high = members.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const j = members[middle]?.jWad ?? 0n;
    if (isLong ? j <= jWad : j >= jWad) low = middle + 1;
    else high = middle;
  }
  return low === 0 ? 0 : (members[low - 1]?.accountId ?? 0);
}

/**
 * What ADL would fill against a bankrupt position of one side, as the contract walks it: the opposite side's tiers
 * from the highest, each from its head, stopping within a tier at the first member not in profit; never more than
 * the size needed.
 *
 * @param lists - The opposite side's tier lists, by tier.
 * @param oppositeIsLong - The side being deleveraged (opposite to the liquidated position).
 * @param sizeWad - Size to fill, WAD (absolute).
 * @param netPriceWad - Oracle price minus the funding index, WAD.
 * @returns The fills, in the order the contract would make them.
 */
export function predictAdl(
  lists: ReadonlyMap<number, readonly ListMember[]>,
  oppositeIsLong: boolean,
  sizeWad: bigint,
  netPriceWad: bigint
): PredictedFill[] {
  const fills: PredictedFill[] = [];
  let left = sizeWad;
  for (const tier of [...LISTED_TIERS].reverse()) {
    for (const member of lists.get(tier) ?? []) {
      if (left === 0n) return fills;
      const profit = oppositeIsLong ? netPriceWad - member.jWad : member.jWad - netPriceWad;
      if (profit <= 0n) break;
      const size = member.sizeWad < 0n ? -member.sizeWad : member.sizeWad;
      const take = size < left ? size : left;
      fills.push({ accountId: member.accountId, tier, sizeWad: take, profitPerUnitWad: profit });
      left -= take;
    }
  }
  return fills;
}

/** See the module comment. */
export class AdlMirror {
  readonly #client: PublicClient;
  readonly #lens: Address;
  readonly #pageSize: number;
  readonly #lists = new Map<string, ListMember[]>();
  readonly #refreshedAtBlock = new Map<bigint, bigint>();

  /**
   * @param options.client - Reads.
   * @param options.lens - PerpLens.
   * @param options.pageSize - Members per walkList call.
   */
  constructor(options: { client: PublicClient; lens: Address; pageSize?: number }) {
    this.#client = options.client;
    this.#lens = options.lens;
    this.#pageSize = options.pageSize ?? 500;
  }

  /**
   * The block a market's lists were last read at.
   *
   * @param marketId - The market.
   * @returns The block, or undefined when never read.
   */
  refreshedAt(marketId: bigint): bigint | undefined {
    return this.#refreshedAtBlock.get(marketId);
  }

  /**
   * Reads every tier list of a market (both sides) at a block.
   *
   * @param marketId - The market.
   * @param blockNumber - The block to read at (one consistent view).
   */
  async refresh(marketId: bigint, blockNumber: bigint): Promise<void> {
    const reads = [true, false].flatMap((isLong) =>
      LISTED_TIERS.map(async (tier) => [listKey(marketId, isLong, tier), await this.#walk(marketId, isLong, tier, blockNumber)] as const)
    );
    for (const [key, members] of await Promise.all(reads)) this.#lists.set(key, members);
    this.#refreshedAtBlock.set(marketId, blockNumber);
  }

  /**
   * A mirrored list.
   *
   * @param marketId - The market.
   * @param isLong - The side.
   * @param tier - 1..4.
   * @returns Its members, head first (empty when never read).
   */
  list(marketId: bigint, isLong: boolean, tier: number): readonly ListMember[] {
    return this.#lists.get(listKey(marketId, isLong, tier)) ?? [];
  }

  /**
   * The exact predecessor hint for inserting a position into a tier list, from the mirror.
   *
   * @param marketId - The market.
   * @param isLong - The position's side.
   * @param tier - The list it goes into.
   * @param jWad - Its J.
   * @returns The predecessor's account id, 0 for the head.
   */
  hintFor(marketId: bigint, isLong: boolean, tier: number, jWad: bigint): number {
    return predecessorFor(this.list(marketId, isLong, tier), isLong, jWad);
  }

  /**
   * What ADL would fill if a position of `liquidatedIsLong` needed `sizeWad` deleveraged now.
   *
   * @param marketId - The market.
   * @param liquidatedIsLong - The liquidated position's side.
   * @param sizeWad - Size to deleverage (absolute), WAD.
   * @param netPriceWad - Oracle price minus funding index, WAD.
   * @returns The fills in the contract's order.
   */
  predict(marketId: bigint, liquidatedIsLong: boolean, sizeWad: bigint, netPriceWad: bigint): PredictedFill[] {
    const opposite = !liquidatedIsLong;
    const lists = new Map(LISTED_TIERS.map((tier) => [tier as number, this.list(marketId, opposite, tier)]));
    return predictAdl(lists, opposite, sizeWad, netPriceWad);
  }

  /**
   * What ADL would fill against several positions liquidated one after another: each walks the lists as the earlier
   * ones left them (counterparties closed or reduced), as the calls in one block would.
   *
   * @param marketId - The market.
   * @param requests - The positions in liquidation order: side and size to deleverage (absolute), WAD.
   * @param netPriceWad - Oracle price minus funding index, WAD.
   * @returns Per request, its fills in the contract's order.
   */
  predictSequence(marketId: bigint, requests: readonly { readonly liquidatedIsLong: boolean; readonly sizeWad: bigint }[], netPriceWad: bigint): PredictedFill[][] {
    const sides = new Map<boolean, Map<number, ListMember[]>>();
    for (const isLong of [true, false]) sides.set(isLong, new Map(LISTED_TIERS.map((tier) => [tier as number, [...this.list(marketId, isLong, tier)]])));
    return requests.map(({ liquidatedIsLong, sizeWad }) => {
      const opposite = !liquidatedIsLong;
      const lists = sides.get(opposite) ?? new Map<number, ListMember[]>();
      const fills = predictAdl(lists, opposite, sizeWad, netPriceWad);
      for (const fill of fills) {
        const members = lists.get(fill.tier) ?? [];
        const at = members.findIndex((m) => m.accountId === fill.accountId);
        const member = members[at];
        if (member === undefined) continue;
        const size = member.sizeWad < 0n ? -member.sizeWad : member.sizeWad;
        if (size <= fill.sizeWad) members.splice(at, 1);
        else members[at] = { ...member, sizeWad: member.sizeWad < 0n ? -(size - fill.sizeWad) : size - fill.sizeWad };
      }
      return fills;
    });
  }

  async #walk(marketId: bigint, isLong: boolean, tier: number, blockNumber: bigint): Promise<ListMember[]> {
    const members: ListMember[] = [];
    let cursor = 0;
    for (;;) {
      const [ids, positions, next] = await this.#client.readContract({
        address: this.#lens,
        abi: perpLensAbi,
        functionName: "walkList",
        args: [marketId, isLong, tier, cursor, BigInt(this.#pageSize)],
        blockNumber,
      });
      ids.forEach((accountId, i) => {
        const p = positions[i];
        if (p !== undefined) members.push({ accountId, sizeWad: p.sizeWad, jWad: p.jWad });
      });
      if (next === 0 || ids.length === 0) return members;
      cursor = next;
    }
  }
}
