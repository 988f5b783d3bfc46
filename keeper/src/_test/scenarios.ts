/**
 * The end-to-end scenarios, run once per node kind (keeper.hardhat.e2e.test.ts, keeper.anvil.e2e.test.ts): one node
 * and one deployment per file, each scenario from the same snapshot.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";

import { http, parseEventLogs } from "viem";
import { marketRegistryAbi, perpEngineAbi } from "@open-waterfall/sdk";
import { waitFor, type LocalNodeKind } from "@open-waterfall/sdk/testing";

import { createKeeper, type Keeper } from "../keeper.ts";
import { createLogger } from "../log.ts";
import { BTC, ETH, KEEPER_ACCOUNTS, spawnBook, startTestChain, type TestChain, W } from "./chain.ts";
import { startFlakyProxy } from "./flakyProxy.ts";

// KEEPER_TEST_LOG=debug shows the keepers' logs.
const quiet = () => createLogger({ level: process.env.KEEPER_TEST_LOG ?? "silent" });

/** −3% on ETH, −3% on BTC. */
const CRASH: readonly (readonly [bigint, string])[] = [
  [ETH, "3880"],
  [BTC, "113490"],
];

/**
 * Registers the scenarios for one node kind.
 *
 * @param kind - hardhat or anvil.
 */
