/**
 * The keeper's index of one market side's positions, ordered by K (DESIGN "Positions").
 *
 * A position's equity is |s|·(P − F − K) for a long and |s|·(K + F − P) for a short, so it is liquidatable
 * (equity < MMR·|s|·P) exactly when
 *
 *     long:  K > P·(1 − MMR) − F
 *     short: K < P·(1 + MMR) − F
 *
 * The right-hand side is one number per market and side (the threshold), and K changes only when the owner
 * trades or moves margin, never with the price or with time. So with longs ordered by K descending and
 * shorts by K ascending ("most at risk first"), the liquidatable positions of a side are always a prefix,
 * and a price update only moves the threshold: nothing is re-sorted.
 *
 * The index is a sorted array with binary search plus a map from id to K. Complexity, n entries:
 * - `upsert`: O(log n) to locate, plus O(n) for the array shift when an entry is inserted or moves
 *   (a memmove of pointers; a B-tree would make it O(log n) if a profile ever shows the need). O(1) when
 *   K is unchanged.
 * - `remove`: O(log n) plus O(n) for the shift.
 * - `size`, `has`, `kOf`: O(1).
 * - `liquidatable`: O(log n + k) for a prefix of k entries.
 * - `toArray`: O(n).
 *
 * Ties in K are ordered by id (code-unit order), so the order, and every prefix, is deterministic.
 */

/** The side of a market an index holds: longs (size > 0) or shorts. */
export type Side = "long" | "short";

/** A position's key in the index, `${account}:${marketId}` by convention; any unique string works. */
export type PositionId = string;

/** One entry of the index. */
export type KIndexEntry = {
  /** The position. */
  readonly id: PositionId;
  /** Its K, in price units, WAD (as PositionMath.k computes it). */
  readonly kWad: bigint;
};

/** Parameters of {@link liquidationThresholdK}. */
export type LiquidationThresholdKParameters = {
  /** The side the threshold is for. */
  side: Side;
  /** Oracle price P, WAD. */
  priceWad: bigint;
  /** The market's maintenance margin ratio, WAD. */
  mmrWad: bigint;
  /** The market's current cumulative funding index F, WAD. */
  fundingIndexWad: bigint;
};

const WAD = 10n ** 18n;

/**
 * The K threshold of a side at a price: P·(1 − MMR) − F for longs (liquidatable above it) and
 * P·(1 + MMR) − F for shorts (liquidatable below it). P·MMR rounds up, as the maintenance requirement does
 * on chain, so the threshold errs towards inclusion: every position whose K passes the exact threshold is
 * in the prefix. The chain's test also rounds equity and notional, so a position within a few wei of price
 * of its liquidation price may be classified either way here; the chain decides (PositionMath.isLiquidatable).
 *
 * @param parameters - {@link LiquidationThresholdKParameters}
 * @returns The threshold K, WAD.
 * @throws {RangeError} For a negative price or MMR, which the contracts cannot hold.
 *
 * @example
 * // longs at P = 1,000, MMR 10%, F = 0: K > 900 is liquidatable
 * liquidationThresholdK({ side: "long", priceWad: 1_000n * 10n ** 18n, mmrWad: 10n ** 17n, fundingIndexWad: 0n });
 */
export function liquidationThresholdK({
  side,
  priceWad,
  mmrWad,
  fundingIndexWad,
}: LiquidationThresholdKParameters): bigint {
  if (priceWad < 0n) throw new RangeError(`priceWad must not be negative, got ${priceWad}`);
  if (mmrWad < 0n) throw new RangeError(`mmrWad must not be negative, got ${mmrWad}`);
  // Mirrors FixedPointMath.wMulUp (the SDK's math/fixedPoint.ts): ⌈P·MMR / WAD⌉.
  const buffer = (priceWad * mmrWad + WAD - 1n) / WAD;
  return side === "long" ? priceWad - buffer - fundingIndexWad : priceWad + buffer - fundingIndexWad;
}

/**
 * One market side's positions, ordered by K, most at risk first; see the module comment for the order,
 * the prefix property and the cost of each operation.
 *
 * @example
 * const longs = new KIndex("long");
 * longs.upsert("0xabc…:1", 1_850n * 10n ** 18n);
 * const candidates = longs.liquidatable(liquidationThresholdK({ side: "long", priceWad, mmrWad, fundingIndexWad }));
 */
