/**
 * `npm run devnet`: a local chain to click around on. Starts a Hardhat node on 127.0.0.1, deploys the protocol
 * with Ignition (keeping its files under ignition/deployments/devnet, the deployment file the SDK's
 * readIgnitionDeployment reads), funds the backstop vault and the insurance fund, opens a few traders'
 * positions, gives the node's test accounts tokens, then runs the project's keeper and a price feeder (a random
 * walk, or a CSV's rows for ETH-USD) until it is stopped, and stops everything it started.
 */
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { collateralTokenAbi, marketRegistryAbi, mockAggregatorAbi } from "@open-waterfall/sdk";
import { startLocalNode, type LocalNode } from "@open-waterfall/sdk/testing";
import { bytesToHex, keccak256, stringToHex, type Account, type Address, type Hex } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { connectChain, type ChainConnection } from "../replay/chain.ts";
import { deployProtocol, type Deployment } from "../replay/deploy.ts";
import { createReplayKeeper, type ReplayKeeper } from "../replay/keeper.ts";
import { Miner } from "../replay/miner.ts";
import { planPopulation, seededRandom } from "../replay/population.ts";
import { loadPrices, type PricePath } from "../replay/prices.ts";
import { ETHER_PER_ACCOUNT, FEES, seedLp, seedTraders } from "../replay/seed.ts";
import { WAD, feedAnswerToWad, usdToTokenUnits, wadToFeedAnswer, wadToNumber } from "../replay/units.ts";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
/** Ignition's deployment id of the devnet (its files: ignition/deployments/devnet). */
export const DEVNET_DEPLOYMENT_ID = "devnet";
/** The mnemonic of the Hardhat node's funded test accounts. */
const NODE_MNEMONIC = "test test test test test test test test test test test junk";

/** What the devnet is started with (the CLI's flags). */
export type DevnetOptions = {
  port: number;
  /** Ignition's deployment id (default {@link DEVNET_DEPLOYMENT_ID}); its files are replaced on every start. */
  deploymentId?: string;
  /** Traders the devnet opens positions for (seeded random, as in the replay). */
  traders: number;
  seed: number;
  vaultUsd: number;
  insuranceUsd: number;
  /** Test accounts of the node that get tokens (printed with their keys). */
  accounts: number;
  /** Tokens each test account gets, in USD. */
  accountUsd: number;
  /** Price file for ETH-USD (one row per step); a random walk of both markets when absent. */
  prices?: string;
  /** Milliseconds between price steps and keeper passes. */
  intervalMs: number;
  /** Keeper's pino level on stderr (silent by default). */
  keeperLogLevel?: string;
};

/** A running devnet. */
export type Devnet = {
  rpcUrl: string;
  chainId: number;
  /** The node's process id. */
  nodePid: number;
  deployment: Deployment;
  /** The test accounts with tokens: address and private key. */
  accounts: { address: Address; privateKey: Hex }[];
  /** Where the SDK's deployment file is. */
  deploymentDir: string;
  /** The lines printed for a wallet user. */
  banner: string;
  /** Stops the feeder, the keeper and the node; safe to call twice. */
  stop(): Promise<void>;
};

const roleKey = (role: string, seed: number) => keccak256(stringToHex(`open-waterfall devnet ${role} ${seed}`));

/** The node's test account `index` (Hardhat's default mnemonic) with its private key. */
export function nodeAccount(index: number): { address: Address; privateKey: Hex } {
  const account = mnemonicToAccount(NODE_MNEMONIC, { addressIndex: index });
  const key = account.getHdKey().privateKey;
  if (!key) throw new Error(`no private key for test account ${index}`);
  return { address: account.address, privateKey: bytesToHex(key) };
}

/**
 * Starts the devnet and returns once it is seeded and the keeper and the feeder are running.
 * @throws {PriceFileError} when `prices` is malformed (before the node starts).
 */
