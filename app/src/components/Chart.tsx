/** Small SVG line charts: a price from oracle rounds, or any number sampled over time. */
import { buildPriceChart, type PricePoint } from "../chart/priceChart.ts";

export function LineChart({ points, label, format }: { points: readonly PricePoint[]; label: string; format: (valueWad: bigint) => string }) {
  const width = 320;
  const height = 90;
  const chart = buildPriceChart({ points, width, height });
  if (chart.line === "") return <p className="state empty">No data yet.</p>;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} preserveAspectRatio="none">
        <path d={chart.area} className="area" />
        <path d={chart.line} className="line" />
        {chart.last === undefined ? null : <circle cx={chart.last.x} cy={chart.last.y} r={3} className="dot" />}
      </svg>
      <figcaption>
        <span>low {format(chart.minPriceWad)}</span>
        <span>{points.length} points</span>
        <span>high {format(chart.maxPriceWad)}</span>
      </figcaption>
    </figure>
  );
}
