import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Prng } from "@open-waterfall/sdk/testing";
import { type ListMember, predecessorFor, predictAdl } from "./adlMirror.ts";

const W = 10n ** 18n;
const member = (accountId: number, jWad: bigint, sizeWad = W): ListMember => ({ accountId, sizeWad, jWad });

describe("predecessorFor", () => {
  const longs = [member(1, 90n), member(2, 100n), member(3, 100n), member(4, 120n)];
  const shorts = [member(5, 120n), member(6, 100n), member(7, 90n)];

  test("test_predecessorFor_goesBehindEveryEqualJ", () => {
    assert.equal(predecessorFor(longs, true, 100n), 3);
    assert.equal(predecessorFor(shorts, false, 100n), 6);
  });

  test("test_predecessorFor_returnsTheHeadWhenNothingPrecedes", () => {
    assert.equal(predecessorFor(longs, true, 80n), 0);
    assert.equal(predecessorFor(shorts, false, 130n), 0);
    assert.equal(predecessorFor([], true, 1n), 0);
  });

  test("test_predecessorFor_returnsTheTailWhenEverythingPrecedes", () => {
    assert.equal(predecessorFor(longs, true, 500n), 4);
    assert.equal(predecessorFor(shorts, false, 1n), 7);
  });

  test("test_fuzz_predecessorFor_matchesALinearScan", () => {
    const prng = new Prng(0x68696e74n);
    for (let round = 0; round < 300; round++) {
      const isLong = prng.boolean();
      const js = Array.from({ length: Number(prng.below(30n)) }, () => prng.between(0n, 20n)).sort((a, b) =>
        (isLong ? a < b : a > b) ? -1 : a === b ? 0 : 1
      );
      const list = js.map((j, i) => member(i + 1, j));
      const j = prng.between(-1n, 21n);
      let expected = 0;
      for (const m of list) if (isLong ? m.jWad <= j : m.jWad >= j) expected = m.accountId;
      assert.equal(predecessorFor(list, isLong, j), expected, `round ${round}`);
    }
  });
});

describe("predictAdl", () => {
  test("test_predictAdl_walksTiersFromTheHighestAndStopsAtTheFirstHeadOutOfProfit", () => {
    // Shorts are deleveraged (a long is bankrupt). Net price 100: a short's profit is J − 100.
    const lists = new Map<number, readonly ListMember[]>([
      [4, [member(1, 130n * W, -W), member(2, 90n * W, -W), member(3, 150n * W, -W)]], // stops at 2 (no profit)
      [3, []],
      [2, [member(4, 110n * W, -3n * W)]],
      [1, [member(5, 105n * W, -W)]],
    ]);
    const fills = predictAdl(lists, false, 3n * W, 100n * W);
    assert.deepEqual(
      fills.map((f) => [f.accountId, f.tier, f.sizeWad, f.profitPerUnitWad]),
      [
        [1, 4, W, 30n * W],
        [4, 2, 2n * W, 10n * W],
      ]
    );
  });

  test("test_predictAdl_returnsNothingWhenNobodyIsInProfit", () => {
    const lists = new Map<number, readonly ListMember[]>([[1, [member(1, 150n * W)]]]);
    assert.deepEqual(predictAdl(lists, true, W, 100n * W), []); // long J 150 at net 100: a loss
  });
});
