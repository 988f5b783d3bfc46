/**
 * The seeded trader population (DESIGN "Suggested local defaults"): chosen leverage log-uniform from 2x to the
 * market's maximum, notional log-uniform from $1k to $200k, 55% of the crash market's notional short (each
 * trader short with probability 0.55), the other markets even. The same seed gives the same population.
 */
import { keccak256, encodePacked, type Hex } from "viem";

/** A small, fast, seeded generator (mulberry32): uniform numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A market the population trades on. */
export type PopulationMarket = {
  marketId: bigint;
  /** Largest leverage the market allows (1 / IMR). */
  maxLeverage: number;
  /** Share of the traders on this market (the shares add up to 1). */
  traderShare: number;
  /** Probability that a trader on this market is short. */
  shortProbability: number;
};

/** One trader's plan. */
export type TraderPlan = {
  index: number;
  /** The trader's private key, derived from the seed and its index. */
  privateKey: Hex;
  marketId: bigint;
  isLong: boolean;
  /** Chosen leverage (notional / margin after the fee). */
  leverage: number;
  /** Notional at the opening price, in USD. */
  notionalUsd: number;
};

/** Parameters of {@link planPopulation}. */
export type PlanPopulationParameters = {
  traders: number;
  seed: number;
  markets: PopulationMarket[];
  minNotionalUsd?: number;
  maxNotionalUsd?: number;
  minLeverage?: number;
};

/** Leverage stays this far under the market's maximum, so the fee and price impact never break initial margin. */
const LEVERAGE_HEADROOM = 0.97;

const logUniform = (random: () => number, low: number, high: number): number =>
  Math.exp(Math.log(low) + random() * (Math.log(high) - Math.log(low)));

/**
 * Plans the traders.
 * @returns One plan per trader, in index order.
 */
export function planPopulation({
  traders,
  seed,
  markets,
  minNotionalUsd = 1_050,
  maxNotionalUsd = 200_000,
  minLeverage = 2,
}: PlanPopulationParameters): TraderPlan[] {
  const random = seededRandom(seed);
  const plans: TraderPlan[] = [];
  for (let index = 0; index < traders; index++) {
    let pick = random();
    let market = markets[markets.length - 1];
    for (const m of markets) {
      if (pick < m.traderShare) {
        market = m;
        break;
      }
      pick -= m.traderShare;
    }
    const maxLeverage = market.maxLeverage * LEVERAGE_HEADROOM;
    plans.push({
      index,
      privateKey: keccak256(encodePacked(["string", "uint256", "uint256"], ["open-waterfall trader", BigInt(seed), BigInt(index)])),
      marketId: market.marketId,
      isLong: random() >= market.shortProbability,
      leverage: logUniform(random, minLeverage, maxLeverage),
      notionalUsd: logUniform(random, minNotionalUsd, maxNotionalUsd),
    });
  }
  return plans;
}

/** The median of a list of numbers (undefined when empty). */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