export class KIndex {
  /** The side this index holds. */
  readonly side: Side;
  /** Sorted most at risk first: K descending for longs, ascending for shorts; ties by id ascending. */
  readonly #entries: KIndexEntry[] = [];
  readonly #kById = new Map<PositionId, bigint>();

  /**
   * @param side - The side, which fixes the order (longs by K descending, shorts by K ascending).
   */
  constructor(side: Side) {
    this.side = side;
  }

  /** The number of positions held. O(1). */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * Whether a position is held. O(1).
   *
   * @param id - The position.
   * @returns True if it is in the index.
   */
  has(id: PositionId): boolean {
    return this.#kById.has(id);
  }

  /**
   * The K stored for a position. O(1).
   *
   * @param id - The position.
   * @returns Its K, or undefined when it is not in the index.
   */
  kOf(id: PositionId): bigint | undefined {
    return this.#kById.get(id);
  }

  /**
   * Inserts a position or moves it to its new K. O(log n) plus the array shift; O(1) if K is unchanged.
   *
   * @param id - The position.
   * @param kWad - Its K, WAD.
   */
  upsert(id: PositionId, kWad: bigint): void {
    const previous = this.#kById.get(id);
    if (previous === kWad) return;
    if (previous !== undefined) this.#entries.splice(this.#indexOf(id, previous), 1);
    const entry: KIndexEntry = { id, kWad };
    this.#entries.splice(this.#lowerBound(entry), 0, entry);
    this.#kById.set(id, kWad);
  }

  /**
   * Replaces the whole content with `entries` in one sort: O(n log n), for a rebuild from scratch (inserting n
   * entries one by one costs O(n²) in array shifts). A later entry for the same id wins.
   *
   * @param entries - The positions and their K.
   */
  load(entries: Iterable<KIndexEntry>): void {
    this.#kById.clear();
    for (const entry of entries) this.#kById.set(entry.id, entry.kWad);
    this.#entries.length = 0;
    for (const [id, kWad] of this.#kById) this.#entries.push({ id, kWad });
    this.#entries.sort((a, b) => (this.#precedes(a, b) ? -1 : this.#precedes(b, a) ? 1 : 0));
  }

  /**
   * Removes a position (closed or liquidated). O(log n) plus the array shift.
   *
   * @param id - The position.
   * @returns True if it was in the index.
   */
  remove(id: PositionId): boolean {
    const kWad = this.#kById.get(id);
    if (kWad === undefined) return false;
    this.#entries.splice(this.#indexOf(id, kWad), 1);
    this.#kById.delete(id);
    return true;
  }

  /**
   * The liquidatable prefix: longs with K > threshold, shorts with K < threshold, most at risk first.
   * O(log n + k).
   *
   * @param thresholdKWad - The side's threshold, from {@link liquidationThresholdK}.
   * @returns The entries of the prefix, in order (a new array).
   */
  liquidatable(thresholdKWad: bigint): KIndexEntry[] {
    let low = 0;
    let high = this.#entries.length;
    // First index whose K is on the safe side of the threshold.
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#isPastThreshold(this.#at(middle).kWad, thresholdKWad)) low = middle + 1;
      else high = middle;
    }
    return this.#entries.slice(0, low);
  }

  /**
   * Every entry, most at risk first. O(n).
   *
   * @returns A new array.
   */
  toArray(): KIndexEntry[] {
    return this.#entries.slice();
  }

  #isPastThreshold(kWad: bigint, thresholdKWad: bigint): boolean {
    return this.side === "long" ? kWad > thresholdKWad : kWad < thresholdKWad;
  }

  /** Whether `a` sorts strictly before `b`. */
  #precedes(a: KIndexEntry, b: KIndexEntry): boolean {
    if (a.kWad !== b.kWad) return this.side === "long" ? a.kWad > b.kWad : a.kWad < b.kWad;
    return a.id < b.id;
  }

  /** The first index whose entry does not sort before `entry`: where it is, or would be inserted. */
  #lowerBound(entry: KIndexEntry): number {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#precedes(this.#at(middle), entry)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #indexOf(id: PositionId, kWad: bigint): number {
    // (K, id) pairs are unique, so the lower bound of a held entry is its own index.
    return this.#lowerBound({ id, kWad });
  }

  #at(index: number): KIndexEntry {
    const entry = this.#entries[index];
    if (entry === undefined) throw new RangeError(`KIndex: no entry at ${index}`);
    return entry;
  }
}
