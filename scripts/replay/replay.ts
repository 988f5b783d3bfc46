/**
 * The replay loop. The price path drives the replayed market's mock feed as a Chainlink feed would publish it,
 * one round per block; the other markets' feeds re-publish their price at their heartbeat. The replay mines
 * every block itself: a round's update lands in one block, the keeper (ticked after every block) sends its
 * reaction into the mempool, and that goes into the next block, one second later. When nothing is pending,
 * time jumps to the next row that makes the feed publish.
 */
import { mockAggregatorAbi } from "@open-waterfall/sdk";
import type { Account, Address } from "viem";
import type { ChainConnection } from "./chain.ts";
import { FeedSchedule, type FeedMode } from "./feed.ts";
import type { Miner } from "./miner.ts";
import type { PricePath } from "./prices.ts";
import { FEES } from "./seed.ts";
import { wadToFeedAnswer } from "./units.ts";

/** What the replay needs from a keeper: one pass that sends its transactions into the mempool. */
export type Ticker = { tick(): Promise<unknown> };

/** A feed that only re-publishes its price at its heartbeat. */
export type StillFeed = { feed: Address; heartbeatSec: number; answer: bigint; lastPublishedSec: number };

/** Parameters of {@link runReplay}. */
export type RunReplayParameters = {
  conn: ChainConnection;
  miner: Miner;
  /** Signs the oracle rounds (any funded account: the mock feed is open). */
  oracle: Account;
  feed: Address;
  path: PricePath;
  mode: FeedMode;
  deviationWad: bigint;
  heartbeatSec: number;
  otherFeeds: StillFeed[];
  keeper: Ticker;
  /** Called after every block with the share of the price file replayed (0..1). */
  onProgress?: (done: number) => void;
};

/** Block range and counts of a replay (everything else is read back from the chain). */
export type ReplayRun = {
  /** First block of the replay (the first round's). */
  fromBlock: bigint;
  /** Last block mined. */
  toBlock: bigint;
  /** Chain time of the first row. */
  startSec: number;
};

/**
 * Replays a price path. Automine must be off and the market priced at the file's first row.
 */
export async function runReplay(p: RunReplayParameters): Promise<ReplayRun> {
  const { conn, miner, path, keeper } = p;
  const rows = path.rows;
  const oracle = conn.wallet(p.oracle);
  let nonce = await conn.publicClient.getTransactionCount({ address: p.oracle.address, blockTag: "pending" });
  const schedule = new FeedSchedule({ mode: p.mode, deviationWad: p.deviationWad, heartbeatSec: p.heartbeatSec });
  // Row time t maps to chain time base + (t − t0); the first row was published when the market was priced.
  const t0 = rows[0].timestampSec;
  const base = miner.nowSec + 1;
  const chainTime = (rowSec: number) => base + (rowSec - t0);
  let idx = 0;
  let fromBlock: bigint | undefined;
  let toBlock = await conn.publicClient.getBlockNumber({ cacheTime: 0 });
  const publish = async (feed: Address, answer: bigint) => {
    await oracle.writeContract({ address: feed, abi: mockAggregatorAbi, functionName: "setPrice", args: [answer], gas: 200_000n, nonce: nonce++, ...FEES });
  };
  // The first row is published in the replay's first block, so a replay of any file starts with a round.
  let sec = t0;
  let pendingWork = false;
  for (;;) {
    while (idx + 1 < rows.length && rows[idx + 1].timestampSec <= sec) idx++;
    const priceWad = rows[idx].priceWad;
    const now = chainTime(sec);
    if (schedule.lastPublishedWad === undefined || schedule.isDue(priceWad, now)) {
      await publish(p.feed, wadToFeedAnswer(priceWad));
      schedule.published(priceWad, now);
    }
    for (const f of p.otherFeeds) {
      if (now - f.lastPublishedSec >= f.heartbeatSec - 60) {
        await publish(f.feed, f.answer);
        f.lastPublishedSec = now;
      }
    }
    toBlock = await miner.mine(now);
    fromBlock ??= toBlock;
    await keeper.tick();
    pendingWork = (await conn.pendingCount()) > 0;
    p.onProgress?.((idx + 1) / rows.length);
    const last = idx + 1 >= rows.length && sec >= rows[rows.length - 1].timestampSec;
    if (last && !pendingWork) break;
    if (pendingWork || last) {
      sec += 1;
      continue;
    }
    // Nothing pending: jump to the next row that publishes, or the heartbeat, whichever comes first.
    const heartbeatAt = sec + p.heartbeatSec;
    let next = rows[rows.length - 1].timestampSec;
    for (let k = idx + 1; k < rows.length; k++) {
      if (rows[k].timestampSec >= heartbeatAt || schedule.isDue(rows[k].priceWad, chainTime(rows[k].timestampSec))) {
        next = rows[k].timestampSec;
        break;
      }
    }
    const otherDue = Math.min(...p.otherFeeds.map((f) => f.lastPublishedSec + f.heartbeatSec - 60 - base + t0), Infinity);
    sec = Math.max(sec + 1, Math.min(next, heartbeatAt, otherDue));
  }
  return { fromBlock: fromBlock ?? toBlock, toBlock, startSec: base };
}
