import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CallExecutionError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  HttpRequestError,
  RawContractError,
  RpcRequestError,
  TimeoutError,
} from "viem";

import { perpEngineAbi, protocolErrorsAbi } from "../abi/generated.ts";
import { InvalidInputError, NetworkError, RpcError } from "./base.ts";
import { toSdkError } from "./normalize.ts";
import { ContractRevertError, ProtocolError } from "./protocol.ts";

const url = "http://127.0.0.1:1";
const revertData = encodeErrorResult({ abi: protocolErrorsAbi, errorName: "ZeroSizeDelta" });

test("test_toSdkError_aContractRevertIsAProtocolError", () => {
  const reverted = new ContractFunctionRevertedError({ abi: perpEngineAbi, data: revertData, functionName: "trade" });
  const thrown = new ContractFunctionExecutionError(reverted, { abi: perpEngineAbi, functionName: "trade", args: [1n, 0n, 0n, 0n, []] });
  const error = toSdkError(thrown);
  assert.ok(error instanceof ProtocolError && error.is("ZeroSizeDelta"));
  assert.equal(error.cause, thrown);
});

test("test_toSdkError_rawRevertDataFromACallIsDecoded", () => {
  const thrown = new CallExecutionError(new RawContractError({ data: revertData }), {});
  const error = toSdkError(thrown);
  assert.ok(error instanceof ProtocolError && error.errorName === "ZeroSizeDelta");
});

test("test_toSdkError_aRevertWithoutDataIsAnEmptyContractRevert", () => {
  const reverted = new ContractFunctionRevertedError({ abi: perpEngineAbi, functionName: "trade" });
  const error = toSdkError(new ContractFunctionExecutionError(reverted, { abi: perpEngineAbi, functionName: "trade", args: [1n, 0n, 0n, 0n, []] }));
  assert.ok(error instanceof ContractRevertError && error.kind === "empty");
});

test("test_toSdkError_anUnreachableNodeIsANetworkError", () => {
  const refused = toSdkError(new HttpRequestError({ url, cause: new TypeError("fetch failed"), body: {} }));
  assert.ok(refused instanceof NetworkError);
  assert.equal(refused.url, url);
  assert.ok(toSdkError(new TimeoutError({ url, body: {} })) instanceof NetworkError);
  assert.ok(toSdkError(new TypeError("fetch failed")) instanceof NetworkError);
});

test("test_toSdkError_aNodeThatAnswersWithAnErrorIsAnRpcError", () => {
  const rpc = toSdkError(new RpcRequestError({ url, body: {}, error: { code: -32601, message: "method not found" } }));
  assert.ok(rpc instanceof RpcError);
  assert.equal(rpc.code, -32601);
  const http = toSdkError(new HttpRequestError({ url, status: 503, body: {} }));
  assert.ok(http instanceof RpcError && http.code === 503);
});

test("test_toSdkError_passesSdkErrorsThrough", () => {
  const input = new InvalidInputError({ parameter: "slippageBps", reason: "must be in 0..10000" });
  assert.equal(toSdkError(input), input);
  assert.equal(input.message, "invalid slippageBps: must be in 0..10000");
});

test("test_toSdkError_revertDataOnAnRpcErrorIsDecoded", () => {
  const rpc = new RpcRequestError({ url, body: {}, error: { code: 3, message: "execution reverted", data: revertData } });
  const error = toSdkError(new CallExecutionError(rpc, {}));
  assert.ok(error instanceof ProtocolError && error.is("ZeroSizeDelta"), String(error));
});
