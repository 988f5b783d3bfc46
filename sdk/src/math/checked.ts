/**
 * Range checks that reproduce Solidity 0.8's checked arithmetic on unbounded bigints. Internal to the math
 * modules: not part of the public surface.
 *
 * BigInt never overflows, so without these a TS function would return a value where the contract reverts.
 * Each math function runs every Solidity operation through one of these, in the contract's order, so it
 * throws exactly where the contract would.
 */
import { SdkMathError } from "../errors/math.ts";

/** 2^256 − 1, the largest uint256. */
export const MAX_UINT256 = (1n << 256n) - 1n;
/** 2^255 − 1, the largest int256. */
export const MAX_INT256 = (1n << 255n) - 1n;
/** −2^255, the smallest int256. */
export const MIN_INT256 = -(1n << 255n);

/**
 * Returns `value` if it fits a uint256, else throws as the contract would (a negative argument cannot be
 * encoded; an arithmetic result out of range is a panic).
 *
 * @param functionName - The calling SDK function, for the message.
 * @param label - What the value is (an argument name or an expression).
 * @param value - The value to check.
 * @returns `value`, unchanged.
 * @throws {SdkMathError} `NegativeUnsigned` below zero, `Overflow` above 2^256 − 1.
 */
export function checkUint256(functionName: string, label: string, value: bigint): bigint {
  if (value < 0n) {
    throw new SdkMathError({
      functionName,
      reason: "NegativeUnsigned",
      details: `${label} must be a uint256, got ${value}`,
    });
  }
  if (value > MAX_UINT256) {
    throw new SdkMathError({ functionName, reason: "Overflow", details: `${label} does not fit in uint256` });
  }
  return value;
}

/**
 * Returns `value` if it fits an int256, else throws as the contract's checked arithmetic would.
 *
 * @param functionName - The calling SDK function, for the message.
 * @param label - What the value is (an argument name or an expression).
 * @param value - The value to check.
 * @returns `value`, unchanged.
 * @throws {SdkMathError} `Overflow` outside [−2^255, 2^255 − 1].
 */
export function checkInt256(functionName: string, label: string, value: bigint): bigint {
  if (value < MIN_INT256 || value > MAX_INT256) {
    throw new SdkMathError({ functionName, reason: "Overflow", details: `${label} does not fit in int256` });
  }
  return value;
}

/**
 * Mirrors an explicit `int256(x)` of a uint256. Solidity does not check that conversion (it wraps above
 * 2^255 − 1); the contract's operands are stored in at most 128 bits and never reach it, so the SDK refuses
 * rather than reproduce a wrap no real input can trigger.
 *
 * @param functionName - The calling SDK function, for the message.
 * @param label - What the value is.
 * @param value - A uint256 value.
 * @returns `value`, unchanged.
 * @throws {SdkMathError} `Overflow` above 2^255 − 1.
 */
export function toInt256(functionName: string, label: string, value: bigint): bigint {
  if (value > MAX_INT256) {
    throw new SdkMathError({ functionName, reason: "Overflow", details: `int256(${label}) would wrap` });
  }
  return value;
}

/**
 * Returns `value` if it is non-zero, else throws as a Solidity division or modulo by zero would.
 *
 * @param functionName - The calling SDK function, for the message.
 * @param label - What the divisor is.
 * @param value - The divisor.
 * @returns `value`, unchanged.
 * @throws {SdkMathError} `DivisionByZero` when `value` is zero.
 */
export function checkDivisor(functionName: string, label: string, value: bigint): bigint {
  if (value === 0n) {
    throw new SdkMathError({ functionName, reason: "DivisionByZero", details: `${label} is zero` });
  }
  return value;
}

/** Which way a division rounds: `down` towards −∞, `up` towards +∞. */
export type Rounding = "down" | "up";

/**
 * OpenZeppelin `Math.mulDiv(x, y, d[, Ceil])` on uint256 operands: x·y/d at full precision (no intermediate
 * overflow), rounded down or up. Operands must already be checked as uint256.
 *
 * @param functionName - The calling SDK function, for the message.
 * @param expr - The expression computed, for the message.
 * @param x - A uint256 factor.
 * @param y - A uint256 factor.
 * @param d - The uint256 divisor.
 * @param rounding - {@link Rounding}
 * @returns ⌊x·y/d⌋ or ⌈x·y/d⌉.
 * @throws {SdkMathError} `DivisionByZero` when d is zero; `Overflow` when the result exceeds 2^256 − 1.
 */
export function checkedMulDiv(
  functionName: string,
  expr: string,
  x: bigint,
  y: bigint,
  d: bigint,
  rounding: Rounding
): bigint {
  checkDivisor(functionName, `divisor of ${expr}`, d);
  const product = x * y;
  let q = product / d;
  // OZ adds the rounding bit to the floor with checked addition: the ceiling overflows when it exceeds 2^256 − 1.
  if (rounding === "up" && product % d !== 0n) q += 1n;
  return checkUint256(functionName, expr, q);
}

/**
 * FixedPointMath.divDown / divUp on int256 operands: Solidity's truncating `x / d`, then one step towards
 * −∞ (down, when x < 0) or +∞ (up, when x > 0) if the division was inexact. For d > 0 that is ⌊x/d⌋ or
 * ⌈x/d⌉; for d < 0 it reproduces the contract's formula, which is then neither.
 *
 * @param functionName - The calling SDK function, for the message.
 * @param expr - The expression computed, for the message.
 * @param x - An int256 dividend.
 * @param d - An int256 divisor.
 * @param rounding - {@link Rounding}
 * @returns The rounded quotient.
 * @throws {SdkMathError} `DivisionByZero` when d is zero; `Overflow` for −2^255 / −1.
 */
export function checkedDiv(functionName: string, expr: string, x: bigint, d: bigint, rounding: Rounding): bigint {
  checkDivisor(functionName, `divisor of ${expr}`, d);
  // BigInt `/` truncates towards zero and `%` takes the dividend's sign, exactly as Solidity's int256 operators.
  const q = checkInt256(functionName, expr, x / d);
  if (x % d === 0n) return q;
  if (rounding === "down" && x < 0n) return checkInt256(functionName, expr, q - 1n);
  if (rounding === "up" && x > 0n) return checkInt256(functionName, expr, q + 1n);
  return q;
}

/**
 * FixedPointMath.abs on an int256 already checked: the contract computes `uint256(-x)` for x < 0, and the
 * checked negation of −2^255 reverts.
 *
 * @param functionName - The calling SDK function, for the message.
 * @param expr - The expression negated, for the message.
 * @param x - An int256.
 * @returns |x|.
 * @throws {SdkMathError} `Overflow` for −2^255.
 */
export function checkedAbs(functionName: string, expr: string, x: bigint): bigint {
  if (x >= 0n) return x;
  return checkInt256(functionName, `−${expr}`, -x);
}
