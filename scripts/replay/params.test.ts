import { test } from "node:test";
import assert from "node:assert/strict";
import { marketParams, maxLeverageOf } from "./params.ts";

const W = 10n ** 18n;

test("marketParams_usesTheAssetsPresets", () => {
  const avax = marketParams({ asset: "AVAX" });
  assert.equal(avax.mmrWad, 5n * W / 100n);
  assert.equal(maxLeverageOf(avax), 16);
  const eth = marketParams({ asset: "ETH" });
  assert.equal(eth.deviationWad, W / 1000n);
  assert.equal(Math.round(maxLeverageOf(eth)), 89);
});

test("marketParams_derivesTheBoundsFromTheDeviation", () => {
  const p = marketParams({ asset: "AVAX", deviationWad: 5n * W / 1000n });
  assert.equal(p.tradingFeeWad, 25n * W / 10_000n); // δ/2
  assert.equal(p.mmrWad, 2n * p.tradingFeeWad + p.deviationWad + W / 1000n);
  assert.ok(p.imrWad * 4n >= p.mmrWad * 5n);
  // A tight feed is capped at 100x.
  const tight = marketParams({ asset: "ETH", deviationWad: W / 10_000n });
  assert.equal(tight.imrWad, W / 100n);
});
