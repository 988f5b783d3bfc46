/**
 * The gas limits the planner packs batches into, read from the node: the block gas limit from the latest header,
 * and the per-transaction cap by asking the node to run a call with the whole block's gas. Under Osaka (EIP-7825)
 * nodes refuse it and name the cap (2^24 = 16,777,216); nodes without a cap accept it.
 */
import type { Address, PublicClient } from "viem";

import { errorText } from "./rpcErrors.ts";

/** EIP-7825's per-transaction gas cap. */
export const OSAKA_TX_GAS_CAP = 2n ** 24n;

/**
 * Probes the node's per-transaction gas cap.
 *
 * @param client - The node.
 * @param blockGasLimit - The block gas limit (the most a transaction could use without a cap).
 * @param from - Any account (the call sends nothing).
 * @returns The cap: the one the node names, 2^24 when it refuses without naming one, else the block gas limit.
 */
export async function probeTxGasCap(client: PublicClient, blockGasLimit: bigint, from: Address): Promise<bigint> {
  try {
    await client.call({ account: from, to: from, gas: blockGasLimit });
    return blockGasLimit;
  } catch (error) {
    const text = errorText(error);
    if (!/cap|exceeds|too high|greater than/i.test(text)) throw error;
    const named = /cap(?: of)?\s*\(?(\d{5,})\)?/i.exec(text);
    const cap = named?.[1] === undefined ? OSAKA_TX_GAS_CAP : BigInt(named[1]);
    return cap < blockGasLimit ? cap : blockGasLimit;
  }
}
