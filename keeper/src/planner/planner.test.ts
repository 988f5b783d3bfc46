import assert from "node:assert/strict";
import { describe, test } from "node:test";

import type { Address } from "viem";
import { k } from "@open-waterfall/sdk";

import type { TrackedPosition } from "../state/positionBook.ts";
import { assess, assignToSigners, type Candidate, type GasBudget, planBatches, PlanParameterError, rankCandidates } from "./planner.ts";

const W = 10n ** 18n;
const ETH = { marketId: 1n, priceWad: 1_000n * W, fundingIndexWad: 0n, mmrWad: W / 10n };

function position(n: number, fields: Partial<TrackedPosition> & { sizeWad: bigint; marginWad: bigint }): TrackedPosition {
  const jWad = fields.jWad ?? 1_000n * W;
  return {
    account: `0x${n.toString(16).padStart(40, "0")}` as Address,
    marketId: 1n,
    f0Wad: 0n,
    tier: 1,
    pendingTier: 0,
    pendingTierSince: 0,
    inLiquidation: false,
    block: 1n,
    ...fields,
    jWad,
    kWad: k({ sizeWad: fields.sizeWad, marginWad: fields.marginWad, jWad }),
  };
}

const budget = (over: Partial<GasBudget> = {}): GasBudget => ({
  blockGasLimit: 60_000_000n,
  txGasCap: 16_777_216n,
  gasPerPosition: () => 200_000n,
  batchBaseGas: 100_000n,
  blockSharePercent: 100,
  ...over,
});

const accounts = (batch: { candidates: readonly Candidate[] }) => batch.candidates.map((c) => Number(BigInt(c.position.account)));

describe("assess", () => {
  test("test_assess_measuresTheShortfallAsAFractionOfNotional", () => {
    // long 1 @ J 1,000, margin 50, price 1,000: equity 50, maintenance 100, notional 1,000 → depth 5%
    const c = assess(position(1, { sizeWad: W, marginWad: 50n * W }), ETH);
    assert.equal(c.equityWad, 50n * W);
    assert.equal(c.maintenanceWad, 100n * W);
    assert.equal(c.notionalWad, 1_000n * W);
    assert.equal(c.depthWad, W / 20n);
  });

  test("test_assess_aBankruptShortIsDeeperThanItsMaintenance", () => {
    // short 2 @ J 900, margin 20: equity 20 + 2·(900 − 1,000) = −180; maintenance 200; depth (200 + 180)/2,000
    const c = assess(position(1, { sizeWad: -2n * W, marginWad: 20n * W, jWad: 900n * W }), ETH);
    assert.equal(c.equityWad, -180n * W);
    assert.equal(c.depthWad, (380n * W * W) / (2_000n * W));
  });
});

describe("rankCandidates", () => {
  test("test_rankCandidates_putsRemaindersFirstThenDepthThenNotional", () => {
    const shallowBig = assess(position(1, { sizeWad: 10n * W, marginWad: 900n * W }), ETH); // depth 1%
    const shallowSmall = assess(position(2, { sizeWad: W, marginWad: 90n * W }), ETH); // depth 1%
    const deep = assess(position(3, { sizeWad: W, marginWad: 10n * W }), ETH); // depth 9%
    const remainder = assess(position(4, { sizeWad: W, marginWad: 95n * W, inLiquidation: true }), ETH);
    const ranked = rankCandidates([shallowSmall, deep, shallowBig, remainder]);
    assert.deepEqual(ranked.map((c) => Number(BigInt(c.position.account))), [4, 3, 1, 2]);
  });
});

