import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeErrorResult, type AbiParameter, type Hex } from "viem";

import { protocolErrorsAbi } from "../abi/generated.ts";
import { formatFixed, formatRatioWad } from "../format/units.ts";
import { PROTOCOL_ERROR_MESSAGES } from "./messages.ts";
import { ContractRevertError, decodeRevertData, ProtocolError } from "./protocol.ts";

/** A distinct sample value per argument, so a message that drops an argument is caught. */
function sample(parameter: AbiParameter, index: number): unknown {
  const t = parameter.type;
  if (t === "address") return `0x${(0xa0 + index).toString(16).padStart(40, "0")}`;
  if (t === "bytes32") return `0x${"4554482d555344".padEnd(64, "0")}`; // "ETH-USD"
  if (t === "string") return "a string";
  if (t === "bool") return true;
  if (t.startsWith("int")) return -(12_300_000_000_000_000_000n + BigInt(index) * 10n ** 18n);
  if (t === "uint8") return 7 + index;
  if (t === "uint16") return 1000 + index;
  if (/^uint(32|40|48)$/.test(t)) return 1_700_000_000 + index; // viem decodes up to 48 bits as numbers
  if (/^uint(64|80)$/.test(t)) return 1_700_000_000n + BigInt(index);
  if (t.startsWith("uint")) return 15_000_000_000_000_000_000n + BigInt(index) * 10n ** 18n;
  throw new Error(`no sample for ${t}`);
}

/** Every way a message may show a value: raw, as WAD, as token units, as a ratio, as a date. */
function renderings(value: unknown): string[] {
  if (typeof value === "bigint") {
    return [value.toString(), formatFixed(value, 18), formatFixed(value, 6), formatRatioWad(value)];
  }
  if (typeof value === "number") return [String(value)];
  if (typeof value === "string" && value.startsWith("0x") && value.length === 66) return [value, "ETH-USD"];
  return [String(value)];
}

test("test_protocolErrorMessages_coverEveryErrorInTheAbi", () => {
  const names = new Set(protocolErrorsAbi.map((e) => e.name));
  assert.deepEqual([...names].sort(), Object.keys(PROTOCOL_ERROR_MESSAGES).sort(), "one message per contract error, no extras");
});

for (const item of protocolErrorsAbi) {
  test(`test_decodeRevertData_${item.name}_isTypedWithEveryArgumentInItsMessage`, () => {
    const args = item.inputs.map((input, i) => sample(input, i));
    const data = encodeErrorResult({ abi: [item], errorName: item.name, args } as never) as Hex;
    const error = decodeRevertData(data);
    assert.ok(error instanceof ProtocolError, `${item.name} decodes to a ProtocolError`);
    assert.equal(error.errorName, item.name);
    assert.equal(error.data, data);
    assert.ok(error.reason.length > 10, "a sentence, not a stub");
    assert.ok(error.message.startsWith(`${item.name}: `));
    item.inputs.forEach((input, i) => {
      const value = (error.args as Record<string, unknown>)[input.name ?? ""];
      assert.equal(typeof value === "string" ? value.toLowerCase() : value, typeof args[i] === "string" ? (args[i] as string).toLowerCase() : args[i], `argument ${input.name}`);
      const shown = renderings(value).some((r) => error.reason.toLowerCase().includes(r.toLowerCase()));
      assert.ok(shown, `${item.name}'s message shows ${input.name}: ${error.reason}`);
    });
  });
}

test("test_decodeRevertData_BelowInitialMargin_readsInUsdc", () => {
  const data = encodeErrorResult({ abi: protocolErrorsAbi, errorName: "BelowInitialMargin", args: [12_300_000_000_000_000_000n, 15n * 10n ** 18n] });
  const error = decodeRevertData(data);
  assert.ok(error instanceof ProtocolError && error.is("BelowInitialMargin"));
  assert.equal(error.args.equityWad, 12_300_000_000_000_000_000n);
  assert.equal(error.reason, "position below initial margin: equity 12.3 USDC, required 15.0 USDC");
});

test("test_decodeRevertData_panicsReasonStringsAndUnknownDataAreContractRevertErrors", () => {
  const panic = decodeRevertData("0x4e487b710000000000000000000000000000000000000000000000000000000000000011");
  assert.ok(panic instanceof ContractRevertError);
  assert.equal(panic.kind, "panic");
  assert.match(panic.message, /overflow/);
  const reason = decodeRevertData(
    "0x08c379a0000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000036e6f700000000000000000000000000000000000000000000000000000000000"
  );
  assert.ok(reason instanceof ContractRevertError && reason.kind === "reason" && reason.reason === "nop");
  const unknown = decodeRevertData("0xdeadbeef");
  assert.ok(unknown instanceof ContractRevertError && unknown.kind === "unknown");
  const empty = decodeRevertData("0x");
  assert.ok(empty instanceof ContractRevertError && empty.kind === "empty");
});

test("test_protocolErrorMessages_timesOutsideTheDateRangeStillFormat", () => {
  const data = encodeErrorResult({ abi: protocolErrorsAbi, errorName: "TierDropNotDue", args: [2n ** 255n] });
  assert.match(decodeRevertData(data).message, /not due until 5789/);
  const due = decodeRevertData(encodeErrorResult({ abi: protocolErrorsAbi, errorName: "TierDropNotDue", args: [1_700_000_000n] }));
  assert.match(due.message, /1700000000 \(2023-11-14T22:13:20.000Z\)/);
});
