import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createPublicClient, http } from "viem";

import { startEnv, type TestEnv } from "../_test/env.ts";
import { startRpcProxy, type RpcProxy } from "../_test/rpcProxy.ts";
import { waitFor } from "../testing/waitFor.ts";
import { InvalidInputError, NetworkError, RpcError, type SdkError } from "../errors/base.ts";
import { getProtocolLogs, type AnyPublicClient, type ProtocolLog } from "./logs.ts";
import { watchOracleRounds, watchProtocolEvents, type LogRange } from "./watch.ts";

const key = (log: { blockNumber: bigint; logIndex: number }): string => `${log.blockNumber}:${log.logIndex}`;

for (const kind of ["anvil", "hardhat"] as const) {
  describe(`log subscriptions on ${kind}`, () => {
    let env: TestEnv;
    let proxy: RpcProxy;
    let client: AnyPublicClient;
    let answer = 4000_00000000n;

    before(async () => {
      env = await startEnv(kind);
      proxy = await startRpcProxy(env.node.rpcUrl);
      client = createPublicClient({ chain: env.chain, transport: http(proxy.url, { retryCount: 0, timeout: 2_000 }), cacheTime: 0 });
    });
    after(async () => {
      await proxy?.close();
      await env?.stop();
    });

    const nextRound = async (): Promise<void> => {
      answer += 1_00000000n;
      await env.setFeedAnswer(env.deployment.feedsBySymbol["ETH-USD"], answer);
    };

    test("test_watchProtocolEvents_deliversEveryEventOnceAcrossDroppedAndFailingRequests", async () => {
      const start = await env.publicClient.getBlockNumber({ cacheTime: 0 });
      const delivered: ProtocolLog<"AnswerUpdated">[] = [];
      const ranges: LogRange[] = [];
      const errors: SdkError[] = [];
      const watcher = watchOracleRounds({
        client,
        deployment: env.deployment,
        fromBlock: start + 1n,
        chunkSize: 3n,
        pollingIntervalMs: 20,
        retryBaseMs: 10,
        retryMaxMs: 100,
        onLogs: (logs, range) => {
          delivered.push(...logs);
          ranges.push(range);
        },
        onError: (error) => errors.push(error),
      });
      try {
        // Each fault lasts until the watcher has met it a few times, so the test does not depend on timing.
        const phases = [
          { mode: "pass", rounds: 6 },
          { mode: "drop", rounds: 4 },
          { mode: "error500", rounds: 4 },
          { mode: "delay", rounds: 4 },
          { mode: "pass", rounds: 6 },
        ] as const;
        for (const phase of phases) {
          const seen = proxy.counts[phase.mode];
          proxy.mode = phase.mode;
          for (let i = 0; i < phase.rounds; i++) await nextRound();
          if (phase.mode !== "pass") await waitFor(`the watcher to meet ${phase.mode} three times`, () => proxy.counts[phase.mode] >= seen + 3);
        }
        const head = await env.publicClient.getBlockNumber({ cacheTime: 0 });
        await waitFor("the watcher to catch up", () => watcher.nextBlock() > head);
      } finally {
        proxy.mode = "pass";
        await watcher.stop();
      }
      const expected = await getProtocolLogs({ client: env.publicClient, deployment: env.deployment, events: ["AnswerUpdated"], fromBlock: start + 1n });
      assert.equal(expected.length, 24);
      assert.deepEqual(delivered.map(key), expected.map(key), "every round once, in chain order");
      assert.deepEqual(delivered.map((l) => l.args.current), expected.map((l) => l.args.current));
      assert.ok(errors.some((e) => e instanceof NetworkError), "dropped requests surfaced as network errors");
      assert.ok(errors.some((e) => e instanceof RpcError), "500s surfaced as RPC errors");
      for (let i = 1; i < ranges.length; i++) {
        assert.equal(ranges[i]?.fromBlock, (ranges[i - 1]?.toBlock ?? 0n) + 1n, "ranges are contiguous");
      }
    });

    test("test_watchProtocolEvents_resumesAfterARestartFromTheLastProcessedBlock", async () => {
      const start = await env.publicClient.getBlockNumber({ cacheTime: 0 });
      const delivered: ProtocolLog[] = [];
      let lastProcessed = start;
      const watch = () =>
        watchProtocolEvents({
          client,
          deployment: env.deployment,
          fromBlock: lastProcessed + 1n,
          events: ["AnswerUpdated", "Deposited"],
          chunkSize: 2n,
          pollingIntervalMs: 20,
          onLogs: (logs, range) => {
            delivered.push(...logs);
            lastProcessed = range.toBlock;
          },
        });
      let watcher = watch();
      for (let i = 0; i < 5; i++) await nextRound();
      const middle = await env.publicClient.getBlockNumber({ cacheTime: 0 });
      await waitFor("the first watcher", () => lastProcessed >= middle);
      await watcher.stop();
      for (let i = 0; i < 5; i++) await nextRound();
      watcher = watch();
      const head = await env.publicClient.getBlockNumber({ cacheTime: 0 });
      await waitFor("the restarted watcher", () => lastProcessed >= head);
      await watcher.stop();
      const expected = await getProtocolLogs({ client: env.publicClient, deployment: env.deployment, events: ["AnswerUpdated", "Deposited"], fromBlock: start + 1n });
      assert.equal(expected.length, 10);
      assert.deepEqual(delivered.map(key), expected.map(key));
    });

    test("test_watchProtocolEvents_rewindsAShortReorgAndReportsIt", async () => {
      const start = await env.publicClient.getBlockNumber({ cacheTime: 0 });
      const snapshot = await env.testClient.snapshot();
      const reorgs: bigint[] = [];
      let kept: ProtocolLog<"AnswerUpdated">[] = [];
      const watcher = watchOracleRounds({
        client: env.publicClient,
        deployment: env.deployment,
        fromBlock: start + 1n,
        chunkSize: 1n,
        pollingIntervalMs: 20,
        onLogs: (logs) => {
          kept.push(...logs);
        },
        onReorg: (fromBlock) => {
          reorgs.push(fromBlock);
          kept = kept.filter((log) => log.blockNumber < fromBlock);
        },
      });
      try {
        for (let i = 0; i < 3; i++) await nextRound();
        const oldHead = await env.publicClient.getBlockNumber({ cacheTime: 0 });
        await waitFor("the watcher to read the old branch", () => watcher.nextBlock() > oldHead);
        assert.equal(kept.length, 3);
        await env.testClient.revert({ id: snapshot });
        answer += 7_00000000n; // the new branch carries other answers
        for (let i = 0; i < 4; i++) await nextRound();
        const newHead = await env.publicClient.getBlockNumber({ cacheTime: 0 });
        await waitFor("the watcher to follow the new branch", () => reorgs.length > 0 && watcher.nextBlock() > newHead);
      } finally {
        await watcher.stop();
      }
      assert.ok(reorgs.every((b) => b <= start + 1n && b >= start - 64n), `rewound to the fork (${reorgs.join(", ")})`);
      const expected = await getProtocolLogs({ client: env.publicClient, deployment: env.deployment, events: ["AnswerUpdated"], fromBlock: start + 1n });
      assert.equal(expected.length, 4);
      assert.deepEqual(kept.map((l) => `${key(l)}:${l.blockHash}`), expected.map((l) => `${key(l)}:${l.blockHash}`));
    });
  });
}

