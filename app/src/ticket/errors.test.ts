import assert from "node:assert/strict";
import { test } from "node:test";

import { InvalidInputError, ProtocolError } from "@open-waterfall/sdk";
import { UserRejectedRequestError } from "viem";

import { AmountInputError } from "../format/input.ts";
import { describeError } from "./errors.ts";

test("test_describeError_protocolErrorGivesTheSdkSentenceAndName", () => {
  const error = new ProtocolError({ errorName: "MarketNotListed", args: { marketId: 9n }, data: "0x" } as never);
  const text = describeError(error);
  assert.match(text, /\(MarketNotListed\)$/);
  assert.ok(text.startsWith(error.reason));
});

test("test_describeError_inputErrors", () => {
  assert.equal(describeError(new AmountInputError("margin", "enter an amount")), "Margin: enter an amount");
  assert.match(describeError(new InvalidInputError({ parameter: "marketId", reason: "market ids start at 1, got 0" })), /marketId/);
});

test("test_describeError_walletRejectionFoundInTheCauseChain", () => {
  const wrapped = new Error("failed", { cause: new UserRejectedRequestError(new Error("no")) });
  assert.equal(describeError(wrapped), "The request was rejected in the wallet.");
});

test("test_describeError_otherErrorsGiveTheirFirstLine", () => {
  assert.equal(describeError(new Error("boom\nstack")), "boom");
  assert.equal(describeError("plain"), "plain");
});
