/**
 * Display formatting for people (the app's pages, the protocol feed): WAD and token bigints to short, grouped
 * strings ("$1.2M", "$3,812.40", "12th"), negatives with a typographic minus ("−$5.00"). `units.ts` holds the
 * plain, ungrouped forms ("3812.4 USDC") for logs and tables. Kept apart from the math: nothing here feeds back
 * into a computation. Digits are cut towards zero (never rounded up), so a shown balance is never more than the
 * real one.
 */

const WAD_DECIMALS = 18;
const MAX_UINT256 = (1n << 256n) - 1n;
const MINUS = "−";

/** Options of {@link formatDecimal}. */
export type DecimalOptions = {
  /** Decimals shown (cut, not rounded); default 2. */
  decimals?: number;
  /** Keep trailing zeros up to `decimals` (default true: "1.50"). */
  fixed?: boolean;
  /** Group thousands with commas (default true). */
  group?: boolean;
};

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A fixed-point bigint as a decimal string, e.g. `formatDecimal(1234_500000n, 6)` → "1,234.50".
 *
 * @param value - The amount.
 * @param valueDecimals - Its decimals (18 for WAD, 6 for the token).
 * @param options - {@link DecimalOptions}
 */
export function formatDecimal(value: bigint, valueDecimals: number, options: DecimalOptions = {}): string {
  const decimals = Math.min(options.decimals ?? 2, valueDecimals);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const unit = 10n ** BigInt(valueDecimals);
  const whole = (magnitude / unit).toString();
  let fraction = (magnitude % unit).toString().padStart(valueDecimals, "0").slice(0, decimals);
  if (options.fixed === false) fraction = fraction.replace(/0+$/, "");
  const wholeText = options.group === false ? whole : groupThousands(whole);
  const text = fraction === "" ? wholeText : `${wholeText}.${fraction}`;
  const isZero = /^[0,.]*$/.test(text);
  return negative && !isZero ? `${MINUS}${text}` : text;
}

const COMPACT_STEPS: readonly { readonly exponent: bigint; readonly suffix: string }[] = [
  { exponent: 12n, suffix: "T" },
  { exponent: 9n, suffix: "B" },
  { exponent: 6n, suffix: "M" },
  { exponent: 3n, suffix: "K" },
];

/**
 * A WAD amount of USD in short form: "$1.2M", "$12.3K", "$950.12", "−$4.5K".
 *
 * @param valueWad - The amount.
 */
export function formatUsdCompact(valueWad: bigint): string {
  const negative = valueWad < 0n;
  const magnitude = negative ? -valueWad : valueWad;
  const sign = negative && magnitude > 0n ? MINUS : "";
  for (const { exponent, suffix } of COMPACT_STEPS) {
    const unit = 10n ** (BigInt(WAD_DECIMALS) + exponent);
    if (magnitude >= unit) {
      // One decimal, cut: 1_299_999 → "1.2M".
      const tenths = (magnitude * 10n) / unit;
      const text = tenths % 10n === 0n ? `${tenths / 10n}` : `${tenths / 10n}.${tenths % 10n}`;
      return `${sign}$${text}${suffix}`;
    }
  }
  return `${sign}$${formatDecimal(magnitude, WAD_DECIMALS)}`;
}

/**
 * A WAD amount of USD with cents and grouping: "$12,345.67".
 *
 * @param valueWad - The amount.
 * @param decimals - Decimals shown (default 2).
 */
export function formatUsd(valueWad: bigint, decimals = 2): string {
  const text = formatDecimal(valueWad, WAD_DECIMALS, { decimals });
  return text.startsWith(MINUS) ? `${MINUS}$${text.slice(1)}` : `$${text}`;
}

/**
 * A signed WAD amount of USD with an explicit sign: "+$12.34", "−$5.00", "$0.00".
 *
 * @param valueWad - The amount.
 */
export function formatSignedUsd(valueWad: bigint): string {
  const text = formatUsd(valueWad);
  return valueWad > 0n && text !== "$0.00" ? `+${text}` : text;
}

/**
 * A raw token amount (6 decimals) as USDC: "1,000.00 USDC".
 *
 * @param amountTokenUnits - The amount in token units.
 */
export function formatTokenAmount(amountTokenUnits: bigint): string {
  return `${formatDecimal(amountTokenUnits, 6)} USDC`;
}

/**
 * A WAD price in USD: two decimals from $1 up, more below ("$0.004512").
 *
 * @param priceWad - The price.
 */
export function formatPrice(priceWad: bigint): string {
  const magnitude = priceWad < 0n ? -priceWad : priceWad;
  return formatUsd(priceWad, magnitude >= 10n ** 18n ? 2 : 6);
}

/**
 * A signed WAD size with its asset: "1.5 ETH", "−0.25 BTC" (up to 4 decimals, trailing zeros trimmed).
 *
 * @param sizeWad - The size.
 * @param asset - The asset's symbol, e.g. "ETH".
 */
export function formatSize(sizeWad: bigint, asset: string): string {
  return `${formatDecimal(sizeWad, WAD_DECIMALS, { decimals: 4, fixed: false })} ${asset}`;
}

/**
 * A WAD fraction as a percentage: 0.0125e18 → "1.25%".
 *
 * @param ratioWad - The fraction.
 * @param decimals - Decimals of the percentage (default 2).
 */
export function formatPercent(ratioWad: bigint, decimals = 2): string {
  return `${formatDecimal(ratioWad * 100n, WAD_DECIMALS, { decimals })}%`;
}

/**
 * A funding rate per day with its sign: "+0.0123%/day" (longs pay) or "−0.0050%/day" (shorts pay).
 *
 * @param ratePerDayWad - The signed rate, a WAD fraction of price per day.
 */
export function formatFundingRate(ratePerDayWad: bigint): string {
  const text = formatPercent(ratePerDayWad, 4);
  return `${ratePerDayWad > 0n ? "+" : ""}${text}/day`;
}

/**
 * A WAD leverage: "10.0×"; "—" when the equity is not positive (the lens reports max uint256).
 *
 * @param leverageWad - The leverage.
 */
export function formatLeverage(leverageWad: bigint): string {
  if (leverageWad >= MAX_UINT256 || leverageWad < 0n) return "—";
  return `${formatDecimal(leverageWad, WAD_DECIMALS, { decimals: 1, group: true })}×`;
}

/**
 * An ordinal: 1 → "1st", 2 → "2nd", 12 → "12th", 23 → "23rd", 111 → "111th".
 *
 * @param n - A positive integer.
 */
export function ordinal(n: number): string {
  const lastTwo = n % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

/**
 * A short address: "0xf39F…2266".
 *
 * @param address - The address.
 */
export function shortAddress(address: string): string {
  return address.length <= 12 ? address : `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/**
 * A duration in seconds for people: "45s", "12m", "3h 20m", "2d 4h".
 *
 * @param seconds - Seconds (negative counts as 0).
 */
export function formatDuration(seconds: bigint): string {
  const s = seconds < 0n ? 0n : seconds;
  if (s < 60n) return `${s}s`;
  if (s < 3600n) return `${s / 60n}m`;
  if (s < 86400n) return `${s / 3600n}h ${(s % 3600n) / 60n}m`;
  return `${s / 86400n}d ${(s % 86400n) / 3600n}h`;
}
