/**
 * WAD fixed-point arithmetic, mirroring contracts/libraries/FixedPointMath.sol function by function and
 * rounding by rounding. Every name states its rounding direction.
 *
 * These primitives take positional arguments, unlike the domain functions: their operands carry no unit
 * (the call site gives them one) and the signatures stay those of the Solidity library, so a reader can
 * compare the two side by side.
 *
 * Unsigned operands must be non-negative and fit in uint256, signed ones in int256, as in the contract.
 */
import { WAD } from "../constants.ts";
import { checkedAbs, checkInt256, checkUint256, checkedDiv, checkedMulDiv, type Rounding } from "./checked.ts";

/**
 * x·y/d rounded down, at full precision (OpenZeppelin `Math.mulDiv`).
 *
 * @param x - A uint256.
 * @param y - A uint256.
 * @param denominator - A non-zero uint256.
 * @returns ⌊x·y/denominator⌋.
 * @throws {SdkMathError} `DivisionByZero`, `NegativeUnsigned`, or `Overflow` when the result exceeds uint256.
 *
 * @example
 * mulDivDown(10n, 10n, 3n); // 33n
 */
export function mulDivDown(x: bigint, y: bigint, denominator: bigint): bigint {
  return mulDivUnsigned("mulDivDown", x, y, denominator, "down");
}

/**
 * x·y/d rounded up, at full precision (OpenZeppelin `Math.mulDiv` with `Rounding.Ceil`).
 *
 * @param x - A uint256.
 * @param y - A uint256.
 * @param denominator - A non-zero uint256.
 * @returns ⌈x·y/denominator⌉.
 * @throws {SdkMathError} `DivisionByZero`, `NegativeUnsigned`, or `Overflow` when the result exceeds uint256.
 *
 * @example
 * mulDivUp(10n, 10n, 3n); // 34n
 */
export function mulDivUp(x: bigint, y: bigint, denominator: bigint): bigint {
  return mulDivUnsigned("mulDivUp", x, y, denominator, "up");
}

/**
 * x·y/WAD rounded down: the product of two WAD values.
 *
 * @param x - A uint256 WAD value.
 * @param y - A uint256 WAD value.
 * @returns ⌊x·y/1e18⌋.
 * @throws {SdkMathError} `NegativeUnsigned`, or `Overflow` when the result exceeds uint256.
 */
export function wMulDown(x: bigint, y: bigint): bigint {
  return mulDivUnsigned("wMulDown", x, y, WAD, "down");
}

/**
 * x·y/WAD rounded up: the product of two WAD values.
 *
 * @param x - A uint256 WAD value.
 * @param y - A uint256 WAD value.
 * @returns ⌈x·y/1e18⌉.
 * @throws {SdkMathError} `NegativeUnsigned`, or `Overflow` when the result exceeds uint256.
 */
export function wMulUp(x: bigint, y: bigint): bigint {
  return mulDivUnsigned("wMulUp", x, y, WAD, "up");
}

/**
 * x·WAD/y rounded down: the quotient of two WAD values.
 *
 * @param x - A uint256 WAD value.
 * @param y - A non-zero uint256 WAD value.
 * @returns ⌊x·1e18/y⌋.
 * @throws {SdkMathError} `DivisionByZero`, `NegativeUnsigned`, or `Overflow` when the result exceeds uint256.
 */
export function wDivDown(x: bigint, y: bigint): bigint {
  return mulDivUnsigned("wDivDown", x, WAD, y, "down");
}

/**
 * x·WAD/y rounded up: the quotient of two WAD values.
 *
 * @param x - A uint256 WAD value.
 * @param y - A non-zero uint256 WAD value.
 * @returns ⌈x·1e18/y⌉.
 * @throws {SdkMathError} `DivisionByZero`, `NegativeUnsigned`, or `Overflow` when the result exceeds uint256.
 */
export function wDivUp(x: bigint, y: bigint): bigint {
  return mulDivUnsigned("wDivUp", x, WAD, y, "up");
}

/**
 * Signed x/d rounded towards −∞ (for d > 0; the contract assumes it). Unlike `x / d` on bigints or in
 * Solidity, which truncate towards zero, −7/2 gives −4.
 *
 * @param x - An int256 dividend.
 * @param d - A non-zero int256 divisor.
 * @returns ⌊x/d⌋ when d > 0.
 * @throws {SdkMathError} `DivisionByZero`, or `Overflow` for −2^255 / −1.
 *
 * @example
 * divDown(-7n, 2n); // -4n
 */
export function divDown(x: bigint, d: bigint): bigint {
  return divSigned("divDown", x, d, "down");
}

/**
 * Signed x/d rounded towards +∞ (for d > 0; the contract assumes it). 7/2 gives 4, −7/2 gives −3.
 *
 * @param x - An int256 dividend.
 * @param d - A non-zero int256 divisor.
 * @returns ⌈x/d⌉ when d > 0.
 * @throws {SdkMathError} `DivisionByZero`, or `Overflow` for −2^255 / −1.
 *
 * @example
 * divUp(7n, 2n); // 4n
 */
export function divUp(x: bigint, d: bigint): bigint {
  return divSigned("divUp", x, d, "up");
}

/**
 * Signed x·y/WAD rounded towards −∞. As in the contract, the product x·y itself must fit in int256.
 *
 * @param x - An int256 WAD value.
 * @param y - An int256 WAD value.
 * @returns ⌊x·y/1e18⌋.
 * @throws {SdkMathError} `Overflow` when x·y does not fit in int256.
 */
export function sMulDown(x: bigint, y: bigint): bigint {
  return sMulSigned("sMulDown", x, y, "down");
}

/**
 * Signed x·y/WAD rounded towards +∞. As in the contract, the product x·y itself must fit in int256.
 *
 * @param x - An int256 WAD value.
 * @param y - An int256 WAD value.
 * @returns ⌈x·y/1e18⌉.
 * @throws {SdkMathError} `Overflow` when x·y does not fit in int256.
 */
export function sMulUp(x: bigint, y: bigint): bigint {
  return sMulSigned("sMulUp", x, y, "up");
}

/**
 * |x| as a uint256.
 *
 * @param x - An int256.
 * @returns |x|.
 * @throws {SdkMathError} `Overflow` for −2^255, whose negation does not fit in int256 (the contract negates
 * before converting).
 */
export function abs(x: bigint): bigint {
  return checkedAbs("abs", "x", checkInt256("abs", "x", x));
}

function mulDivUnsigned(functionName: string, x: bigint, y: bigint, d: bigint, rounding: Rounding): bigint {
  checkUint256(functionName, "x", x);
  checkUint256(functionName, "y", y);
  checkUint256(functionName, "denominator", d);
  return checkedMulDiv(functionName, "x · y / denominator", x, y, d, rounding);
}

function divSigned(functionName: string, x: bigint, d: bigint, rounding: Rounding): bigint {
  checkInt256(functionName, "x", x);
  checkInt256(functionName, "d", d);
  return checkedDiv(functionName, "x / d", x, d, rounding);
}

function sMulSigned(functionName: string, x: bigint, y: bigint, rounding: Rounding): bigint {
  checkInt256(functionName, "x", x);
  checkInt256(functionName, "y", y);
  return checkedDiv(functionName, "x · y / WAD", checkInt256(functionName, "x · y", x * y), WAD, rounding);
}
