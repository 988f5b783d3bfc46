/**
 * Shared set-up for the TypeScript tests: the whole system deployed with the Ignition module on Hardhat's
 * in-process network, typed contracts, funded actors, and small helpers to move the oracle and time.
 */
import { network } from "hardhat";
import ProtocolModule from "../../ignition/modules/Protocol.js";
import {
  BackstopVault__factory,
  MarketRegistry__factory,
  MockAggregator__factory,
  MockUSDC__factory,
  IPerpEngine__factory,
  LiquidationModule__factory,
  SolvencyModule__factory,
  PerpEngine__factory,
  PerpLens__factory,
} from "../../types/ethers-contracts/index.js";
import { FEED_DECIMALS, WAD } from "../../ignition/presets.js";

export const { ethers, networkHelpers, ignition } = await network.create();

export const ETH = 1n; // market ids follow the listing order of the module
export const BTC = 2n;
export const USDC = 10n ** 6n;
export const TOKEN_TO_WAD = 10n ** 12n;

/** A decimal string as an 18-decimal bigint. */
export const w = (value: string | number): bigint => ethers.parseUnits(String(value), 18);
/** A decimal string as a 6-decimal token amount. */
export const tokens = (value: string | number): bigint => ethers.parseUnits(String(value), 6);

/**
 * A standalone engine (with its own liquidation module) over any collateral and registry, typed with the full
 * surface at its address; for tests that need a second engine (another token, an unconnected vault).
 */
export async function deployEngine(
  admin: Awaited<ReturnType<typeof ethers.getSigners>>[number],
  collateral: string,
  registry: string
) {
  const solvency = await new SolvencyModule__factory(admin).deploy(collateral, registry);
  const module = await new LiquidationModule__factory(admin).deploy(collateral, registry, await solvency.getAddress());
  const engine = await new PerpEngine__factory(admin).deploy(collateral, registry, await module.getAddress(), admin.address);
  return IPerpEngine__factory.connect(await engine.getAddress(), admin);
}

/** The bare system: nothing funded, nothing traded. */
export async function deployProtocol() {
  const [admin, alice, bob, carol, lp, keeper, stranger] = await ethers.getSigners();
  const d = await ignition.deploy(ProtocolModule);
  const engine = IPerpEngine__factory.connect(await d.engine.getAddress(), admin);
  const registry = MarketRegistry__factory.connect(await d.registry.getAddress(), admin);
  const vault = BackstopVault__factory.connect(await d.vault.getAddress(), admin);
  const usdc = MockUSDC__factory.connect(await d.usdc.getAddress(), admin);
  const ethFeed = MockAggregator__factory.connect(await d.feedETHUSD.getAddress(), admin);
  const btcFeed = MockAggregator__factory.connect(await d.feedBTCUSD.getAddress(), admin);
  const lens = PerpLens__factory.connect(await d.lens.getAddress(), admin);
  return { admin, alice, bob, carol, lp, keeper, stranger, engine, registry, vault, usdc, ethFeed, btcFeed, lens };
}

export type System = Awaited<ReturnType<typeof deployProtocol>>;

/** One of the test accounts. */
export type Account = System["alice"];

/**
 * Mints `walletTokens` of USDC to each account and approves the engine (and the vault, when asked) for all of
 * it, then deposits `depositTokens` of it as free collateral when given; account by account, in that order.
 */
export async function fundAccounts(
  s: System,
  accounts: Account[],
  a: { walletTokens: bigint; approveVault?: boolean; depositTokens?: bigint }
): Promise<void> {
  for (const account of accounts) {
    await s.usdc.mint(account.address, a.walletTokens);
    await s.usdc.connect(account).approve(await s.engine.getAddress(), ethers.MaxUint256);
    if (a.approveVault === true) await s.usdc.connect(account).approve(await s.vault.getAddress(), ethers.MaxUint256);
    if (a.depositTokens !== undefined) await s.engine.connect(account).deposit(a.depositTokens);
  }
}

/**
 * Switches funding off in the given markets (the maximum rate to zero, the skew scale kept): F stays 0, so a
 * position's equity is m + s·(P − J) and expected numbers are closed formulas of the stored J and margin.
 */
export async function disableFunding(s: System, markets: bigint[] = [ETH]): Promise<void> {
  for (const market of markets) {
    const c = await s.registry.marketConfig(market);
    await s.registry.setFundingParams(market, c.skewScaleWad, 0n);
  }
}

/**
 * The system ready to trade: an LP has put $5M into the vault, and alice, bob and carol each hold $10M of
 * USDC with $100k deposited as free collateral (engine and vault approved).
 */
export async function deployFunded() {
  const s = await deployProtocol();
  await fundAccounts(s, [s.alice, s.bob, s.carol, s.lp, s.keeper], {
    walletTokens: tokens(10_000_000),
    approveVault: true,
  });
  await s.vault.connect(s.lp).deposit(tokens(5_000_000), s.lp.address);
  for (const signer of [s.alice, s.bob, s.carol]) await s.engine.connect(signer).deposit(tokens(100_000));
  return s;
}

/** Publishes a new oracle round at `priceUsd` (a decimal string) on the given feed. */
export async function setPrice(feed: System["ethFeed"], priceUsd: string | number) {
  await feed.setPrice(ethers.parseUnits(String(priceUsd), FEED_DECIMALS));
}

/** Acceptable price that never binds: for buys the maximum, for sells zero. */
export const anyPrice = (sizeDelta: bigint): bigint => (sizeDelta > 0n ? ethers.MaxUint256 : 0n);

export { WAD };
