import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { assertMathError } from "../_test/assertions.ts";
import { Prng } from "../testing/prng.ts";
import { SECONDS_PER_DAY, WAD } from "../constants.ts";
import { indexDelta, ratePerDay, skewRatio } from "./funding.ts";

const W = WAD;
/** 1% a day at full skew, DESIGN's default. */
const MAX_RATE_1_PCT = 10n ** 16n;

describe("skewRatio", () => {
  test("test_skewRatio_isSkewOverScale", () => {
    assert.equal(skewRatio({ skewWad: 500n * W, skewScaleWad: 1_000n * W }), W / 2n);
    assert.equal(skewRatio({ skewWad: -250n * W, skewScaleWad: 1_000n * W }), -W / 4n);
    assert.equal(skewRatio({ skewWad: 0n, skewScaleWad: 1_000n * W }), 0n);
  });

  test("test_skewRatio_clampsToPlusMinusOne", () => {
    assert.equal(skewRatio({ skewWad: 2_000n * W, skewScaleWad: 1_000n * W }), W);
    assert.equal(skewRatio({ skewWad: -2_000n * W, skewScaleWad: 1_000n * W }), -W);
    assert.equal(skewRatio({ skewWad: 1_000n * W, skewScaleWad: 1_000n * W }), W);
  });

  test("test_skewRatio_truncatesTowardsZero", () => {
    // ±1/3 = ±0.333…: both sides truncate to 0.333333333333333333 (a floor would give −0.333333333333333334)
    assert.equal(skewRatio({ skewWad: W, skewScaleWad: 3n * W }), 333_333_333_333_333_333n);
    assert.equal(skewRatio({ skewWad: -W, skewScaleWad: 3n * W }), -333_333_333_333_333_333n);
  });

  test("test_skewRatio_throwsOnAZeroScale", () => {
    assertMathError(() => skewRatio({ skewWad: W, skewScaleWad: 0n }), "DivisionByZero", "skewRatio");
  });
});

describe("ratePerDay", () => {
  test("test_ratePerDay_isMaxRateTimesSkewRatio", () => {
    // half the scale at 1% a day: 0.5% a day; beyond the scale: the full 1%
    const base = { skewScaleWad: 1_000n * W, maxRatePerDayWad: MAX_RATE_1_PCT };
    assert.equal(ratePerDay({ ...base, skewWad: 500n * W }), 5n * 10n ** 15n);
    assert.equal(ratePerDay({ ...base, skewWad: -5_000n * W }), -MAX_RATE_1_PCT);
  });

  test("test_ratePerDay_truncatesTowardsZero", () => {
    // 1% × −0.333333333333333333 = −0.00333333333333333333 → −0.003333333333333333
    assert.equal(
      ratePerDay({ skewWad: -W, skewScaleWad: 3n * W, maxRatePerDayWad: MAX_RATE_1_PCT }),
      -3_333_333_333_333_333n
    );
  });

  test("test_ratePerDay_throwsOnANegativeMaxRate", () => {
    assertMathError(
      () => ratePerDay({ skewWad: W, skewScaleWad: W, maxRatePerDayWad: -1n }),
      "NegativeUnsigned",
      "ratePerDay"
    );
  });
});

describe("indexDelta", () => {
  // full long skew, 1% a day at 2,000: longs pay 20 per unit per day
  const fullLong = { skewWad: W, skewScaleWad: W, maxRatePerDayWad: MAX_RATE_1_PCT, priceWad: 2_000n * W };

  test("test_indexDelta_isPriceTimesRateTimesDays", () => {
    assert.equal(indexDelta({ ...fullLong, elapsedSeconds: SECONDS_PER_DAY }), 20n * W);
    assert.equal(indexDelta({ ...fullLong, elapsedSeconds: SECONDS_PER_DAY / 2n }), 10n * W);
    assert.equal(indexDelta({ ...fullLong, skewWad: -W, elapsedSeconds: SECONDS_PER_DAY }), -20n * W);
    assert.equal(indexDelta({ ...fullLong, elapsedSeconds: 0n }), 0n);
  });

  test("test_indexDelta_truncatesTowardsZeroOnceAfterTheProducts", () => {
    // one second: 2,000 × 1% / 86,400 = 0.000231481481481481|48… per unit, either sign
    assert.equal(indexDelta({ ...fullLong, elapsedSeconds: 1n }), 231_481_481_481_481n);
    assert.equal(indexDelta({ ...fullLong, skewWad: -W, elapsedSeconds: 1n }), -231_481_481_481_481n);
  });

  test("test_indexDelta_throwsOnANegativePriceOrDuration", () => {
    assertMathError(
      () => indexDelta({ ...fullLong, priceWad: -1n, elapsedSeconds: 1n }),
      "NegativeUnsigned",
      "indexDelta"
    );
    assertMathError(() => indexDelta({ ...fullLong, elapsedSeconds: -1n }), "NegativeUnsigned", "indexDelta");
  });

  test("test_fuzz_indexDelta_isOddInTheSkewAndBoundedByTheMaxRate", () => {
    const prng = new Prng(0x66756e64696e67n);
    for (let i = 0; i < 2_000; i++) {
      const skewWad = prng.signedMagnitude(100);
      const skewScaleWad = prng.magnitude(100) + 1n;
      const maxRatePerDayWad = prng.below(10n ** 17n + 1n);
      const priceWad = prng.magnitude(90);
      const elapsedSeconds = prng.magnitude(32);
      const parameters = { skewWad, skewScaleWad, maxRatePerDayWad, priceWad, elapsedSeconds };
      const delta = indexDelta(parameters);
      // truncation towards zero makes a mirrored skew pay exactly the opposite
      assert.equal(indexDelta({ ...parameters, skewWad: -skewWad }), -delta, `iteration ${i}: odd`);
      // longs pay when the skew is long; never more than the max rate
      assert.ok(skewWad >= 0n ? delta >= 0n : delta <= 0n, `iteration ${i}: sign`);
      const bound = (priceWad * maxRatePerDayWad * elapsedSeconds) / (W * SECONDS_PER_DAY);
      assert.ok(delta <= bound && -delta <= bound, `iteration ${i}: bound`);
      const ratio = skewRatio({ skewWad, skewScaleWad });
      assert.ok(-W <= ratio && ratio <= W, `iteration ${i}: ratio`);
    }
  });
});
