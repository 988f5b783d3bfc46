import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { explainWaterfall, type ReportFigures } from "./report.ts";
import { stepsReached, summaryTable } from "./table.ts";

const base: ReportFigures = {
  rounds: 10, traders: 5, positionsOpened: 5, liquidations: 3, adlFills: 0, adlNotionalUsd: 0, adlHaircutUsd: 0, adlOvershootUsd: 0,
  principalLossUsd: 0, profitScaledAwayUsd: 0, vaultLimitOverrides: 0, inLiquidationPeak: 0, insuranceStartUsd: 100, insuranceEndUsd: 100,
  vaultEquityStartUsd: 1000, vaultEquityEndUsd: 900, badDebtUsd: 0, maxBlocksLiquidatable: 1, longestWait: null, peakLiquidatable: 2, peakBlocksToClear: 1,
  peakBlocksLowerBound: 1, gasPerLiquidation: 100_000, adlVictimLeverageMedian: null, populationLeverageMedian: 3,
  deficits: { count: 0, totalUsd: 0, insuranceUsd: 0, vaultUsd: 0, haircutUsd: 0, badDebtUsd: 0 },
  largestRoundMovePercent: 3.2, largestRoundFallPercent: 3.2, largestRoundRisePercent: 1.5, mmrPercent: 5, solvencyAdlCloses: 0, waterfallWhy: [],
  waterfall: { liquidation: true, takeover: true, insurance: false, vaultToFloor: false, adl: false, adlHaircut: false, badDebt: false, profitScaling: false, solvencyAdl: false },
};

describe("explainWaterfall", () => {
  it("says no deficit appeared, with the largest round gap against the maintenance margin", () => {
    const why = explainWaterfall(base, 0);
    assert.match(why[0], /No liquidation left a deficit/);
    assert.match(why[0], /fall between two rounds 3\.20%, largest rise 1\.50%, maintenance margin 5\.00%/);
    assert.match(why.at(-1)!, /Profit scaling never applied/);
  });

  it("names who paid the deficits, capacity ADL and solvency ADL", () => {
    const f = { ...base, adlFills: 4, deficits: { count: 2, totalUsd: 500, insuranceUsd: 100, vaultUsd: 300, haircutUsd: 100, badDebtUsd: 0 }, solvencyAdlCloses: 3, profitScaledAwayUsd: 12 };
    const why = explainWaterfall(f, 2);
    assert.match(why[0], /2 liquidated slices left deficits of \$500 .*insurance fund \$100, vault equity down to its floor \$300, ADL haircuts \$100, bad debt \$0/);
    assert.ok(why.some((l) => /2 ADL fills without haircut/.test(l)));
    assert.ok(why.some((l) => /Vault-solvency ADL closed 3/.test(l)));
    assert.ok(why.some((l) => /Profit scaling withheld \$12/.test(l)));
  });

  it("suggests the forced variant when insurance and the vault paid everything", () => {
    const f = { ...base, deficits: { count: 1, totalUsd: 50, insuranceUsd: 50, vaultUsd: 0, haircutUsd: 0, badDebtUsd: 0 } };
    assert.ok(explainWaterfall(f, 0).some((l) => /--insurance 0 --lp-withdraw-to-floor/.test(l)));
  });

  it("with no liquidation says so and nothing else", () => {
    assert.deepEqual(explainWaterfall({ ...base, liquidations: 0 }, 0).length, 1);
  });
});

describe("summaryTable", () => {
  it("lists the steps reached in order and the reasons under the table", () => {
    const f = { ...base, waterfallWhy: ["because"], waterfall: { ...base.waterfall, adl: true, solvencyAdl: true } };
    assert.equal(stepsReached(f), "liquidation, vault takeover, ADL, vault-solvency ADL");
    const t = summaryTable(f, { conservation: true, zeroSum: true, order: true, noHiddenLoss: false });
    assert.match(t, /invariants\s+FAILED: noHiddenLoss/);
    assert.match(t, /Why these steps:\n- because$/);
  });
});
