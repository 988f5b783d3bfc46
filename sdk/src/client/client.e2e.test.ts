/**
 * End to end against a real node of each kind (a Hardhat node and anvil), each started and stopped here:
 * every read, the preview against what the contract then does, and every write.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { createPublicClient, http, type Address, type Hex } from "viem";

import { collateralTokenAbi, marketRegistryAbi, mockAggregatorAbi, perpEngineAbi } from "../abi/generated.ts";
import { startEnv, type TestEnv } from "../_test/env.ts";
import { adlHeads } from "../adl/heads.ts";
import { computeInsertHints, readAdlQueue } from "../adl/queue.ts";
import { WAD } from "../constants.ts";
import { InvalidInputError, NetworkError } from "../errors/base.ts";
import { ProtocolError, TransactionRevertedError } from "../errors/protocol.ts";
import type { AnyProtocolLog, ProtocolLog } from "../events/logs.ts";
import { waitFor } from "../testing/waitFor.ts";
import { createPerpClient, type PerpClient } from "./client.ts";
import { firstBlockWhere, getPriceHistory, readHistory, sampleBlocks } from "./history.ts";
import type { AnyWalletClient, TradeResult } from "./writes.ts";

const w = (units: number | bigint): bigint => BigInt(units) * WAD;
const usdc = (units: number | bigint): bigint => BigInt(units) * 10n ** 6n;
const ETH = 1n;

function eventsNamed<N extends AnyProtocolLog["eventName"]>(events: readonly AnyProtocolLog[], name: N): ProtocolLog<N>[] {
  return events.filter((e): e is ProtocolLog<N> => e.eventName === name);
}

/** Free collateral that margins `sizeWad` at about `leverage`x at $4,000, fee included. */
const marginFor = (sizeWad: bigint, leverage: bigint): bigint => (sizeWad * 4000n) / leverage + (sizeWad * 4000n) / 1000n;

