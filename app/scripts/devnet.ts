/**
 * A local devnet for the app, built from the SDK's testing blocks: a Hardhat node, the protocol deployed with
 * Ignition, the vault and the insurance fund funded, a few positions on both sides of each market (so the ADL
 * lists have heads), funded test accounts, the real keeper running in process, and optionally a price feeder.
 * It writes the app's deployment config (chain id, RPC URL, Ignition's addresses, test-account keys).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import {
  backstopVaultAbi,
  collateralTokenAbi,
  createPerpClient,
  marketRegistryAbi,
  mockAggregatorAbi,
  perpEngineAbi,
} from "@open-waterfall/sdk";
import { deployProtocol, devAccount, findProjectRoot, startLocalNode, type LocalDeployment, type LocalNode } from "@open-waterfall/sdk/testing";
import { createPublicClient, createWalletClient, http, type Abi, type Address, type Hex, type HDAccount, type PublicClient } from "viem";

import { createKeeper, Secret, type Keeper, type KeeperConfig } from "@open-waterfall/keeper";

const W = 10n ** 18n;
const USDC = 10n ** 6n;
/** Feed answers have 8 decimals. */
const FEED_UNIT = 10n ** 8n;

/** Roles among the node's funded development accounts. */
const ADMIN = 0;
const LP = 1;
const KEEPER = 2;
/** The accounts the app offers as test accounts, with their labels. */
export const TEST_ACCOUNTS = [
  { index: 9, label: "Trader" },
  { index: 10, label: "Trader 2" },
] as const;
/** Seeded positions: account, market, signed size (units), leverage. */
const SEED_POSITIONS: readonly { index: number; marketId: bigint; sizeWad: bigint; leverage: bigint }[] = [
  { index: 11, marketId: 1n, sizeWad: -5n * W, leverage: 30n },
  { index: 12, marketId: 1n, sizeWad: -2n * W, leverage: 50n },
  { index: 13, marketId: 1n, sizeWad: 3n * W, leverage: 5n },
  { index: 14, marketId: 1n, sizeWad: -4n * W, leverage: 12n },
  { index: 15, marketId: 2n, sizeWad: -(W / 10n), leverage: 15n },
  { index: 16, marketId: 2n, sizeWad: W / 5n, leverage: 45n },
];

/** The app's deployment config, as written to disk (see the app's `appConfigSchema`). */
export type DevnetAppConfig = {
  chainId: number;
  chainName: string;
  rpcUrl: string;
  deployedAddresses: Record<string, string>;
  deploymentBlock: string;
  testAccounts: { label: string; privateKey: Hex }[];
};

/** A running devnet. */
export type Devnet = {
  readonly node: LocalNode;
  readonly rpcUrl: string;
  readonly deployment: LocalDeployment;
  readonly client: PublicClient;
  readonly appConfig: DevnetAppConfig;
  readonly keeper: Keeper;
  /** Publishes an oracle round: a WAD price for a market. */
  setPrice(marketId: bigint, priceWad: bigint): Promise<void>;
  /** The market's oracle price, WAD. */
  price(marketId: bigint): Promise<bigint>;
  /** Stops the feeder, the keeper and the node, and removes Ignition's files. Safe to call twice. */
  stop(): Promise<void>;
};

/** Parameters of {@link startDevnet}. */
export type StartDevnetParameters = {
  /** Where to write the app's deployment config. */
  configFile: string;
  /** Node port (a free one when omitted). */
  port?: number;
  /** Move prices by a small random walk every `feedIntervalMs` (default off). */
  feedIntervalMs?: number;
  /** Keeper log level (default "warn"). */
  keeperLogLevel?: KeeperConfig["logLevel"];
};

/** A development account's private key. */
export function keyOf(account: HDAccount): Hex {
  const key = account.getHdKey().privateKey;
  if (key === null) throw new Error("development account without a private key");
  return `0x${Buffer.from(key).toString("hex")}`;
}

/**
 * Starts the devnet. On failure, whatever was started is stopped before the error is thrown.
 *
 * @param parameters - {@link StartDevnetParameters}
 */
