import { test } from "node:test";
import assert from "node:assert/strict";
import { median, planPopulation } from "./population.ts";

const markets = [
  { marketId: 3n, maxLeverage: 16, traderShare: 0.7, shortProbability: 0.55 },
  { marketId: 1n, maxLeverage: 88, traderShare: 0.3, shortProbability: 0.5 },
];

test("planPopulation_isDeterministicPerSeed", () => {
  const a = planPopulation({ traders: 50, seed: 7, markets });
  assert.deepEqual(planPopulation({ traders: 50, seed: 7, markets }), a);
  assert.notDeepEqual(planPopulation({ traders: 50, seed: 8, markets }), a);
});

test("planPopulation_staysWithinTheDesignRanges", () => {
  const plans = planPopulation({ traders: 4000, seed: 1, markets });
  for (const p of plans) {
    const max = p.marketId === 3n ? 16 : 88;
    assert.ok(p.leverage >= 2 && p.leverage < max, `leverage ${p.leverage}`);
    assert.ok(p.notionalUsd >= 1_000 && p.notionalUsd <= 200_000);
  }
  const crash = plans.filter((p) => p.marketId === 3n);
  assert.ok(Math.abs(crash.length / plans.length - 0.7) < 0.03);
  const shortNotional = crash.filter((p) => !p.isLong).reduce((s, p) => s + p.notionalUsd, 0);
  const total = crash.reduce((s, p) => s + p.notionalUsd, 0);
  assert.ok(Math.abs(shortNotional / total - 0.55) < 0.05, `short share ${shortNotional / total}`);
  // Log-uniform leverage: the median is near the geometric mean of the bounds.
  assert.ok(Math.abs(median(crash.map((p) => p.leverage))! - Math.sqrt(2 * 16 * 0.97)) < 0.6);
});

test("median_ofEvenAndOddLists", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(median([]), undefined);
});
