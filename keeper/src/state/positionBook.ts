/**
 * Every open position the keeper knows, rebuilt from the engine's events alone, with one {@link KIndex} per market
 * side. `PositionUpdated` carries a position's whole new state after every change (size zero when it is gone);
 * `Liquidated` says whether a remainder is left "in liquidation" (the one field PositionUpdated does not carry).
 *
 * Reorganisations: every change is journalled with the block it came from and what it replaced, so
 * {@link PositionBook.rewind} undoes the blocks a reorganisation dropped in place; the caller then re-reads those
 * blocks. The journal keeps only the most recent `journalDepth` blocks (older ones are final for our purposes).
 */
import type { Address } from "viem";
import { k, type ProtocolLog } from "@open-waterfall/sdk";

import { KIndex, type PositionId, type Side } from "../index/kIndex.ts";

/** A position as the keeper tracks it. */
export type TrackedPosition = {
  /** The owner. */
  readonly account: Address;
  /** The market. */
  readonly marketId: bigint;
  /** Signed size, WAD; long > 0. */
  readonly sizeWad: bigint;
  /** Margin, WAD. */
  readonly marginWad: bigint;
  /** Break-even J, WAD. */
  readonly jWad: bigint;
  /** Funding index when J last changed, WAD. */
  readonly f0Wad: bigint;
  /** K, WAD: the liquidation order's key (derived, as on chain). */
  readonly kWad: bigint;
  /** Stored ADL tier (0 = exempt). */
  readonly tier: number;
  /** Pending lower tier; meaningful when pendingTierSince ≠ 0. */
  readonly pendingTier: number;
  /** When the pending tier drop was recorded (unix seconds); 0 = none. */
  readonly pendingTierSince: number;
  /** A remainder left by a liquidation that ran out of ADL budget: to be continued whatever its equity. */
  readonly inLiquidation: boolean;
  /** Block of the last event that changed it. */
  readonly block: bigint;
};

/** The fields of a PositionUpdated event the book needs: all of them, as the SDK decodes them. */
export type PositionUpdate = Readonly<ProtocolLog<"PositionUpdated">["args"]>;

/**
 * The fields of a Liquidated event the book needs, as the SDK decodes them. `remainingSizeWad` is the size left in
 * liquidation after the call; zero when the position is gone.
 */
export type LiquidationUpdate = Readonly<Pick<ProtocolLog<"Liquidated">["args"], "account" | "marketId" | "remainingSizeWad">>;

type JournalEntry = { readonly block: bigint; readonly id: PositionId; readonly previous: TrackedPosition | undefined };

/** Thrown when a reorganisation reaches further back than the journal: the caller must rebuild from scratch. */
export class ReorgTooDeepError extends Error {
  override readonly name = "ReorgTooDeepError";
  /** First dropped block. */
  readonly fromBlock: bigint;
  /** Oldest block the journal can undo. */
  readonly oldestJournalled: bigint;

  /** @param fromBlock - First dropped block. @param oldestJournalled - Oldest block the journal can undo. */
  constructor(fromBlock: bigint, oldestJournalled: bigint) {
    super(`reorganisation from block ${fromBlock} is deeper than the journal (oldest undoable block ${oldestJournalled})`);
    this.fromBlock = fromBlock;
    this.oldestJournalled = oldestJournalled;
  }
}

/**
 * The id of a position in the book and its indexes: lower-case account and market id.
 *
 * @param account - The owner.
 * @param marketId - The market.
 * @returns `${account}:${marketId}`.
 */
export function positionId(account: Address, marketId: bigint): PositionId {
  return `${account.toLowerCase()}:${marketId}`;
}

/** See the module comment. */
export class PositionBook {
  readonly #positions = new Map<PositionId, TrackedPosition>();
  readonly #indexes = new Map<string, KIndex>();
  readonly #inLiquidation = new Set<PositionId>();
  readonly #pendingDrops = new Set<PositionId>();
  readonly #journal: JournalEntry[] = [];
  readonly #journalDepth: bigint;
  readonly #markets: ReadonlySet<bigint> | undefined;
  #journalFloor = 0n;

  /**
   * @param options.journalDepth - Blocks of history kept to undo reorganisations.
   * @param options.markets - Only these markets are tracked (undefined = all).
   */
  constructor(options: { journalDepth: number; markets?: readonly bigint[] | undefined }) {
    this.#journalDepth = BigInt(options.journalDepth);
    this.#markets = options.markets === undefined ? undefined : new Set(options.markets);
  }

  /** Open positions tracked. */
  get size(): number {
    return this.#positions.size;
  }

  /**
   * A market side's K index (created empty on first use).
   *
   * @param marketId - The market.
   * @param side - The side.
   * @returns The live index; do not modify it.
   */
  index(marketId: bigint, side: Side): KIndex {
    const key = `${marketId}:${side}`;
    let index = this.#indexes.get(key);
    if (index === undefined) {
      index = new KIndex(side);
      this.#indexes.set(key, index);
    }
    return index;
  }

