/**
 * Contract reverts as typed errors: a protocol custom error becomes a {@link ProtocolError} carrying its name,
 * its arguments by name and a readable message; any other revert (a panic, a reason string, unknown data) a
 * {@link ContractRevertError}; a mined transaction that reverted a {@link TransactionRevertedError}.
 */
import { decodeErrorResult, type Hex, type TransactionReceipt } from "viem";

import { protocolErrorsAbi } from "../abi/generated.ts";
import { SdkError, type InvalidInputErrorType, type NetworkErrorType, type RpcErrorType } from "./base.ts";
import type { SdkMathErrorType } from "./math.ts";
import { PROTOCOL_ERROR_MESSAGES } from "./messages.ts";
import type { ProtocolErrorArgs, ProtocolErrorName } from "./protocolTypes.ts";

export type { ProtocolErrorArgs, ProtocolErrorName } from "./protocolTypes.ts";

/** Parameters of {@link ProtocolError}. */
export type ProtocolErrorParameters<N extends ProtocolErrorName> = {
  /** The custom error's name. */
  errorName: N;
  /** Its arguments by name. */
  args: ProtocolErrorArgs<N>;
  /** The raw revert data. */
  data: Hex;
  /** The error it was decoded from. */
  cause?: unknown;
};

/**
 * A revert with one of the protocol's custom errors. `errorName` and `args` are typed together: narrow with
 * {@link ProtocolError.is} (or compare `errorName` on a {@link ProtocolErrorType}) to read the arguments.
 *
 * @example
 * try {
 *   await client.trade({ marketId: 1n, sizeDeltaWad: 10n ** 18n, marginWad: 1n });
 * } catch (error) {
 *   if (error instanceof ProtocolError && error.is("BelowInitialMargin")) console.log(error.args.requiredWad);
 * }
 */
export class ProtocolError<N extends ProtocolErrorName = ProtocolErrorName> extends SdkError {
  override name = "ProtocolError" as const;
  /** The custom error's name, e.g. "BelowInitialMargin". */
  readonly errorName: N;
  /** Its arguments by their Solidity names. */
  readonly args: ProtocolErrorArgs<N>;
  /** The readable sentence, e.g. "position below initial margin: equity 12.3 USDC, required 15.0 USDC". */
  readonly reason: string;
  /** The raw revert data (selector and arguments). */
  readonly data: Hex;

  /**
   * @param parameters - {@link ProtocolErrorParameters}
   */
  constructor({ errorName, args, data, cause }: ProtocolErrorParameters<N>) {
    const reason = protocolErrorMessage(errorName, args);
    super({ shortMessage: `${errorName}: ${reason}`, cause });
    this.errorName = errorName;
    this.args = args;
    this.reason = reason;
    this.data = data;
  }

  /**
   * Whether this is the named error; narrows `args` to its arguments.
   *
   * @param errorName - The custom error's name.
   */
  is<M extends ProtocolErrorName>(errorName: M): this is ProtocolError<M> {
    return (this.errorName as ProtocolErrorName) === errorName;
  }
}

/** Any protocol error, as a union over the names, so `errorName` narrows `args`. */
export type ProtocolErrorType = { [N in ProtocolErrorName]: ProtocolError<N> & { name: "ProtocolError" } }[ProtocolErrorName];

/**
 * The readable message of a protocol error.
 *
 * @param errorName - The custom error's name.
 * @param args - Its arguments by name.
 */
export function protocolErrorMessage<N extends ProtocolErrorName>(errorName: N, args: ProtocolErrorArgs<N>): string {
  const build = PROTOCOL_ERROR_MESSAGES[errorName] as (args: ProtocolErrorArgs<N>) => string;
  return build(args);
}

/** Why a revert that is not a protocol error happened. */
export type ContractRevertKind = "panic" | "reason" | "unknown" | "empty";

const PANIC_REASONS: Readonly<Record<number, string>> = {
  0x01: "assertion failed",
  0x11: "arithmetic overflow or underflow",
  0x12: "division or modulo by zero",
  0x21: "invalid enum value",
  0x22: "invalid storage byte array",
  0x31: "pop on an empty array",
  0x32: "array index out of bounds",
  0x41: "out of memory",
  0x51: "call to an uninitialised function",
};

