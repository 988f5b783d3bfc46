/**
 * Sending transactions: one at a time and waited for (set-up, automine on), or queued into the mempool for
 * the replay to mine (automine off).
 */
import type { Abi, Account, Chain, ContractFunctionArgs, ContractFunctionName, Hash, Transport, WalletClient, Address } from "viem";
import type { ChainConnection } from "./chain.ts";

/** A contract write. */
export type Write<A extends Abi, F extends ContractFunctionName<A, "nonpayable" | "payable">> = {
  address: Address;
  abi: A;
  functionName: F;
  args: ContractFunctionArgs<A, "nonpayable" | "payable", F>;
  gas?: bigint;
  nonce?: number;
};

/** Thrown when a transaction the replay depends on reverts. */
export class TransactionFailedError extends Error {
  override name = "TransactionFailedError" as const;
}

/**
 * Sends a contract write and waits for its receipt (automine on, or a block mined meanwhile).
 * @throws {TransactionFailedError} when it reverts.
 */
export async function sendAndWait<A extends Abi, F extends ContractFunctionName<A, "nonpayable" | "payable">>(
  conn: ChainConnection,
  wallet: WalletClient<Transport, Chain, Account>,
  write: Write<A, F>,
): Promise<Hash> {
  // The generic write is a valid writeContract request; viem's overloads cannot see that through F.
  const hash = await wallet.writeContract(write as never);
  const receipt = await conn.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (receipt.status !== "success") throw new TransactionFailedError(`${String(write.functionName)} reverted (tx ${hash})`);
  return hash;
}

/** Sends a contract write into the mempool without waiting (automine off). Gas must be given. */
export async function queue<A extends Abi, F extends ContractFunctionName<A, "nonpayable" | "payable">>(
  wallet: WalletClient<Transport, Chain, Account>,
  write: Write<A, F> & { gas: bigint },
): Promise<Hash> {
  return wallet.writeContract(write as never);
}
