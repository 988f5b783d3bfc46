/**
 * End-to-end fixture: a local node (Hardhat or anvil) started by the test, the protocol deployed with Ignition, an
 * LP in the vault, and a book of positions spawned at chosen leverages on both markets (PositionSpawner: one fresh
 * account per position, many per transaction). Helpers move prices, mine, and judge positions from chain reads
 * alone, independently of the keeper's own state.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  parseEventLogs,
  type PublicClient,
  type Transport,
} from "viem";
import {
  backstopVaultAbi,
  collateralTokenAbi,
  isLiquidatable,
  marketRegistryAbi,
  mockAggregatorAbi,
  perpEngineAbi,
} from "@open-waterfall/sdk";
import { deployProtocol, devAccount, findProjectRoot, type LocalDeployment, type LocalNode, type LocalNodeKind, startLocalNode } from "@open-waterfall/sdk/testing";

import type { KeeperConfig } from "../config/schema.ts";
import { Secret } from "../config/secret.ts";
import type { SignerClient } from "../executor/txManager.ts";

export const W = 10n ** 18n;
export const ETH = 1n;
export const BTC = 2n;
const USDC = 10n ** 6n;

/** Dev accounts: 0 deploys and administers, 1 is the LP, 2.. are keepers. */
export const ADMIN = devAccount(0);
export const LP = devAccount(1);
export const KEEPER_ACCOUNTS = [devAccount(2), devAccount(3), devAccount(4), devAccount(5)];
/** Their private keys, for configs (the dev mnemonic's well-known keys). */
export function keyOf(index: number): Hex {
  const key = devAccount(index).getHdKey().privateKey;
  if (key === null) throw new Error("no key");
  return `0x${Buffer.from(key).toString("hex")}`;
}

type SpawnerArtifact = { abi: Abi; bytecode: Hex };

/** A running chain with the protocol. */
export type TestChain = {
  readonly kind: LocalNodeKind;
  readonly node: LocalNode;
  readonly rpcUrl: string;
  readonly deployment: LocalDeployment;
  readonly client: PublicClient;
  readonly spawner: Address;
  /** Sends a transaction from the admin and waits for it to be mined (mines a block when automine is off). */
  admin(to: Address, abi: Abi, functionName: string, args: readonly unknown[]): Promise<Hex>;
  /** Raw JSON-RPC. */
  rpc(method: string, params?: readonly unknown[]): Promise<unknown>;
  /** Mines one block. */
  mine(): Promise<void>;
  /** Turns automine on or off. */
  setAutomine(on: boolean): Promise<void>;
  /** Publishes an oracle round at a USD price (e.g. "3800"). */
  setPrice(marketId: bigint, priceUsd: string): Promise<void>;
  /** Publishes rounds on several markets in one block (automine off); returns the block. */
  setPricesInOneBlock(prices: readonly (readonly [bigint, string])[]): Promise<bigint>;
  /** Spawns `count` positions of `sizeWad` at `leverage`× (margin = notional / leverage), `perCall` per transaction. */
  spawn(marketId: bigint, sizeWad: bigint, leverage: number, count: number, perCall?: number): Promise<void>;
  /** The LP withdraws all it may (down to the vault's floor): the vault then has no capacity left for deficits. */
  drainVault(): Promise<void>;
  /** Every open position and whether the chain says it is liquidatable now. */
  positions(blockNumber?: bigint): Promise<ChainPosition[]>;
  /** Wallet clients of keeper accounts. */
  wallets(indexes: readonly number[], transport?: Transport): SignerClient[];
  /** A keeper config for this chain. */
  config(overrides?: Partial<KeeperConfig>): KeeperConfig;
  /** Takes a snapshot; returns its id. */
  snapshot(): Promise<string>;
  /** Reverts to a snapshot (and takes it again for reuse). */
  revert(id: string): Promise<string>;
  /** Liquidated events in a block range, by account (lower-case) → count. */
  liquidations(fromBlock: bigint, toBlock: bigint): Promise<Map<string, { count: number; blocks: bigint[]; keepers: string[] }>>;
  /** Stops the node. */
  stop(): Promise<void>;
};