export async function startDevnet(parameters: StartDevnetParameters): Promise<Devnet> {
  const projectRoot = findProjectRoot(process.cwd());
  const node = await startLocalNode({ kind: "hardhat", projectRoot, ...(parameters.port === undefined ? {} : { port: parameters.port }) });
  let deploymentDir: string | undefined;
  let keeper: Keeper | undefined;
  let feeder: ReturnType<typeof setInterval> | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (feeder !== undefined) clearInterval(feeder);
    await keeper?.stop().catch(() => undefined);
    await node.stop();
    if (deploymentDir !== undefined) rmSync(deploymentDir, { recursive: true, force: true });
  };
  try {
    const deployment = await deployProtocol({ rpcUrl: node.rpcUrl, projectRoot, deploymentId: `app-devnet-${node.port}` });
    deploymentDir = deployment.deploymentDir;
    const deployedAddresses = JSON.parse(readFileSync(join(deploymentDir, "deployed_addresses.json"), "utf8")) as Record<string, string>;
    const client = createPublicClient({ transport: http(node.rpcUrl, { retryCount: 0 }), pollingInterval: 100 }) as PublicClient;
    const wallet = (index: number) => createWalletClient({ account: devAccount(index), transport: http(node.rpcUrl) });
    const admin = wallet(ADMIN);
    const send = async (index: number, to: Address, abi: Abi, functionName: string, args: readonly unknown[]): Promise<void> => {
      const hash = await wallet(index).writeContract({ address: to, abi, functionName, args, chain: null } as never);
      const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      if (receipt.status !== "success") throw new Error(`${functionName} reverted (${hash})`);
    };
    const feedOf = async (marketId: bigint): Promise<Address> =>
      (await client.readContract({ address: deployment.registry, abi: marketRegistryAbi, functionName: "marketConfig", args: [marketId] })).feed;
    const price = async (marketId: bigint): Promise<bigint> =>
      (await client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "markPrice", args: [marketId] }))[0];
    const setPrice = async (marketId: bigint, priceWad: bigint): Promise<void> => {
      await send(ADMIN, await feedOf(marketId), mockAggregatorAbi as Abi, "setPrice", [(priceWad * FEED_UNIT) / W]);
    };
    const mint = (to: Address, amount: bigint) => send(ADMIN, deployment.collateral, collateralTokenAbi as Abi, "mint", [to, amount]);

    // Liquidity: the vault (LP) and the insurance fund (admin's donation).
    await mint(devAccount(LP).address, 5_000_000n * USDC);
    await send(LP, deployment.collateral, collateralTokenAbi as Abi, "approve", [deployment.vault, 5_000_000n * USDC]);
    await send(LP, deployment.vault, backstopVaultAbi as Abi, "deposit", [5_000_000n * USDC, devAccount(LP).address]);
    await mint(admin.account.address, 50_000n * USDC);
    await send(ADMIN, deployment.collateral, collateralTokenAbi as Abi, "approve", [deployment.engine, 50_000n * USDC]);
    await send(ADMIN, deployment.engine, perpEngineAbi as Abi, "donateInsurance", [50_000n * USDC]);

    // A short price history, so the charts have rounds from the start.
    for (const marketId of [1n, 2n]) {
      const p0 = await price(marketId);
      for (const bps of [-30n, 20n, -10n, 40n, 0n]) await setPrice(marketId, p0 + (p0 * bps) / 10_000n);
    }

    // Seeded positions on both sides, at several leverages (several ADL tiers).
    for (const seed of SEED_POSITIONS) {
      const perp = createPerpClient({ publicClient: client, walletClient: wallet(seed.index), deployment });
      const p = await price(seed.marketId);
      const notionalWad = ((seed.sizeWad < 0n ? -seed.sizeWad : seed.sizeWad) * p) / W;
      const marginWad = notionalWad / seed.leverage;
      const depositTokenUnits = marginWad / 10n ** 12n + 100n * USDC;
      await mint(devAccount(seed.index).address, depositTokenUnits);
      await perp.deposit({ amountTokenUnits: depositTokenUnits });
      await perp.trade({ marketId: seed.marketId, sizeDeltaWad: seed.sizeWad, marginWad, slippageBps: 100 });
    }

    // Test accounts: funded with test USDC in their wallets.
    for (const { index } of TEST_ACCOUNTS) await mint(devAccount(index).address, 100_000n * USDC);

    const deploymentBlock = deployment.deploymentBlock;
    const config: KeeperConfig = {
      rpcUrls: [node.rpcUrl],
      deployment: { engine: deployment.engine, lens: deployment.lens, fromBlock: deploymentBlock },
      markets: "all",
      signerKeys: [new Secret(keyOf(devAccount(KEEPER)))],
      pollIntervalMs: 250,
      batchSize: 200,
      logChunkBlocks: 2_000,
      reorgDepth: 16,
      gas: { maxFeePerGasWei: undefined, priorityFeeWei: undefined, replacementWaitMs: 60_000, feeBumpPercent: 25, maxReplacements: 5, maxTxGas: undefined, gasPerPosition: 150_000n },
      metrics: { host: "127.0.0.1", port: 0 },
      health: { maxAgeSeconds: 60, minSignerBalanceWei: 0n },
      duties: { adlMirror: true, poke: true, tierDrops: true, solvencyAdl: true },
      logLevel: parameters.keeperLogLevel ?? "warn",
    };
    keeper = createKeeper({ config, publicClient: client, walletClients: [wallet(KEEPER)] });
    await keeper.start();

    if (parameters.feedIntervalMs !== undefined) {
      let busy = false;
      feeder = setInterval(() => {
        if (busy) return;
        busy = true;
        void (async () => {
          for (const marketId of [1n, 2n]) {
            const p = await price(marketId);
            // A random step of up to ±0.25%.
            const bps = BigInt(Math.floor(Math.random() * 51) - 25);
            await setPrice(marketId, p + (p * bps) / 10_000n);
          }
        })()
          .catch((error: unknown) => {
            // A round in flight when the devnet stops fails harmlessly.
            if (!stopped) console.error("price feeder:", error instanceof Error ? error.message : error);
          })
          .finally(() => {
            busy = false;
          });
      }, parameters.feedIntervalMs);
    }

    const appConfig: DevnetAppConfig = {
      chainId: node.chainId,
      chainName: "Local devnet",
      rpcUrl: node.rpcUrl,
      deployedAddresses,
      deploymentBlock: deploymentBlock.toString(),
      testAccounts: TEST_ACCOUNTS.map(({ index, label }) => ({ label, privateKey: keyOf(devAccount(index)) })),
    };
    writeFileSync(parameters.configFile, `${JSON.stringify(appConfig, null, 2)}\n`);
    return { node, rpcUrl: node.rpcUrl, deployment, client, appConfig, keeper, setPrice, price, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
