import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { assertMathError } from "../_test/assertions.ts";
import { Prng } from "../testing/prng.ts";
import { WAD } from "../constants.ts";
import { MAX_INT256, MAX_UINT256, MIN_INT256 } from "./checked.ts";
import {
  abs,
  divDown,
  divUp,
  mulDivDown,
  mulDivUp,
  sMulDown,
  sMulUp,
  wDivDown,
  wDivUp,
  wMulDown,
  wMulUp,
} from "./fixedPoint.ts";

const HALF_WAD = WAD / 2n;

describe("mulDivDown / mulDivUp", () => {
  test("test_mulDiv_roundsDownAndUpWhenInexact", () => {
    // 10·10/3 = 33.3…
    assert.equal(mulDivDown(10n, 10n, 3n), 33n);
    assert.equal(mulDivUp(10n, 10n, 3n), 34n);
  });

  test("test_mulDiv_agreeWhenExact", () => {
    assert.equal(mulDivDown(6n, 4n, 3n), 8n);
    assert.equal(mulDivUp(6n, 4n, 3n), 8n);
    assert.equal(mulDivUp(0n, 7n, 3n), 0n);
  });

  test("test_mulDiv_keepsFullPrecisionWhenTheProductExceeds256Bits", () => {
    // OpenZeppelin's mulDiv computes the 512-bit product: MAX·MAX/MAX does not overflow.
    assert.equal(mulDivDown(MAX_UINT256, MAX_UINT256, MAX_UINT256), MAX_UINT256);
    assert.equal(mulDivUp(MAX_UINT256, MAX_UINT256, MAX_UINT256), MAX_UINT256);
  });

  test("test_mulDivDown_throwsWhenTheResultExceedsUint256", () => {
    assertMathError(() => mulDivDown(MAX_UINT256, 2n, 1n), "Overflow", "mulDivDown");
  });

  test("test_mulDivUp_throwsWhenOnlyTheRoundingBitOverflows", () => {
    // (MAX−1)²/(MAX−2) = MAX + 1/(MAX−2): the floor fits, the ceiling does not (OZ adds the bit checked).
    assert.equal(mulDivDown(MAX_UINT256 - 1n, MAX_UINT256 - 1n, MAX_UINT256 - 2n), MAX_UINT256);
    assertMathError(() => mulDivUp(MAX_UINT256 - 1n, MAX_UINT256 - 1n, MAX_UINT256 - 2n), "Overflow", "mulDivUp");
  });

  test("test_mulDiv_throwsOnDivisionByZero", () => {
    assertMathError(() => mulDivDown(0n, 0n, 0n), "DivisionByZero", "mulDivDown");
    assertMathError(() => mulDivUp(1n, 1n, 0n), "DivisionByZero", "mulDivUp");
  });

  test("test_mulDiv_throwsOnNegativeOrOversizedOperands", () => {
    assertMathError(() => mulDivDown(-1n, 1n, 1n), "NegativeUnsigned");
    assertMathError(() => mulDivUp(1n, -1n, 1n), "NegativeUnsigned");
    assertMathError(() => mulDivDown(1n, 1n, -1n), "NegativeUnsigned");
    assertMathError(() => mulDivDown(MAX_UINT256 + 1n, 1n, 2n), "Overflow");
  });

  test("test_fuzz_mulDiv_bracketsTheExactQuotientOrThrowsBeyondUint256", () => {
    const prng = new Prng(0x6d756c446976n);
    for (let i = 0; i < 2_000; i++) {
      const x = prng.magnitude(256);
      const y = prng.magnitude(256);
      const d = prng.magnitude(256) + 1n;
      const product = x * y;
      const floor = product / d;
      const ceil = product % d === 0n ? floor : floor + 1n;
      if (floor > MAX_UINT256) {
        assertMathError(() => mulDivDown(x, y, d), "Overflow", "mulDivDown");
      } else {
        const down = mulDivDown(x, y, d);
        assert.ok(down * d <= product && product < (down + 1n) * d, `iteration ${i}: down`);
      }
      if (ceil > MAX_UINT256) {
        assertMathError(() => mulDivUp(x, y, d), "Overflow", "mulDivUp");
      } else {
        const up = mulDivUp(x, y, d);
        assert.ok(up * d >= product && (up - 1n) * d < product, `iteration ${i}: up`);
      }
    }
  });
});

describe("wMul / wDiv", () => {
  test("test_wMul_roundsDownAndUp", () => {
    // 3 wei × 0.5 = 1.5 wei
    assert.equal(wMulDown(3n, HALF_WAD), 1n);
    assert.equal(wMulUp(3n, HALF_WAD), 2n);
    assert.equal(wMulDown(2n * WAD, 3n * WAD), 6n * WAD);
    assert.equal(wMulUp(2n * WAD, 3n * WAD), 6n * WAD);
  });

  test("test_wDiv_roundsDownAndUp", () => {
    // 1/3 = 0.333…
    assert.equal(wDivDown(WAD, 3n * WAD), 333_333_333_333_333_333n);
    assert.equal(wDivUp(WAD, 3n * WAD), 333_333_333_333_333_334n);
    assert.equal(wDivDown(6n * WAD, 3n * WAD), 2n * WAD);
    assert.equal(wDivUp(6n * WAD, 3n * WAD), 2n * WAD);
  });

  test("test_wDiv_throwsOnDivisionByZero", () => {
    assertMathError(() => wDivDown(1n, 0n), "DivisionByZero", "wDivDown");
    assertMathError(() => wDivUp(1n, 0n), "DivisionByZero", "wDivUp");
  });

  test("test_wMul_throwsOnANegativeOperand", () => {
    assertMathError(() => wMulDown(-1n, WAD), "NegativeUnsigned", "wMulDown");
    assertMathError(() => wMulUp(WAD, -1n), "NegativeUnsigned", "wMulUp");
  });

  test("test_fuzz_wMulAndWDiv_matchMulDiv", () => {
    const prng = new Prng(0x776d756cn);
    for (let i = 0; i < 1_000; i++) {
      const x = prng.magnitude(160);
      const y = prng.magnitude(160) + 1n;
      assert.equal(wMulDown(x, y), mulDivDown(x, y, WAD));
      assert.equal(wMulUp(x, y), mulDivUp(x, y, WAD));
      assert.equal(wDivDown(x, y), mulDivDown(x, WAD, y));
      assert.equal(wDivUp(x, y), mulDivUp(x, WAD, y));
    }
  });
});

