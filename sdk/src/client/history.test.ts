import assert from "node:assert/strict";
import { test } from "node:test";

import { firstBlockWhere, sampleBlocks } from "./history.ts";

test("test_sampleBlocks_evenlySpacedWithEnds", () => {
  assert.deepEqual(sampleBlocks({ fromBlock: 10n, toBlock: 20n, count: 3 }), [10n, 15n, 20n]);
  assert.deepEqual(sampleBlocks({ fromBlock: 0n, toBlock: 100n, count: 5 }), [0n, 25n, 50n, 75n, 100n]);
});

test("test_sampleBlocks_shortRangeHasNoRepeats", () => {
  assert.deepEqual(sampleBlocks({ fromBlock: 5n, toBlock: 6n, count: 10 }), [5n, 6n]);
  assert.deepEqual(sampleBlocks({ fromBlock: 7n, toBlock: 7n, count: 4 }), [7n]);
});

test("test_sampleBlocks_rejectsBadRanges", () => {
  assert.throws(() => sampleBlocks({ fromBlock: 9n, toBlock: 8n, count: 3 }), RangeError);
  assert.throws(() => sampleBlocks({ fromBlock: 1n, toBlock: 8n, count: 1 }), RangeError);
});

test("test_firstBlockWhere_findsTheFirstBlockByBisection", async () => {
  const asked: bigint[] = [];
  const holds = async (b: bigint) => {
    asked.push(b);
    return b >= 37n;
  };
  assert.equal(await firstBlockWhere({ fromBlock: 0n, toBlock: 1_000n, holds }), 37n);
  assert.ok(asked.length <= 12, `${asked.length} calls`);
  assert.equal(await firstBlockWhere({ fromBlock: 40n, toBlock: 50n, holds }), 40n);
  assert.equal(await firstBlockWhere({ fromBlock: 0n, toBlock: 36n, holds }), undefined);
});
