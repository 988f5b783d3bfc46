/** Display helpers for the scripts' tables: fixed-point bigints to readable strings. Never used for math. */
import { formatUnits } from "ethers";

/** An 18-decimal USD amount, e.g. 1234.56. */
export function usdString(valueWad: bigint, decimals = 2): string {
  const negative = valueWad < 0n;
  const abs = negative ? -valueWad : valueWad;
  const [whole, fraction = ""] = formatUnits(abs, 18).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = (fraction + "0".repeat(decimals)).slice(0, decimals);
  return `${negative ? "-" : ""}$${grouped}${decimals > 0 ? "." + cents : ""}`;
}

/** An 18-decimal quantity with a fixed number of decimals. */
export function amountString(valueWad: bigint, decimals = 4): string {
  const text = formatUnits(valueWad, 18);
  const [whole, fraction = ""] = text.split(".");
  return decimals > 0 ? `${whole}.${(fraction + "0".repeat(decimals)).slice(0, decimals)}` : whole;
}

/** Renders rows as an aligned plain-text table with a header rule. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