export function keeperScenarios(kind: LocalNodeKind): void {
  describe(`keeper against ${kind}`, { timeout: 300_000 }, () => {
    let chain: TestChain;
    let base: string;
    const keepers: Keeper[] = [];

    before(async () => {
      chain = await startTestChain(kind);
      await spawnBook(chain);
      base = await chain.snapshot();
    });

    afterEach(async () => {
      await Promise.all(keepers.splice(0).map((k) => k.stop()));
      await chain.setAutomine(true);
      base = await chain.revert(base);
    });

    after(async () => {
      await chain?.stop();
    });

    const keeper = (signers: readonly number[], overrides: Parameters<TestChain["config"]>[0] = {}, transportUrl?: string) => {
      const k = createKeeper({
        config: chain.config(overrides),
        publicClient: chain.client,
        walletClients: chain.wallets(signers, transportUrl === undefined ? undefined : http(transportUrl, { retryCount: 0, timeout: 2_000 })),
        logger: quiet(),
      });
      keepers.push(k);
      return k;
    };

    test("test_crash_liquidatesEveryLiquidatablePositionWithinOneBlockOfThePriceUpdate", async () => {
      await chain.setAutomine(false);
      const k = keeper([0, 1]);
      await k.tick(); // synced before the crash, as a running keeper is
      const priceBlock = await chain.setPricesInOneBlock(CRASH);
      const expected = (await chain.positions(priceBlock)).filter((p) => p.liquidatable);
      assert.ok(expected.length >= 40, `only ${expected.length} liquidatable`);

      const result = await k.tick();
      assert.equal(result.block, priceBlock);
      assert.equal(result.liquidatable, expected.length);
      assert.deepEqual(result.errors, []);
      const sentAccounts = result.sent.filter((s) => s.kind === "liquidate").flatMap((s) => s.accounts.map((a) => a.toLowerCase()));
      assert.deepEqual(new Set(sentAccounts), new Set(expected.map((p) => p.account.toLowerCase())));
      assert.equal(new Set(result.sent.map((s) => s.signer)).size, 2, "both signers send");

      await chain.mine();
      const liquidated = await chain.liquidations(priceBlock + 1n, priceBlock + 1n);
      for (const p of expected) {
        assert.deepEqual(liquidated.get(p.account.toLowerCase())?.blocks, [priceBlock + 1n], `${p.account} liquidated in the next block`);
      }
      const left = await chain.positions(priceBlock + 1n);
      assert.deepEqual(left.filter((p) => p.liquidatable || p.inLiquidation), []);

      await chain.mine();
      const settledTick = await k.tick();
      assert.ok(settledTick.settled.every((s) => s.status === "mined"), JSON.stringify(settledTick.settled));
      const metrics = await k.metrics.registry.getSingleMetricAsString("keeper_liquidations_total");
      assert.match(metrics, new RegExp(`outcome="succeeded"} ${expected.filter((p) => p.marketId === ETH).length}`));
    });

    test("test_crashPastBankruptcy_positionsNeedingMoreAdlFillsThanOneCallAllowsAreLiquidatedWithinOneBlock", async () => {
      // Profitable shorts to deleverage (tier 1), then a vault drained to its floor: after the crash the traders are
      // in profit overall, the vault has no capacity, and every bankrupt 60x long is closed by ADL fills.
      await chain.spawn(ETH, -W, 5, 40);
      await chain.drainVault();
      const budget = Number((await chain.client.readContract({ address: chain.deployment.registry, abi: marketRegistryAbi, functionName: "protocolConfig" })).adlFillBudget);
      await chain.setAutomine(false);
      const k = keeper([0, 1], { duties: { adlMirror: true, poke: true, tierDrops: true, solvencyAdl: false } });
      await k.tick();
      const priceBlock = await chain.setPricesInOneBlock([[ETH, "3880"]]);
      const expected = (await chain.positions(priceBlock)).filter((p) => p.liquidatable);
      assert.ok(expected.length > budget, `${expected.length} liquidatable, budget ${budget}`);

      const result = await k.tick();
      assert.equal(result.block, priceBlock);
      assert.deepEqual(result.errors, []);
      assert.deepEqual(result.dropped, [], "no position skipped in simulation for want of ADL budget");
      const liquidations = result.sent.filter((s) => s.kind === "liquidate");
      assert.ok(liquidations.length >= 2, `${liquidations.length} liquidation transactions`);
      assert.equal(new Set(liquidations.map((s) => s.signer)).size, 2, "both signers send");

      await chain.mine();
      const block = await chain.client.getBlock({ blockNumber: priceBlock + 1n });
      let fills = 0;
      const perTransaction: string[] = [];
      let skipped = 0;
      for (const hash of block.transactions) {
        const receipt = await chain.client.getTransactionReceipt({ hash });
        assert.equal(receipt.status, "success");
        const events = parseEventLogs({ abi: perpEngineAbi, logs: receipt.logs });
        const perTx = events.filter((e) => e.eventName === "AdlFill").length;
        skipped += events.filter((e) => e.eventName === "LiquidationSkipped").length;
        perTransaction.push(`${events.filter((e) => e.eventName === "Liquidated").length} liquidated, ${perTx} fills`);
        assert.ok(perTx <= budget, `${perTx} fills in one transaction`);
        fills += perTx;
      }
      assert.equal(skipped, 0, `skipped on chain: ${perTransaction.join("; ")}`);
      assert.ok(fills > budget, `${fills} ADL fills in the block: more than one call's budget`);
      const liquidated = await chain.liquidations(priceBlock + 1n, priceBlock + 1n);
      for (const p of expected) {
        assert.deepEqual(liquidated.get(p.account.toLowerCase())?.blocks, [priceBlock + 1n], `${p.account} liquidated in the next block`);
      }
      assert.deepEqual((await chain.positions(priceBlock + 1n)).filter((p) => p.liquidatable || p.inLiquidation), []);
    });

    test("test_restart_rebuildsFromTheDeploymentBlockAndMissesNothing", async () => {
      const first = keeper([0]);
      await first.tick();
      await chain.setPrice(ETH, "3940"); // −1.5%: only the 60x ETH longs
      const r1 = await first.tick();
      assert.ok(r1.sent.some((s) => s.kind === "liquidate"));
      const tracked = first.book.size;
      await first.stop();

      // While it is down: more positions, a deeper fall on both markets.
      await chain.spawn(ETH, 10n ** 18n / 2n, 45, 5);
      await chain.setPrice(ETH, "3850");
      await chain.setPrice(BTC, "113000");
      const expected = (await chain.positions()).filter((p) => p.liquidatable || p.inLiquidation);
      assert.ok(expected.length > 0);

      const second = keeper([1]);
      const r2 = await second.tick();
      assert.deepEqual(new Set(r2.sent.filter((s) => s.kind === "liquidate").flatMap((s) => s.accounts.map((a) => a.toLowerCase()))), new Set(expected.map((p) => p.account.toLowerCase())));
      assert.deepEqual((await chain.positions()).filter((p) => p.liquidatable || p.inLiquidation), []);
      // The rebuilt book matches the chain exactly.
      const r3 = await second.tick();
      const open = await chain.positions();
      assert.equal(second.book.size, open.length);
      assert.ok(second.book.size < tracked + 5);
      assert.equal(r3.liquidatable, 0);
    });

    test("test_rpcFailure_keeperSurvivesDroppedAndDelayedRequestsAndCatchesUp", async () => {
      const proxy = await startFlakyProxy(chain.rpcUrl, 250);
      try {
        const { createPublicClient } = await import("viem");
        const client = createPublicClient({ transport: http(proxy.url, { retryCount: 0, timeout: 3_000 }) });
        const k = createKeeper({
          config: chain.config({ rpcUrls: [proxy.url], health: { maxAgeSeconds: 1, minSignerBalanceWei: 0n } }),
          publicClient: client as never,
          walletClients: chain.wallets([0], http(proxy.url, { retryCount: 0, timeout: 3_000 })),
          logger: quiet(),
        });
        keepers.push(k);
        await k.start();
        await waitFor("first sync", async () => k.health().healthy);

        proxy.setMode("drop");
        await chain.setPricesInOneBlock([[ETH, "3880"]]).catch(async () => chain.setPrice(ETH, "3880"));
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        assert.equal(k.health().healthy, false, "unhealthy while the RPC is down");
        assert.ok((await chain.positions()).some((p) => p.liquidatable), "nothing liquidated while the RPC is down");

        proxy.setMode("delay");
        await waitFor("liquidations through a slow RPC", async () => !(await chain.positions()).some((p) => p.liquidatable || p.inLiquidation), { timeoutMs: 90_000 });
        proxy.setMode("ok");
        await waitFor("healthy again", async () => k.health().healthy);
        const errors = await k.metrics.registry.getSingleMetricAsString("keeper_rpc_errors_total");
        assert.match(errors, /keeper_rpc_errors_total\{[^}]*\} [1-9]/);
        assert.ok(proxy.dropped() > 0);
      } finally {
        await Promise.all(keepers.splice(0).map((k) => k.stop()));
        await proxy.close();
      }
    });

    test("test_twoKeepers_eachPositionLiquidatedOnceAndTheLoserSpendsNoGas", async () => {
      await chain.setAutomine(false);
      const a = keeper([0]);
      const b = keeper([1]);
      await Promise.all([a.tick(), b.tick()]);
      const priceBlock = await chain.setPricesInOneBlock(CRASH);
      const expected = (await chain.positions(priceBlock)).filter((p) => p.liquidatable);

      const ra = await a.tick();
      const rb = await b.tick(); // A's transactions are in the pool: simulation against the pending block shows them taken
      assert.ok(ra.sent.some((s) => s.kind === "liquidate"));
      assert.deepEqual(rb.sent.filter((s) => s.kind === "liquidate"), []);
      assert.equal(rb.dropped.length, expected.length);

      await chain.mine();
      const liquidated = await chain.liquidations(priceBlock + 1n, priceBlock + 1n);
      for (const p of expected) assert.equal(liquidated.get(p.account.toLowerCase())?.count, 1);
      assert.ok([...liquidated.values()].every((l) => l.keepers.every((keeperAddress) => keeperAddress === KEEPER_ACCOUNTS[0]?.address.toLowerCase())));

      // Both at once: both may send, but nothing reverts and nobody is liquidated twice.
      const priceBlock2 = await chain.setPricesInOneBlock([[ETH, "3700"], [BTC, "110000"]]);
      const expected2 = (await chain.positions(priceBlock2)).filter((p) => p.liquidatable);
      await Promise.all([a.tick(), b.tick()]);
      await chain.mine();
      const block = await chain.client.getBlock({ blockNumber: priceBlock2 + 1n });
      for (const hash of block.transactions) {
        assert.equal((await chain.client.getTransactionReceipt({ hash })).status, "success");
      }
      const liquidated2 = await chain.liquidations(priceBlock2 + 1n, priceBlock2 + 1n);
      for (const p of expected2) assert.equal(liquidated2.get(p.account.toLowerCase())?.count, 1, `${p.account}`);
    });

    test("test_stuckTransaction_isReplacedWithAHigherFeeAndMined", async () => {
      await chain.setAutomine(false);
      const k = keeper([0], { gas: { ...chain.config().gas, replacementWaitMs: 200, feeBumpPercent: 50 } });
      await k.tick();
      const priceBlock = await chain.setPricesInOneBlock([[ETH, "3880"]]);
      const r = await k.tick();
      const sent = r.sent.find((s) => s.kind === "liquidate");
      assert.ok(sent !== undefined);
      const original = await chain.client.getTransaction({ hash: sent.hash });
      // The next block's base fee jumps above what the transaction pays: it stays in the pool.
      const method = kind === "anvil" ? "anvil_setNextBlockBaseFeePerGas" : "hardhat_setNextBlockBaseFeePerGas";
      await chain.rpc(method, [`0x${((original.maxFeePerGas ?? 0n) * 3n).toString(16)}`]);
      await chain.mine();
      assert.equal((await chain.liquidations(priceBlock + 1n, priceBlock + 1n)).size, 0, "stuck");
      await new Promise((resolve) => setTimeout(resolve, 300));
      const r2 = await k.tick(); // past the wait: replaced
      assert.deepEqual(r2.sent.filter((s) => s.kind === "liquidate"), [], "no new liquidation: the positions are in flight");
      await chain.mine();
      await chain.mine();
      const r3 = await k.tick();
      const settled = r3.settled.find((s) => s.kind === "liquidate");
      assert.equal(settled?.status, "mined");
      assert.notEqual(settled?.hash, sent.hash, "the replacement was mined, not the original");
      const replacement = await chain.client.getTransaction({ hash: settled?.hash ?? sent.hash });
      assert.equal(replacement.nonce, original.nonce);
      assert.ok((replacement.maxFeePerGas ?? 0n) > (original.maxFeePerGas ?? 0n));
      assert.deepEqual((await chain.positions()).filter((p) => p.liquidatable || p.inLiquidation), []);
      assert.match(await k.metrics.registry.getSingleMetricAsString("keeper_transactions_total"), /event="replaced"} [1-9]/);
    });

    test("test_reorg_rewindsAndRereadsTheDroppedBlocks", async () => {
      const k = keeper([0]);
      await k.tick();
      const before = k.book.size;
      const snap = await chain.snapshot();
      await chain.spawn(ETH, 10n ** 18n / 2n, 12, 3);
      await k.tick();
      assert.equal(k.book.size, before + 3);
      await chain.revert(snap); // the spawn's blocks are dropped
      await chain.mine();
      await chain.mine();
      await chain.mine(); // a longer, different chain
      const r = await k.tick();
      assert.notEqual(r.reorgFrom, undefined);
      assert.equal(k.book.size, before);
    });
  });
}
