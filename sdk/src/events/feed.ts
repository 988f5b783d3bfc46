/**
 * The protocol's live feed: liquidation calls, the deficits they leave and who paid them, and ADL fills with
 * their haircuts, as display rows, newest first.
 */
import { formatPrice, formatSize, formatUsd, shortAddress } from "../format/display.ts";
import type { ProtocolLog } from "./logs.ts";

/** The events the feed shows. */
export const FEED_EVENTS = ["Liquidated", "DeficitPaid", "AdlFill", "BadDebt"] as const;

/** A log the feed shows. */
export type FeedLog = ProtocolLog<(typeof FEED_EVENTS)[number]>;

/** One row of the feed. */
export type FeedItem = {
  /** Unique: transaction hash and log index. */
  readonly key: string;
  /** What happened. */
  readonly kind: "liquidation" | "deficit" | "adl" | "badDebt";
  /** Its block. */
  readonly blockNumber: bigint;
  /** The market. */
  readonly marketId: bigint;
  /** A one-line description. */
  readonly text: string;
};

/** Parameters of {@link feedItems}. */
export type FeedItemsParameters = {
  /** The logs, in any order. */
  logs: readonly FeedLog[];
  /** Market id → symbol, e.g. 1n → "ETH-USD". */
  symbols: ReadonlyMap<bigint, string>;
};

const assetOf = (symbol: string): string => symbol.split("-")[0] ?? symbol;

/**
 * Feed rows from logs, newest first.
 *
 * @param parameters - {@link FeedItemsParameters}
 */
export function feedItems({ logs, symbols }: FeedItemsParameters): FeedItem[] {
  const sorted = [...logs].sort((a, b) => (a.blockNumber === b.blockNumber ? b.logIndex - a.logIndex : a.blockNumber < b.blockNumber ? 1 : -1));
  return sorted.map((log) => {
    const key = `${log.transactionHash}:${log.logIndex}`;
    const symbol = symbols.get(log.args.marketId) ?? `market ${log.args.marketId}`;
    const asset = assetOf(symbol);
    const base = { key, blockNumber: log.blockNumber, marketId: log.args.marketId };
    switch (log.eventName) {
      case "Liquidated": {
        const a = log.args;
        const side = a.sizeClosedWad > 0n ? "long" : "short";
        const rest = a.remainingSizeWad > 0n ? `, ${formatSize(a.remainingSizeWad, asset)} left` : "";
        return {
          ...base,
          kind: "liquidation",
          text: `${symbol}: ${shortAddress(a.account)} liquidated, ${side} ${formatSize(a.sizeClosedWad < 0n ? -a.sizeClosedWad : a.sizeClosedWad, asset)} at ${formatPrice(a.priceWad)}; equity ${formatUsd(a.equityWad)}, vault took ${formatSize(a.takenOverWad, asset)}, ADL ${formatSize(a.adlSizeWad, asset)}${rest}`,
        };
      }
      case "DeficitPaid": {
        const a = log.args;
        return {
          ...base,
          kind: "deficit",
          text: `${symbol}: deficit ${formatUsd(a.deficitWad)} of ${shortAddress(a.account)} paid by insurance ${formatUsd(a.insuranceWad)}, vault ${formatUsd(a.vaultWad)}, haircuts ${formatUsd(a.haircutWad)}, bad debt ${formatUsd(a.badDebtWad)}`,
        };
      }
      case "AdlFill": {
        const a = log.args;
        const size = a.sizeWad < 0n ? -a.sizeWad : a.sizeWad;
        return {
          ...base,
          kind: "adl",
          text: `${symbol}: ADL fill of ${shortAddress(a.counterparty)} (tier ${a.tier}), ${formatSize(size, asset)} at ${formatPrice(a.fillPriceWad)} against ${shortAddress(a.liquidated)}; haircut ${formatUsd(a.haircutWad)}`,
        };
      }
      case "BadDebt": {
        const a = log.args;
        return { ...base, kind: "badDebt", text: `${symbol}: bad debt ${formatUsd(a.amountWad)} from ${shortAddress(a.account)}; market total ${formatUsd(a.totalWad)}` };
      }
    }
  });
}