  /** The markets that have (or had) positions in the book. */
  markets(): bigint[] {
    return [...new Set([...this.#indexes.keys()].map((key) => BigInt(key.split(":")[0] ?? "0")))];
  }

  /**
   * A tracked position.
   *
   * @param id - From {@link positionId}.
   * @returns It, or undefined when it is not open.
   */
  get(id: PositionId): TrackedPosition | undefined {
    return this.#positions.get(id);
  }

  /** Every open position (a new array). */
  all(): TrackedPosition[] {
    return [...this.#positions.values()];
  }

  /** Positions left in liquidation, in a market or in all. */
  inLiquidation(marketId?: bigint): TrackedPosition[] {
    return [...this.#inLiquidation]
      .map((id) => this.#positions.get(id))
      .filter((p): p is TrackedPosition => p !== undefined && (marketId === undefined || p.marketId === marketId));
  }

  /**
   * Positions whose pending tier drop is due.
   *
   * @param nowSeconds - Chain time.
   * @param delaySeconds - The protocol's tier-drop delay.
   * @returns The positions, oldest pending first.
   */
  dueTierDrops(nowSeconds: bigint, delaySeconds: bigint): TrackedPosition[] {
    return [...this.#pendingDrops]
      .map((id) => this.#positions.get(id))
      .filter((p): p is TrackedPosition => p !== undefined && BigInt(p.pendingTierSince) + delaySeconds <= nowSeconds)
      .sort((a, b) => a.pendingTierSince - b.pendingTierSince);
  }

  /**
   * Applies a PositionUpdated event.
   *
   * @param update - The event's fields.
   * @param block - Its block.
   */
  applyPositionUpdated(update: PositionUpdate, block: bigint): void {
    if (this.#markets !== undefined && !this.#markets.has(update.marketId)) return;
    const id = positionId(update.account, update.marketId);
    const previous = this.#positions.get(id);
    if (update.sizeWad === 0n) {
      this.#set(id, undefined, previous, block);
      return;
    }
    const next: TrackedPosition = {
      account: update.account,
      marketId: update.marketId,
      sizeWad: update.sizeWad,
      marginWad: update.marginWad,
      jWad: update.jWad,
      f0Wad: update.f0Wad,
      kWad: k({ sizeWad: update.sizeWad, marginWad: update.marginWad, jWad: update.jWad }),
      tier: update.tier,
      pendingTier: update.pendingTier,
      pendingTierSince: update.pendingTierSince,
      // The owner cannot act on a position in liquidation, so an update keeps the flag; Liquidated sets it.
      inLiquidation: previous?.inLiquidation ?? false,
      block,
    };
    this.#set(id, next, previous, block);
  }

  /**
   * Applies a Liquidated event: a remainder is left in liquidation, or the position is gone.
   *
   * @param update - The event's fields.
   * @param block - Its block.
   */
  applyLiquidated(update: LiquidationUpdate, block: bigint): void {
    if (this.#markets !== undefined && !this.#markets.has(update.marketId)) return;
    const id = positionId(update.account, update.marketId);
    const previous = this.#positions.get(id);
    if (update.remainingSizeWad === 0n) {
      this.#set(id, undefined, previous, block);
    } else if (previous !== undefined && !previous.inLiquidation) {
      this.#set(id, { ...previous, inLiquidation: true, block }, previous, block);
    }
  }

  /**
   * Undoes every change from `fromBlock` on (a reorganisation dropped those blocks).
   *
   * @param fromBlock - The first dropped block.
   * @throws {ReorgTooDeepError} When the journal no longer reaches that block (nothing is changed then).
   */
  rewind(fromBlock: bigint): void {
    if (fromBlock < this.#journalFloor) throw new ReorgTooDeepError(fromBlock, this.#journalFloor);
    while (this.#journal.length > 0) {
      const last = this.#journal[this.#journal.length - 1];
      if (last === undefined || last.block < fromBlock) break;
      this.#journal.pop();
      this.#place(last.id, last.previous, this.#positions.get(last.id));
    }
  }

  /**
   * Forgets journal entries too old to be reorganised, given the new head.
   *
   * @param headBlock - The block just processed.
   */
  prune(headBlock: bigint): void {
    const floor = headBlock - this.#journalDepth + 1n;
    if (floor <= this.#journalFloor) return;
    this.#journalFloor = floor;
    let drop = 0;
    while (drop < this.#journal.length && (this.#journal[drop]?.block ?? floor) < floor) drop++;
    if (drop > 0) this.#journal.splice(0, drop);
  }

  /** Removes everything (before a full rebuild). */
  clear(): void {
    this.#positions.clear();
    this.#indexes.clear();
    this.#inLiquidation.clear();
    this.#pendingDrops.clear();
    this.#journal.length = 0;
    this.#journalFloor = 0n;
  }

  #set(id: PositionId, next: TrackedPosition | undefined, previous: TrackedPosition | undefined, block: bigint): void {
    if (next === undefined && previous === undefined) return;
    if (block >= this.#journalFloor) this.#journal.push({ block, id, previous });
    this.#place(id, next, previous);
  }

  /** Puts `next` in place of `previous` in the map, the K index and the side sets. */
  #place(id: PositionId, next: TrackedPosition | undefined, previous: TrackedPosition | undefined): void {
    if (previous !== undefined && (next === undefined || sideOf(next) !== sideOf(previous))) {
      this.index(previous.marketId, sideOf(previous)).remove(id);
    }
    if (next === undefined) {
      this.#positions.delete(id);
      this.#inLiquidation.delete(id);
      this.#pendingDrops.delete(id);
      return;
    }
    this.#positions.set(id, next);
    this.index(next.marketId, sideOf(next)).upsert(id, next.kWad);
    if (next.inLiquidation) this.#inLiquidation.add(id);
    else this.#inLiquidation.delete(id);
    if (next.pendingTierSince !== 0) this.#pendingDrops.add(id);
    else this.#pendingDrops.delete(id);
  }
}

/**
 * The side of a signed size.
 *
 * @param position - Anything with a signed size.
 * @returns "long" for size > 0, else "short".
 */
export function sideOf(position: { readonly sizeWad: bigint }): Side {
  return position.sizeWad > 0n ? "long" : "short";
}
