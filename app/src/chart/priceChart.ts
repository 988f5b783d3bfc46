/**
 * Geometry of the price chart: oracle rounds (time, price) to an SVG path. Display only: prices are turned into
 * floating point here and nowhere else.
 */

import type { PricePoint } from "@open-waterfall/sdk";

export type { PricePoint };

/** Parameters of {@link buildPriceChart}. */
export type BuildPriceChartParameters = {
  /** Rounds, in any order. */
  points: readonly PricePoint[];
  /** Drawing width in SVG units. */
  width: number;
  /** Drawing height in SVG units. */
  height: number;
  /** Space kept free on every side (default 4). */
  padding?: number;
};

/** A chart ready to draw. */
export type PriceChart = {
  /** The line, an SVG path ("M x y L x y …"); empty when there is no point. */
  readonly line: string;
  /** The line closed down to the bottom edge, for a filled area. */
  readonly area: string;
  /** Lowest and highest price drawn. */
  readonly minPriceWad: bigint;
  readonly maxPriceWad: bigint;
  /** The last point's coordinates, for a marker. */
  readonly last: { readonly x: number; readonly y: number } | undefined;
};

const round2 = (v: number): number => Math.round(v * 100) / 100;

/**
 * Lays rounds out by time (x) and price (y, higher is up). One point is drawn as a flat line; equal prices as a
 * line through the middle.
 *
 * @param parameters - {@link BuildPriceChartParameters}
 */
export function buildPriceChart({ points, width, height, padding = 4 }: BuildPriceChartParameters): PriceChart {
  if (points.length === 0) return { line: "", area: "", minPriceWad: 0n, maxPriceWad: 0n, last: undefined };
  const sorted = [...points].sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  const drawn = sorted.length === 1 && sorted[0] !== undefined ? [sorted[0], { ...sorted[0], timestamp: sorted[0].timestamp + 1n }] : sorted;
  let minPriceWad = drawn[0]?.priceWad ?? 0n;
  let maxPriceWad = minPriceWad;
  for (const p of drawn) {
    if (p.priceWad < minPriceWad) minPriceWad = p.priceWad;
    if (p.priceWad > maxPriceWad) maxPriceWad = p.priceWad;
  }
  const t0 = drawn[0]?.timestamp ?? 0n;
  const span = Number((drawn[drawn.length - 1]?.timestamp ?? t0) - t0) || 1;
  const priceSpan = Number(maxPriceWad - minPriceWad);
  const innerW = width - 2 * padding;
  const innerH = height - 2 * padding;
  const coords = drawn.map((p) => {
    const x = padding + (Number(p.timestamp - t0) / span) * innerW;
    const y = priceSpan === 0 ? padding + innerH / 2 : padding + (1 - Number(p.priceWad - minPriceWad) / priceSpan) * innerH;
    return { x: round2(x), y: round2(y) };
  });
  const line = coords.map((c, i) => `${i === 0 ? "M" : "L"}${c.x} ${c.y}`).join(" ");
  const first = coords[0];
  const last = coords[coords.length - 1];
  const bottom = round2(height - padding);
  const area = first === undefined || last === undefined ? "" : `${line} L${last.x} ${bottom} L${first.x} ${bottom} Z`;
  return { line, area, minPriceWad, maxPriceWad, last };
}
