/**
 * Risk presets from DESIGN "Suggested local defaults", in the units the contracts take (18-decimal fixed
 * point unless a name says otherwise). Used by the Ignition modules, the tests and the scripts, so every
 * local deployment lists the same markets with the same parameters.
 */
import { encodeBytes32String, parseUnits } from "ethers";

export const WAD = 10n ** 18n;
export const FEED_DECIMALS = 8;

/** A fraction written as a decimal string, e.g. wad("0.009") = 0.9%. */
export const wad = (value: string): bigint => parseUnits(value, 18);
/** A USD amount written as a decimal string. */
export const usd = (value: string): bigint => parseUnits(value, 18);
/** A price written as a decimal string, in the mock feed's decimals. */
export const feedAnswer = (value: string): bigint => parseUnits(value, FEED_DECIMALS);

export interface MarketPreset {
  symbol: string;
  /** Starting price of the local mock feed, in USD. */
  initialPrice: string;
  deviation: string;
  heartbeatSeconds: number;
  tradingFee: string;
  mmr: string;
  imr: string;
  oiCapUsd: string;
}

/** ETH and BTC as DESIGN sets them: δ 0.1%, fee 0.05% a side, MMR 0.9%, IMR 1.125% (up to ~89x). */
export const MARKET_PRESETS: Record<string, MarketPreset> = {
  "ETH-USD": {
    symbol: "ETH-USD",
    initialPrice: "4000",
    deviation: "0.001",
    heartbeatSeconds: 3600,
    tradingFee: "0.0005",
    mmr: "0.009",
    imr: "0.01125",
    oiCapUsd: "50000000",
  },
  "BTC-USD": {
    symbol: "BTC-USD",
    initialPrice: "117000",
    deviation: "0.001",
    heartbeatSeconds: 3600,
    tradingFee: "0.0005",
    mmr: "0.009",
    imr: "0.01125",
    oiCapUsd: "50000000",
  },
};

/** The tuple the registry's `listMarket` takes, as an object ethers encodes into MarketConfig. */
export function marketConfig<Feed>(preset: MarketPreset, feed: Feed) {
  const initialPrice = parseUnits(preset.initialPrice, 18);
  // skewScale = $10B of notional at the starting price (about 5 bp of impact at $5M of skew).
  const skewScaleWad = (usd("10000000000") * WAD) / initialPrice;
  const price = Number(preset.initialPrice);
  return {
    feed,
    feedDecimals: FEED_DECIMALS,
    heartbeat: preset.heartbeatSeconds,
    listed: false,
    deviationWad: wad(preset.deviation),
    latencyBufferWad: wad("0.001"),
    tradingFeeWad: wad(preset.tradingFee),
    liquidationFeeExtraWad: wad("0.001"),
    mmrWad: wad(preset.mmr),
    imrWad: wad(preset.imr),
    maxFundingRatePerDayWad: wad("0.01"),
    vaultExposureCapWad: wad("1"),
    skewScaleWad,
    oiCapUsdWad: usd(preset.oiCapUsd),
    minNotionalUsdWad: usd("1000"),
    insuranceDailyCapUsdWad: usd("5000"),
    // The feed's circuit breaker: 1/1000 and 1000× the starting price.
    minAnswer: feedAnswer((price / 1000).toFixed(FEED_DECIMALS)),
    maxAnswer: feedAnswer((price * 1000).toFixed(FEED_DECIMALS)),
    // Tiers 3–10x, 10–20x, 20–40x, above 40x; 3x and below exempt.
    tierBoundsX1e4: [30_000, 100_000, 200_000, 400_000],
  };
}

/** Protocol-wide defaults (DESIGN): fee split 20/20/60, floor 5% of gross OI, thresholds 0.25/0.35/0.5/0.75. */
export const PROTOCOL_CONFIG = {
  insuranceFeeShareWad: wad("0.2"),
  treasuryFeeShareWad: wad("0.2"),
  lpFeeWad: wad("0.001"),
  floorRatioWad: wad("0.05"),
  floorAbsoluteUsdWad: usd("10000"),
  keeperRewardFloorUsdWad: usd("5"),
  withdrawStopRatioWad: wad("0.25"),
  adlTargetRatioWad: wad("0.35"),
  adlTriggerRatioWad: wad("0.5"),
  scalingRatioWad: wad("0.75"),
  keeperRewardRatioWad: wad("0.0002"),
  tierDropDelay: 3600,
  hintWalkBound: 32,
  adlFillBudget: 16,
  vestingPeriod: 3600,
  vestingThresholdUsdWad: usd("100000"),
};

export const symbolBytes32 = (symbol: string): string => encodeBytes32String(symbol);
