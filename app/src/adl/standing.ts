/**
 * The ADL standing in words and lights: "$1.2M of profitable longs ahead of you; 12th of 340", and the five
 * lights (level 5 = next to be deleveraged).
 */
import { formatUsdCompact, ordinal, type AdlStanding } from "@open-waterfall/sdk";

/** Parameters of {@link standingText}. */
export type StandingTextParameters = {
  /** The standing from the SDK. */
  standing: AdlStanding;
  /** The position's side. */
  side: "long" | "short";
  /** The position's stored tier (0 = exempt). */
  tier: number;
};

/**
 * The standing as a sentence.
 *
 * @param parameters - {@link StandingTextParameters}
 */
export function standingText({ standing, side, tier }: StandingTextParameters): string {
  if (tier === 0) return "Tier 0: exempt from ADL (chosen leverage at or under the lowest bound).";
  if (!standing.candidate) return `Not in line for ADL now: only profitable ${side}s are deleveraged.`;
  return `${formatUsdCompact(standing.notionalAheadWad)} of profitable ${side}s ahead of you; ${ordinal(standing.rank)} of ${standing.candidates}`;
}

/**
 * The five lights of a level: light i (1-based) is on when i ≤ level.
 *
 * @param level - 0 (not reached) to 5 (next).
 * @returns Five booleans, first light first.
 */
export function lightsOf(level: number): readonly boolean[] {
  const clamped = Math.max(0, Math.min(5, Math.trunc(level)));
  return [1, 2, 3, 4, 5].map((i) => i <= clamped);
}