describe("log subscription inputs", () => {
  const deployment = {
    engine: "0x0000000000000000000000000000000000000001",
    registry: "0x0000000000000000000000000000000000000002",
    vault: "0x0000000000000000000000000000000000000003",
    lens: "0x0000000000000000000000000000000000000004",
    collateral: "0x0000000000000000000000000000000000000005",
    feeds: {},
    deploymentBlock: 0n,
  } as const;
  const client = createPublicClient({ transport: http("http://127.0.0.1:9", { retryCount: 0 }) });

  test("test_watchProtocolEvents_rejectsBadParametersBeforeAnyRequest", () => {
    const onLogs = (): void => assert.fail("no delivery");
    assert.throws(() => watchProtocolEvents({ client, deployment, events: ["Nope" as "Traded"], onLogs }), (e: unknown) => e instanceof InvalidInputError && /unknown event "Nope"/.test(e.message));
    assert.throws(() => watchProtocolEvents({ client, deployment, events: [], onLogs }), InvalidInputError);
    assert.throws(() => watchProtocolEvents({ client, deployment, chunkSize: 0n, onLogs }), /chunkSize/);
    assert.throws(() => watchProtocolEvents({ client, deployment, confirmations: -1n, onLogs }), /confirmations/);
    assert.throws(() => watchProtocolEvents({ client, deployment, pollingIntervalMs: -5, onLogs }), /pollingIntervalMs/);
    assert.throws(() => watchProtocolEvents({ client, deployment, fromBlock: -1n, onLogs }), /fromBlock/);
  });

  test("test_getProtocolLogs_rejectsAReversedRangeAndReportsAnUnreachableNode", async () => {
    await assert.rejects(getProtocolLogs({ client, deployment, fromBlock: 5n, toBlock: 4n }), (e: unknown) => e instanceof InvalidInputError && /empty range/.test(e.message));
    await assert.rejects(getProtocolLogs({ client, deployment, fromBlock: 0n, toBlock: 4n, chunkSize: 0n }), InvalidInputError);
    await assert.rejects(getProtocolLogs({ client, deployment, fromBlock: 0n, toBlock: 4n }), NetworkError);
  });
});
