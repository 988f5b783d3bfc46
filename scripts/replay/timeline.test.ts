import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { liquidatableTimeline, type TimelineEvent, type TimelineRound } from "./timeline.ts";

const WAD = 10n ** 18n;
const MMR = WAD / 20n; // 5%

/** A 10x long of one unit opened at 100: K = 100 − 10 = 90, liquidatable once P·0.95 < 90, i.e. P < 94.74. */
const open = (account: string, block: bigint, logIndex = 0, jWad = 100n * WAD): TimelineEvent => ({
  kind: "updated",
  block,
  logIndex,
  account,
  sizeWad: WAD,
  marginWad: 10n * WAD,
  jWad,
});
const closed = (account: string, block: bigint, logIndex: number): TimelineEvent[] => [
  { kind: "updated", block, logIndex, account, sizeWad: 0n, marginWad: 0n, jWad: 0n },
  { kind: "liquidated", block, logIndex: logIndex + 1, account, remainingSizeWad: 0n },
];
const round = (block: bigint, price: bigint, logIndex = 0): TimelineRound => ({ block, logIndex, priceWad: price * WAD });

describe("liquidatableTimeline", () => {
  it("counts every position a round makes liquidatable, and the keeper's one-block delay", async () => {
    // Three longs opened before the replay; the round in block 10 takes the price to 90, all three become
    // liquidatable; the keeper liquidates them in block 11 (checksummed accounts in one event, lower case in another).
    const events: TimelineEvent[] = [
      open("0xAa", 2n),
      open("0xbb", 2n, 1),
      open("0xcc", 3n),
      ...closed("0xaa", 11n, 0),
      ...closed("0xBB", 11n, 2),
      ...closed("0xcc", 11n, 4),
    ];
    const rounds = [round(1n, 100n), round(10n, 90n)];
    const t = await liquidatableTimeline({ events, rounds, fromBlock: 5n, toBlock: 15n, mmrWad: MMR, fundingAt: () => 0n });
    assert.equal(t.peakLiquidatable, 3);
    assert.equal(t.peakBlock, 10n);
    assert.equal(t.maxBlocksLiquidatable, 1);
    assert.equal(t.peakBlocksToClear, 1);
    assert.equal(t.liquidatableCount.get(9n), 0);
    assert.equal(t.liquidatableCount.get(11n), 0);
  });

  it("measures a wait of several blocks and a position left in liquidation", async () => {
    const events: TimelineEvent[] = [
      open("0x01", 1n),
      open("0x02", 1n, 1),
      // 0x01 is liquidated in part in block 13 (continued), finished in block 14; 0x02 in block 14.
      { kind: "liquidated", block: 13n, logIndex: 0, account: "0x01", remainingSizeWad: WAD / 2n },
      { kind: "updated", block: 13n, logIndex: 1, account: "0x01", sizeWad: WAD / 2n, marginWad: 5n * WAD, jWad: 100n * WAD },
      ...closed("0x01", 14n, 0),
      ...closed("0x02", 14n, 2),
    ];
    const t = await liquidatableTimeline({ events, rounds: [round(1n, 100n), round(10n, 94n)], fromBlock: 5n, toBlock: 20n, mmrWad: MMR, fundingAt: () => 0n });
    assert.equal(t.maxBlocksLiquidatable, 4);
    assert.deepEqual(t.longestWait, { account: "0x02", liquidatableFrom: 10n, liquidatedIn: 14n });
    assert.equal(t.peakLiquidatable, 2);
    assert.equal(t.inLiquidationPeak, 1);
    assert.equal(t.peakBlocksToClear, 4);
  });

  it("uses the round's price from its own block on, and events in chain order whatever order they come in", async () => {
    // Given out of order: the round of block 12 must not count at the end of block 11.
    const events: TimelineEvent[] = [...closed("0x01", 13n, 0), open("0x01", 1n)];
    const t = await liquidatableTimeline({ events, rounds: [round(12n, 90n), round(1n, 100n)], fromBlock: 5n, toBlock: 14n, mmrWad: MMR, fundingAt: () => 0n });
    assert.equal(t.liquidatableCount.get(11n), 0);
    assert.equal(t.liquidatableCount.get(12n), 1);
    assert.equal(t.maxBlocksLiquidatable, 1);
  });

  it("takes funding into account (a long's threshold falls with the funding index)", async () => {
    const events = [open("0x01", 1n)];
    const rounds = [round(1n, 95n)];
    const none = await liquidatableTimeline({ events, rounds, fromBlock: 2n, toBlock: 3n, mmrWad: MMR, fundingAt: () => 0n });
    assert.equal(none.peakLiquidatable, 0);
    const some = await liquidatableTimeline({ events, rounds, fromBlock: 2n, toBlock: 3n, mmrWad: MMR, fundingAt: () => 2n * WAD });
    assert.equal(some.peakLiquidatable, 1);
  });

  it("a position that recovers before its liquidation starts a new streak when it falls again", async () => {
    const events: TimelineEvent[] = [open("0x01", 1n), ...closed("0x01", 21n, 0)];
    const rounds = [round(1n, 100n), round(10n, 90n), round(11n, 100n), round(20n, 90n)];
    const t = await liquidatableTimeline({ events, rounds, fromBlock: 5n, toBlock: 22n, mmrWad: MMR, fundingAt: () => 0n });
    assert.equal(t.maxBlocksLiquidatable, 1);
    assert.equal(t.peakBlock, 10n);
  });
});