describe("planBatches", () => {
  const many = (n: number, marketId = 1n) =>
    Array.from({ length: n }, (_, i) => assess(position(i + 1 + Number(marketId) * 1_000, { sizeWad: W, marginWad: BigInt(10 + i) * W, marketId }), ETH));

  test("test_planBatches_splitsAtTheBatchSize", () => {
    const plan = planBatches({ ranked: many(5), maxBatchSize: 2, gas: budget() });
    assert.deepEqual(plan.batches.map((b) => b.candidates.length), [2, 2, 1]);
    assert.deepEqual(plan.deferred, []);
    assert.equal(plan.batches[0]?.expectedGas, 100_000n + 2n * 200_000n);
  });

  test("test_planBatches_splitsAtThePerTransactionGasCap", () => {
    // 16,777,216 − 100,000 base leaves room for 83 positions at 200k each
    const plan = planBatches({ ranked: many(200), maxBatchSize: 10_000, gas: budget() });
    assert.deepEqual(plan.batches.map((b) => b.candidates.length), [83, 83, 34]);
    for (const batch of plan.batches) assert.ok(batch.expectedGas <= 16_777_216n);
  });

  test("test_planBatches_defersWhatTheBlockCannotHold", () => {
    const plan = planBatches({ ranked: many(400), maxBatchSize: 10_000, gas: budget() });
    // 60M block: 3 full batches (3 × 16.7M) plus 49 positions in a fourth (100k + 49 × 200k ≤ the 9.9M left)
    assert.deepEqual(plan.batches.map((b) => b.candidates.length), [83, 83, 83, 49]);
    assert.equal(plan.deferred.length, 400 - 298);
    const used = plan.batches.reduce((sum, b) => sum + b.expectedGas, 0n);
    assert.ok(used <= 60_000_000n, `${used}`);
    // The deferred ones are the least risky: the tail of the ranking.
    assert.equal(Number(BigInt(plan.deferred[0]?.position.account ?? "0x0")), 1_000 + 299);
  });

  test("test_planBatches_keepsOneBatchPerMarketInRankOrder", () => {
    const eth = many(3, 1n);
    const btc = many(3, 2n);
    const ranked = [eth[0], btc[0], eth[1], btc[1], eth[2], btc[2]].filter((c): c is Candidate => c !== undefined);
    const plan = planBatches({ ranked, maxBatchSize: 10, gas: budget() });
    assert.deepEqual(plan.batches.map((b) => b.marketId), [1n, 2n]);
    assert.deepEqual(accounts(plan.batches[0] ?? { candidates: [] }), [1_001, 1_002, 1_003]);
    assert.deepEqual(accounts(plan.batches[1] ?? { candidates: [] }), [2_001, 2_002, 2_003]);
  });

  test("test_planBatches_usesThePerMarketGas", () => {
    const gas = budget({ gasPerPosition: (m) => (m === 1n ? 1_000_000n : 100_000n), txGasCap: 3_100_000n });
    const plan = planBatches({ ranked: [...many(4, 1n), ...many(4, 2n)], maxBatchSize: 100, gas });
    assert.deepEqual(plan.batches.map((b) => [b.marketId, b.candidates.length]), [[1n, 3], [1n, 1], [2n, 4]]);
  });

  test("test_planBatches_respectsTheBlockShare", () => {
    const plan = planBatches({ ranked: many(100), maxBatchSize: 100, gas: budget({ blockSharePercent: 5 }) });
    // 5% of 60M = 3M: base 100k + 14 × 200k
    assert.deepEqual(plan.batches.map((b) => b.candidates.length), [14]);
    assert.equal(plan.deferred.length, 86);
  });
});

