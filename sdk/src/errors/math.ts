import { SdkError } from "./base.ts";

/**
 * Why a math function refused its inputs. Each reason is a case where the Solidity library would revert
 * (a panic), so the SDK throws instead of returning a number the contract could never produce.
 * - `DivisionByZero`: a divisor was zero (Solidity panic 0x12).
 * - `Overflow`: a result or an intermediate product left the range of its Solidity type (panic 0x11), or an
 *   explicit uint256 → int256 conversion would have wrapped.
 * - `NegativeUnsigned`: a negative value was passed where the contract takes a uint (a price, a margin, a ratio).
 * - `NotAnInteger`: a `number` argument (a tier bound) was not an integer in its Solidity type's range.
 */
export type SdkMathErrorReason = "DivisionByZero" | "Overflow" | "NegativeUnsigned" | "NotAnInteger";

/** Parameters of {@link SdkMathError}. */
export type SdkMathErrorParameters = {
  /** The SDK function that refused, named like its Solidity counterpart. */
  functionName: string;
  /** Why it refused. */
  reason: SdkMathErrorReason;
  /** What exactly was out of range, in words, with the offending value. */
  details: string;
};

/**
 * Thrown by the pure math functions where the mirrored Solidity library would revert.
 *
 * @example
 * try {
 *   k({ sizeWad: 0n, marginWad: 1n, jWad: 0n });
 * } catch (error) {
 *   if (error instanceof SdkMathError && error.reason === "DivisionByZero") {
 *     // no position: K is undefined
 *   }
 * }
 */
export class SdkMathError extends SdkError {
  override name = "SdkMathError" as const;
  /** The SDK function that refused. */
  readonly functionName: string;
  /** Why it refused. */
  readonly reason: SdkMathErrorReason;
  /** What exactly was out of range. */
  override readonly details: string;

  /**
   * Builds the error; the message reads `functionName: details (reason)`.
   *
   * @param parameters - {@link SdkMathErrorParameters}
   */
  constructor({ functionName, reason, details }: SdkMathErrorParameters) {
    super({ shortMessage: `${functionName}: ${details} (${reason})` });
    this.functionName = functionName;
    this.reason = reason;
    this.details = details;
  }
}

/** The error type of every math function, narrowed by name as viem's `XErrorType` types are. */
export type SdkMathErrorType = SdkMathError & { name: "SdkMathError" };
