/**
 * Reads the engine events the position book is built from (PositionUpdated, Liquidated), decoded, in chunks of
 * blocks so no single eth_getLogs asks a node for more than it serves.
 */
import { type Address, getAbiItem, type PublicClient } from "viem";
import { perpEngineAbi } from "@open-waterfall/sdk";

import type { BookEvent, BookEventReader } from "./sync.ts";

const EVENTS = [getAbiItem({ abi: perpEngineAbi, name: "PositionUpdated" }), getAbiItem({ abi: perpEngineAbi, name: "Liquidated" })] as const;

/**
 * A reader of the book's events from the engine.
 *
 * @param options.client - The node.
 * @param options.engine - The engine's address.
 * @param options.chunkBlocks - Blocks per request.
 * @param options.onChunk - Called after each chunk (progress of a rebuild).
 * @returns The reader.
 */
export function engineEventReader(options: {
  client: PublicClient;
  engine: Address;
  chunkBlocks: number;
  onChunk?: (toBlock: bigint, lastBlock: bigint) => void;
}): BookEventReader {
  const chunk = BigInt(options.chunkBlocks);
  return async (fromBlock, toBlock) => {
    const out: BookEvent[] = [];
    for (let start = fromBlock; start <= toBlock; start += chunk) {
      const end = start + chunk - 1n < toBlock ? start + chunk - 1n : toBlock;
      const logs = await options.client.getLogs({ address: options.engine, events: EVENTS, fromBlock: start, toBlock: end, strict: true });
      for (const log of logs) {
        if (log.blockNumber === null || log.logIndex === null) continue; // pending logs: not asked for
        if (log.eventName === "PositionUpdated") {
          out.push({ eventName: "PositionUpdated", blockNumber: log.blockNumber, logIndex: log.logIndex, args: log.args });
        } else {
          out.push({ eventName: "Liquidated", blockNumber: log.blockNumber, logIndex: log.logIndex, args: log.args });
        }
      }
      options.onChunk?.(end, toBlock);
    }
    return out;
  };
}
