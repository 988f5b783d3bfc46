/**
 * Follows the chain: brings the {@link PositionBook} to a given head by reading the engine's logs since the last
 * block processed (the first time, since the deployment block), and survives reorganisations. Before reading, the
 * hash of the last block processed is compared with the node's; on a mismatch the book is rewound to the last block
 * both agree on and the range is read again. A reorganisation deeper than the journal rebuilds from the deployment
 * block.
 */
import type { ProtocolLog } from "@open-waterfall/sdk";
import type { Hex, PublicClient } from "viem";

import type { KeeperLogger } from "../log.ts";
import { type LiquidationUpdate, type PositionBook, type PositionUpdate, ReorgTooDeepError } from "./positionBook.ts";

/** Where a decoded engine log sits and which event it is: the fields of the SDK's log the follower orders by. */
type BookLog<E extends "PositionUpdated" | "Liquidated"> = Pick<ProtocolLog<E>, "eventName" | "blockNumber" | "logIndex">;

/** A decoded engine event the book is built from: the SDK's log narrowed to what the book needs. */
export type BookEvent =
  | (BookLog<"PositionUpdated"> & { readonly args: PositionUpdate })
  | (BookLog<"Liquidated"> & { readonly args: LiquidationUpdate });

/** Reads the book's events in a block range (inclusive), in any order. */
export type BookEventReader = (fromBlock: bigint, toBlock: bigint) => Promise<readonly BookEvent[]>;

/** What one sync did. */
export type SyncResult = {
  /** The head reached. */
  readonly head: bigint;
  /** Events applied. */
  readonly events: number;
  /** First block undone by a reorganisation, when one was met. */
  readonly reorgFrom: bigint | undefined;
  /** True when the book was rebuilt from the deployment block. */
  readonly rebuilt: boolean;
};

/** Parameters of the {@link ChainFollower} constructor. */
export type ChainFollowerParameters = {
  /** Block hashes. */
  client: PublicClient;
  /** The book to keep. */
  book: PositionBook;
  /** Event reader. */
  readEvents: BookEventReader;
  /** The deployment block. */
  fromBlock: bigint;
  /** Blocks of hashes kept to find a fork point (the book's journal depth). */
  reorgDepth: number;
  /** Logger. */
  logger: KeeperLogger;
};

/** See the module comment. */
export class ChainFollower {
  readonly #client: PublicClient;
  readonly #book: PositionBook;
  readonly #readEvents: BookEventReader;
  readonly #fromBlock: bigint;
  readonly #reorgDepth: number;
  readonly #logger: KeeperLogger;
  /** Hashes of processed heads, oldest first: where to look for the fork point. */
  readonly #heads: { number: bigint; hash: Hex }[] = [];

  /** @param parameters - {@link ChainFollowerParameters} */
  constructor(parameters: ChainFollowerParameters) {
    this.#client = parameters.client;
    this.#book = parameters.book;
    this.#readEvents = parameters.readEvents;
    this.#fromBlock = parameters.fromBlock;
    this.#reorgDepth = parameters.reorgDepth;
    this.#logger = parameters.logger;
  }

  /** The last block processed, or undefined before the first sync. */
  get lastProcessed(): bigint | undefined {
    return this.#heads[this.#heads.length - 1]?.number;
  }

  /**
   * Brings the book to `head`.
   *
   * @param head - The head block's number and hash.
   * @returns What was done.
   */
  async syncTo(head: { number: bigint; hash: Hex }): Promise<SyncResult> {
    let reorgFrom: bigint | undefined;
    let rebuilt = false;
    const last = this.#heads[this.#heads.length - 1];
    if (last !== undefined && !(last.number === head.number && last.hash === head.hash)) {
      const forkFrom = await this.#findFork(head);
      if (forkFrom !== undefined) {
        reorgFrom = forkFrom;
        try {
          this.#book.rewind(forkFrom);
          while ((this.#heads[this.#heads.length - 1]?.number ?? -1n) >= forkFrom) this.#heads.pop();
          this.#logger.warn({ fromBlock: forkFrom, head: head.number }, "reorganisation: undone and re-read");
        } catch (error) {
          if (!(error instanceof ReorgTooDeepError)) throw error;
          this.#logger.warn({ fromBlock: forkFrom }, "reorganisation deeper than the journal: rebuilding");
          this.#book.clear();
          this.#heads.length = 0;
          rebuilt = true;
        }
      }
    }
    const start = (this.#heads[this.#heads.length - 1]?.number ?? this.#fromBlock - 1n) + 1n;
    if (start <= head.number) {
      const events = [...(await this.#readEvents(start, head.number))].sort((a, b) =>
        a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1
      );
      for (const event of events) {
        if (event.eventName === "PositionUpdated") this.#book.applyPositionUpdated(event.args, event.blockNumber);
        else this.#book.applyLiquidated(event.args, event.blockNumber);
      }
      this.#book.prune(head.number);
      this.#pushHead(head);
      return { head: head.number, events: events.length, reorgFrom, rebuilt: rebuilt || this.#heads.length === 1 };
    }
    this.#pushHead(head);
    return { head: head.number, events: 0, reorgFrom, rebuilt };
  }

  /**
   * Compares the stored heads with the node's blocks, newest first.
   *
   * @returns The first block to undo, or undefined when nothing changed.
   */
  async #findFork(head: { number: bigint; hash: Hex }): Promise<bigint | undefined> {
    for (let i = this.#heads.length - 1; i >= 0; i--) {
      const stored = this.#heads[i];
      if (stored === undefined) continue;
      const hash =
        stored.number === head.number ? head.hash : stored.number > head.number ? undefined : (await this.#client.getBlock({ blockNumber: stored.number })).hash;
      if (hash === stored.hash) return i === this.#heads.length - 1 ? undefined : stored.number + 1n;
    }
    // No stored head survived: undo everything the journal holds.
    const oldest = this.#heads[0]?.number ?? this.#fromBlock;
    return oldest < this.#fromBlock ? this.#fromBlock : oldest;
  }

  #pushHead(head: { number: bigint; hash: Hex }): void {
    const last = this.#heads[this.#heads.length - 1];
    if (last?.number === head.number && last.hash === head.hash) return;
    this.#heads.push({ number: head.number, hash: head.hash });
    while (this.#heads.length > this.#reorgDepth) this.#heads.shift();
  }
}
