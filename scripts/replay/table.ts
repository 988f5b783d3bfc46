/**
 * The summary table printed after a replay.
 */
import type { ReportFigures } from "./report.ts";
import type { Invariants } from "./invariants.ts";

const usd = (x: number) => `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** Renders rows of two columns, the first padded. */
export function twoColumns(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

/** The waterfall steps a run reached, in order, as words. */
export function stepsReached(f: ReportFigures): string {
  const w = f.waterfall;
  const steps = [
    [w.liquidation, "liquidation"],
    [w.takeover, "vault takeover"],
    [w.insurance, "insurance fund"],
    [w.vaultToFloor, "vault equity"],
    [w.adl, "ADL"],
    [w.adlHaircut, "ADL haircuts"],
    [w.badDebt, "bad debt"],
    [w.profitScaling, "profit scaling"],
    [w.solvencyAdl, "vault-solvency ADL"],
  ] as const;
  const reached = steps.filter(([on]) => on).map(([, name]) => name);
  return reached.length ? reached.join(", ") : "none";
}

/** The summary table of a replay, then why the run reached the steps it did. */
export function summaryTable(f: ReportFigures, inv: Invariants): string {
  const held = Object.values(inv).every(Boolean);
  const why = f.waterfallWhy.map((line) => `- ${line}`).join("\n");
  return `${twoColumns([
    ["price rounds published", String(f.rounds)],
    ["traders / positions opened", `${f.traders} / ${f.positionsOpened}`],
    ["liquidations", String(f.liquidations)],
    ["ADL fills (notional)", `${f.adlFills} (${usd(f.adlNotionalUsd)})`],
    ["ADL haircut total", usd(f.adlHaircutUsd)],
    ["ADL overshoot / principal lost", `${usd(f.adlOvershootUsd)} / ${usd(f.principalLossUsd)}`],
    ["profit withheld by scaling", usd(f.profitScaledAwayUsd)],
    ["insurance fund before -> after", `${usd(f.insuranceStartUsd)} -> ${usd(f.insuranceEndUsd)}`],
    ["vault equity before -> after", `${usd(f.vaultEquityStartUsd)} -> ${usd(f.vaultEquityEndUsd)}`],
    ["bad debt", usd(f.badDebtUsd)],
    ["max blocks liquidatable", String(f.maxBlocksLiquidatable)],
    ["peak liquidatable / blocks to clear", `${f.peakLiquidatable} / ${f.peakBlocksToClear} (gas bound ${f.peakBlocksLowerBound})`],
    ["most positions in liquidation at once", String(f.inLiquidationPeak)],
    ["waterfall steps reached", stepsReached(f)],
    ["invariants", held ? "all held" : `FAILED: ${Object.entries(inv).filter(([, v]) => !v).map(([k]) => k).join(", ")}`],
  ])}${why ? `\n\nWhy these steps:\n${why}` : ""}`;
}
