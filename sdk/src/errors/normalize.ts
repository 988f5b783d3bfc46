/**
 * Sorts whatever viem (or the node) threw into the SDK's error classes: a contract revert becomes a
 * {@link ProtocolError} or a {@link ContractRevertError}; a node that answered with an error an {@link RpcError};
 * a node that did not answer a {@link NetworkError}. SDK errors pass through unchanged.
 */
import { BaseError, type Hex } from "viem";

import { NetworkError, RpcError, SdkError } from "./base.ts";
import { decodeRevertData } from "./protocol.ts";

const NETWORK_MESSAGE = /fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|socket hang up|other side closed|network|timed out|took too long/i;

function isHex(value: unknown): value is Hex {
  return typeof value === "string" && /^0x[0-9a-fA-F]*$/.test(value);
}

/** The revert data somewhere in the error's chain, if the node returned any. */
function findRevertData(error: BaseError): Hex | undefined {
  let data: Hex | undefined;
  error.walk((e) => {
    const candidate = e as { raw?: unknown; data?: unknown; name?: string };
    if (data !== undefined) return false;
    if (candidate.name === "ContractFunctionRevertedError") {
      if (isHex(candidate.raw)) data = candidate.raw;
      return false;
    }
    // A raw call's revert keeps the node's error data on the JSON-RPC error (RawContractError, RpcRequestError).
    const d = candidate.data;
    if (isHex(d) && d.length >= 10) data = d;
    else if (typeof d === "object" && d !== null && isHex((d as { data?: unknown }).data)) data = (d as { data: Hex }).data;
    return false;
  });
  return data;
}

function hasName(error: BaseError, names: readonly string[]): BaseError | undefined {
  let found: BaseError | undefined;
  error.walk((e) => {
    if (found === undefined && e instanceof BaseError && names.includes(e.name)) found = e;
    return false;
  });
  return found;
}

/**
 * The SDK error for anything thrown by a chain call.
 *
 * @param error - What was thrown.
 * @returns A typed SDK error; `cause` holds the original.
 */
export function toSdkError(error: unknown): SdkError {
  if (error instanceof SdkError) return error;
  if (error instanceof BaseError) {
    const data = findRevertData(error);
    if (data !== undefined) return decodeRevertData(data, error);
    const reverted = hasName(error, ["ContractFunctionRevertedError", "ExecutionRevertedError", "ContractFunctionZeroDataError"]);
    if (reverted !== undefined) return decodeRevertData("0x", error);
    const transport = hasName(error, ["HttpRequestError", "TimeoutError", "WebSocketRequestError", "SocketClosedError"]);
    const rpc = hasName(error, ["RpcRequestError"]) as (BaseError & { code?: number; url?: string }) | undefined;
    if (rpc !== undefined) return new RpcError({ code: rpc.code, url: rpc.url, details: rpc.details, cause: error });
    if (transport !== undefined) {
      const status = (transport as { status?: number }).status;
      const url = (transport as { url?: string }).url;
      // A status means the node (or a proxy) answered: an HTTP error, not a dead link.
      if (status !== undefined) return new RpcError({ code: status, url, details: transport.details, cause: error });
      return new NetworkError({ url, details: transport.details, cause: error });
    }
    const code = (error as { code?: unknown }).code;
    if (typeof code === "number") return new RpcError({ code, details: error.details, cause: error });
    return new RpcError({ details: error.shortMessage, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (NETWORK_MESSAGE.test(message)) return new NetworkError({ details: message, cause: error });
  return new SdkError({ shortMessage: message, cause: error });
}
