/**
 * Keeper benchmark (`npm run bench:keeper`): how fast the keeper finds every liquidatable position after a price
 * tick with its K index, against a naive scan of every position, measured in the same run on the same positions.
 *
 * For n = 1,000, 10,000 and 100,000 random positions over two markets (leverage log-uniform from 2x to 80x, 55% of
 * positions short, sizes $1k–$200k): ticks move each market's price at random by up to ±1%; each tick finds the
 * liquidatable positions both ways (they must agree), then removes them, as liquidation would. Reports median and
 * p99 per tick, the speedup of the medians, the time to rebuild the indexes from the positions in memory, and the
 * process memory with everything loaded. Separately, for n = 10,000 positions spawned on a local anvil node, the
 * time to rebuild the keeper's book from the node's logs (the same code path the keeper runs at start).
 *
 * Writes bench/results/keeper.json. Progress goes to stderr.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Abi } from "viem";
import { backstopVaultAbi, collateralTokenAbi, k, WAD } from "@open-waterfall/sdk";

import { KIndex, liquidationThresholdK, type Side } from "../keeper/src/index/kIndex.ts";
import { createLogger } from "../keeper/src/log.ts";
import { engineEventReader } from "../keeper/src/state/engineEvents.ts";
import { PositionBook } from "../keeper/src/state/positionBook.ts";
import { ChainFollower } from "../keeper/src/state/sync.ts";
import { ADMIN, BTC, ETH, startTestChain, W } from "../keeper/src/_test/chain.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SIZES = [1_000, 10_000, 100_000];
const TICKS = 400;
const LOG_REBUILD_N = 10_000;
const MMR = (9n * WAD) / 1000n; // 0.9%, as the local presets

const progress = (message: string) => process.stderr.write(`[bench:keeper] ${message}\n`);

/** xorshift64*: a seeded generator, so every run measures the same positions and ticks. */
class Rng {
  #state: bigint;
  constructor(seed: bigint) {
    this.#state = seed;
  }
  next(): number {
    let x = this.#state;
    x ^= x >> 12n;
    x ^= (x << 25n) & 0xffffffffffffffffn;
    x ^= x >> 27n;
    this.#state = x;
    return Number(((x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) >> 11n) / 2 ** 53;
  }
}

type Position = { id: string; market: number; side: Side; kWad: bigint };
type Market = { priceWad: bigint; fundingWad: bigint };

function randomPositions(n: number, rng: Rng, markets: Market[]): Position[] {
  const out: Position[] = [];
  for (let i = 0; i < n; i++) {
    const market = rng.next() < 0.5 ? 0 : 1;
    const { priceWad } = markets[market] as Market;
    const side: Side = rng.next() < 0.55 ? "short" : "long";
    const leverage = Math.exp(Math.log(2) + rng.next() * (Math.log(80) - Math.log(2)));
    const notionalUsd = 1_000 + rng.next() * 199_000;
    // Entry within ±2% of the current price, so the book holds winners and losers.
    const entryWad = (priceWad * BigInt(Math.round((0.98 + rng.next() * 0.04) * 1e6))) / 1_000_000n;
    const sizeAbsWad = (BigInt(Math.round(notionalUsd * 1e6)) * WAD * WAD) / (entryWad * 1_000_000n);
    const marginWad = BigInt(Math.round((notionalUsd / leverage) * 1e6)) * 10n ** 12n;
    const sizeWad = side === "long" ? sizeAbsWad : -sizeAbsWad;
    out.push({ id: `0x${i.toString(16).padStart(40, "0")}:${market + 1}`, market, side, kWad: k({ sizeWad, marginWad, jWad: entryWad }) });
  }
  return out;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const round = (x: number, digits = 4) => Number(x.toFixed(digits));

function benchSize(n: number) {
  const rng = new Rng(0x6b656570657200n + BigInt(n));
  const markets: Market[] = [
    { priceWad: 4_000n * WAD, fundingWad: 0n },
    { priceWad: 117_000n * WAD, fundingWad: 0n },
  ];
  const positions = randomPositions(n, rng, markets);
  const keyOf = (market: number, side: Side) => market * 2 + (side === "long" ? 0 : 1);

  // Rebuild from memory: the four indexes from scratch (median of 5).
  const rebuilds: number[] = [];
  let indexes: KIndex[] = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    const fresh = [new KIndex("long"), new KIndex("short"), new KIndex("long"), new KIndex("short")];
    const buckets: { id: string; kWad: bigint }[][] = [[], [], [], []];
    for (const p of positions) buckets[keyOf(p.market, p.side)]?.push({ id: p.id, kWad: p.kWad });
    fresh.forEach((index, i) => index.load(buckets[i] ?? []));
    rebuilds.push(ms(start));
    indexes = fresh;
  }
  rebuilds.sort((a, b) => a - b);
  if (globalThis.gc !== undefined) globalThis.gc();
  const memory = process.memoryUsage();

  // The naive side: every position in a map, scanned in full each tick.
  const naive = new Map(positions.map((p) => [p.id, p]));
  const indexTimes: number[] = [];
  const naiveTimes: number[] = [];
  let found = 0;
  for (let t = 0; t < TICKS; t++) {
    for (const m of markets) m.priceWad = (m.priceWad * BigInt(Math.round((0.99 + rng.next() * 0.02) * 1e6))) / 1_000_000n;
    const thresholds = markets.flatMap((m) =>
      (["long", "short"] as const).map((side) => liquidationThresholdK({ side, priceWad: m.priceWad, mmrWad: MMR, fundingIndexWad: m.fundingWad }))
    );

    let start = process.hrtime.bigint();
    const viaIndex: string[] = [];
    indexes.forEach((index, i) => {
      for (const entry of index.liquidatable(thresholds[i] as bigint)) viaIndex.push(entry.id);
    });
    indexTimes.push(ms(start));

    start = process.hrtime.bigint();
    const viaScan: string[] = [];
    for (const p of naive.values()) {
      const threshold = thresholds[keyOf(p.market, p.side)] as bigint;
      if (p.side === "long" ? p.kWad > threshold : p.kWad < threshold) viaScan.push(p.id);
    }
    naiveTimes.push(ms(start));

    if (viaIndex.length !== viaScan.length || new Set(viaIndex).size !== new Set([...viaIndex, ...viaScan]).size) {
      throw new Error(`tick ${t}: the index found ${viaIndex.length}, the scan ${viaScan.length}`);
    }
    found += viaIndex.length;
    for (const id of viaIndex) {
      const p = naive.get(id) as Position;
      indexes[keyOf(p.market, p.side)]?.remove(id);
      naive.delete(id);
    }
  }
  indexTimes.sort((a, b) => a - b);
  naiveTimes.sort((a, b) => a - b);
  const index = { medianMs: round(quantile(indexTimes, 0.5)), p99Ms: round(quantile(indexTimes, 0.99)) };
  const scan = { medianMs: round(quantile(naiveTimes, 0.5)), p99Ms: round(quantile(naiveTimes, 0.99)) };
  return {
    n,
    ticks: TICKS,
    liquidatedDuringTicks: found,
    remainingAfterTicks: naive.size,
    index,
    naiveScan: scan,
    speedup: round(quantile(naiveTimes, 0.5) / Math.max(quantile(indexTimes, 0.5), 1e-6), 1),
    rebuildInMemoryMs: round(quantile(rebuilds, 0.5), 2),
    memoryMb: { rss: round(memory.rss / 2 ** 20, 1), heapUsed: round(memory.heapUsed / 2 ** 20, 1) },
  };
}

async function benchLogRebuild() {
  progress(`rebuild from logs: starting anvil and spawning ${LOG_REBUILD_N.toLocaleString("en")} positions`);
  const chain = await startTestChain("anvil");
  try {
    // PositionSpawner puts each new position behind its list's tail, which is right only while the fill price keeps
    // rising for that side: so longs only, in both markets, with a deeper vault to take the other side.
    await chain.admin(chain.deployment.collateral, collateralTokenAbi as Abi, "mint", [ADMIN.address, 30_000_000n * 10n ** 6n]);
    await chain.admin(chain.deployment.collateral, collateralTokenAbi as Abi, "approve", [chain.deployment.vault, 2n ** 255n]);
    await chain.admin(chain.deployment.vault, backstopVaultAbi as Abi, "deposit", [30_000_000n * 10n ** 6n, ADMIN.address]);
    const leverages = [5, 15, 30, 60];
    const perCall = 40;
    let spawned = 0;
    let lastReport = 0;
    for (let call = 0; spawned < LOG_REBUILD_N; call++) {
      const count = Math.min(perCall, LOG_REBUILD_N - spawned);
      const leverage = leverages[Math.floor(call / 2) % leverages.length] as number;
      if (call % 2 === 0) await chain.spawn(ETH, (3n * W) / 10n, leverage, count, perCall);
      else await chain.spawn(BTC, W / 100n, leverage, count, perCall);
      spawned += count;
      if (spawned - lastReport >= 1_000 || spawned === LOG_REBUILD_N) {
        progress(`  spawned ${spawned.toLocaleString("en")} / ${LOG_REBUILD_N.toLocaleString("en")}`);
        lastReport = spawned;
      }
    }
    const head = await chain.client.getBlock({ blockTag: "latest" });
    const times: number[] = [];
    let events = 0;
    let positions = 0;
    for (let r = 0; r < 3; r++) {
      const book = new PositionBook({ journalDepth: 64 });
      const deployment = chain.deployment;
      const follower = new ChainFollower({
        client: chain.client,
        book,
        readEvents: engineEventReader({ client: chain.client, deployment: () => deployment, chunkBlocks: 2_000 }),
        fromBlock: deployment.deploymentBlock,
        reorgDepth: 64,
        logger: createLogger({ level: "silent" }),
      });
      const start = process.hrtime.bigint();
      const result = await follower.syncTo({ number: head.number, hash: head.hash as `0x${string}` });
      times.push(ms(start));
      events = result.events;
      positions = book.size;
      progress(`  rebuild ${r + 1}/3: ${round(times[times.length - 1] as number, 1)} ms for ${events} events`);
    }
    times.sort((a, b) => a - b);
    return { n: LOG_REBUILD_N, node: "anvil", blocks: Number(head.number - chain.deployment.deploymentBlock + 1n), events, positions, medianMs: round(quantile(times, 0.5), 1) };
  } finally {
    await chain.stop();
  }
}

const results = [];
for (const n of SIZES) {
  progress(`n = ${n.toLocaleString("en")}: building positions, ${TICKS} ticks (index and naive scan)`);
  const r = benchSize(n);
  progress(`  index median ${r.index.medianMs} ms (p99 ${r.index.p99Ms}), scan median ${r.naiveScan.medianMs} ms (p99 ${r.naiveScan.p99Ms}), speedup ${r.speedup}x, rebuild ${r.rebuildInMemoryMs} ms, rss ${r.memoryMb.rss} MB`);
  results.push(r);
}
const fromLogs = await benchLogRebuild();
const at100k = results.find((r) => r.n === 100_000);
const targets = { speedupAtLeast: 100, indexMedianMsAtMost: 1, rebuildMsAtMost: 2_000, memoryMbAtMost: 300 };
const output = {
  generatedAt: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", totalMemoryMb: Math.round(totalmem() / 2 ** 20) },
  method: "Per tick both markets move at random by up to ±1%; the liquidatable positions are found with the K index (4 prefix queries) and with a full scan comparing every position's K to its side's threshold, in the same run; the two must agree; the found positions are then removed. Times are per tick. Rebuild in memory: the 4 indexes loaded from scratch (median of 5). Memory: process RSS and heap with the positions, the indexes and the scan's map loaded.",
  sizes: results,
  rebuildFromLogs: fromLogs,
  targets,
  targetsMetAt100k:
    at100k === undefined
      ? false
      : at100k.speedup >= targets.speedupAtLeast &&
        at100k.index.medianMs <= targets.indexMedianMsAtMost &&
        at100k.rebuildInMemoryMs <= targets.rebuildMsAtMost &&
        at100k.memoryMb.rss <= targets.memoryMbAtMost,
};
const file = join(root, "bench", "results", "keeper.json");
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);
progress(`wrote ${file}`);
console.table(results.map((r) => ({ n: r.n, "index median ms": r.index.medianMs, "index p99 ms": r.index.p99Ms, "scan median ms": r.naiveScan.medianMs, "scan p99 ms": r.naiveScan.p99Ms, speedup: r.speedup, "rebuild ms": r.rebuildInMemoryMs, "rss MB": r.memoryMb.rss })));
console.log(`rebuild from logs (n = ${fromLogs.n}, ${fromLogs.events} events): ${fromLogs.medianMs} ms`);
