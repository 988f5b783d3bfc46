/**
 * An off-chain copy of the ADL tier lists, rebuilt from PositionUpdated logs, that gives insertion hints for
 * many trades sent into one block: each trade gets its predicted predecessor and a few spaced neighbours,
 * so the contract's bounded walk finds the place even after other insertions in the same block.
 */
type Entry = { id: number; jWad: bigint; seq: number };

const key = (marketId: bigint, isLong: boolean, tier: number) => `${marketId}:${isLong ? "L" : "S"}:${tier}`;

/**
 * Whether (jA, rankA) comes before (jB, rankB) in a side's ADL order (contracts/libraries/TierList.sol): by J,
 * and among equal J by insertion rank (an insertion goes behind every equal J).
 */
export function precedes(isLong: boolean, jA: bigint, rankA: number, jB: bigint, rankB: number): boolean {
  if (jA === jB) return rankA < rankB;
  return isLong ? jA < jB : jA > jB;
}

/** The tier lists of every market side, as the replay last saw them. */
export class ListModel {
  private readonly lists = new Map<string, Entry[]>();
  private readonly where = new Map<string, string>();
  private seq = 0;

  /**
   * Applies a position's new state (from its PositionUpdated log, in log order).
   * @param accountId - The position's account id.
   */
  update(marketId: bigint, accountId: number, sizeWad: bigint, jWad: bigint, tier: number): void {
    const posKey = `${marketId}:${accountId}`;
    const old = this.where.get(posKey);
    if (old !== undefined) {
      const list = this.lists.get(old) ?? [];
      const at = list.findIndex((e) => e.id === accountId);
      // A pro-rata slice keeps J and the list place: only a change of J, side or tier moves it.
      if (at >= 0 && old === key(marketId, sizeWad > 0n, tier) && list[at].jWad === jWad && sizeWad !== 0n) return;
      if (at >= 0) list.splice(at, 1);
      this.where.delete(posKey);
    }
    if (sizeWad === 0n || tier === 0) return;
    const k = key(marketId, sizeWad > 0n, tier);
    const list = this.lists.get(k) ?? [];
    const entry = { id: accountId, jWad, seq: ++this.seq };
    const isLong = sizeWad > 0n;
    list.splice(this.insertAt(list, isLong, jWad), 0, entry);
    this.lists.set(k, list);
    this.where.set(posKey, k);
  }

  private insertAt(list: Entry[], isLong: boolean, jWad: bigint): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (precedes(isLong, list[mid].jWad, list[mid].seq, jWad, Number.MAX_SAFE_INTEGER)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Hints for inserting a position with break-even `jWad` into each of `tiers` (the predicted one first):
   * the predicted predecessor (0 = the head) and neighbours 8, 16 and 32 places either side.
   */
  hints(marketId: bigint, isLong: boolean, tiers: number[], jWad: bigint): number[] {
    const out: number[] = [];
    for (const tier of tiers) {
      const list = this.lists.get(key(marketId, isLong, tier)) ?? [];
      const at = this.insertAt(list, isLong, jWad);
      out.push(at === 0 ? 0 : list[at - 1].id);
      for (const d of [8, 16, 32]) {
        for (const i of [at - 1 - d, at - 1 + d]) if (i >= 0 && i < list.length) out.push(list[i].id);
      }
    }
    return [...new Set(out)];
  }

  /** Members of a list, head first (for tests). */
  ids(marketId: bigint, isLong: boolean, tier: number): number[] {
    return (this.lists.get(key(marketId, isLong, tier)) ?? []).map((e) => e.id);
  }
}
