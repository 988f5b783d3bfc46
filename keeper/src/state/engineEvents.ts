/**
 * Reads the engine events the position book is built from (PositionUpdated, Liquidated) with the SDK's chunked,
 * decoded log reader, and narrows them to what the book needs.
 */
import { type AnyPublicClient, getProtocolLogs, type ProtocolDeployment } from "@open-waterfall/sdk";

import type { BookEvent, BookEventReader } from "./sync.ts";

/**
 * A reader of the book's events.
 *
 * @param options.client - The node.
 * @param options.deployment - The protocol's addresses (read when first needed).
 * @param options.chunkBlocks - Blocks per eth_getLogs request.
 * @returns The reader.
 */
export function engineEventReader(options: {
  client: AnyPublicClient;
  deployment: () => ProtocolDeployment;
  chunkBlocks: number;
}): BookEventReader {
  return async (fromBlock, toBlock) => {
    const logs = await getProtocolLogs({
      client: options.client,
      deployment: options.deployment(),
      events: ["PositionUpdated", "Liquidated"],
      fromBlock,
      toBlock,
      chunkSize: BigInt(options.chunkBlocks),
    });
    // The SDK types `args` as the full decoded event, which the book's event shape accepts as it is.
    return logs.map((log): BookEvent =>
      log.eventName === "PositionUpdated"
        ? { eventName: "PositionUpdated", blockNumber: log.blockNumber, logIndex: log.logIndex, args: log.args }
        : { eventName: "Liquidated", blockNumber: log.blockNumber, logIndex: log.logIndex, args: log.args }
    );
  };
}
