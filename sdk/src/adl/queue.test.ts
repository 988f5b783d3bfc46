import assert from "node:assert/strict";
import { test } from "node:test";

import { WAD } from "../constants.ts";
import { adlOrder, adlStanding, insertHint, withPosition, type AdlListMember, type AdlQueue } from "./queue.ts";

const m = (accountId: number, size: number, j: number, seq = accountId): AdlListMember => ({
  accountId,
  sizeWad: BigInt(size) * WAD,
  jWad: BigInt(j) * WAD,
  seq: BigInt(seq),
  inLiquidation: false,
});

/** Longs at P = 100 (F = 0): tier 4 [1: J 80, 2: J 90, 3: J 120 (a loss)], tier 2 [4: J 50], tier 1 [5: J 95]. */
const longs: AdlQueue = {
  marketId: 1n,
  isLong: true,
  tiers: [[m(5, 2, 95)], [m(4, 1, 50)], [], [m(1, 1, 80), m(2, 3, 90), m(3, 1, 120)]],
};

test("test_adlOrder_walksTiersDownAndStopsEachTierAtItsFirstLosingHead", () => {
  assert.deepEqual(
    adlOrder(longs, 100n * WAD, 0n).map((c) => [c.member.accountId, c.tier]),
    [[1, 4], [2, 4], [4, 2], [5, 1]]
  );
});

test("test_adlStanding_ranksByOrderAndLightsByQuintileOfNotionalAhead", () => {
  const at = (accountId: number) => adlStanding({ queue: longs, accountId, priceWad: 100n * WAD, fundingIndexWad: 0n });
  // Notionals: 1 → 100, 2 → 300, 4 → 100, 5 → 200; total 700.
  assert.deepEqual(at(1), { candidate: true, notionalAheadWad: 0n, totalNotionalWad: 700n * WAD, rank: 1, candidates: 4, level: 5 });
  assert.equal(at(2).notionalAheadWad, 100n * WAD);
  assert.equal(at(2).level, 5); // ⌊5·100/700⌋ = 0
  assert.equal(at(4).notionalAheadWad, 400n * WAD);
  assert.equal(at(4).level, 3); // ⌊5·400/700⌋ = 2
  assert.equal(at(5).level, 2); // ⌊5·500/700⌋ = 3
  assert.equal(at(5).rank, 4);
  const losing = at(3);
  assert.equal(losing.candidate, false);
  assert.equal(losing.level, 0);
  assert.equal(losing.rank, 0);
});

test("test_adlStanding_fundingMovesTheProfitTest", () => {
  // With F = 15, long profit per unit is P − F − J: account 5 (J 95) is at a loss and drops out.
  const standing = adlStanding({ queue: longs, accountId: 5, priceWad: 100n * WAD, fundingIndexWad: 15n * WAD });
  assert.equal(standing.candidate, false);
});

test("test_insertHint_isTheLastMemberAtOrBeforeTheNewJ", () => {
  const list = longs.tiers[3];
  assert.equal(insertHint(list, true, 70n * WAD, 99), 0, "before everyone: the head");
  assert.equal(insertHint(list, true, 80n * WAD, 99), 1, "equal J goes behind");
  assert.equal(insertHint(list, true, 100n * WAD, 99), 2);
  assert.equal(insertHint(list, true, 500n * WAD, 99), 3);
  assert.equal(insertHint(list, true, 100n * WAD, 2), 1, "the position itself is skipped");
  const shorts = [m(7, -1, 120), m(8, -1, 110)];
  assert.equal(insertHint(shorts, false, 115n * WAD, 99), 7, "shorts descend by J");
});

test("test_withPosition_movesAPositionBetweenTiersAsTheContractInserts", () => {
  const moved = withPosition(longs, m(5, 2, 80, 1_000), 4);
  assert.deepEqual(moved.tiers[0], []);
  assert.deepEqual(moved.tiers[3].map((x) => x.accountId), [1, 5, 2, 3]);
  const removed = withPosition(longs, m(2, 0, 0), 0);
  assert.deepEqual(removed.tiers[3].map((x) => x.accountId), [1, 3]);
  assert.deepEqual(longs.tiers[3].map((x) => x.accountId), [1, 2, 3], "the input is not changed");
});
