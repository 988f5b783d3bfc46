/**
 * The report as a self-contained HTML page (inline SVG charts, no scripts, no external files) and the main
 * chart (price with liquidations and ADL fills) as a standalone SVG.
 */
import type { ReportFigures, SeriesPoint } from "./report.ts";

const W = 760;
const H = 220;
const PAD = { l: 70, r: 60, t: 24, b: 30 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (x: number) =>
  Math.abs(x) >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : Math.abs(x) >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(Math.abs(x) < 10 ? 3 : 1);

type Line = { label: string; color: string; values: number[]; axis?: "left" | "right"; step?: boolean };

/** One chart: lines over the series' time axis (minutes since the first point), two y axes at most. */
export function chartSvg(title: string, series: SeriesPoint[], lines: Line[], standalone = false): string {
  const t0 = series[0]?.timeSec ?? 0;
  const xs = series.map((p) => (p.timeSec - t0) / 60);
  const xMax = Math.max(1e-9, ...xs);
  const x = (v: number) => PAD.l + (v / xMax) * (W - PAD.l - PAD.r);
  const range = (axis: "left" | "right") => {
    const vals = lines.filter((l) => (l.axis ?? "left") === axis).flatMap((l) => l.values);
    if (vals.length === 0) return undefined;
    let lo = Math.min(...vals);
    let hi = Math.max(...vals);
    if (lo === hi) {
      lo -= Math.abs(lo) * 0.05 + 1;
      hi += Math.abs(hi) * 0.05 + 1;
    }
    return { lo, hi };
  };
  const ranges = { left: range("left"), right: range("right") };
  const y = (v: number, axis: "left" | "right") => {
    const r = ranges[axis]!;
    return PAD.t + (1 - (v - r.lo) / (r.hi - r.lo)) * (H - PAD.t - PAD.b);
  };
  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(`<text x="${PAD.l}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`);
  for (const axis of ["left", "right"] as const) {
    const r = ranges[axis];
    if (!r) continue;
    const xPos = axis === "left" ? PAD.l - 6 : W - PAD.r + 6;
    for (let i = 0; i <= 4; i++) {
      const v = r.lo + ((r.hi - r.lo) * i) / 4;
      parts.push(`<text x="${xPos}" y="${y(v, axis) + 4}" font-size="10" text-anchor="${axis === "left" ? "end" : "start"}">${fmt(v)}</text>`);
      if (axis === "left") parts.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(v, axis)}" y2="${y(v, axis)}" stroke="#eee"/>`);
    }
  }
  for (let i = 0; i <= 5; i++) {
    const v = (xMax * i) / 5;
    parts.push(`<text x="${x(v)}" y="${H - 10}" font-size="10" text-anchor="middle">${v.toFixed(0)} min</text>`);
  }
  lines.forEach((l, n) => {
    const axis = l.axis ?? "left";
    if (!ranges[axis]) return;
    let d = "";
    l.values.forEach((v, i) => {
      const px = x(xs[i]).toFixed(1);
      const py = y(v, axis).toFixed(1);
      if (i === 0) d += `M${px},${py}`;
      else if (l.step) d += `H${px}V${py}`;
      else d += `L${px},${py}`;
    });
    parts.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="1.6"/>`);
    parts.push(`<rect x="${PAD.l + 10 + n * 190}" y="${PAD.t - 2}" width="10" height="3" fill="${l.color}"/>`);
    parts.push(`<text x="${PAD.l + 24 + n * 190}" y="${PAD.t + 2}" font-size="10">${esc(l.label)}${axis === "right" ? " (right)" : ""}</text>`);
  });
  const attrs = `viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif"`;
  return standalone ? `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" ${attrs}>${parts.join("")}</svg>\n` : `<svg xmlns="http://www.w3.org/2000/svg" ${attrs}>${parts.join("")}</svg>`;
}

/** The main chart: the oracle price and the cumulative liquidations and ADL fills. */
export function mainChartSvg(series: SeriesPoint[], symbol: string, standalone: boolean): string {
  return chartSvg(
    `${symbol}: oracle price, liquidations and ADL fills`,
    series,
    [
      { label: "price (USD)", color: "#1f77b4", values: series.map((p) => p.priceUsd), step: true },
      { label: "liquidations", color: "#d62728", values: series.map((p) => p.liquidations), axis: "right", step: true },
      { label: "ADL fills", color: "#9467bd", values: series.map((p) => p.adlFills), axis: "right", step: true },
    ],
    standalone,
  );
}

/** Parameters of {@link reportHtml}. */
export type ReportHtmlParameters = {
  title: string;
  symbol: string;
  figures: ReportFigures;
  invariants: Record<string, boolean>;
  parameters: Record<string, string | number>;
  series: SeriesPoint[];
  table: string;
};

/** The whole report page. */
export function reportHtml(p: ReportHtmlParameters): string {
  const s = p.series;
  const charts = [
    mainChartSvg(s, p.symbol, false),
    chartSvg("Insurance fund (USD)", s, [{ label: "insurance fund", color: "#2ca02c", values: s.map((x) => x.insuranceUsd), step: true }]),
    chartSvg("Vault equity (USD)", s, [{ label: "vault equity", color: "#ff7f0e", values: s.map((x) => x.vaultEquityUsd), step: true }]),
    chartSvg("Bad debt (USD)", s, [{ label: "bad debt", color: "#8c564b", values: s.map((x) => x.badDebtUsd), step: true }]),
  ];
  const row = (k: string, v: unknown) => `<tr><td>${esc(k)}</td><td>${esc(typeof v === "object" ? JSON.stringify(v) : String(v))}</td></tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(p.title)}</title>
<style>body{font-family:sans-serif;max-width:800px;margin:2em auto;color:#222}table{border-collapse:collapse;font-size:13px}td{border:1px solid #ddd;padding:3px 8px}pre{background:#f6f6f6;padding:1em;font-size:12px;overflow:auto}.ok{color:#2a2}.bad{color:#c22}</style>
</head><body>
<h1>${esc(p.title)}</h1>
<p>Invariants: ${Object.entries(p.invariants).map(([k, v]) => `<span class="${v ? "ok" : "bad"}">${esc(k)} ${v ? "held" : "FAILED"}</span>`).join(", ")}</p>
${charts.map((c) => `<div>${c}</div>`).join("\n")}
<h2>Summary</h2><pre>${esc(p.table)}</pre>
<h2>Figures</h2><table>${Object.entries(p.figures).map(([k, v]) => row(k, v)).join("")}</table>
<h2>Parameters</h2><table>${Object.entries(p.parameters).map(([k, v]) => row(k, v)).join("")}</table>
</body></html>
`;
}
