import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { assertMathError } from "../_test/assertions.ts";
import { Prng } from "../testing/prng.ts";
import { WAD } from "../constants.ts";
import { feeFloor, isCompliant, maxRaise, requiredImr, requiredMmr } from "./risk.ts";

const BP = 10n ** 14n;
/** DESIGN's ETH defaults: fee 0.05% a side, δ 0.1%, buffer 0.1%, MMR 0.9%, IMR 1.125%. */
const ETH = {
  tradingFeeWad: 5n * BP,
  deviationWad: 10n * BP,
  latencyBufferWad: 10n * BP,
  mmrWad: 90n * BP,
  imrWad: 1125n * 10n ** 13n,
};

describe("requiredMmr", () => {
  test("test_requiredMmr_isTwoFeesPlusDeviationPlusBuffer", () => {
    // 2 × 0.05% + 0.1% + 0.1% = 0.3%
    assert.equal(requiredMmr(ETH), 30n * BP);
    // DESIGN's altcoins: 2 × 0.25% + 0.5% + 0.1% = 1.1%
    assert.equal(
      requiredMmr({ tradingFeeWad: 25n * BP, deviationWad: 50n * BP, latencyBufferWad: 10n * BP }),
      110n * BP
    );
  });

  test("test_requiredMmr_throwsOnANegativeFee", () => {
    assertMathError(() => requiredMmr({ ...ETH, tradingFeeWad: -1n }), "NegativeUnsigned", "requiredMmr");
  });
});

describe("requiredImr", () => {
  test("test_requiredImr_isOneAndAQuarterMmr", () => {
    // 1.25 × 0.9% = 1.125%
    assert.equal(requiredImr({ mmrWad: 90n * BP }), 1125n * 10n ** 13n);
    assert.equal(requiredImr({ mmrWad: 0n }), 0n);
  });

  test("test_requiredImr_roundsUp", () => {
    // 1.25 wei → 2, 5 wei exact, 2.5 wei → 3
    assert.equal(requiredImr({ mmrWad: 1n }), 2n);
    assert.equal(requiredImr({ mmrWad: 4n }), 5n);
    assert.equal(requiredImr({ mmrWad: 2n }), 3n);
  });

  test("test_fuzz_requiredImr_isTheCeilingOfFiveQuarters", () => {
    const prng = new Prng(0x696d72n);
    for (let i = 0; i < 1_000; i++) {
      const mmrWad = prng.magnitude(128);
      const imr = requiredImr({ mmrWad });
      assert.ok(4n * imr >= 5n * mmrWad && 4n * (imr - 1n) < 5n * mmrWad, `iteration ${i}`);
    }
  });
});

describe("feeFloor", () => {
  test("test_feeFloor_isHalfTheDeviationRoundedUp", () => {
    assert.equal(feeFloor({ deviationWad: 10n * BP }), 5n * BP);
    assert.equal(feeFloor({ deviationWad: 3n }), 2n);
    assert.equal(feeFloor({ deviationWad: 1n }), 1n);
    assert.equal(feeFloor({ deviationWad: 0n }), 0n);
  });
});

describe("maxRaise", () => {
  test("test_maxRaise_isTenPercentAbove", () => {
    // 0.9% → 0.99%
    assert.equal(maxRaise({ baseWad: 90n * BP }), 99n * BP);
    assert.equal(maxRaise({ baseWad: WAD }), 11n * 10n ** 17n);
  });

  test("test_maxRaise_roundsDown", () => {
    // 1 wei × 1.1 = 1.1 wei → 1: a 1-wei ratio cannot rise at all
    assert.equal(maxRaise({ baseWad: 1n }), 1n);
    assert.equal(maxRaise({ baseWad: 19n }), 20n);
  });

  test("test_maxRaise_throwsOnANegativeBase", () => {
    assertMathError(() => maxRaise({ baseWad: -1n }), "NegativeUnsigned", "maxRaise");
  });
});

describe("isCompliant", () => {
  test("test_isCompliant_acceptsTheDesignDefaults", () => {
    assert.equal(isCompliant(ETH), true);
  });

  test("test_isCompliant_acceptsEachConstraintExactlyAtItsBound", () => {
    // fee = ⌈δ/2⌉, MMR = 2·fee + δ + buffer, IMR = ⌈1.25·MMR⌉
    const tight = {
      tradingFeeWad: 5n * BP,
      deviationWad: 10n * BP,
      latencyBufferWad: 10n * BP,
      mmrWad: 30n * BP,
      imrWad: 375n * 10n ** 13n,
    };
    assert.equal(isCompliant(tight), true);
  });

  test("test_isCompliant_rejectsAFeeBelowHalfTheDeviation", () => {
    assert.equal(isCompliant({ ...ETH, tradingFeeWad: 5n * BP - 1n }), false);
  });

  test("test_isCompliant_rejectsAnMmrBelowFeesDeviationAndBuffer", () => {
    assert.equal(isCompliant({ ...ETH, mmrWad: 30n * BP - 1n, imrWad: WAD }), false);
  });

  test("test_isCompliant_rejectsAnImrBelowOneAndAQuarterMmr", () => {
    assert.equal(isCompliant({ ...ETH, imrWad: 1125n * 10n ** 13n - 1n }), false);
  });

  test("test_isCompliant_throwsOnANegativeParameter", () => {
    assertMathError(() => isCompliant({ ...ETH, imrWad: -1n }), "NegativeUnsigned", "isCompliant");
  });
});
