import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { assessHealth } from "./health.ts";
import { createMetrics } from "./metrics.ts";
import { startMetricsServer } from "./server.ts";

describe("metrics server", () => {
  test("test_server_servesMetricsAndHealthOnLoopback", async () => {
    const metrics = createMetrics();
    metrics.positionsTracked.set({ market: "1", side: "long" }, 42);
    metrics.liquidations.inc({ market: "1", outcome: "succeeded" }, 3);
    let healthy = true;
    const server = await startMetricsServer({
      registry: metrics.registry,
      port: 0,
      health: () => ({ healthy, problems: healthy ? [] : ["stale"], lastProcessedBlock: "7", secondsSinceSync: 1 }),
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const text = await (await fetch(`${base}/metrics`)).text();
      assert.match(text, /keeper_positions_tracked\{market="1",side="long"\} 42/);
      assert.match(text, /keeper_liquidations_total\{market="1",outcome="succeeded"\} 3/);
      for (const name of ["keeper_reaction_seconds", "keeper_last_processed_block", "keeper_rpc_errors_total", "keeper_liquidatable_positions"]) {
        assert.match(text, new RegExp(`# HELP ${name}`));
      }
      const ok = await fetch(`${base}/health`);
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { healthy: boolean }).healthy, true);
      healthy = false;
      const bad = await fetch(`${base}/health`);
      assert.equal(bad.status, 503);
      assert.deepEqual(((await bad.json()) as { problems: string[] }).problems, ["stale"]);
      assert.equal((await fetch(`${base}/other`)).status, 404);
    } finally {
      await server.close();
    }
  });

  test("test_createMetrics_twoKeepersInOneProcessDoNotClash", () => {
    const a = createMetrics();
    const b = createMetrics();
    assert.notEqual(a.registry, b.registry);
  });
});

describe("assessHealth", () => {
  const base = { lastProcessedBlock: 10n, nowMs: 100_000, maxAgeSeconds: 30, signerBalancesWei: new Map<string, bigint>(), minSignerBalanceWei: 0n };

  test("test_assessHealth_unhealthyBeforeTheFirstSync", () => {
    const report = assessHealth({ ...base, lastSyncAtMs: undefined });
    assert.equal(report.healthy, false);
    assert.deepEqual(report.problems, ["has not reached the chain head yet"]);
  });

  test("test_assessHealth_unhealthyWhenTheLastSyncIsOlderThanTheThreshold", () => {
    assert.equal(assessHealth({ ...base, lastSyncAtMs: 70_000 }).healthy, true); // 30 s: at the threshold
    const stale = assessHealth({ ...base, lastSyncAtMs: 69_000 });
    assert.equal(stale.healthy, false);
    assert.match(stale.problems[0] ?? "", /31\.0 s ago \(threshold 30 s\)/);
    assert.equal(stale.lastProcessedBlock, "10");
  });

  test("test_assessHealth_unhealthyWhenASignerRunsLow", () => {
    const report = assessHealth({ ...base, lastSyncAtMs: 99_000, signerBalancesWei: new Map([["0xabc", 5n], ["0xdef", 50n]]), minSignerBalanceWei: 10n });
    assert.deepEqual(report.problems, ["signer 0xabc holds 5 wei, below 10"]);
  });
});