export async function startDevnet(o: DevnetOptions): Promise<Devnet> {
  const path: PricePath | undefined = o.prices ? await loadPrices(o.prices) : undefined;
  const node: LocalNode = await startLocalNode({ kind: "hardhat", port: o.port, projectRoot: ROOT });
  let conn: ChainConnection | undefined;
  let keeper: ReplayKeeper | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (timer) clearInterval(timer);
    await busy.catch(() => undefined);
    await keeper?.stop().catch(() => undefined);
    await conn?.close().catch(() => undefined);
    await node.stop();
  };
  try {
    conn = await connectChain(node.rpcUrl);
    const deploymentId = o.deploymentId ?? DEVNET_DEPLOYMENT_ID;
    const deploymentDir = join(ROOT, "ignition", "deployments", deploymentId);
    // A fresh node: an earlier devnet's journal would make Ignition look for contracts that are gone.
    await rm(deploymentDir, { recursive: true, force: true });
    const d = await deployProtocol(conn, { deploymentId, keepDeploymentFiles: true });

    // Seed with automine off (a batch per block), then hand the node back to its wallets with automine on.
    await conn.setAutomine(false);
    const miner = await Miner.start(conn);
    const lp = privateKeyToAccount(roleKey("lp", o.seed));
    const oracle = privateKeyToAccount(roleKey("oracle", o.seed));
    const keeperKeys = [roleKey("keeper-1", o.seed), roleKey("keeper-2", o.seed)];
    for (const a of [oracle, ...keeperKeys.map((k) => privateKeyToAccount(k))]) await conn.setBalance(a.address, ETHER_PER_ACCOUNT);
    await seedLp({ conn, miner, d, lp, vaultUsd: o.vaultUsd, insuranceUsd: o.insuranceUsd });
    const marketIds = [1n, 2n];
    const configs = await Promise.all(marketIds.map((id) => conn!.publicClient.readContract({ address: d.registry, abi: marketRegistryAbi, functionName: "marketConfig", args: [id] })));
    if (o.traders > 0) {
      const plans = planPopulation({
        traders: o.traders,
        seed: o.seed,
        markets: marketIds.map((id, i) => ({ marketId: id, maxLeverage: Number(WAD) / Number(configs[i].imrWad), traderShare: 0.5, shortProbability: 0.5 })),
      });
      await seedTraders({
        conn,
        miner,
        d,
        plans,
        markets: marketIds.map((id, i) => ({ marketId: id, tradingFeeWad: BigInt(configs[i].tradingFeeWad), tierBoundsX1e4: configs[i].tierBoundsX1e4 })),
      });
    }
    const accounts = Array.from({ length: o.accounts }, (_, i) => nodeAccount(i));
    const admin = conn.wallet(d.admin);
    for (const a of accounts) {
      await admin.writeContract({ address: d.usdc, abi: collateralTokenAbi, functionName: "mint", args: [a.address, usdToTokenUnits(o.accountUsd)], gas: 100_000n, ...FEES });
    }
    await miner.mineUntilEmpty();
    await conn.setAutomine(true);

    // The feeder and the keeper: one step per interval, one at a time.
    keeper = createReplayKeeper({ conn, d, privateKeys: keeperKeys, marketIds, fromBlock: 0n, logLevel: o.keeperLogLevel });
    const feeder = await createFeeder(conn, d, oracle, path, o.seed);
    const k = keeper;
    timer = setInterval(() => {
      busy = busy.then(async () => {
        if (stopped) return;
        try {
          await feeder.step();
          await k.tick();
        } catch (error) {
          if (!stopped) process.stderr.write(`devnet: ${(error as Error).message.split("\n")[0]}\n`);
        }
      });
    }, o.intervalMs);

    const chainId = conn.chain.id;
    const lines = [
      "open-waterfall devnet",
      "",
      `RPC URL     ${node.rpcUrl}`,
      `Chain id    ${chainId}`,
      "",
      "Contracts",
      `  PerpEngine      ${d.engine}`,
      `  MarketRegistry  ${d.registry}`,
      `  BackstopVault   ${d.vault}`,
      `  PerpLens        ${d.lens}`,
      `  MockUSDC        ${d.usdc}`,
      `  ETH-USD feed    ${d.feeds[1]}  (market 1)`,
      `  BTC-USD feed    ${d.feeds[2]}  (market 2)`,
      `  deployment file ${join("ignition", "deployments", deploymentId, "deployed_addresses.json")} (the SDK's readIgnitionDeployment)`,
      `Node process ${node.pid}`,
      "",
      `Test accounts (10,000 ETH and ${o.accountUsd.toLocaleString("en-US")} USDC each; test keys, never use them elsewhere)`,
      ...accounts.map((a, i) => `  (${i}) ${a.address}  ${a.privateKey}`),
      "",
      `Seeded: vault $${o.vaultUsd.toLocaleString("en-US")}, insurance $${o.insuranceUsd.toLocaleString("en-US")}, ${o.traders} traders; keeper and price feeder (${path ? `CSV ${o.prices}` : "random walk"}) every ${o.intervalMs} ms`,
      "Press Ctrl-C to stop.",
    ];
    const banner = lines.join("\n");
    await writeFile(join(deploymentDir, "devnet.json"), `${JSON.stringify({ rpcUrl: node.rpcUrl, chainId, nodePid: node.pid, ...d, accounts: accounts.map((a) => a.address) }, null, 2)}\n`);
    return { rpcUrl: node.rpcUrl, chainId, nodePid: node.pid, deployment: d, accounts, deploymentDir, banner, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Moves the feeds: a CSV's rows for ETH-USD, or a seeded random walk (±0.3% a step) of ETH-USD and BTC-USD. */
async function createFeeder(conn: ChainConnection, d: Deployment, oracle: Account, path: PricePath | undefined, seed: number) {
  const w = conn.wallet(oracle);
  const random = seededRandom(seed);
  const feeds = [d.feeds[1], d.feeds[2]];
  const prices = await Promise.all(
    feeds.map(async (feed) => feedAnswerToWad((await conn.publicClient.readContract({ address: feed, abi: mockAggregatorAbi, functionName: "latestRoundData" }))[1])),
  );
  let row = 0;
  return {
    async step(): Promise<void> {
      if (path) {
        // The CSV's price path, scaled to start at the market's price.
        const scaled = (path.rows[row % path.rows.length].priceWad * prices[0]) / path.rows[0].priceWad;
        row++;
        await w.writeContract({ address: feeds[0], abi: mockAggregatorAbi, functionName: "setPrice", args: [wadToFeedAnswer(scaled)], gas: 200_000n, ...FEES });
        return;
      }
      for (let i = 0; i < feeds.length; i++) {
        const move = Math.round((random() - 0.5) * 2 * 30); // ±0.30% in basis points
        prices[i] = (prices[i] * BigInt(10_000 + move)) / 10_000n;
        await w.writeContract({ address: feeds[i], abi: mockAggregatorAbi, functionName: "setPrice", args: [wadToFeedAnswer(prices[i])], gas: 200_000n, ...FEES });
      }
    },
    /** The latest prices, in USD (for display). */
    prices: () => prices.map(wadToNumber),
  };
}
