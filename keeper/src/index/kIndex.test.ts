import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Prng } from "@open-waterfall/sdk/testing";
import { KIndex, type KIndexEntry, liquidationThresholdK, type Side } from "./kIndex.ts";

const W = 10n ** 18n;
const MMR_10_PCT = 10n ** 17n;

function ids(entries: readonly KIndexEntry[]): string[] {
  return entries.map((entry) => entry.id);
}

function filled(side: Side, entries: Record<string, bigint>): KIndex {
  const index = new KIndex(side);
  for (const [id, kWad] of Object.entries(entries)) index.upsert(id, kWad);
  return index;
}

describe("KIndex", () => {
  test("test_KIndex_startsEmpty", () => {
    const index = new KIndex("long");
    assert.equal(index.size, 0);
    assert.deepEqual(index.toArray(), []);
    assert.deepEqual(index.liquidatable(0n), []);
    assert.equal(index.has("a:1"), false);
    assert.equal(index.kOf("a:1"), undefined);
    assert.equal(index.remove("a:1"), false);
  });

  test("test_upsert_ordersLongsByKDescending", () => {
    const longs = filled("long", { "a:1": 10n, "b:1": 30n, "c:1": -5n, "d:1": 20n });
    assert.deepEqual(ids(longs.toArray()), ["b:1", "d:1", "a:1", "c:1"]);
    assert.equal(longs.size, 4);
    assert.equal(longs.kOf("c:1"), -5n);
  });

  test("test_upsert_ordersShortsByKAscending", () => {
    const shorts = filled("short", { "a:1": 10n, "b:1": 30n, "c:1": -5n, "d:1": 20n });
    assert.deepEqual(ids(shorts.toArray()), ["c:1", "a:1", "d:1", "b:1"]);
  });

  test("test_upsert_movesAnExistingPosition", () => {
    const longs = filled("long", { "a:1": 10n, "b:1": 20n, "c:1": 30n });
    longs.upsert("a:1", 40n);
    assert.deepEqual(longs.toArray(), [
      { id: "a:1", kWad: 40n },
      { id: "c:1", kWad: 30n },
      { id: "b:1", kWad: 20n },
    ]);
    longs.upsert("a:1", 25n);
    assert.deepEqual(ids(longs.toArray()), ["c:1", "a:1", "b:1"]);
    assert.equal(longs.size, 3);
    assert.equal(longs.kOf("a:1"), 25n);
  });

  test("test_upsert_keepsThePlaceOfAnUnchangedK", () => {
    const longs = filled("long", { "a:1": 10n, "b:1": 10n });
    longs.upsert("b:1", 10n);
    assert.deepEqual(longs.toArray(), [
      { id: "a:1", kWad: 10n },
      { id: "b:1", kWad: 10n },
    ]);
  });

  test("test_upsert_breaksTiesInKById", () => {
    const longs = filled("long", { "c:1": 5n, "a:1": 5n, "b:1": 5n, "z:1": 6n });
    assert.deepEqual(ids(longs.toArray()), ["z:1", "a:1", "b:1", "c:1"]);
    const shorts = filled("short", { "c:1": 5n, "a:1": 5n, "b:1": 5n, "z:1": 4n });
    assert.deepEqual(ids(shorts.toArray()), ["z:1", "a:1", "b:1", "c:1"]);
  });

  test("test_remove_dropsThePositionAndReportsIt", () => {
    const shorts = filled("short", { "a:1": 10n, "b:1": 10n, "c:1": 30n });
    assert.equal(shorts.remove("b:1"), true);
    assert.deepEqual(ids(shorts.toArray()), ["a:1", "c:1"]);
    assert.equal(shorts.has("b:1"), false);
    assert.equal(shorts.remove("b:1"), false);
    assert.equal(shorts.size, 2);
  });

  test("test_remove_thenUpsertReinsertsAtTheRightPlace", () => {
    const longs = filled("long", { "a:1": 10n, "b:1": 20n });
    longs.remove("b:1");
    longs.upsert("b:1", 5n);
    assert.deepEqual(ids(longs.toArray()), ["a:1", "b:1"]);
  });

  test("test_liquidatable_returnsTheLongsWithKStrictlyAboveTheThreshold", () => {
    const longs = filled("long", { "a:1": 10n, "b:1": 20n, "c:1": 30n });
    assert.deepEqual(ids(longs.liquidatable(15n)), ["c:1", "b:1"]);
    assert.deepEqual(ids(longs.liquidatable(29n)), ["c:1"]);
    assert.deepEqual(ids(longs.liquidatable(30n)), []);
    assert.deepEqual(ids(longs.liquidatable(9n)), ["c:1", "b:1", "a:1"]);
  });

  test("test_liquidatable_returnsTheShortsWithKStrictlyBelowTheThreshold", () => {
    const shorts = filled("short", { "a:1": 10n, "b:1": 20n, "c:1": 30n });
    assert.deepEqual(ids(shorts.liquidatable(25n)), ["a:1", "b:1"]);
    assert.deepEqual(ids(shorts.liquidatable(11n)), ["a:1"]);
    assert.deepEqual(ids(shorts.liquidatable(10n)), []);
    assert.deepEqual(ids(shorts.liquidatable(31n)), ["a:1", "b:1", "c:1"]);
  });

  test("test_liquidatable_takesAllTiesOrNone", () => {
    const longs = filled("long", { "a:1": 7n, "b:1": 7n, "c:1": 7n, "d:1": 3n });
    assert.deepEqual(ids(longs.liquidatable(6n)), ["a:1", "b:1", "c:1"]);
    assert.deepEqual(ids(longs.liquidatable(7n)), []);
  });

  test("test_load_replacesTheContentInOrderAndKeepsTheLastEntryPerId", () => {
    const longs = filled("long", { "old:1": 99n });
    longs.load([
      { id: "a:1", kWad: 10n },
      { id: "b:1", kWad: 30n },
      { id: "a:1", kWad: 20n },
      { id: "c:1", kWad: 20n },
    ]);
    assert.deepEqual(longs.toArray(), [
      { id: "b:1", kWad: 30n },
      { id: "a:1", kWad: 20n },
      { id: "c:1", kWad: 20n },
    ]);
    assert.equal(longs.has("old:1"), false);
    assert.equal(longs.size, 3);
    longs.upsert("d:1", 25n);
    assert.deepEqual(ids(longs.liquidatable(21n)), ["b:1", "d:1"]);
  });

  test("test_fuzz_load_matchesInsertingOneByOne", () => {
    const prng = new Prng(0x6c6f6164n);
    for (const side of ["long", "short"] as const) {
      const entries = Array.from({ length: 500 }, (_, i) => ({ id: `${i % 400}:1`, kWad: prng.between(-50n, 50n) }));
      const loaded = new KIndex(side);
      loaded.load(entries);
      const inserted = new KIndex(side);
      for (const e of entries) inserted.upsert(e.id, e.kWad);
      assert.deepEqual(loaded.toArray(), inserted.toArray());
    }
  });

  test("test_liquidatable_returnsACopy", () => {
    const longs = filled("long", { "a:1": 10n });
    longs.liquidatable(0n).pop();
    longs.toArray().pop();
    assert.equal(longs.size, 1);
    assert.deepEqual(ids(longs.liquidatable(0n)), ["a:1"]);
  });

  test("test_fuzz_KIndex_matchesAFullScan", () => {
    // Thousands of random upserts, moves and removals over a pool of ids, with K drawn from a narrow range
    // (many ties) or a wide one; after each operation the order, the size and a random prefix query must
    // equal those of a naive scan of a plain map.
    for (const side of ["long", "short"] as const) {
      const prng = new Prng(side === "long" ? 0x6b6c6f6e67n : 0x6b73686f7274n);
      const index = new KIndex(side);
      const naive = new Map<string, bigint>();
      const pool = Array.from({ length: 300 }, (_, i) => `0x${i.toString(16).padStart(40, "0")}:${i % 3}`);
      const drawK = (): bigint => (prng.boolean() ? prng.between(-20n, 20n) : prng.between(-(10n ** 24n), 10n ** 24n));
      const naiveOrder = (): KIndexEntry[] =>
        [...naive.entries()]
          .map(([id, kWad]) => ({ id, kWad }))
          .sort((a, b) => {
            if (a.kWad !== b.kWad) return (side === "long" ? a.kWad > b.kWad : a.kWad < b.kWad) ? -1 : 1;
            return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
          });

      for (let step = 0; step < 4_000; step++) {
        const id = prng.pick(pool);
        if (prng.below(4n) === 0n) {
          assert.equal(index.remove(id), naive.delete(id), `${side} step ${step}: remove`);
        } else {
          const kWad = drawK();
          index.upsert(id, kWad);
          naive.set(id, kWad);
        }
        assert.equal(index.size, naive.size, `${side} step ${step}: size`);
        assert.equal(index.kOf(id), naive.get(id), `${side} step ${step}: kOf`);

        const threshold = drawK();
        const expected = naiveOrder().filter((entry) =>
          side === "long" ? entry.kWad > threshold : entry.kWad < threshold
        );
        assert.deepEqual(index.liquidatable(threshold), expected, `${side} step ${step}: prefix`);
        if (step % 50 === 0) assert.deepEqual(index.toArray(), naiveOrder(), `${side} step ${step}: order`);
      }
      assert.deepEqual(index.toArray(), naiveOrder(), `${side}: final order`);
    }
  });
});

