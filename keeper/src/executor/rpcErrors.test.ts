import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { HttpRequestError, RpcRequestError } from "viem";

import { classifySubmissionError, isTransportError } from "./rpcErrors.ts";

const rpc = (message: string) => new RpcRequestError({ body: {}, url: "http://127.0.0.1:1", error: { code: -32000, message } });

describe("classifySubmissionError", () => {
  test("test_classifySubmissionError_readsEachNodesWording", () => {
    const cases: [string, string][] = [
      ["Nonce too low. Expected nonce to be 5 but got 4. Note that transactions can't be queued when automining.", "nonceTooLow"],
      ["nonce too low", "nonceTooLow"],
      ["already known", "alreadyKnown"],
      ["transaction already imported", "alreadyKnown"],
      ["Known transaction: 0xabc", "alreadyKnown"],
      ["replacement transaction underpriced", "replacementUnderpriced"],
      ["Replacement transaction underpriced. A gasPrice/maxFeePerGas of at least 2 is necessary to replace the existing transaction with nonce 3.", "replacementUnderpriced"],
      ["max fee per gas less than block base fee", "feeTooLow"],
      ["insufficient funds for gas * price + value", "other"],
    ];
    for (const [message, kind] of cases) assert.equal(classifySubmissionError(rpc(message)), kind, message);
  });

  test("test_classifySubmissionError_tellsTransportFailuresApart", () => {
    const error = new HttpRequestError({ url: "http://127.0.0.1:1", details: "fetch failed" });
    assert.equal(classifySubmissionError(error), "transport");
    assert.equal(isTransportError(error), true);
    assert.equal(isTransportError(rpc("execution reverted")), false);
  });
});
