/**
 * The local devnet (`npm run devnet`, `npm run app`, the app's end-to-end test): a chain to click around on.
 * Starts a Hardhat node on 127.0.0.1, deploys the protocol with Ignition (keeping its files under
 * ignition/deployments/<id>, the deployment file the SDK's readIgnitionDeployment reads), funds the backstop vault
 * and the insurance fund, opens a few traders' positions, publishes a short price history, gives the node's test
 * accounts tokens, optionally writes the app's deployment config, then runs the project's keeper and (unless turned
 * off) a price feeder (a random walk, or a CSV's rows for ETH-USD) until it is stopped, and stops everything it
 * started.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { collateralTokenAbi, marketRegistryAbi, mockAggregatorAbi, perpEngineAbi, readIgnitionDeployment, type AnyPublicClient, type ProtocolDeployment } from "@open-waterfall/sdk";
import { devAccount, startLocalNode, type LocalNode } from "@open-waterfall/sdk/testing";
import { bytesToHex, keccak256, stringToHex, type Account, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
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
/** Price steps published right after seeding, so charts have rounds from the start. */
const HISTORY_STEPS = 5;

/** What the devnet is started with (the CLI's flags). */
export type DevnetOptions = {
  /** Node port on 127.0.0.1 (a free one when omitted). */
  port?: number;
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
  /** Run the price feeder every interval (default true); the keeper runs either way. */
  feeder?: boolean;
  /** Where to write the app's deployment config ({@link DevnetAppConfig}); none when omitted. */
  appConfigFile?: string;
  /** Keeper's pino level on stderr (silent by default). */
  keeperLogLevel?: string;
};

/** The app's deployment config, as written to `appConfigFile` (the app's `appConfigSchema` reads it). */
export type DevnetAppConfig = {
  chainId: number;
  chainName: string;
  rpcUrl: string;
  /** Ignition's `deployed_addresses.json`. */
  deployedAddresses: Record<string, string>;
  /** The deployment's first block, as a decimal string. */
  deploymentBlock: string;
  /** The funded test accounts the app offers, with their keys. */
  testAccounts: { label: string; privateKey: Hex }[];
};

/** A running devnet. */
export type Devnet = {
  rpcUrl: string;
  chainId: number;
  /** The node's process id. */
  nodePid: number;
  deployment: Deployment;
  /** The same deployment as the SDK reads it (with its first block). */
  protocol: ProtocolDeployment;
  /** A public client on the node. */
  client: AnyPublicClient;
  /** The test accounts with tokens: address and private key. */
  accounts: { address: Address; privateKey: Hex }[];
  /** Where the SDK's deployment file is. */
  deploymentDir: string;
  /** The lines printed for a wallet user. */
  banner: string;
  /** Publishes an oracle round for a market (a WAD price), between the feeder's and the keeper's steps. */
  setPrice(marketId: bigint, priceWad: bigint): Promise<void>;
  /** A market's mark price (WAD). */
  price(marketId: bigint): Promise<bigint>;
  /** Stops the feeder, the keeper and the node; safe to call twice. */
  stop(): Promise<void>;
};

const roleKey = (role: string, seed: number) => keccak256(stringToHex(`open-waterfall devnet ${role} ${seed}`));

/** The node's test account `index` (the SDK's development accounts) with its private key. */
export function nodeAccount(index: number): { address: Address; privateKey: Hex } {
  const account = devAccount(index);
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
  const node: LocalNode = await startLocalNode({ kind: "hardhat", projectRoot: ROOT, ...(o.port === undefined ? {} : { port: o.port }) });
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

    // A short price history, so charts have rounds from the start.
    const feeder = await createFeeder(conn, d, oracle, path, o.seed);
    for (let i = 0; i < HISTORY_STEPS; i++) await feeder.step();

    // The feeder and the keeper: one step per interval, one at a time.
    keeper = createReplayKeeper({ conn, d, privateKeys: keeperKeys, marketIds, fromBlock: 0n, logLevel: o.keeperLogLevel });
    const k = keeper;
    const runFeeder = o.feeder ?? true;
    timer = setInterval(() => {
      busy = busy.then(async () => {
        if (stopped) return;
        try {
          if (runFeeder) await feeder.step();
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
      `Seeded: vault $${o.vaultUsd.toLocaleString("en-US")}, insurance $${o.insuranceUsd.toLocaleString("en-US")}, ${o.traders} traders; ${runFeeder ? `keeper and price feeder (${path ? `CSV ${o.prices}` : "random walk"})` : "keeper (no price feeder)"} every ${o.intervalMs} ms`,
      "Press Ctrl-C to stop.",
    ];
    const banner = lines.join("\n");
    await writeFile(join(deploymentDir, "devnet.json"), `${JSON.stringify({ rpcUrl: node.rpcUrl, chainId, nodePid: node.pid, ...d, accounts: accounts.map((a) => a.address) }, null, 2)}\n`);
    const protocol = await readIgnitionDeployment(deploymentDir);
    if (o.appConfigFile !== undefined) {
      const appConfig: DevnetAppConfig = {
        chainId,
        chainName: "Local devnet",
        rpcUrl: node.rpcUrl,
        deployedAddresses: JSON.parse(await readFile(join(deploymentDir, "deployed_addresses.json"), "utf8")) as Record<string, string>,
        deploymentBlock: protocol.deploymentBlock.toString(),
        testAccounts: accounts.map((a, i) => ({ label: `Account ${i}`, privateKey: a.privateKey })),
      };
      await writeFile(o.appConfigFile, `${JSON.stringify(appConfig, null, 2)}\n`);
    }
    const c = conn;
    const oracleWallet = c.wallet(oracle);
    const setPrice = (marketId: bigint, priceWad: bigint): Promise<void> => {
      const feed = d.feeds[Number(marketId)];
      if (feed === undefined) return Promise.reject(new RangeError(`the devnet has no market ${marketId}`));
      const step = busy.then(async () => {
        const hash = await oracleWallet.writeContract({ address: feed, abi: mockAggregatorAbi, functionName: "setPrice", args: [wadToFeedAnswer(priceWad)], gas: 200_000n, ...FEES });
        const receipt = await c.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
        if (receipt.status !== "success") throw new Error(`setPrice reverted (${hash})`);
      });
      busy = step.catch(() => undefined);
      return step;
    };
    const price = async (marketId: bigint): Promise<bigint> =>
      (await c.publicClient.readContract({ address: d.engine, abi: perpEngineAbi, functionName: "markPrice", args: [marketId] }))[0];
    const client: AnyPublicClient = c.publicClient;
    return { rpcUrl: node.rpcUrl, chainId, nodePid: node.pid, deployment: d, protocol, client, accounts, deploymentDir, banner, setPrice, price, stop };
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
