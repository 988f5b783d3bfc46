import { test } from "node:test";
import assert from "node:assert/strict";
import { ListModel } from "./hints.ts";

test("ListModel_ordersLongsByJAscendingAndTiesByInsertion", () => {
  const m = new ListModel();
  m.update(1n, 1, 10n, 300n, 2);
  m.update(1n, 2, 10n, 100n, 2);
  m.update(1n, 3, 10n, 300n, 2);
  m.update(1n, 4, -10n, 300n, 2);
  m.update(1n, 5, -10n, 500n, 2);
  assert.deepEqual(m.ids(1n, true, 2), [2, 1, 3]);
  assert.deepEqual(m.ids(1n, false, 2), [5, 4]);
});

test("ListModel_movesOrDropsAPositionWhenItChanges", () => {
  const m = new ListModel();
  m.update(1n, 1, 10n, 300n, 2);
  m.update(1n, 2, 10n, 100n, 2);
  m.update(1n, 1, 10n, 50n, 3);
  assert.deepEqual(m.ids(1n, true, 2), [2]);
  assert.deepEqual(m.ids(1n, true, 3), [1]);
  m.update(1n, 1, 0n, 0n, 0);
  assert.deepEqual(m.ids(1n, true, 3), []);
});

test("hints_startWithThePredictedPredecessor", () => {
  const m = new ListModel();
  for (let i = 1; i <= 40; i++) m.update(1n, i, 10n, BigInt(i * 10), 1);
  const hints = m.hints(1n, true, [1], 205n);
  assert.equal(hints[0], 20);
  assert.ok(hints.includes(12) && hints.includes(28));
  assert.deepEqual(m.hints(1n, true, [1], 1n).slice(0, 1), [0]);
});