for (const kind of ["hardhat", "anvil"] as const) {
  describe(`SDK client end to end on ${kind}`, () => {
    let env: TestEnv;
    let perps: PerpClient<AnyWalletClient>[];
    let [admin, alice, bob, carol, dave, erin, lp] = [] as PerpClient<AnyWalletClient>[];
    let snapshot: Hex;

    const setPrice = (usd: number): Promise<void> => env.setFeedAnswer(env.deployment.feedsBySymbol["ETH-USD"], BigInt(Math.round(usd * 1e8)));
    const freeOf = (account: Address): Promise<bigint> =>
      env.publicClient.readContract({ address: env.deployment.engine, abi: perpEngineAbi, functionName: "freeCollateralWad", args: [account] });
    const setProtocol = async (overrides: { insuranceFeeShareWad?: bigint; adlFillBudget?: number; floorAbsoluteUsdWad?: bigint }): Promise<void> => {
      const p = await env.publicClient.readContract({ address: env.deployment.registry, abi: marketRegistryAbi, functionName: "protocolConfig" });
      await env.adminWrite({
        address: env.deployment.registry,
        abi: marketRegistryAbi,
        functionName: "setProtocolConfig",
        args: [{ ...p, ...overrides }],
        account: env.accounts[0] ?? null,
        chain: env.chain,
      });
    };
    /** Moves the floor up to the vault's equity less `roomWad`, as the liquidation tests do. */
    const leaveVaultRoom = async (roomWad: bigint): Promise<void> => {
      await env.adminWrite({ address: env.deployment.engine, abi: perpEngineAbi, functionName: "poke", args: [ETH], account: env.accounts[0] ?? null, chain: env.chain });
      const equity = await env.publicClient.readContract({ address: env.deployment.engine, abi: perpEngineAbi, functionName: "vaultEquityWad" });
      await setProtocol({ floorAbsoluteUsdWad: equity - roomWad });
    };

    before(async () => {
      env = await startEnv(kind);
      perps = env.accounts.map((account) => createPerpClient({ publicClient: env.publicClient, walletClient: env.walletFor(account), deployment: env.deployment }));
      [admin, alice, bob, carol, dave, erin, lp] = perps;
      for (const trader of [alice, bob, carol, dave, erin]) await env.mint(trader!.account, usdc(1_000_000));
      await env.mint(lp!.account, usdc(6_000_000));
      await lp!.lpDeposit({ assetsTokenUnits: usdc(5_000_000) });
      await alice!.deposit({ amountTokenUnits: usdc(100_000) }); // permit
      for (const trader of [bob, carol, dave, erin]) await trader!.deposit({ amountTokenUnits: usdc(100_000), method: "approve" });
      snapshot = await env.testClient.snapshot();
    });
    beforeEach(async () => {
      await env.testClient.revert({ id: snapshot });
      snapshot = await env.testClient.snapshot();
    });
    after(async () => {
      await env?.stop();
    });

    test("test_reads_marketsVaultInsuranceBadDebtAndAccount", async () => {
      const markets = await alice!.getMarkets();
      assert.deepEqual(markets.map((m) => [m.marketId, m.symbol]), [[1n, "ETH-USD"], [2n, "BTC-USD"]]);
      const eth = markets[0]!;
      assert.equal(eth.priceWad, w(4000));
      assert.equal(eth.priceFresh, true);
      assert.equal(eth.config.mmrWad, 9n * 10n ** 15n);
      assert.deepEqual(eth.config.tierBoundsX1e4, [30_000, 100_000, 200_000, 400_000]);
      assert.equal(eth.skewWad, 0n);
      assert.equal(eth.fundingRatePerDayWad, 0n);
      assert.equal((await alice!.getMarket({ marketId: 2n })).priceWad, w(117_000));
      assert.equal(await alice!.getInsuranceFund(), 0n);
      const vault = await alice!.getVault();
      assert.equal(vault.totalAssetsTokenUnits, usdc(5_000_000), "the LP fee stays in the vault");
      assert.ok(vault.equityWad > w(4_990_000));
      assert.equal(vault.utilisationWad, 0n);
      assert.equal(vault.tradersProfitWad, 0n);
      assert.ok(vault.sharePriceTokenUnits > 0n);
      const badDebt = await alice!.getBadDebt();
      assert.equal(badDebt.totalWad, 0n);
      assert.deepEqual([...badDebt.byMarket.keys()], [1n, 2n]);
      const account = await alice!.getAccount({ account: alice!.account });
      assert.equal(account.freeCollateralWad, w(100_000));
      assert.equal(account.withdrawableWad, w(100_000));
      assert.deepEqual(account.positions, []);
      assert.equal(await alice!.getPosition({ account: alice!.account, marketId: ETH }), undefined);
      await assert.rejects(alice!.getMarket({ marketId: 9n }), (e: unknown) => e instanceof ProtocolError && e.is("MarketNotListed") && e.args.marketId === 9n);
      await assert.rejects(alice!.getMarket({ marketId: 0n }), InvalidInputError);
    });

    test("test_previewTrade_equalsWhatTheContractDoesForOpenIncreaseDecreaseFlipAndClose", async () => {
      const steps: [PerpClient<AnyWalletClient>, bigint, bigint, number][] = [
        [alice!, w(10), w(5_000), 0],
        [bob!, -w(5), w(1_000), 0],
        [alice!, w(2), w(1_000), 86_400], // a day of funding first
        [alice!, -w(4), 0n, 600],
        [bob!, w(8), w(2_000), 3_600], // flip short 5 → long 3
        [alice!, -w(8), 0n, 60], // close
      ];
      for (const [i, [perp, sizeDeltaWad, marginWad, waitSeconds]] of steps.entries()) {
        if (waitSeconds > 0) {
          await env.testClient.increaseTime({ seconds: waitSeconds });
          await setPrice(4000); // a fresh round, as the heartbeat requires
        }
        const latest = await env.publicClient.getBlock();
        const timestamp = latest.timestamp + 5n;
        const preview = await perp.previewTrade({ account: perp.account, marketId: ETH, sizeDeltaWad, marginWad, timestamp });
        await env.testClient.setNextBlockTimestamp({ timestamp });
        const result: TradeResult = await perp.trade({ marketId: ETH, sizeDeltaWad, marginWad });
        assert.equal((await env.publicClient.getBlock({ blockNumber: result.receipt.blockNumber })).timestamp, timestamp);
        const traded = eventsNamed(result.events, "Traded");
        assert.equal(traded.length, preview.fills.length, `step ${i}: fills`);
        traded.forEach((t, j) => {
          const f = preview.fills[j]!;
          assert.equal(t.args.sizeDeltaWad, f.sizeDeltaWad, `step ${i} fill ${j} size`);
          assert.equal(t.args.fillPriceWad, f.fillPriceWad, `step ${i} fill ${j} price`);
          assert.equal(t.args.feeWad, f.feeWad, `step ${i} fill ${j} fee`);
          assert.equal(t.args.realisedPnlWad, f.realisedPnlWad, `step ${i} fill ${j} pnl`);
          assert.equal(t.args.fundingIndexWad, preview.fundingIndexWad, `step ${i} funding index`);
        });
        const updated = eventsNamed(result.events, "PositionUpdated").at(-1)!;
        const p = preview.position;
        assert.equal(updated.args.sizeWad, p?.sizeWad ?? 0n, `step ${i} size`);
        assert.equal(updated.args.marginWad, p?.marginWad ?? 0n, `step ${i} margin`);
        if (p !== undefined) {
          assert.equal(updated.args.jWad, p.jWad, `step ${i} J`);
          assert.equal(updated.args.f0Wad, p.f0Wad, `step ${i} F0`);
          assert.equal(updated.args.tier, p.tier, `step ${i} tier`);
          assert.equal(updated.args.pendingTier, p.pendingTier);
          assert.equal(BigInt(updated.args.pendingTierSince), p.pendingTierSince);
          const after = await perp.getPosition({ account: perp.account, marketId: ETH });
          assert.equal(after?.chosenLeverageWad, p.chosenLeverageWad, `step ${i} chosen leverage`);
          assert.equal(after?.adl.level, preview.adl.level, `step ${i} ADL light`);
          assert.equal(after?.adl.rank, preview.adl.rank, `step ${i} ADL rank`);
        }
        assert.equal(await freeOf(perp.account), preview.freeCollateralAfterWad, `step ${i} free collateral`);
        assert.ok(preview.kind === ["open", "open", "increase", "decrease", "flip", "close"][i], `step ${i} kind ${preview.kind}`);
      }
    });

    test("test_positionReads_showEveryNumberAndTheAdlStandingInContractOrder", async () => {
      await setProtocol({ insuranceFeeShareWad: 0n, adlFillBudget: 2 });
      await alice!.trade({ marketId: ETH, sizeDeltaWad: w(10), marginWad: w(1_000) });
      for (const short of [bob!, carol!, dave!, erin!]) {
        await short.trade({ marketId: ETH, sizeDeltaWad: -w(5) / 2n, marginWad: marginFor(w(5) / 2n, 45n) });
      }
      await setPrice(3850);
      await leaveVaultRoom(0n);
      const shorts = await Promise.all([bob!, carol!, dave!, erin!].map((s) => s.getPosition({ account: s.account, marketId: ETH })));
      assert.deepEqual(shorts.map((s) => s?.tier), [4, 4, 4, 4]);
      assert.deepEqual(shorts.map((s) => s?.adl.rank), [1, 2, 3, 4]);
      assert.deepEqual(shorts.map((s) => s?.adl.level), [5, 4, 3, 2]);
      assert.deepEqual(shorts.map((s) => s?.adl.notionalAheadWad), [0n, 1n, 2n, 3n].map((k) => k * ((w(5) / 2n) * 3850n)));
      const queue = await alice!.getAdlQueue({ marketId: ETH, isLong: false });
      assert.deepEqual(queue.tiers[3].map((m) => m.accountId), shorts.map((s) => s?.accountId));
      // Hints for a new short at carol's J: the exact walk says carol; the sampled path (forced) names a member at
      // or before that place, or the head.
      const carolJ = shorts[1]!.jWad;
      const ids = shorts.map((s) => s!.accountId);
      assert.deepEqual(await computeInsertHints({ client: env.publicClient, deployment: env.deployment, marketId: ETH, isLong: false, tier: 4, jWad: carolJ, accountId: 0 }), [ids[1]]);
      const sampled = await computeInsertHints({ client: env.publicClient, deployment: env.deployment, marketId: ETH, isLong: false, tier: 4, jWad: carolJ, accountId: 0, maxWalk: 0 });
      assert.ok(sampled.every((id) => id === 0 || id === ids[0] || id === ids[1]), `sampled hints ${sampled.join(", ")}`);
      assert.equal(sampled.at(-1), 0, "the head closes the list of candidates");
      const a = await alice!.getPosition({ account: alice!.account, marketId: ETH });
      assert.ok(a !== undefined);
      assert.equal(a.side, "long");
      assert.equal(a.liquidatable, true);
      assert.ok(a.equityWad < a.maintenanceMarginWad);
      assert.equal(a.unrealisedPnlWad, a.equityWad - a.marginWad);
      assert.equal(a.adl.candidate, false, "a losing position is not an ADL candidate");
      assert.equal(a.adl.level, 0);
      assert.ok(a.liquidationPriceWad > w(3850) && a.bankruptcyPriceWad < a.liquidationPriceWad);
      assert.equal(a.entryPriceWad, a.jWad + a.f0Wad);
      assert.equal(a.notionalWad, w(38_500));

      // The contract's ADL walk hits the shorts in the SDK's rank order; 2 fills a call leave a remainder.
      const first = await admin!.liquidate({ account: alice!.account, marketId: ETH });
      const fills = eventsNamed(first.events, "AdlFill");
      assert.deepEqual(fills.map((f) => f.args.counterparty), [bob!.account, carol!.account]);
      const liquidated = eventsNamed(first.events, "Liquidated")[0]!;
      assert.ok(liquidated.args.remainingSizeWad > 0n);
      const inLiquidation = await alice!.getAccount({ account: alice!.account });
      assert.equal(inLiquidation.positionsInLiquidation.length, 1);
      assert.equal((await alice!.getVault()).positionsInLiquidation, 1n);
      const continued = await erin!.continueLiquidations({ marketId: ETH });
      assert.deepEqual(eventsNamed(continued.events, "AdlFill").map((f) => f.args.counterparty), [dave!.account, erin!.account]);
      assert.equal(await alice!.getPosition({ account: alice!.account, marketId: ETH }), undefined);
      await assert.rejects(erin!.continueLiquidations({ marketId: ETH }), (e: unknown) => e instanceof InvalidInputError && /no position in market 1/.test(e.message));
      const adlLogs = await alice!.getLogs({ events: ["AdlFill"] });
      assert.equal(adlLogs.length, 4);
    });

    test("test_history_priceRoundsSampledReadsFirstBlockAndAdlHeads", async () => {
      const client = env.publicClient;
      const deployment = env.deployment;
      await setPrice(4100);
      await setPrice(3950);
      const prices = await getPriceHistory({ client, deployment, marketId: ETH });
      assert.deepEqual(prices.slice(-2).map((p) => p.priceWad), [w(4100), w(3950)]);
      for (let i = 1; i < prices.length; i++) assert.ok(prices[i]!.timestamp >= prices[i - 1]!.timestamp, "oldest first");

      // Alice's free collateral before and after she opens a long: sampled, and the first block it fell.
      const before = await client.getBlockNumber();
      const opened = await alice!.trade({ marketId: ETH, sizeDeltaWad: w(10), marginWad: w(5_000) });
      await bob!.trade({ marketId: ETH, sizeDeltaWad: -w(5), marginWad: w(1_000) });
      const latest = await client.getBlockNumber();
      const freeAt = (blockNumber: bigint) =>
        client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "freeCollateralWad", args: [alice!.account], blockNumber });
      const blocks = sampleBlocks({ fromBlock: before, toBlock: latest, count: 3 });
      const history = await readHistory({ client, blocks, read: freeAt });
      assert.deepEqual(history.map((h) => h.blockNumber), blocks);
      assert.equal(history[0]!.valueWad, w(100_000));
      assert.equal(history.at(-1)!.valueWad, await freeOf(alice!.account));
      assert.ok(history.at(-1)!.valueWad < w(100_000));
      for (const h of history) assert.equal(h.timestamp, (await client.getBlock({ blockNumber: h.blockNumber })).timestamp);
      const fell = await firstBlockWhere({ fromBlock: before, toBlock: latest, holds: async (b) => (await freeAt(b)) < w(100_000) });
      assert.equal(fell, opened.receipt.blockNumber);

      // The head of each tier list, tier 4 first: Alice alone among the longs.
      const queue = await readAdlQueue({ client, deployment, marketId: ETH, isLong: true });
      const heads = await adlHeads({ client, deployment, queue });
      assert.deepEqual(heads.map((h) => h.tier), [4, 3, 2, 1]);
      const position = (await alice!.getPosition({ account: alice!.account, marketId: ETH }))!;
      const withAlice = heads.filter((h) => h.head !== undefined);
      assert.equal(withAlice.length, 1);
      assert.equal(withAlice[0]!.tier, position.tier);
      assert.equal(withAlice[0]!.members, 1);
      assert.equal(withAlice[0]!.inLiquidation, 0);
      assert.deepEqual(withAlice[0]!.head, {
        account: alice!.account,
        sizeWad: w(10),
        chosenLeverageWad: position.chosenLeverageWad,
        unrealisedPnlWad: position.unrealisedPnlWad,
      });
      assert.ok(heads.filter((h) => h.head === undefined).every((h) => h.members === 0));
    });

    test("test_liquidate_singleAndBatch", async () => {
      await alice!.trade({ marketId: ETH, sizeDeltaWad: w(10), marginWad: w(1_000) });
      await carol!.trade({ marketId: ETH, sizeDeltaWad: w(10), marginWad: w(1_000) });
      await dave!.trade({ marketId: ETH, sizeDeltaWad: w(10), marginWad: w(1_000) });
      await setPrice(3900);
      const keeperFree = await freeOf(erin!.account);
      const single = await erin!.liquidate({ account: alice!.account, marketId: ETH });
      const l = eventsNamed(single.events, "Liquidated")[0]!;
      assert.equal(l.args.account, alice!.account);
      assert.equal(l.args.keeper, erin!.account);
      assert.equal(l.args.remainingSizeWad, 0n);
      assert.equal(await freeOf(erin!.account), keeperFree + l.args.keeperRewardWad);
      const batch = await erin!.liquidateBatch({ marketId: ETH, accounts: [carol!.account, dave!.account, alice!.account] });
      assert.deepEqual(eventsNamed(batch.events, "Liquidated").map((e) => e.args.account), [carol!.account, dave!.account]);
      assert.deepEqual(eventsNamed(batch.events, "LiquidationSkipped").map((e) => e.args.account), [alice!.account]);
      await assert.rejects(erin!.liquidate({ account: bob!.account, marketId: ETH }), (e: unknown) => e instanceof ProtocolError && e.errorName === "NoPosition");
      await assert.rejects(erin!.liquidateBatch({ marketId: ETH, accounts: [] }), InvalidInputError);
    });

    test("test_marginWritesAndTierDrops", async () => {
      await alice!.trade({ marketId: ETH, sizeDeltaWad: w(10), marginWad: marginFor(w(10), 15n) });
      const opened = (await alice!.getPosition({ account: alice!.account, marketId: ETH }))!;
      assert.equal(opened.tier, 2);
      const add = await alice!.addMargin({ marketId: ETH, amountWad: w(2_000) });
      assert.equal(eventsNamed(add.events, "MarginMoved")[0]?.args.amountWad, w(2_000));
      const lowered = (await alice!.getPosition({ account: alice!.account, marketId: ETH }))!;
      assert.equal(lowered.tier, 2, "a tier drop waits");
      assert.equal(lowered.pendingTierDrop?.tier, 1);
      assert.equal((await alice!.getAccount({ account: alice!.account })).pendingTierDrops.length, 1);
      await assert.rejects(bob!.applyTierDrop({ account: alice!.account, marketId: ETH }), (e: unknown) => e instanceof ProtocolError && e.is("TierDropNotDue"));
      await env.testClient.increaseTime({ seconds: 3_601 });
      await setPrice(4000);
      const dropped = await bob!.applyTierDrop({ account: alice!.account, marketId: ETH });
      assert.equal(eventsNamed(dropped.events, "TierDropApplied")[0]?.args.tier, 1);
      const fromWallet = await alice!.addMargin({ marketId: ETH, amountTokenUnits: usdc(500), fromWallet: true });
      assert.equal(eventsNamed(fromWallet.events, "MarginMoved")[0]?.args.amountWad, w(500));
      // Removing margin raises the tier at once: the position moves list (hints computed by the SDK).
      await bob!.trade({ marketId: ETH, sizeDeltaWad: w(3), marginWad: marginFor(w(3), 35n) });
      const removed = await alice!.removeMargin({ marketId: ETH, amountWad: w(4_000) });
      assert.equal(eventsNamed(removed.events, "MarginMoved")[0]?.args.amountWad, -w(4_000));
      const raised = (await alice!.getPosition({ account: alice!.account, marketId: ETH }))!;
      assert.ok(raised.tier >= 2);
      const before = await freeOf(alice!.account);
      await assert.rejects(alice!.removeMargin({ marketId: ETH, amountWad: w(100_000) }), (e: unknown) => e instanceof ProtocolError && e.is("InsufficientMargin"));
      assert.equal(await freeOf(alice!.account), before, "a refused write changes nothing");
    });

    test("test_fundsAndVaultWrites", async () => {
      const token = { address: env.deployment.collateral, abi: collateralTokenAbi } as const;
      const wallet = await env.publicClient.readContract({ ...token, functionName: "balanceOf", args: [alice!.account] });
      const seen: ProtocolLog<"Withdrawn">[] = [];
      const watcher = alice!.watchEvents({ fromBlock: (await env.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n, events: ["Withdrawn"], pollingIntervalMs: 20, onLogs: (logs) => void seen.push(...logs) });
      const out = await alice!.withdraw({ amountTokenUnits: usdc(1_000) });
      try {
        await waitFor("the client's watcher to deliver the withdrawal", () => seen.length > 0, { timeoutMs: 10_000, intervalMs: 20 });
      } finally {
        await watcher.stop();
      }
      assert.equal(seen[0]?.transactionHash, out.hash, "the client's watcher delivers the withdrawal");
      assert.equal(eventsNamed(out.events, "Withdrawn")[0]?.args.amountTokens, usdc(1_000));
      assert.equal(await env.publicClient.readContract({ ...token, functionName: "balanceOf", args: [alice!.account] }), wallet + usdc(1_000));
      const vaultBefore = await lp!.getVault();
      const withdrawn = await lp!.lpWithdraw({ assetsTokenUnits: usdc(100_000) });
      assert.equal(eventsNamed(withdrawn.events, "Withdraw")[0]?.args.assets, usdc(100_000));
      const redeemed = await lp!.lpWithdraw({ shares: vaultBefore.totalShares / 100n });
      assert.equal(eventsNamed(redeemed.events, "Withdraw")[0]?.args.shares, vaultBefore.totalShares / 100n);
      const deposited = await bob!.lpDeposit({ assetsTokenUnits: usdc(10_000) });
      assert.equal(eventsNamed(deposited.events, "Deposit")[0]?.args.owner, bob!.account);
      await assert.rejects(alice!.withdraw({ amountTokenUnits: 0n }), InvalidInputError);
    });

    test("test_deleverageForSolvency_bringsTheSideBackUnderTheTarget", async () => {
      const { totalShares } = await lp!.getVault();
      await lp!.lpWithdraw({ shares: (totalShares * 96n) / 100n });
      for (const short of [bob!, carol!]) await short.trade({ marketId: ETH, sizeDeltaWad: -w(20), marginWad: w(20_000) });
      await assert.rejects(admin!.deleverageForSolvency({ marketId: ETH, isLong: false }), (e: unknown) => e instanceof ProtocolError && e.is("SolvencyAdlNotTriggered"));
      await setPrice(2000);
      const result = await admin!.deleverageForSolvency({ marketId: ETH, isLong: false });
      const adl = eventsNamed(result.events, "SolvencyAdl")[0]!;
      assert.ok(adl.args.closedWad > 0n);
      assert.ok(adl.args.sideProfitAfterWad < adl.args.sideProfitBeforeWad);
      assert.ok(eventsNamed(result.events, "SolvencyDeleveraged").length >= 1);
    });

    test("test_execute_reportsATransactionThatRevertsAfterItsSimulationPassed", async () => {
      await alice!.trade({ marketId: ETH, sizeDeltaWad: w(1), marginWad: w(1_000) });
      const pending = (address: Address) => env.publicClient.getTransactionCount({ address, blockTag: "pending" });
      const nonce = await pending(alice!.account);
      await env.testClient.setAutomine(false);
      try {
        // alice's close passes its simulation and waits in the pool; a round with a higher tip, mined first in
        // the same block, leaves the oracle's round incomplete, so the close reverts on chain.
        const close = alice!.closePosition({ marketId: ETH });
        await waitFor("alice's close in the pool", async () => (await pending(alice!.account)) > nonce, { timeoutMs: 10_000, intervalMs: 20 });
        const admin = env.walletFor(env.accounts[0]!);
        await admin.writeContract({
          address: env.deployment.feedsBySymbol["ETH-USD"],
          abi: mockAggregatorAbi,
          functionName: "setRound",
          args: [4000n * 10n ** 8n, 1n, BigInt(Math.floor(Date.now() / 1000)), 0n],
          maxPriorityFeePerGas: 50n * 10n ** 9n,
          maxFeePerGas: 500n * 10n ** 9n,
        });
        await env.testClient.mine({ blocks: 1 });
        await assert.rejects(close, (e: unknown) => {
          assert.ok(e instanceof TransactionRevertedError, String(e));
          assert.equal(e.receipt.status, "reverted");
          assert.ok(e.cause instanceof ProtocolError && e.cause.is("OracleRoundIncomplete"), String(e.cause));
          return true;
        });
      } finally {
        await env.testClient.setAutomine(true);
      }
    });

    test("test_writes_refuseBadInputsAndDecodeRevertsLeavingStateUnchanged", async () => {
      const before = await freeOf(alice!.account);
      await assert.rejects(alice!.trade({ marketId: ETH, sizeDeltaWad: 0n }), (e: unknown) => e instanceof InvalidInputError && e.parameter === "sizeDeltaWad");
      await assert.rejects(alice!.trade({ marketId: ETH, sizeDeltaWad: w(1), marginWad: w(100), slippageBps: 20_000 }), (e: unknown) => e instanceof InvalidInputError && e.parameter === "slippageBps");
      await assert.rejects(alice!.trade({ marketId: ETH, sizeDeltaWad: w(10), marginWad: w(100) }), (e: unknown) => {
        assert.ok(e instanceof ProtocolError && e.is("BelowInitialMargin"), String(e));
        assert.match(e.message, /position below initial margin: equity -?\d+\.\d+ USDC, required 450\.\d+ USDC/);
        return true;
      });
      await assert.rejects(alice!.trade({ marketId: ETH, sizeDeltaWad: w(1), marginWad: w(1_000), acceptablePriceWad: w(3_999) }), (e: unknown) => e instanceof ProtocolError && e.is("AcceptablePriceExceeded"));
      await assert.rejects(alice!.closePosition({ marketId: ETH }), (e: unknown) => e instanceof InvalidInputError && /no position/.test(e.message));
      assert.equal(await freeOf(alice!.account), before);
      assert.equal(await alice!.getPosition({ account: alice!.account, marketId: ETH }), undefined);
      const dead = createPerpClient({ publicClient: createPublicClient({ transport: http("http://127.0.0.1:9", { retryCount: 0 }) }), deployment: env.deployment });
      await assert.rejects(dead.getMarkets(), NetworkError);
    });
  });
}
