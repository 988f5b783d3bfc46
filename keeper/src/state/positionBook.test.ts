import assert from "node:assert/strict";
import { describe, test } from "node:test";

import type { Address } from "viem";

import { Prng } from "@open-waterfall/sdk/testing";
import { PositionBook, type PositionUpdate, positionId, ReorgTooDeepError } from "./positionBook.ts";

const W = 10n ** 18n;
const ALICE = "0x00000000000000000000000000000000000000A1" as Address;
const BOB = "0x00000000000000000000000000000000000000B2" as Address;

function update(account: Address, marketId: bigint, sizeWad: bigint, marginWad = 100n * W, jWad = 1_000n * W): PositionUpdate {
  return { account, marketId, sizeWad, marginWad, jWad, f0Wad: 0n, tier: 1, pendingTier: 0, pendingTierSince: 0 };
}

function snapshot(book: PositionBook): string {
  const positions = book
    .all()
    .map((p) => `${positionId(p.account, p.marketId)}=${p.sizeWad}/${p.marginWad}/${p.inLiquidation}/${p.pendingTierSince}`)
    .sort();
  const indexes = book
    .markets()
    .sort()
    .flatMap((m) => (["long", "short"] as const).map((s) => `${m}:${s}:${book.index(m, s).toArray().map((e) => e.id).join(",")}`))
    .filter((line) => !line.endsWith(":"));
  return JSON.stringify({ positions, indexes, inLiq: book.inLiquidation().map((p) => p.account).sort() });
}

