/**
 * Risk parameters of the replayed market. Without a deviation flag they are DESIGN's suggested local defaults
 * for the asset; with one, they are the smallest DESIGN's bounds allow for that threshold: fee ≥ δ/2 per side,
 * MMR ≥ both fees + δ + latency buffer, IMR ≥ 1.25·MMR (never above 100x).
 */
import { WAD, usdToWad } from "./units.ts";

/** The risk parameters the replay lists its market with (18-decimal fractions unless named otherwise). */
export type MarketParams = {
  symbol: string;
  deviationWad: bigint;
  heartbeatSec: number;
  tradingFeeWad: bigint;
  latencyBufferWad: bigint;
  liquidationFeeExtraWad: bigint;
  mmrWad: bigint;
  imrWad: bigint;
  oiCapUsdWad: bigint;
  /** Where they came from: the asset's preset or the deviation flag. */
  origin: "preset" | "deviation";
};

type Preset = { deviation: string; fee: string; mmr: string; imr: string; oiCapUsd: string };

const MAJORS: Preset = { deviation: "0.001", fee: "0.0005", mmr: "0.009", imr: "0.01125", oiCapUsd: "50000000" };
const MIDS: Preset = { deviation: "0.001", fee: "0.0005", mmr: "0.02", imr: "0.025", oiCapUsd: "10000000" };
const ALTS: Preset = { deviation: "0.005", fee: "0.0025", mmr: "0.05", imr: "0.0625", oiCapUsd: "10000000" };

/** DESIGN "Suggested local defaults" by asset; anything not named there is treated as an altcoin. */
const PRESETS: Record<string, Preset> = { ETH: MAJORS, BTC: MAJORS, SOL: MIDS, XRP: MIDS };

const frac = (value: string): bigint => usdToWad(value);
const LATENCY_BUFFER_WAD = frac("0.001");
const LIQUIDATION_FEE_EXTRA_WAD = frac("0.001");
const MIN_FEE_WAD = frac("0.0005");
const MIN_IMR_WAD = frac("0.01");
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** Parameters of {@link marketParams}. */
export type MarketParamsParameters = {
  asset: string;
  /** The deviation flag as an 18-decimal fraction, when given. */
  deviationWad?: bigint;
  /** The heartbeat flag in seconds, when given (default 3600). */
  heartbeatSec?: number;
};

/**
 * The replayed market's parameters.
 * @returns Parameters that satisfy the registry's risk bounds.
 */
export function marketParams({ asset, deviationWad, heartbeatSec = 3600 }: MarketParamsParameters): MarketParams {
  const preset = PRESETS[asset] ?? ALTS;
  const symbol = `${asset}-USD`;
  if (deviationWad === undefined) {
    return {
      symbol,
      deviationWad: frac(preset.deviation),
      heartbeatSec,
      tradingFeeWad: frac(preset.fee),
      latencyBufferWad: LATENCY_BUFFER_WAD,
      liquidationFeeExtraWad: LIQUIDATION_FEE_EXTRA_WAD,
      mmrWad: frac(preset.mmr),
      imrWad: frac(preset.imr),
      oiCapUsdWad: usdToWad(preset.oiCapUsd),
      origin: "preset",
    };
  }
  const feeFloor = ceilDiv(deviationWad, 2n);
  const tradingFeeWad = feeFloor > MIN_FEE_WAD ? feeFloor : MIN_FEE_WAD;
  let mmrWad = 2n * tradingFeeWad + deviationWad + LATENCY_BUFFER_WAD;
  let imrWad = ceilDiv(mmrWad * 5n, 4n);
  if (imrWad < MIN_IMR_WAD) {
    imrWad = MIN_IMR_WAD;
    mmrWad = (MIN_IMR_WAD * 4n) / 5n > mmrWad ? (MIN_IMR_WAD * 4n) / 5n : mmrWad;
  }
  return {
    symbol,
    deviationWad,
    heartbeatSec,
    tradingFeeWad,
    latencyBufferWad: LATENCY_BUFFER_WAD,
    liquidationFeeExtraWad: LIQUIDATION_FEE_EXTRA_WAD,
    mmrWad,
    imrWad,
    oiCapUsdWad: usdToWad(preset.oiCapUsd),
    origin: "deviation",
  };
}

/** The largest leverage the parameters allow (1 / IMR), as a number for the population. */
export const maxLeverageOf = (p: MarketParams): number => Number((WAD * 10_000n) / p.imrWad) / 10_000;
