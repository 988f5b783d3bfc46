/**
 * Display formatting, kept apart from the math: fixed-point bigints to decimal strings. Digits beyond
 * `maxDecimals` are cut (towards zero), trailing zeros trimmed, at least one decimal kept ("15.0").
 */
import { TOKEN_DECIMALS } from "../constants.ts";

/** Options of the formatters. */
export type FormatOptions = {
  /** Most decimals shown (default 6). */
  maxDecimals?: number;
};

/**
 * A fixed-point bigint with `decimals` decimals as a decimal string, e.g. `formatFixed(12_300000n, 6)` → "12.3".
 *
 * @param value - The amount.
 * @param decimals - Its decimals (18 for WAD, 6 for the token).
 * @param options - {@link FormatOptions}
 */
export function formatFixed(value: bigint, decimals: number, options: FormatOptions = {}): string {
  const maxDecimals = Math.min(options.maxDecimals ?? 6, decimals);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const unit = 10n ** BigInt(decimals);
  const whole = magnitude / unit;
  const fraction = (magnitude % unit).toString().padStart(decimals, "0").slice(0, maxDecimals).replace(/0+$/, "");
  const sign = negative && (whole !== 0n || fraction !== "") ? "-" : "";
  return `${sign}${whole.toString()}.${fraction === "" ? "0" : fraction}`;
}

/**
 * A WAD amount of USD as collateral units, e.g. "12.3 USDC" (amounts are settled in the collateral token).
 *
 * @param valueWad - The amount in WAD.
 * @param options - {@link FormatOptions}
 */
export function formatUsdWad(valueWad: bigint, options: FormatOptions = {}): string {
  return `${formatFixed(valueWad, 18, options)} USDC`;
}

/**
 * A raw token amount (6 decimals) with its unit, e.g. "100.0 USDC".
 *
 * @param amountTokenUnits - The amount in the token's decimals.
 */
export function formatTokenUnits(amountTokenUnits: bigint): string {
  return `${formatFixed(amountTokenUnits, TOKEN_DECIMALS, { maxDecimals: TOKEN_DECIMALS })} USDC`;
}

/**
 * A WAD price in USD, e.g. "$4000.5".
 *
 * @param priceWad - The price.
 * @param options - {@link FormatOptions}
 */
export function formatPriceWad(priceWad: bigint, options: FormatOptions = {}): string {
  const text = formatFixed(priceWad, 18, options);
  return text.startsWith("-") ? `-$${text.slice(1)}` : `$${text}`;
}

/**
 * A WAD fraction as a percentage, e.g. 0.009e18 → "0.9%".
 *
 * @param ratioWad - The fraction.
 */
export function formatRatioWad(ratioWad: bigint): string {
  return `${formatFixed(ratioWad * 100n, 18, { maxDecimals: 4 })}%`;
}

/**
 * A WAD size in units of the asset, e.g. "-1.5".
 *
 * @param sizeWad - The signed size.
 */
export function formatSizeWad(sizeWad: bigint): string {
  return formatFixed(sizeWad, 18, { maxDecimals: 8 });
}