/** An open position as the chain reports it. */
export type ChainPosition = {
  readonly account: Address;
  readonly marketId: bigint;
  readonly sizeWad: bigint;
  readonly inLiquidation: boolean;
  readonly liquidatable: boolean;
};

const PRICES: Record<string, bigint> = { "1": 4_000n, "2": 117_000n };

/** A USD price string as the mock feed's 8-decimal answer. */
function answerOf(priceUsd: string): bigint {
  const [whole, fraction = ""] = priceUsd.split(".");
  return BigInt(whole ?? "0") * 10n ** 8n + BigInt((fraction + "00000000").slice(0, 8));
}

/**
 * Starts a node, deploys, funds the vault and deploys the spawner.
 *
 * @param kind - hardhat or anvil.
 * @returns The chain.
 */
export async function startTestChain(kind: LocalNodeKind): Promise<TestChain> {
  const projectRoot = findProjectRoot(process.cwd());
  const node = await startLocalNode({ kind, projectRoot });
  try {
    const deployment = await deployProtocol({ rpcUrl: node.rpcUrl, projectRoot, deploymentId: `keeper-e2e-${kind}-${node.port}`, cleanup: true });
    const client = createPublicClient({ transport: http(node.rpcUrl, { retryCount: 0 }), pollingInterval: 50 }) as PublicClient;
    const adminWallet = createWalletClient({ account: ADMIN, transport: http(node.rpcUrl) });
    const lpWallet = createWalletClient({ account: LP, transport: http(node.rpcUrl) });
    let automine = true;
    const rpc = (method: string, params: readonly unknown[] = []) => client.request({ method: method as "eth_chainId", params: params as never });
    const mine = async () => {
      await rpc("evm_mine");
    };
    const wait = async (hash: Hex) => {
      if (!automine) await mine();
      const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
    };
    const admin = async (to: Address, abi: Abi, functionName: string, args: readonly unknown[]) => {
      // Estimates of PositionSpawner are tight (its salt depends on gasleft()): give headroom.
      const gas = await client.estimateContractGas({ address: to, abi, functionName, args, account: ADMIN } as never);
      const hash = await adminWallet.writeContract({ address: to, abi, functionName, args, chain: null, gas: (gas * 3n) / 2n } as never);
      await wait(hash);
      return hash;
    };
    const artifact = JSON.parse(readFileSync(join(projectRoot, "artifacts/contracts/mocks/PositionSpawner.sol/PositionSpawner.json"), "utf8")) as SpawnerArtifact;
    const deployHash = await adminWallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, chain: null });
    const spawner = (await client.waitForTransactionReceipt({ hash: deployHash })).contractAddress as Address;
    await admin(deployment.collateral, collateralTokenAbi, "mint", [LP.address, 10_000_000n * USDC]);
    await admin(deployment.collateral, collateralTokenAbi, "mint", [spawner, 100_000_000n * USDC]);
    const approve = await lpWallet.writeContract({ address: deployment.collateral, abi: collateralTokenAbi, functionName: "approve", args: [deployment.vault, 2n ** 255n], chain: null });
    await wait(approve);
    const deposit = await lpWallet.writeContract({ address: deployment.vault, abi: backstopVaultAbi, functionName: "deposit", args: [5_000_000n * USDC, LP.address], chain: null });
    await wait(deposit);
    const feedOf = async (marketId: bigint) => (await client.readContract({ address: deployment.registry, abi: marketRegistryAbi, functionName: "marketConfig", args: [marketId] })).feed;

    const chain: TestChain = {
      kind,
      node,
      rpcUrl: node.rpcUrl,
      deployment,
      client,
      spawner,
      admin,
      rpc,
      mine,
      async setAutomine(on) {
        await rpc("evm_setAutomine", [on]);
        automine = on;
      },
      async setPrice(marketId, priceUsd) {
        await admin(await feedOf(marketId), mockAggregatorAbi as Abi, "setPrice", [answerOf(priceUsd)]);
      },
      async setPricesInOneBlock(prices) {
        const hashes: Hex[] = [];
        for (const [marketId, priceUsd] of prices) {
          hashes.push(await adminWallet.writeContract({ address: await feedOf(marketId), abi: mockAggregatorAbi, functionName: "setPrice", args: [answerOf(priceUsd)], chain: null }));
        }
        await mine();
        const receipts = await Promise.all(hashes.map((hash) => client.waitForTransactionReceipt({ hash, pollingInterval: 50 })));
        const blocks = new Set(receipts.map((r) => r.blockNumber));
        if (blocks.size !== 1 || receipts.some((r) => r.status !== "success")) throw new Error("price updates not in one block");
        return receipts[0]?.blockNumber ?? 0n;
      },
      async drainVault() {
        const assets = await client.readContract({ address: deployment.vault, abi: backstopVaultAbi, functionName: "maxWithdraw", args: [LP.address] });
        const hash = await lpWallet.writeContract({ address: deployment.vault, abi: backstopVaultAbi, functionName: "withdraw", args: [assets, LP.address, LP.address], chain: null });
        await wait(hash);
      },
      async spawn(marketId, sizeWad, leverage, count, perCall = 20) {
        const price = PRICES[marketId.toString()] ?? 1n;
        const notional = ((sizeWad < 0n ? -sizeWad : sizeWad) * price * W) / W;
        const marginWad = (notional * 100n) / BigInt(Math.round(leverage * 100));
        const tier = leverage > 40 ? 4 : leverage > 20 ? 3 : leverage > 10 ? 2 : leverage > 3 ? 1 : 0;
        const tokensEach = marginWad / 10n ** 12n + 100n * USDC;
        for (let done = 0; done < count; done += perCall) {
          const n = Math.min(perCall, count - done);
          // PositionSpawner now and then fails to create an account (SpawnFailed, its salt depends on gasleft()):
          // a later block gets another salt.
          for (let attempt = 1; ; attempt++) {
            try {
              await admin(spawner, artifact.abi, "spawn", [deployment.engine, marketId, sizeWad, marginWad, tokensEach, tier, BigInt(n)]);
              break;
            } catch (error) {
              if (attempt >= 4) throw error;
              if (!automine) await mine();
              await rpc("evm_mine");
            }
          }
        }
      },
      async positions(blockNumber) {
        // The head as the node has it now: viem caches the block number (for the client's polling interval), and
        // waiting for a receipt may have cached the number from just before its block, so a cached read right
        // after a mined transaction can judge the chain one block (a price update) behind.
        const at = blockNumber ?? (await client.getBlockNumber({ cacheTime: 0 }));
        const count = await client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "accountCount", blockNumber: at });
        const out: ChainPosition[] = [];
        for (const marketId of [ETH, BTC]) {
          const [[priceWad], fundingIndexWad, config] = await Promise.all([
            client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "markPrice", args: [marketId], blockNumber: at }),
            client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "currentFundingIndex", args: [marketId], blockNumber: at }),
            client.readContract({ address: deployment.registry, abi: marketRegistryAbi, functionName: "marketConfig", args: [marketId], blockNumber: at }),
          ]);
          const ids = Array.from({ length: Number(count) }, (_, i) => i + 1);
          const read = await Promise.all(
            ids.map(async (id) => {
              const [account, p] = await Promise.all([
                client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "accountOf", args: [id], blockNumber: at }),
                client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "positionById", args: [marketId, id], blockNumber: at }),
              ]);
              return { account, p };
            })
          );
          for (const { account, p } of read) {
            if (p.sizeWad === 0n) continue;
            const liquidatable = isLiquidatable({ sizeWad: p.sizeWad, marginWad: p.marginWad, jWad: p.jWad, fundingIndexWad, priceWad, mmrWad: BigInt(config.mmrWad) });
            out.push({ account, marketId, sizeWad: p.sizeWad, inLiquidation: p.inLiquidation, liquidatable });
          }
        }
        return out;
      },
      wallets(indexes, transport) {
        return indexes.map((i) => createWalletClient({ account: KEEPER_ACCOUNTS[i] ?? devAccount(i + 2), transport: transport ?? http(node.rpcUrl) }) as SignerClient);
      },
      config(overrides = {}) {
        const base: KeeperConfig = {
          rpcUrls: [node.rpcUrl],
          deployment: { engine: deployment.engine, lens: deployment.lens, fromBlock: deployment.deploymentBlock },
          markets: "all",
          signerKeys: [new Secret(keyOf(2))],
          pollIntervalMs: 100,
          batchSize: 200,
          logChunkBlocks: 500,
          reorgDepth: 64,
          gas: { maxFeePerGasWei: undefined, priorityFeeWei: undefined, replacementWaitMs: 60_000, feeBumpPercent: 25, maxReplacements: 5, maxTxGas: undefined, gasPerPosition: 150_000n },
          metrics: { host: "127.0.0.1", port: 0 },
          health: { maxAgeSeconds: 30, minSignerBalanceWei: 0n },
          duties: { adlMirror: true, poke: true, tierDrops: true, solvencyAdl: true },
          logLevel: "warn",
        };
        return { ...base, ...overrides };
      },
      async snapshot() {
        return (await rpc("evm_snapshot")) as string;
      },
      async revert(id) {
        await rpc("evm_revert", [id]);
        return (await rpc("evm_snapshot")) as string;
      },
      async liquidations(fromBlock, toBlock) {
        const logs = await client.getLogs({ address: deployment.engine, fromBlock, toBlock });
        const events = parseEventLogs({ abi: perpEngineAbi, logs, eventName: "Liquidated" });
        const byAccount = new Map<string, { count: number; blocks: bigint[]; keepers: string[] }>();
        for (const e of events) {
          const key = e.args.account.toLowerCase();
          const entry = byAccount.get(key) ?? { count: 0, blocks: [], keepers: [] };
          entry.count++;
          entry.blocks.push(e.blockNumber);
          entry.keepers.push(e.args.keeper.toLowerCase());
          byAccount.set(key, entry);
        }
        return byAccount;
      },
      stop: () => node.stop(),
    };
    return chain;
  } catch (error) {
    await node.stop();
    throw error;
  }
}

/**
 * The standard book: on ETH, longs at 60x, 30x, 15x and 5x and shorts at 60x and 10x; on BTC, longs at 50x and 8x and
 * shorts at 50x. A 3% fall liquidates the 60x and 30x ETH longs and the 50x BTC longs.
 *
 * @param chain - The chain.
 * @param scale - Multiplies the counts.
 */
export async function spawnBook(chain: TestChain, scale = 1): Promise<void> {
  const n = (count: number) => Math.max(1, Math.round(count * scale));
  await chain.spawn(ETH, W / 2n, 60, n(25));
  await chain.spawn(ETH, W / 2n, 30, n(20));
  await chain.spawn(ETH, W / 2n, 15, n(10));
  await chain.spawn(ETH, W / 2n, 5, n(10));
  await chain.spawn(ETH, -(W / 2n), 60, n(10));
  await chain.spawn(ETH, -(W / 2n), 10, n(10));
  await chain.spawn(BTC, W / 50n, 50, n(20));
  await chain.spawn(BTC, W / 50n, 8, n(5));
  await chain.spawn(BTC, -(W / 50n), 50, n(5));
}