describe("divDown / divUp", () => {
  test("test_divDown_roundsTowardsNegativeInfinity", () => {
    assert.equal(divDown(7n, 2n), 3n);
    assert.equal(divDown(-7n, 2n), -4n);
    assert.equal(divDown(-1n, WAD), -1n);
    assert.equal(divDown(1n, WAD), 0n);
  });

  test("test_divUp_roundsTowardsPositiveInfinity", () => {
    assert.equal(divUp(7n, 2n), 4n);
    assert.equal(divUp(-7n, 2n), -3n);
    assert.equal(divUp(1n, WAD), 1n);
    assert.equal(divUp(-1n, WAD), 0n);
  });

  test("test_div_doesNotAdjustExactQuotients", () => {
    assert.equal(divDown(-6n, 2n), -3n);
    assert.equal(divUp(-6n, 2n), -3n);
    assert.equal(divDown(6n, 2n), 3n);
    assert.equal(divUp(6n, 2n), 3n);
    assert.equal(divDown(0n, 5n), 0n);
    assert.equal(divUp(0n, 5n), 0n);
  });

  test("test_div_reproducesTheContractFormulaForANegativeDivisor", () => {
    // The library assumes d > 0; for d < 0 it truncates, then steps by the dividend's sign only.
    // −7/−2 = 3.5: truncation gives 3 and x < 0 steps down to 2 (a true floor would be 3).
    assert.equal(divDown(-7n, -2n), 2n);
    // 7/−2 = −3.5: truncation gives −3 and x > 0 steps up to −2 (a true ceiling would be −3).
    assert.equal(divUp(7n, -2n), -2n);
  });

  test("test_div_throwsOnDivisionByZeroAndOnMinOverMinusOne", () => {
    assertMathError(() => divDown(1n, 0n), "DivisionByZero", "divDown");
    assertMathError(() => divUp(0n, 0n), "DivisionByZero", "divUp");
    assertMathError(() => divDown(MIN_INT256, -1n), "Overflow", "divDown");
    assertMathError(() => divDown(MAX_INT256 + 1n, 1n), "Overflow", "divDown");
  });

  test("test_fuzz_div_bracketsTheExactQuotient", () => {
    const prng = new Prng(0x646976n);
    for (let i = 0; i < 2_000; i++) {
      const x = prng.signedMagnitude(255);
      const d = prng.magnitude(255) + 1n;
      const down = divDown(x, d);
      const up = divUp(x, d);
      // divDown ≤ x/d ≤ divUp, each within one step of the exact value.
      assert.ok(down * d <= x && x < (down + 1n) * d, `iteration ${i}: down`);
      assert.ok(up * d >= x && (up - 1n) * d < x, `iteration ${i}: up`);
      assert.equal(up - down, x % d === 0n ? 0n : 1n, `iteration ${i}: up − down`);
    }
  });
});

describe("sMulDown / sMulUp", () => {
  test("test_sMul_roundsTowardsTheInfinities", () => {
    // ±3 wei × 0.5 = ±1.5 wei
    assert.equal(sMulDown(3n, HALF_WAD), 1n);
    assert.equal(sMulUp(3n, HALF_WAD), 2n);
    assert.equal(sMulDown(-3n, HALF_WAD), -2n);
    assert.equal(sMulUp(-3n, HALF_WAD), -1n);
    assert.equal(sMulDown(-2n * WAD, 3n * WAD), -6n * WAD);
  });

  test("test_sMul_throwsWhenTheProductOverflowsEvenIfTheResultWouldFit", () => {
    // 2^200 · 2^60 = 2^260 does not fit in int256 although 2^260 / 1e18 ≈ 2^200 would: the contract reverts.
    assertMathError(() => sMulDown(1n << 200n, 1n << 60n), "Overflow", "sMulDown");
    assertMathError(() => sMulUp(-(1n << 200n), 1n << 60n), "Overflow", "sMulUp");
  });

  test("test_fuzz_sMul_matchesDivOfTheProduct", () => {
    const prng = new Prng(0x736d756cn);
    for (let i = 0; i < 1_000; i++) {
      const x = prng.signedMagnitude(127);
      const y = prng.signedMagnitude(127);
      assert.equal(sMulDown(x, y), divDown(x * y, WAD), `iteration ${i}`);
      assert.equal(sMulUp(x, y), divUp(x * y, WAD), `iteration ${i}`);
    }
  });
});

describe("abs", () => {
  test("test_abs_returnsTheMagnitude", () => {
    assert.equal(abs(-5n), 5n);
    assert.equal(abs(5n), 5n);
    assert.equal(abs(0n), 0n);
    assert.equal(abs(MAX_INT256), MAX_INT256);
    assert.equal(abs(-MAX_INT256), MAX_INT256);
  });

  test("test_abs_throwsOnMinInt256", () => {
    assertMathError(() => abs(MIN_INT256), "Overflow", "abs");
  });
});