describe("liquidationThresholdK", () => {
  // 1 unit, margin 100, J = 1,000, F = 0, MMR 10%: K = 900 (long) / 1,100 (short), liquidation price 1,000.
  test("test_liquidationThresholdK_excludesEquityExactlyAtMaintenance", () => {
    const atPrice = { priceWad: 1_000n * W, mmrWad: MMR_10_PCT, fundingIndexWad: 0n };
    assert.equal(liquidationThresholdK({ ...atPrice, side: "long" }), 900n * W);
    assert.equal(liquidationThresholdK({ ...atPrice, side: "short" }), 1_100n * W);
    assert.deepEqual(filled("long", { "a:1": 900n * W }).liquidatable(900n * W), []);
    assert.deepEqual(filled("short", { "a:1": 1_100n * W }).liquidatable(1_100n * W), []);
  });

  test("test_liquidationThresholdK_includesPositionsOneWeiPastTheirLiquidationPrice", () => {
    // long at 1,000 − 1 wei: (1,000 − 1 wei) − ⌈100 − 0.1 wei⌉ = 900 − 1 wei, so K = 900 is past it
    const long = liquidationThresholdK({
      side: "long",
      priceWad: 1_000n * W - 1n,
      mmrWad: MMR_10_PCT,
      fundingIndexWad: 0n,
    });
    assert.equal(long, 900n * W - 1n);
    assert.deepEqual(ids(filled("long", { "a:1": 900n * W }).liquidatable(long)), ["a:1"]);
    // short at 1,000 + 1 wei: (1,000 + 1 wei) + ⌈100 + 0.1 wei⌉ = 1,100 + 2 wei, so K = 1,100 is past it
    const short = liquidationThresholdK({
      side: "short",
      priceWad: 1_000n * W + 1n,
      mmrWad: MMR_10_PCT,
      fundingIndexWad: 0n,
    });
    assert.equal(short, 1_100n * W + 2n);
    assert.deepEqual(ids(filled("short", { "a:1": 1_100n * W }).liquidatable(short)), ["a:1"]);
  });

  test("test_liquidationThresholdK_subtractsTheFundingIndex", () => {
    // F = 10: longs K > 900 − 10, shorts K < 1,100 − 10
    const base = { priceWad: 1_000n * W, mmrWad: MMR_10_PCT, fundingIndexWad: 10n * W };
    assert.equal(liquidationThresholdK({ ...base, side: "long" }), 890n * W);
    assert.equal(liquidationThresholdK({ ...base, side: "short" }), 1_090n * W);
  });

  test("test_liquidationThresholdK_throwsOnANegativePriceOrMmr", () => {
    assert.throws(
      () => liquidationThresholdK({ side: "long", priceWad: -1n, mmrWad: 0n, fundingIndexWad: 0n }),
      RangeError
    );
    assert.throws(
      () => liquidationThresholdK({ side: "short", priceWad: W, mmrWad: -1n, fundingIndexWad: 0n }),
      RangeError
    );
  });

  test("test_fuzz_liquidationThresholdK_includesTheExactSetAndAtMostOneWeiMore", () => {
    // Exact condition in rationals: long K·W > P·(W − MMR) − F·W, short K·W < P·(W + MMR) − F·W.
    const prng = new Prng(0x746872657368n);
    for (let i = 0; i < 3_000; i++) {
      const side = prng.pick(["long", "short"] as const);
      const priceWad = prng.between(0n, 10n ** 24n);
      const mmrWad = prng.between(0n, W / 2n);
      const fundingIndexWad = prng.between(-(10n ** 21n), 10n ** 21n);
      const threshold = liquidationThresholdK({ side, priceWad, mmrWad, fundingIndexWad });
      const exactScaled =
        side === "long" ? priceWad * (W - mmrWad) - fundingIndexWad * W : priceWad * (W + mmrWad) - fundingIndexWad * W;
      for (const kWad of [threshold - 1n, threshold, threshold + 1n, prng.between(threshold - W, threshold + W)]) {
        const exact = side === "long" ? kWad * W > exactScaled : kWad * W < exactScaled;
        const included = side === "long" ? kWad > threshold : kWad < threshold;
        assert.ok(!exact || included, `iteration ${i}: exactly liquidatable but excluded`);
        if (included && !exact) {
          const slack = side === "long" ? exactScaled - kWad * W : kWad * W - exactScaled;
          assert.ok(slack < W, `iteration ${i}: included ${slack} past the exact threshold`);
        }
      }
    }
  });
});
