/**
 * Numbers over time: any read sampled at evenly spaced past blocks (the insurance fund, the vault's equity), and
 * a market's oracle rounds as prices. Reads at past blocks need a node that keeps history (local nodes do).
 */
import { marketRegistryAbi } from "../abi/generated.ts";
import type { ProtocolDeployment } from "../deployment/deployment.ts";
import { getProtocolLogs, type AnyPublicClient } from "../events/logs.ts";

/** Parameters of {@link sampleBlocks}. */
export type SampleBlocksParameters = {
  /** First block (inclusive). */
  fromBlock: bigint;
  /** Last block (inclusive). */
  toBlock: bigint;
  /** Samples wanted, at least 2. */
  count: number;
};

/**
 * Evenly spaced blocks from `fromBlock` to `toBlock`, both included, without repeats (fewer than `count` when the
 * range is short).
 *
 * @param parameters - {@link SampleBlocksParameters}
 * @throws {RangeError} When the range is reversed or fewer than 2 samples are asked for.
 */
export function sampleBlocks({ fromBlock, toBlock, count }: SampleBlocksParameters): bigint[] {
  if (toBlock < fromBlock) throw new RangeError(`sampleBlocks: toBlock ${toBlock} is before fromBlock ${fromBlock}`);
  if (!Number.isInteger(count) || count < 2) throw new RangeError(`sampleBlocks: count must be an integer ≥ 2, got ${count}`);
  const span = toBlock - fromBlock;
  const steps = BigInt(count - 1);
  const blocks: bigint[] = [];
  for (let i = 0n; i <= steps; i++) {
    const block = fromBlock + (span * i) / steps;
    if (blocks[blocks.length - 1] !== block) blocks.push(block);
  }
  return blocks;
}

/** Parameters of {@link firstBlockWhere}. */
export type FirstBlockWhereParameters = {
  /** First block to consider. */
  fromBlock: bigint;
  /** Last block to consider. */
  toBlock: bigint;
  /** A condition that, once true at a block, stays true at every later block (e.g. "the contract has code"). */
  holds: (blockNumber: bigint) => Promise<boolean>;
};

/**
 * The first block in a range where a monotone condition holds, by bisection (about log2 of the range calls).
 *
 * @param parameters - {@link FirstBlockWhereParameters}
 * @returns The block, or undefined when it does not hold even at `toBlock`.
 */
export async function firstBlockWhere({ fromBlock, toBlock, holds }: FirstBlockWhereParameters): Promise<bigint | undefined> {
  if (toBlock < fromBlock || !(await holds(toBlock))) return undefined;
  let low = fromBlock;
  let high = toBlock;
  while (low < high) {
    const mid = (low + high) / 2n;
    if (await holds(mid)) high = mid;
    else low = mid + 1n;
  }
  return low;
}

/** One sample of a number over time. */
export type HistoryPoint = {
  readonly blockNumber: bigint;
  readonly timestamp: bigint;
  readonly valueWad: bigint;
};

/** Parameters of {@link readHistory}. */
export type ReadHistoryParameters = {
  /** The client. */
  client: AnyPublicClient;
  /** The blocks to read at. */
  blocks: readonly bigint[];
  /** The read, at a block. */
  read: (blockNumber: bigint) => Promise<bigint>;
};

/**
 * A read at each of the given blocks, with the blocks' times.
 *
 * @param parameters - {@link ReadHistoryParameters}
 */
export async function readHistory({ client, blocks, read }: ReadHistoryParameters): Promise<HistoryPoint[]> {
  return Promise.all(
    blocks.map(async (blockNumber) => {
      const [block, valueWad] = await Promise.all([client.getBlock({ blockNumber }), read(blockNumber)]);
      return { blockNumber, timestamp: block.timestamp, valueWad };
    })
  );
}

/** One oracle round as a price. */
export type PricePoint = {
  /** Round time, unix seconds. */
  readonly timestamp: bigint;
  /** Price, WAD. */
  readonly priceWad: bigint;
};

/** Parameters of {@link getPriceHistory}. */
export type GetPriceHistoryParameters = {
  /** The client. */
  client: AnyPublicClient;
  /** The protocol. */
  deployment: ProtocolDeployment;
  /** The market. */
  marketId: bigint;
  /** First block (default the deployment's). */
  fromBlock?: bigint;
};

/**
 * A market's oracle rounds as WAD prices (the feed's answer scaled by its decimals), oldest first.
 *
 * @param parameters - {@link GetPriceHistoryParameters}
 */
export async function getPriceHistory({ client, deployment, marketId, fromBlock }: GetPriceHistoryParameters): Promise<PricePoint[]> {
  const config = await client.readContract({ address: deployment.registry, abi: marketRegistryAbi, functionName: "marketConfig", args: [marketId] });
  const logs = await getProtocolLogs({
    client,
    deployment,
    events: ["AnswerUpdated"],
    feeds: [config.feed],
    ...(fromBlock === undefined ? {} : { fromBlock }),
  });
  const scale = 10n ** BigInt(18 - config.feedDecimals);
  return logs.map((log) => ({ timestamp: log.args.updatedAt, priceWad: log.args.current * scale }));
}