describe("PositionBook", () => {
  test("test_applyPositionUpdated_tracksAPositionWithItsK", () => {
    const book = new PositionBook({ journalDepth: 8 });
    book.applyPositionUpdated(update(ALICE, 1n, W), 10n);
    const position = book.get(positionId(ALICE, 1n));
    assert.equal(position?.kWad, 900n * W); // long: J − m/|s| = 1,000 − 100
    assert.equal(position?.block, 10n);
    assert.equal(book.size, 1);
    assert.deepEqual(book.index(1n, "long").toArray(), [{ id: positionId(ALICE, 1n), kWad: 900n * W }]);
  });

  test("test_applyPositionUpdated_sizeZeroRemovesThePosition", () => {
    const book = new PositionBook({ journalDepth: 8 });
    book.applyPositionUpdated(update(ALICE, 1n, W), 10n);
    book.applyPositionUpdated(update(ALICE, 1n, 0n, 0n, 0n), 11n);
    assert.equal(book.size, 0);
    assert.equal(book.index(1n, "long").size, 0);
  });

  test("test_applyPositionUpdated_aFlipMovesThePositionToTheOtherSide", () => {
    const book = new PositionBook({ journalDepth: 8 });
    book.applyPositionUpdated(update(ALICE, 1n, W), 10n);
    book.applyPositionUpdated(update(ALICE, 1n, -W), 11n);
    assert.equal(book.index(1n, "long").size, 0);
    assert.equal(book.index(1n, "short").kOf(positionId(ALICE, 1n)), 1_100n * W);
  });

  test("test_applyPositionUpdated_ignoresMarketsNotKept", () => {
    const book = new PositionBook({ journalDepth: 8, markets: [2n] });
    book.applyPositionUpdated(update(ALICE, 1n, W), 10n);
    book.applyLiquidated({ account: ALICE, marketId: 1n, remainingSizeWad: W }, 10n);
    assert.equal(book.size, 0);
  });

  test("test_applyLiquidated_marksARemainderAndKeepsTheFlagThroughUpdates", () => {
    const book = new PositionBook({ journalDepth: 8 });
    book.applyPositionUpdated(update(ALICE, 1n, W), 10n);
    book.applyPositionUpdated(update(ALICE, 1n, W / 2n, 50n * W), 12n);
    book.applyLiquidated({ account: ALICE, marketId: 1n, remainingSizeWad: W / 2n }, 12n);
    assert.deepEqual(book.inLiquidation(1n).map((p) => p.account), [ALICE]);
    assert.deepEqual(book.inLiquidation(2n), []);
    book.applyPositionUpdated(update(ALICE, 1n, W / 4n, 25n * W), 13n);
    assert.equal(book.get(positionId(ALICE, 1n))?.inLiquidation, true);
    book.applyLiquidated({ account: ALICE, marketId: 1n, remainingSizeWad: 0n }, 14n);
    assert.equal(book.size, 0);
    assert.deepEqual(book.inLiquidation(), []);
  });

  test("test_dueTierDrops_returnsOnlyDueDropsOldestFirst", () => {
    const book = new PositionBook({ journalDepth: 8 });
    book.applyPositionUpdated({ ...update(ALICE, 1n, W), pendingTier: 1, pendingTierSince: 2_000 }, 10n);
    book.applyPositionUpdated({ ...update(BOB, 1n, W), pendingTier: 1, pendingTierSince: 1_000 }, 10n);
    assert.deepEqual(book.dueTierDrops(4_000n, 3_600n).map((p) => p.account), []);
    assert.deepEqual(book.dueTierDrops(4_600n, 3_600n).map((p) => p.account), [BOB]);
    assert.deepEqual(book.dueTierDrops(5_600n, 3_600n).map((p) => p.account), [BOB, ALICE]);
    book.applyPositionUpdated(update(BOB, 1n, W), 11n); // drop applied: nothing pending
    assert.deepEqual(book.dueTierDrops(5_600n, 3_600n).map((p) => p.account), [ALICE]);
  });

  test("test_rewind_undoesTheDroppedBlocksExactly", () => {
    const book = new PositionBook({ journalDepth: 8 });
    book.applyPositionUpdated(update(ALICE, 1n, W), 10n);
    book.applyPositionUpdated(update(BOB, 1n, -W), 10n);
    const at10 = snapshot(book);
    book.applyPositionUpdated(update(ALICE, 1n, 2n * W, 150n * W), 11n);
    book.applyPositionUpdated(update(BOB, 1n, 0n, 0n, 0n), 11n);
    book.applyPositionUpdated(update(BOB, 2n, W), 12n);
    book.applyLiquidated({ account: ALICE, marketId: 1n, remainingSizeWad: W }, 12n);
    book.rewind(11n);
    assert.equal(snapshot(book), at10);
  });

  test("test_rewind_throwsBeyondTheJournalAndChangesNothing", () => {
    const book = new PositionBook({ journalDepth: 4 });
    for (let block = 1n; block <= 20n; block++) {
      book.applyPositionUpdated(update(ALICE, 1n, W, 100n * W + block), block);
      book.prune(block);
    }
    const before = snapshot(book);
    assert.throws(() => book.rewind(10n), ReorgTooDeepError);
    assert.equal(snapshot(book), before);
    book.rewind(17n);
    assert.equal(book.get(positionId(ALICE, 1n))?.marginWad, 100n * W + 16n);
  });

  test("test_fuzz_rewind_restoresTheStateOfAnyEarlierBlock", () => {
    const prng = new Prng(0x7265776f6e64n);
    const accounts = Array.from({ length: 12 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address);
    for (let round = 0; round < 20; round++) {
      const book = new PositionBook({ journalDepth: 64 });
      const states: string[] = [];
      for (let block = 1n; block <= 30n; block++) {
        const events = Number(prng.below(5n));
        for (let e = 0; e < events; e++) {
          const account = prng.pick(accounts);
          const marketId = prng.pick([1n, 2n]);
          if (prng.below(5n) === 0n) {
            book.applyLiquidated({ account, marketId, remainingSizeWad: prng.pick([0n, W]) }, block);
          } else {
            const size = prng.pick([0n, W, -W, 3n * W]);
            book.applyPositionUpdated(update(account, marketId, size, prng.between(1n, 500n) * W), block);
          }
        }
        states.push(snapshot(book));
      }
      const target = Number(prng.between(1n, 29n));
      book.rewind(BigInt(target + 1));
      assert.equal(snapshot(book), states[target - 1], `round ${round}: rewind to block ${target}`);
    }
  });
});
