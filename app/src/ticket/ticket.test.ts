import assert from "node:assert/strict";
import { test } from "node:test";

import type { TradePreview } from "@open-waterfall/sdk";

import { AmountInputError } from "../format/input.ts";
import { buildTradeRequest, parseSlippageBps, previewRows, type TicketInput } from "./ticket.ts";

const W = 10n ** 18n;
const base: TicketInput = { side: "long", mode: "size", size: "1.5", leverage: "10", margin: "500", slippagePercent: "0.5" };

test("test_buildTradeRequest_sizeModeSignsBySide", () => {
  assert.deepEqual(buildTradeRequest({ input: base, priceWad: 4_000n * W }), { sizeDeltaWad: 15n * 10n ** 17n, marginWad: 500n * W, slippageBps: 50 });
  assert.equal(buildTradeRequest({ input: { ...base, side: "short" }, priceWad: 4_000n * W }).sizeDeltaWad, -15n * 10n ** 17n);
});

test("test_buildTradeRequest_sizeModeAcceptsZeroMargin", () => {
  assert.equal(buildTradeRequest({ input: { ...base, margin: "0" }, priceWad: 4_000n * W }).marginWad, 0n);
});

test("test_buildTradeRequest_leverageModeDerivesSizeRoundedDown", () => {
  // 500 USDC × 10 / 4000 = 1.25 ETH.
  const r = buildTradeRequest({ input: { ...base, mode: "leverage" }, priceWad: 4_000n * W });
  assert.equal(r.sizeDeltaWad, 125n * 10n ** 16n);
  // 100 × 3 / 3 = 100 exactly; 100 × 1 / 3 rounds down.
  assert.equal(buildTradeRequest({ input: { ...base, mode: "leverage", margin: "100", leverage: "1" }, priceWad: 3n * W }).sizeDeltaWad, (100n * W * W) / (3n * W));
});

test("test_buildTradeRequest_rejectsBadLeverageAndMissingPrice", () => {
  const lev = { ...base, mode: "leverage" as const };
  assert.throws(() => buildTradeRequest({ input: { ...lev, leverage: "0.5" }, priceWad: W }), (e: unknown) => e instanceof AmountInputError && e.reason === "at least 1×");
  assert.throws(() => buildTradeRequest({ input: lev, priceWad: 0n }), (e: unknown) => e instanceof AmountInputError && e.reason === "the market has no price yet");
  assert.throws(() => buildTradeRequest({ input: { ...lev, margin: "0" }, priceWad: W }), (e: unknown) => e instanceof AmountInputError && e.field === "margin");
  assert.throws(() => buildTradeRequest({ input: { ...base, size: "" }, priceWad: W }), (e: unknown) => e instanceof AmountInputError && e.field === "size");
});

test("test_parseSlippageBps_boundsAndDecimals", () => {
  assert.equal(parseSlippageBps("0.5"), 50);
  assert.equal(parseSlippageBps("10"), 1_000);
  assert.throws(() => parseSlippageBps("10.01"), (e: unknown) => e instanceof AmountInputError && e.reason === "at most 10%");
  assert.throws(() => parseSlippageBps("0.001"), (e: unknown) => e instanceof AmountInputError && e.reason === "at most 2 decimals");
});

function preview(overrides: Partial<TradePreview> = {}): TradePreview {
  return {
    kind: "open",
    marketId: 1n,
    account: "0x0000000000000000000000000000000000000001",
    blockNumber: 10n,
    timestamp: 1_000n,
    priceWad: 4_000n * W,
    fundingIndexWad: 0n,
    fills: [],
    worstFillPriceWad: 4_001n * W,
    feeWad: 2n * W,
    priceImpactWad: W / 2n,
    realisedPnlWad: 0n,
    profitScaleWad: W,
    freeCollateralBeforeWad: 1_000n * W,
    freeCollateralAfterWad: 498n * W,
    position: {
      sizeWad: W,
      marginWad: 500n * W,
      jWad: 4_001n * W,
      f0Wad: 0n,
      tier: 1,
      pendingTier: 0,
      pendingTierSince: 0n,
      entryPriceWad: 4_001n * W,
      equityWad: 499n * W,
      liquidationPriceWad: 3_541n * W,
      bankruptcyPriceWad: 3_501n * W,
      effectiveLeverageWad: 8n * W,
      chosenLeverageWad: 8n * W,
    },
    adl: { candidate: false, notionalAheadWad: 0n, totalNotionalWad: 0n, rank: 0, candidates: 0, level: 0 },
    hints: [],
    ...overrides,
  };
}

test("test_previewRows_showsFillFeeImpactLiquidationLeverageAndAdl", () => {
  const rows = Object.fromEntries(previewRows({ preview: preview(), asset: "ETH" }).map((r) => [r.key, r.value]));
  assert.deepEqual(rows, {
    kind: "Open",
    fill: "$4,001.00",
    fee: "$2.00",
    impact: "+$0.50",
    size: "1 ETH",
    liq: "$3,541.00",
    leverage: "8.0×",
    tier: "1",
    adl: "0 of 5",
    free: "$498.00",
  });
});

test("test_previewRows_closeShowsRealisedAndNoPosition", () => {
  const rows = previewRows({ preview: preview({ kind: "close", position: undefined, realisedPnlWad: -3n * W }), asset: "ETH" });
  assert.deepEqual(
    rows.map((r) => r.key),
    ["kind", "fill", "fee", "impact", "realised", "after", "free"]
  );
  assert.equal(rows.find((r) => r.key === "realised")?.value, "−$3.00");
});
