import assert from "node:assert/strict";
import { test } from "node:test";

import { buildPriceChart } from "./priceChart.ts";

const W = 10n ** 18n;

test("test_buildPriceChart_scalesTimeAndPriceIntoTheBox", () => {
  const chart = buildPriceChart({
    points: [
      { timestamp: 200n, priceWad: 3_000n * W },
      { timestamp: 100n, priceWad: 4_000n * W },
      { timestamp: 300n, priceWad: 3_500n * W },
    ],
    width: 108,
    height: 58,
  });
  // Sorted by time; the highest price at the top (y = padding), the lowest at the bottom.
  assert.equal(chart.line, "M4 4 L54 54 L104 29");
  assert.equal(chart.area, "M4 4 L54 54 L104 29 L104 54 L4 54 Z");
  assert.equal(chart.minPriceWad, 3_000n * W);
  assert.equal(chart.maxPriceWad, 4_000n * W);
  assert.deepEqual(chart.last, { x: 104, y: 29 });
});

test("test_buildPriceChart_singleAndFlatPointsDrawAMiddleLine", () => {
  const one = buildPriceChart({ points: [{ timestamp: 5n, priceWad: W }], width: 108, height: 58 });
  assert.equal(one.line, "M4 29 L104 29");
  assert.equal(buildPriceChart({ points: [], width: 10, height: 10 }).line, "");
});
