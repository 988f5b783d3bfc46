/**
 * Read-back helpers for the registry and vault unit tests: every revert test snapshots the state it could
 * have touched, runs the reverting call, and checks the snapshot again, so a revert that leaves a partial
 * write behind (or a call that "reverts" without undoing anything) cannot pass.
 */
import { expect } from "chai";
import { Result, encodeBytes32String } from "ethers";
import type { System } from "./fixture.js";
import { deployProtocol, ethers } from "./fixture.js";
import { PROTOCOL_CONFIG, usd, wad } from "../../ignition/presets.js";
import { MockAggregator__factory } from "../../types/ethers-contracts/index.js";
import type { MarketRegistry, MockAggregator } from "../../types/ethers-contracts/index.js";

/** A contract return value as plain arrays, objects and bigints, so chai's deep equality compares values. */
export function plain(value: unknown): unknown {
  if (value instanceof Result) {
    // Struct outputs have names; keep them so a failing comparison says which field moved.
    try {
      return plain(value.toObject(false));
    } catch {
      return value.toArray(false).map(plain);
    }
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** Runs `action` (which must await its own assertion) and checks that `read` returns the same before and after. */
export async function expectUnchanged<T>(read: () => Promise<T>, action: () => Promise<unknown>): Promise<void> {
  const before = plain(await read());
  await action();
  expect(plain(await read())).to.deep.equal(before);
}

/** Everything the registry stores that a setter could touch, for every listed market. */
export async function registryState(registry: MarketRegistry) {
  const count = await registry.marketCount();
  const markets = [];
  for (let id = 1n; id <= count; id++) {
    markets.push({
      config: await registry.marketConfig(id),
      symbol: await registry.symbolOf(id),
      compliant: await registry.isRiskCompliant(id),
      params: await registry.paramsOf(id),
    });
  }
  return {
    count,
    markets,
    protocol: await registry.protocolConfig(),
    sequencerFeed: await registry.sequencerFeed(),
    sequencerGracePeriod: await registry.sequencerGracePeriod(),
    engine: await registry.engine(),
    maxDeviationWad: await registry.maxDeviationWad(),
    maxVaultExposureCapWad: await registry.maxVaultExposureCapWad(),
    effectiveLpFeeWad: await registry.effectiveLpFeeWad(),
  };
}

/** Anything with an ERC-20 balance: the mock USDC or the fee-on-transfer token. */
interface BalanceReader {
  balanceOf(account: string): Promise<bigint>;
}

/**
 * Share balances, supply, token balances of the holders, the engine and the vault, and the engine's vault
 * ledger. `usdc` may be any token the engine was built over.
 */
export async function vaultState(
  s: Pick<System, "vault" | "engine"> & { usdc: BalanceReader },
  holders: { address: string }[]
) {
  const holderRows = [];
  for (const h of holders) {
    holderRows.push({
      shares: await s.vault.balanceOf(h.address),
      tokens: await s.usdc.balanceOf(h.address),
    });
  }
  return {
    holders: holderRows,
    totalSupply: await s.vault.totalSupply(),
    engineTokens: await s.usdc.balanceOf(await s.engine.getAddress()),
    vaultTokens: await s.usdc.balanceOf(await s.vault.getAddress()),
    vaultCashWad: await s.engine.vaultCashWad(),
    vaultEquityWad: await s.engine.vaultEquityWad(),
    totalAssets: await s.vault.totalAssets(),
  };
}

/** The bytes32 name a ParameterOutOfBounds error carries. */
export const param = (name: string): string => encodeBytes32String(name);

/** ceil(a / b) for non-negative bigints. */
export const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** ceil(a / b) towards +infinity for a signed numerator and a positive divisor (Solidity's divUp). */
export function signedDivUp(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** Deploys a mock feed with the given decimals and first answer (0 publishes no round). */
export async function deployFeed(decimals: number, answer: bigint, description = "test feed"): Promise<MockAggregator> {
  const [admin] = await ethers.getSigners();
  const feed = await new MockAggregator__factory(admin).deploy(decimals, description, answer);
  await feed.waitForDeployment();
  return feed;
}

/** Seconds since the epoch at the start of the UTC day after `timestamp`. */
export const nextUtcDay = (timestamp: number): number => (Math.floor(timestamp / 86_400) + 1) * 86_400;

/** A market configuration as listMarket takes it, every number a bigint so tests can derive bounds from it. */
export interface MarketInput {
  feed: string;
  feedDecimals: bigint;
  heartbeat: bigint;
  listed: boolean;
  deviationWad: bigint;
  latencyBufferWad: bigint;
  tradingFeeWad: bigint;
  liquidationFeeExtraWad: bigint;
  mmrWad: bigint;
  imrWad: bigint;
  maxFundingRatePerDayWad: bigint;
  vaultExposureCapWad: bigint;
  skewScaleWad: bigint;
  oiCapUsdWad: bigint;
  minNotionalUsdWad: bigint;
  insuranceDailyCapUsdWad: bigint;
  minAnswer: bigint;
  maxAnswer: bigint;
  tierBoundsX1e4: [bigint, bigint, bigint, bigint];
}

/**
 * The DESIGN defaults of ETH-USD (δ 0.1%, fee 0.05%, buffer 0.1%, MMR 0.9%, IMR 1.125%, $1k minimum) over
 * `feed`, whose circuit breaker sits at $4 and $4M (1/1000 and 1000× a $4,000 start) in the feed's decimals.
 */
export function marketInput(feed: string, feedDecimals: number, overrides: Partial<MarketInput> = {}): MarketInput {
  const unit = 10n ** BigInt(feedDecimals);
  return {
    feed,
    feedDecimals: 0n,
    heartbeat: 3600n,
    listed: false,
    deviationWad: wad("0.001"),
    latencyBufferWad: wad("0.001"),
    tradingFeeWad: wad("0.0005"),
    liquidationFeeExtraWad: wad("0.001"),
    mmrWad: wad("0.009"),
    imrWad: wad("0.01125"),
    maxFundingRatePerDayWad: wad("0.01"),
    vaultExposureCapWad: wad("1"),
    skewScaleWad: 2_500_000n * 10n ** 18n,
    oiCapUsdWad: usd("50000000"),
    minNotionalUsdWad: usd("1000"),
    insuranceDailyCapUsdWad: usd("5000"),
    minAnswer: 4n * unit,
    maxAnswer: 4_000_000n * unit,
    tierBoundsX1e4: [30_000n, 100_000n, 200_000n, 400_000n],
    ...overrides,
  };
}

/** The struct a MarketConfig read returns, in field order, for comparing with event arguments and reads. */
export const configTuple = (c: MarketInput): unknown[] => [
  c.feed,
  c.feedDecimals,
  c.heartbeat,
  c.listed,
  c.deviationWad,
  c.latencyBufferWad,
  c.tradingFeeWad,
  c.liquidationFeeExtraWad,
  c.mmrWad,
  c.imrWad,
  c.maxFundingRatePerDayWad,
  c.vaultExposureCapWad,
  c.skewScaleWad,
  c.oiCapUsdWad,
  c.minNotionalUsdWad,
  c.insuranceDailyCapUsdWad,
  c.minAnswer,
  c.maxAnswer,
  c.tierBoundsX1e4,
];

/** A protocol configuration as setProtocolConfig takes it. */
export interface ProtocolInput {
  insuranceFeeShareWad: bigint;
  treasuryFeeShareWad: bigint;
  lpFeeWad: bigint;
  floorRatioWad: bigint;
  floorAbsoluteUsdWad: bigint;
  keeperRewardFloorUsdWad: bigint;
  withdrawStopRatioWad: bigint;
  adlTargetRatioWad: bigint;
  adlTriggerRatioWad: bigint;
  scalingRatioWad: bigint;
  keeperRewardRatioWad: bigint;
  tierDropDelay: bigint;
  hintWalkBound: bigint;
  adlFillBudget: bigint;
  vestingPeriod: bigint;
  vestingThresholdUsdWad: bigint;
}

/** The preset protocol configuration with overrides. */
export function protocolInput(overrides: Partial<ProtocolInput> = {}): ProtocolInput {
  return {
    ...PROTOCOL_CONFIG,
    tierDropDelay: BigInt(PROTOCOL_CONFIG.tierDropDelay),
    hintWalkBound: BigInt(PROTOCOL_CONFIG.hintWalkBound),
    adlFillBudget: BigInt(PROTOCOL_CONFIG.adlFillBudget),
    vestingPeriod: BigInt(PROTOCOL_CONFIG.vestingPeriod),
    ...overrides,
  };
}

export const protocolTuple = (p: ProtocolInput): bigint[] => [
  p.insuranceFeeShareWad,
  p.treasuryFeeShareWad,
  p.lpFeeWad,
  p.floorRatioWad,
  p.floorAbsoluteUsdWad,
  p.keeperRewardFloorUsdWad,
  p.withdrawStopRatioWad,
  p.adlTargetRatioWad,
  p.adlTriggerRatioWad,
  p.scalingRatioWad,
  p.keeperRewardRatioWad,
  p.tierDropDelay,
  p.hintWalkBound,
  p.adlFillBudget,
  p.vestingPeriod,
  p.vestingThresholdUsdWad,
];

/**
 * The bare system plus spare feeds: 18, 6 and 19 decimals (all at $4,000 where the decimals allow) and a
 * sequencer-uptime feed with no round yet.
 */
export async function deployWithFeeds() {
  const s = await deployProtocol();
  const feed18 = await deployFeed(18, 4000n * 10n ** 18n, "18-decimal feed");
  const feed6 = await deployFeed(6, 4000n * 10n ** 6n, "6-decimal feed");
  const feed19 = await deployFeed(19, 4000n * 10n ** 19n, "19-decimal feed");
  const sequencer = await deployFeed(0, 0n, "sequencer uptime");
  return { ...s, feed18, feed6, feed19, sequencer };
}
