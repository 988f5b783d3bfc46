/**
 * Deploys the system with the project's Ignition module and lists (or picks) the market a price file drives.
 */
import { readFile, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { marketRegistryAbi, mockAggregatorAbi } from "@open-waterfall/sdk";
import { hexToString, stringToHex, type Address, type Hex } from "viem";
import ProtocolModule from "../../ignition/modules/Protocol.ts";
import type { ChainConnection } from "./chain.ts";
import type { MarketParams } from "./params.ts";
import { FEED_DECIMALS, WAD, usdToWad, wadToFeedAnswer } from "./units.ts";
import { sendAndWait } from "./tx.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Addresses of a deployed system. */
export type Deployment = {
  admin: Address;
  usdc: Address;
  registry: Address;
  engine: Address;
  vault: Address;
  lens: Address;
  /** Mock feed per market id. */
  feeds: Record<number, Address>;
};

/** Parameters of {@link deployProtocol}. */
export type DeployProtocolParameters = {
  /** Ignition deployment id for a running node; the files are kept only when `keepDeploymentFiles` is set. */
  deploymentId?: string;
  keepDeploymentFiles?: boolean;
};

/**
 * Deploys the whole system with `ignition/modules/Protocol.ts` (mock USDC, mock feeds, registry, engine and
 * its modules, vault, lens; ETH-USD and BTC-USD listed). Automine must be on.
 */
export async function deployProtocol(conn: ChainConnection, p: DeployProtocolParameters = {}): Promise<Deployment> {
  const deploymentId = p.deploymentId ?? (conn.rpcUrl ? `replay-${process.pid}-${Date.now()}` : undefined);
  const d = await conn.hardhat.ignition.deploy(ProtocolModule, deploymentId ? { deploymentId } : {});
  if (conn.rpcUrl && deploymentId && !p.keepDeploymentFiles) {
    // A replay's deployment is throw-away; its addresses travel in the report.
    await rm(join(ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  }
  const address = async (c: { getAddress(): Promise<string> }) => (await c.getAddress()) as Address;
  const accounts = (await conn.hardhat.provider.request({ method: "eth_accounts" })) as Address[];
  return {
    admin: accounts[0],
    usdc: await address(d.usdc),
    registry: await address(d.registry),
    engine: await address(d.engine),
    vault: await address(d.vault),
    lens: await address(d.lens),
    feeds: { 1: await address(d.feedETHUSD), 2: await address(d.feedBTCUSD) },
  };
}

/** The market a replay drives. */
export type ReplayMarket = { marketId: bigint; feed: Address; symbol: string; params: MarketParams };

async function mockAggregatorBytecode(): Promise<Hex> {
  const path = join(ROOT, "artifacts", "contracts", "mocks", "MockAggregator.sol", "MockAggregator.json");
  return JSON.parse(await readFile(path, "utf8")).bytecode as Hex;
}

/** Parameters of {@link prepareReplayMarket}. */
export type PrepareReplayMarketParameters = {
  params: MarketParams;
  /** The first price of the file. */
  initialPriceWad: bigint;
  /** Raises the market's open-interest cap so the seeded population fits (USD, WAD). */
  minOiCapUsdWad: bigint;
  /** Use the module's market of the same symbol when the parameters are its presets. */
  reuseListed: boolean;
};

/**
 * Lists the replayed market with its own mock feed at the file's first price (or, for ETH and BTC at their
 * presets, re-prices the module's market), so the other markets keep their prices.
 */
export async function prepareReplayMarket(
  conn: ChainConnection,
  d: Deployment,
  p: PrepareReplayMarketParameters,
): Promise<ReplayMarket> {
  const admin = conn.wallet(d.admin);
  const count = await conn.publicClient.readContract({ address: d.registry, abi: marketRegistryAbi, functionName: "marketCount" });
  const symbols: string[] = [];
  for (let id = 1n; id <= count; id++) {
    const s = await conn.publicClient.readContract({ address: d.registry, abi: marketRegistryAbi, functionName: "symbolOf", args: [id] });
    symbols.push(hexToString(s, { size: 32 }).replace(/\0+$/, ""));
  }
  const existing = symbols.indexOf(p.params.symbol);
  const oiCap = p.params.oiCapUsdWad > p.minOiCapUsdWad ? p.params.oiCapUsdWad : p.minOiCapUsdWad;
  if (existing >= 0 && p.reuseListed && oiCap === p.params.oiCapUsdWad) {
    const marketId = BigInt(existing + 1);
    const feed = d.feeds[existing + 1];
    await sendAndWait(conn, admin, { address: feed, abi: mockAggregatorAbi, functionName: "setPrice", args: [wadToFeedAnswer(p.initialPriceWad)] });
    return { marketId, feed, symbol: p.params.symbol, params: p.params };
  }
  let symbol = p.params.symbol;
  for (let n = 2; symbols.includes(symbol); n++) symbol = `${p.params.symbol}-${n}`;

  const hash = await admin.deployContract({
    abi: mockAggregatorAbi,
    bytecode: await mockAggregatorBytecode(),
    args: [FEED_DECIMALS, `${symbol} replay`, wadToFeedAnswer(p.initialPriceWad)],
  });
  const receipt = await conn.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress) throw new Error(`deploying the ${symbol} feed failed`);
  const feed = receipt.contractAddress;
  const answer = wadToFeedAnswer(p.initialPriceWad);
  // skewScale = $10B of notional at the starting price (DESIGN), as the presets do.
  const skewScaleWad = (usdToWad("10000000000") * WAD) / p.initialPriceWad;
  const config = {
    feed,
    feedDecimals: FEED_DECIMALS,
    heartbeat: p.params.heartbeatSec,
    listed: false,
    deviationWad: p.params.deviationWad,
    latencyBufferWad: p.params.latencyBufferWad,
    tradingFeeWad: p.params.tradingFeeWad,
    liquidationFeeExtraWad: p.params.liquidationFeeExtraWad,
    mmrWad: p.params.mmrWad,
    imrWad: p.params.imrWad,
    maxFundingRatePerDayWad: usdToWad("0.01"),
    vaultExposureCapWad: WAD,
    skewScaleWad,
    oiCapUsdWad: oiCap,
    minNotionalUsdWad: usdToWad("1000"),
    insuranceDailyCapUsdWad: usdToWad("5000"),
    // The feed's circuit breaker: 1/10^6 and 1000× the starting price, so a −100% path (LUNA) still reads.
    minAnswer: answer / 1_000_000n > 0n ? answer / 1_000_000n : 1n,
    maxAnswer: answer * 1000n,
    tierBoundsX1e4: [30_000, 100_000, 200_000, 400_000] as const,
  } as const;
  await sendAndWait(conn, admin, {
    address: d.registry,
    abi: marketRegistryAbi,
    functionName: "listMarket",
    args: [stringToHex(symbol, { size: 32 }), config],
  });
  const marketId = await conn.publicClient.readContract({ address: d.registry, abi: marketRegistryAbi, functionName: "marketCount" });
  d.feeds[Number(marketId)] = feed;
  return { marketId, feed, symbol, params: { ...p.params, symbol, oiCapUsdWad: oiCap } };
}