/** A revert without a protocol custom error: a Solidity panic, a reason string, unknown data or none. */
export class ContractRevertError extends SdkError {
  override name = "ContractRevertError" as const;
  /** What kind of revert it was. */
  readonly kind: ContractRevertKind;
  /** The panic code or the reason string, when there is one. */
  readonly reason: string | undefined;
  /** The raw revert data ("0x" when none). */
  readonly data: Hex;

  /**
   * @param parameters - The kind, the reason, the raw data and the original error.
   */
  constructor({ kind, reason, data, cause }: { kind: ContractRevertKind; reason?: string; data: Hex; cause?: unknown }) {
    const shortMessage =
      kind === "panic"
        ? `the contract panicked: ${reason ?? "unknown panic"}`
        : kind === "reason"
          ? `the contract reverted: ${reason ?? ""}`
          : kind === "empty"
            ? "the contract reverted without data"
            : `the contract reverted with unknown data ${data.slice(0, 10)}`;
    super({ shortMessage, cause });
    this.kind = kind;
    this.reason = reason;
    this.data = data;
  }
}

/** {@link ContractRevertError}, narrowed by name. */
export type ContractRevertErrorType = ContractRevertError & { name: "ContractRevertError" };

/** A transaction that was mined but reverted (the simulation passed: the state moved in between). */
export class TransactionRevertedError extends SdkError {
  override name = "TransactionRevertedError" as const;
  /** The receipt, status "reverted". */
  readonly receipt: TransactionReceipt;

  /**
   * @param parameters - The receipt and, when it could be replayed, the decoded revert.
   */
  constructor({ receipt, functionName, cause }: { receipt: TransactionReceipt; functionName?: string; cause?: unknown }) {
    const because = cause instanceof SdkError ? `: ${cause.shortMessage}` : " (a replay on the block's state passes: the revert depended on its position in the block)";
    const call = functionName === undefined ? "" : ` (${functionName})`;
    super({ shortMessage: `transaction ${receipt.transactionHash}${call} reverted in block ${receipt.blockNumber}${because}`, cause });
    this.receipt = receipt;
    this.functionName = functionName;
  }

  /** The function the transaction called, when known. */
  readonly functionName: string | undefined;
}

/** {@link TransactionRevertedError}, narrowed by name. */
export type TransactionRevertedErrorType = TransactionRevertedError & { name: "TransactionRevertedError" };

/**
 * Decodes raw revert data into a {@link ProtocolError} (a protocol custom error) or a {@link ContractRevertError}.
 *
 * @param data - The revert data.
 * @param cause - The error it came with, kept as `cause`.
 */
export function decodeRevertData(data: Hex, cause?: unknown): ProtocolErrorType | ContractRevertError {
  if (data === "0x" || data.length < 10) return new ContractRevertError({ kind: "empty", data, cause });
  let decoded: ReturnType<typeof decodeErrorResult<typeof protocolErrorsAbi>>;
  try {
    decoded = decodeErrorResult({ abi: protocolErrorsAbi, data });
  } catch {
    return new ContractRevertError({ kind: "unknown", data, cause });
  }
  const { errorName, args, abiItem } = decoded as { errorName: string; args: readonly unknown[] | undefined; abiItem: { inputs: readonly { name?: string }[] } };
  if (errorName === "Panic") {
    const code = Number(args?.[0] ?? 0n);
    return new ContractRevertError({ kind: "panic", reason: `${PANIC_REASONS[code] ?? "unknown panic"} (0x${code.toString(16)})`, data, cause });
  }
  if (errorName === "Error") return new ContractRevertError({ kind: "reason", reason: String(args?.[0] ?? ""), data, cause });
  const named: Record<string, unknown> = {};
  abiItem.inputs.forEach((input, i) => {
    named[input.name ?? String(i)] = args?.[i];
  });
  return new ProtocolError({ errorName: errorName as ProtocolErrorName, args: named as never, data, cause }) as ProtocolErrorType;
}

/** Everything a read can throw: contract reverts, node refusals, unreachable nodes and refused inputs. */
export type ReadErrorType =
  | ProtocolErrorType
  | ContractRevertErrorType
  | RpcErrorType
  | NetworkErrorType
  | InvalidInputErrorType
  | SdkMathErrorType;

/** Everything a write can throw: what a read can, plus a transaction that reverted once mined. */
export type WriteErrorType = ReadErrorType | TransactionRevertedErrorType;
