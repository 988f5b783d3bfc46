/**
 * Mines the replay's blocks itself (automine off): each block at a chosen timestamp, with the base fee reset
 * so the set-up's full blocks do not price later transactions out (gas prices are not what a replay studies).
 */
import type { ChainConnection } from "./chain.ts";

/** Mines blocks and keeps the chain's clock. */
export class Miner {
  /** Timestamp of the latest block mined. */
  nowSec: number;
  /** Blocks mined by this miner. */
  blocksMined = 0;

  private readonly conn: ChainConnection;

  constructor(conn: ChainConnection, startSec: number) {
    this.conn = conn;
    this.nowSec = startSec;
  }

  /** Reads the latest block's timestamp. */
  static async start(conn: ChainConnection): Promise<Miner> {
    const block = await conn.publicClient.getBlock({ blockTag: "latest" });
    return new Miner(conn, Number(block.timestamp));
  }

  /** Mines one block at `timestampSec` (at least one second after the previous block); returns its number. */
  async mine(timestampSec = this.nowSec + 1): Promise<bigint> {
    const at = Math.max(timestampSec, this.nowSec + 1);
    await this.conn.resetBaseFee();
    const number = await this.conn.mineAt(at);
    this.nowSec = at;
    this.blocksMined++;
    return number;
  }

  /** Mines one-second blocks until the mempool is empty (or `maxBlocks` were mined); returns the count. */
  async mineUntilEmpty(maxBlocks = 10_000): Promise<number> {
    let n = 0;
    while (n < maxBlocks && (await this.conn.pendingCount()) > 0) {
      await this.mine();
      n++;
    }
    return n;
  }
}
