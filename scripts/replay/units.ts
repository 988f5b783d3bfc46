/**
 * Precisions and conversions at the replay's edges: WAD (1e18) inside, USDC (6 decimals) for token amounts,
 * 8 decimals for the mock feeds, plain numbers only for display and for the report's JSON.
 */
import { formatUnits, parseUnits } from "viem";

export const WAD = 10n ** 18n;
/** Decimals of the mock USDC. */
export const TOKEN_DECIMALS = 6;
/** Decimals of the mock feeds. */
export const FEED_DECIMALS = 8;
/** WAD per token unit (1e12). */
export const TOKEN_TO_WAD = 10n ** BigInt(18 - TOKEN_DECIMALS);

/** A USD amount (decimal string or number) as raw token units. */
export const usdToTokenUnits = (usd: string | number): bigint => parseUnits(String(usd), TOKEN_DECIMALS);
/** A USD amount (decimal string or number) as WAD. */
export const usdToWad = (usd: string | number): bigint => parseUnits(String(usd), 18);
/** A WAD price as the feed's 8-decimal answer (rounded down; at least 1 so the feed stays positive). */
export const wadToFeedAnswer = (priceWad: bigint): bigint => {
  const answer = priceWad / 10n ** BigInt(18 - FEED_DECIMALS);
  return answer > 0n ? answer : 1n;
};
/** A feed answer as a WAD price. */
export const feedAnswerToWad = (answer: bigint): bigint => answer * 10n ** BigInt(18 - FEED_DECIMALS);
/** A WAD amount as a JS number of USD, for display and JSON only. */
export const wadToNumber = (valueWad: bigint): number => Number(formatUnits(valueWad, 18));
/** |x| for bigints. */
export const absBig = (x: bigint): bigint => (x < 0n ? -x : x);
