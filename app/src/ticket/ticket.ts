/**
 * The trade ticket's logic, apart from React: what was typed (side, size or leverage, margin, slippage) to the
 * SDK's trade parameters, and the SDK's preview to the rows the ticket shows.
 */
import { formatLeverage, formatPrice, formatSignedUsd, formatSize, formatUsd, type TradePreview } from "@open-waterfall/sdk";

import { AmountInputError, parseAmount } from "../format/input.ts";

const WAD = 10n ** 18n;
/** Token units (6 decimals) to WAD. */
const TOKEN_TO_WAD = 10n ** 12n;
/** The widest slippage the ticket accepts, in basis points (10%). */
export const MAX_SLIPPAGE_BPS = 1_000;

/** What the ticket holds, as typed. */
export type TicketInput = {
  /** Buy (long) or sell (short). */
  side: "long" | "short";
  /** Whether the size is typed, or derived from margin × leverage. */
  mode: "size" | "leverage";
  /** Size in units of the asset (mode "size"). */
  size: string;
  /** Leverage, e.g. "10" (mode "leverage"). */
  leverage: string;
  /** Margin in USDC moved from free collateral into the position. */
  margin: string;
  /** Slippage tolerance in percent, e.g. "0.5". */
  slippagePercent: string;
};

/** The SDK trade parameters a ticket stands for. */
export type TradeRequest = {
  /** Signed size (positive buys). */
  sizeDeltaWad: bigint;
  /** Margin, WAD. */
  marginWad: bigint;
  /** Slippage tolerance, basis points. */
  slippageBps: number;
};

/** Parameters of {@link buildTradeRequest}. */
export type BuildTradeRequestParameters = {
  /** The ticket. */
  input: TicketInput;
  /** The market's price, used to turn margin × leverage into a size. */
  priceWad: bigint;
};

/**
 * Parses a slippage percentage ("0.5") into basis points (50).
 *
 * @param text - The percentage as typed.
 * @returns Basis points, 1 to {@link MAX_SLIPPAGE_BPS}.
 * @throws {AmountInputError} When not a number with at most 2 decimals, or out of range.
 */
export function parseSlippageBps(text: string): number {
  const hundredths = parseAmount({ text, decimals: 2, field: "slippage" });
  if (hundredths > BigInt(MAX_SLIPPAGE_BPS)) throw new AmountInputError("slippage", `at most ${MAX_SLIPPAGE_BPS / 100}%`);
  return Number(hundredths);
}

/**
 * The trade a ticket stands for. In leverage mode the size is margin × leverage / price, rounded down (the
 * notional never exceeds what was asked).
 *
 * @param parameters - {@link BuildTradeRequestParameters}
 * @returns The SDK trade parameters.
 * @throws {AmountInputError} Naming the field when an input is missing or malformed, or when the price is unknown.
 */
export function buildTradeRequest({ input, priceWad }: BuildTradeRequestParameters): TradeRequest {
  const marginWad = parseAmount({ text: input.margin, decimals: 6, field: "margin", allowZero: input.mode === "size" }) * TOKEN_TO_WAD;
  const slippageBps = parseSlippageBps(input.slippagePercent);
  let sizeWad: bigint;
  if (input.mode === "size") {
    sizeWad = parseAmount({ text: input.size, decimals: 18, field: "size" });
  } else {
    const leverageWad = parseAmount({ text: input.leverage, decimals: 2, field: "leverage" }) * 10n ** 16n;
    if (leverageWad < WAD) throw new AmountInputError("leverage", "at least 1×");
    if (priceWad <= 0n) throw new AmountInputError("leverage", "the market has no price yet");
    sizeWad = (marginWad * leverageWad) / priceWad;
    if (sizeWad === 0n) throw new AmountInputError("leverage", "margin × leverage is too small for one unit step");
  }
  return { sizeDeltaWad: input.side === "long" ? sizeWad : -sizeWad, marginWad, slippageBps };
}

/** One line of the preview. */
export type PreviewRow = {
  /** Stable key (also the test id). */
  readonly key: string;
  /** What it is. */
  readonly label: string;
  /** Its value, formatted. */
  readonly value: string;
};

/** Parameters of {@link previewRows}. */
export type PreviewRowsParameters = {
  /** The SDK's preview. */
  preview: TradePreview;
  /** The asset's symbol, e.g. "ETH". */
  asset: string;
};

const KIND_TEXT: Record<TradePreview["kind"], string> = {
  open: "Open",
  increase: "Increase",
  decrease: "Reduce",
  close: "Close",
  flip: "Flip side",
};

/**
 * The rows the ticket shows for a preview: fill price, fee, price impact, liquidation price, leverage, the ADL
 * tier and level the position would get, and the free collateral after.
 *
 * @param parameters - {@link PreviewRowsParameters}
 */
export function previewRows({ preview, asset }: PreviewRowsParameters): PreviewRow[] {
  const rows: PreviewRow[] = [
    { key: "kind", label: "Action", value: KIND_TEXT[preview.kind] },
    { key: "fill", label: "Fill price (worst)", value: formatPrice(preview.worstFillPriceWad) },
    { key: "fee", label: "Fee", value: formatUsd(preview.feeWad) },
    { key: "impact", label: "Price impact", value: formatSignedUsd(preview.priceImpactWad) },
  ];
  if (preview.realisedPnlWad !== 0n) rows.push({ key: "realised", label: "Realised PnL", value: formatSignedUsd(preview.realisedPnlWad) });
  const p = preview.position;
  if (p === undefined) {
    rows.push({ key: "after", label: "Position after", value: "closed" });
  } else {
    rows.push(
      { key: "size", label: "Size after", value: formatSize(p.sizeWad, asset) },
      { key: "liq", label: "Liquidation price", value: formatPrice(p.liquidationPriceWad) },
      { key: "leverage", label: "Leverage", value: formatLeverage(p.chosenLeverageWad) },
      { key: "tier", label: "ADL tier", value: p.tier === 0 ? "0 (exempt)" : `${p.tier}` },
      { key: "adl", label: "ADL level", value: `${preview.adl.level} of 5` }
    );
  }
  rows.push({ key: "free", label: "Free collateral after", value: formatUsd(preview.freeCollateralAfterWad) });
  return rows;
}