describe("planBatches with the ADL fill budget", () => {
  // Bankrupt longs (margin 5, J 1,100 at price 1,000: equity −95) rank before the merely liquidatable ones.
  const bankrupt = (n: number, marketId = 1n) =>
    Array.from({ length: n }, (_, i) => assess(position(i + 1 + Number(marketId) * 1_000, { sizeWad: W, marginWad: 5n * W, jWad: 1_100n * W + BigInt(i) * W, marketId }), ETH));
  const healthy = (n: number, marketId = 1n) =>
    Array.from({ length: n }, (_, i) => assess(position(i + 501 + Number(marketId) * 1_000, { sizeWad: W, marginWad: BigInt(10 + i) * W, marketId }), ETH));
  const fillsByAccount = (fills: number) => (c: Candidate) => (c.equityWad < 0n ? fills : 0);
  const sumFills = (batch: { candidates: readonly Candidate[] }, fillsOf: (c: Candidate) => number) => batch.candidates.reduce((sum, c) => sum + fillsOf(c), 0);

  test("test_planBatches_noBatchNeedsMoreAdlFillsThanTheBudget", () => {
    const ranked = rankCandidates([...bankrupt(10), ...healthy(60)]);
    const fillsOf = fillsByAccount(7);
    const plan = planBatches({ ranked, maxBatchSize: 200, gas: budget(), adl: { fillsPerCall: 16, fillsOf } });
    assert.deepEqual(plan.deferred, []);
    // 10 bankrupt × 7 fills, two per batch: 5 batches; the 60 healthy ones fill the first batch up to the gas cap.
    assert.equal(plan.batches.length, 5);
    for (const batch of plan.batches) {
      assert.ok(sumFills(batch, fillsOf) <= 16, `batch needs ${sumFills(batch, fillsOf)} fills`);
      assert.equal(batch.expectedAdlFills, sumFills(batch, fillsOf));
    }
    assert.deepEqual(plan.batches.map((b) => b.candidates.filter((c) => c.equityWad < 0n).length), [2, 2, 2, 2, 2]);
    assert.equal(plan.batches[0]?.candidates.length, 62);
    assert.equal(plan.batches.reduce((n, b) => n + b.candidates.length, 0), 70);
  });

  test("test_planBatches_aPositionNeedingMoreThanTheBudgetGoesAlone", () => {
    const ranked = rankCandidates(bankrupt(3));
    const plan = planBatches({ ranked, maxBatchSize: 200, gas: budget(), adl: { fillsPerCall: 16, fillsOf: () => 40 } });
    assert.deepEqual(plan.batches.map((b) => [b.candidates.length, b.expectedAdlFills]), [[1, 16], [1, 16], [1, 16]]);
  });

  test("test_planBatches_withoutTheBudgetBankruptPositionsShareOneBatch", () => {
    const plan = planBatches({ ranked: rankCandidates([...bankrupt(10), ...healthy(10)]), maxBatchSize: 200, gas: budget() });
    assert.deepEqual(plan.batches.map((b) => b.candidates.length), [20]);
  });

  test("test_planBatches_fillsTheBlockGasAcrossBudgetBoundBatches", () => {
    // Each batch holds at most one bankrupt position (16 fills each); the block holds 60M / (100k + 200k) = 200 batches
    // of one position, so 250 bankrupt positions leave 50 for the next block.
    const ranked = rankCandidates(bankrupt(250));
    const plan = planBatches({ ranked, maxBatchSize: 200, gas: budget(), adl: { fillsPerCall: 16, fillsOf: () => 16 } });
    assert.equal(plan.batches.length, 200);
    assert.equal(plan.deferred.length, 50);
    assert.ok(plan.batches.reduce((sum, b) => sum + b.expectedGas, 0n) <= 60_000_000n);
    // Riskiest first: the batches hold the head of the ranking in order, the deferred ones its tail.
    assert.deepEqual(plan.batches.map((b) => b.candidates[0]), ranked.slice(0, 200));
    assert.deepEqual(plan.deferred, ranked.slice(200));
  });

  test("test_planBatches_rejectsABudgetOrBatchSizeBelowOne", () => {
    const ranked = rankCandidates(bankrupt(2));
    assert.throws(() => planBatches({ ranked, maxBatchSize: 10, gas: budget(), adl: { fillsPerCall: 0, fillsOf: () => 1 } }), PlanParameterError);
    assert.throws(() => planBatches({ ranked, maxBatchSize: 0, gas: budget() }), /maxBatchSize must be a whole number ≥ 1, got 0/);
    assert.equal(ranked.length, 2, "the input is left as it was");
  });

  test("test_planBatches_batchesDealtToSignersUseEverySignerWithConsecutiveBatches", () => {
    const ranked = rankCandidates([...bankrupt(8), ...healthy(20)]);
    const plan = planBatches({ ranked, maxBatchSize: 200, gas: budget(), adl: { fillsPerCall: 16, fillsOf: fillsByAccount(16) } });
    assert.equal(plan.batches.length, 8);
    const signers = ["0xa", "0xb", "0xc"] as Address[];
    const lanes = assignToSigners(plan.batches, signers);
    assert.deepEqual(lanes.map((l) => l.length), [3, 3, 2]);
    // The riskiest batch goes first on the first signer; each signer's later batches follow with its next nonces.
    assert.equal(lanes[0]?.[0], plan.batches[0]);
    assert.deepEqual(lanes[1], [plan.batches[1], plan.batches[4], plan.batches[7]]);
  });
});

describe("assignToSigners", () => {
  test("test_assignToSigners_dealsRoundRobin", () => {
    const signers = ["0x1", "0x2"] as Address[];
    assert.deepEqual(assignToSigners(["a", "b", "c", "d", "e"], signers), [["a", "c", "e"], ["b", "d"]]);
    assert.deepEqual(assignToSigners(["a"], []), []);
  });
});
