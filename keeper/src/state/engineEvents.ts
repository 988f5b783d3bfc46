/**
 * Reads the engine events the position book is built from (PositionUpdated, Liquidated) with the SDK's chunked,
 * decoded log reader, and narrows them to what the book needs.
 */
import { type AnyPublicClient, getProtocolLogs, type ProtocolDeployment } from "@open-waterfall/sdk";

import type { BookEvent, BookEventReader } from "./sync.ts";

type PositionUpdatedArgs = Extract<BookEvent, { eventName: "PositionUpdated" }>["args"];
type LiquidatedArgs = Extract<BookEvent, { eventName: "Liquidated" }>["args"];

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
    // The SDK decodes strictly (every field present), but types `args` with viem's filter-argument type, where only
    // indexed fields appear (optional): restate the decoded shape here.
    return logs.map((log): BookEvent =>
      log.eventName === "PositionUpdated"
        ? { eventName: "PositionUpdated", blockNumber: log.blockNumber, logIndex: log.logIndex, args: log.args as unknown as PositionUpdatedArgs }
        : { eventName: "Liquidated", blockNumber: log.blockNumber, logIndex: log.logIndex, args: log.args as unknown as LiquidatedArgs }
    );
  };
}
