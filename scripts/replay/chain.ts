/**
 * One connection to a chain for the replay: Hardhat's in-process network or any JSON-RPC node (a Hardhat node
 * or anvil), viem clients over it, and the node's controls (automine, mining at a timestamp, balances).
 */
import { network } from "hardhat";
import {
  createPublicClient,
  createWalletClient,
  custom,
  http,
  type Account,
  type Address,
  type Chain as ViemChain,
  type EIP1193RequestFn,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { defineChain } from "viem";

/** Which node software answers: the controls differ in their method prefix. */
export type NodeKind = "hardhat" | "anvil";

/** A connected chain. */
export type ChainConnection = {
  kind: NodeKind;
  /** The RPC URL, or undefined for the in-process network. */
  rpcUrl: string | undefined;
  chain: ViemChain;
  transport: Transport;
  publicClient: PublicClient<Transport, ViemChain>;
  /** The Hardhat network connection (for Ignition). */
  hardhat: Awaited<ReturnType<typeof network.connect>>;
  /** The block gas limit the node uses. */
  blockGasLimit: bigint;
  /** The per-transaction gas cap (EIP-7825 on Osaka: 2^24), never above the block limit. */
  txGasCap: bigint;
  /** A wallet client for an account (local key or the node's unlocked account). */
  wallet(account: Account | Address): WalletClient<Transport, ViemChain, Account>;
  /** Turns automatic mining on or off. */
  setAutomine(enabled: boolean): Promise<void>;
  /** Mines one block with the given timestamp (unix seconds); returns its number. */
  mineAt(timestampSec: number): Promise<bigint>;
  /** Sets an account's ether balance. */
  setBalance(address: Address, weiAmount: bigint): Promise<void>;
  /** Sets the next block's base fee back to 1 gwei. */
  resetBaseFee(): Promise<void>;
  /** Number of transactions waiting in the node's mempool. */
  pendingCount(): Promise<number>;
  /** Closes the connection (the in-process network stops). */
  close(): Promise<void>;
};

/** Thrown when the node cannot be reached or is not one the replay can drive. */
export class ChainConnectionError extends Error {
  override name = "ChainConnectionError" as const;
}

/** Osaka's per-transaction gas cap (EIP-7825). */
const OSAKA_TX_GAS_CAP = 16_777_216n;

/**
 * Connects to the in-process Hardhat network (no URL) or to a running node.
 * @param rpcUrl - A node's JSON-RPC URL; undefined for the in-process network.
 * @throws {ChainConnectionError} when the node does not answer or is neither Hardhat nor anvil.
 */
export async function connectChain(rpcUrl?: string): Promise<ChainConnection> {
  const hardhat = rpcUrl
    ? await network.connect({ network: "local", override: { url: rpcUrl } })
    : await network.connect();
  const request = hardhat.provider.request.bind(hardhat.provider) as unknown as EIP1193RequestFn;
  let version: string;
  let chainId: number;
  try {
    version = String(await request({ method: "web3_clientVersion" }));
    chainId = Number(await request({ method: "eth_chainId" }));
  } catch (error) {
    await hardhat.close();
    throw new ChainConnectionError(`cannot reach the node at ${rpcUrl ?? "in-process"}: ${(error as Error).message}`);
  }
  const kind: NodeKind | undefined = /hardhat/i.test(version) ? "hardhat" : /anvil/i.test(version) ? "anvil" : undefined;
  if (!kind) {
    await hardhat.close();
    throw new ChainConnectionError(`the node at ${rpcUrl} is "${version}": the replay drives a Hardhat node or anvil (it needs their time and mining controls)`);
  }
  const chain = defineChain({
    id: chainId,
    name: kind === "hardhat" ? "Hardhat" : "Anvil",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl ?? "http://in-process"] } },
  });
  const transport: Transport = rpcUrl ? http(rpcUrl, { batch: false, timeout: 120_000 }) : custom({ request });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50, cacheTime: 0 });
  const latest = await publicClient.getBlock();
  const blockGasLimit = latest.gasLimit;
  const txGasCap = blockGasLimit < OSAKA_TX_GAS_CAP ? blockGasLimit : OSAKA_TX_GAS_CAP;
  const prefix = kind === "hardhat" ? "hardhat" : "anvil";
  const raw = (method: string, params: unknown[] = []) =>
    request({ method, params } as Parameters<EIP1193RequestFn>[0]) as Promise<unknown>;

  return {
    kind,
    rpcUrl,
    chain,
    transport,
    publicClient,
    hardhat,
    blockGasLimit,
    txGasCap,
    wallet: (account) => createWalletClient({ chain, transport, account }) as WalletClient<Transport, ViemChain, Account>,
    setAutomine: async (enabled) => {
      await raw("evm_setAutomine", [enabled]);
    },
    mineAt: async (timestampSec) => {
      await raw("evm_setNextBlockTimestamp", [timestampSec]);
      await raw("evm_mine", []);
      return publicClient.getBlockNumber({ cacheTime: 0 });
    },
    setBalance: async (address, weiAmount) => {
      await raw(`${prefix}_setBalance`, [address, `0x${weiAmount.toString(16)}`]);
    },
    resetBaseFee: async () => {
      await raw(`${prefix}_setNextBlockBaseFeePerGas`, ["0x3b9aca00"]);
    },
    pendingCount: async () => {
      const block = (await raw("eth_getBlockByNumber", ["pending", false])) as { transactions?: unknown[] } | null;
      return block?.transactions?.length ?? 0;
    },
    close: () => hardhat.close(),
  };
}
