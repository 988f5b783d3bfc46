import { expect } from "chai";
import { ETH, anyPrice, ethers, networkHelpers, setPrice, tokens, w } from "../../helpers/fixture.js";
import {
  EMPTY,
  deployBook,
  equityAtWad,
  eventsNamed,
  eventsOf,
  expectConservation,
  expectLedger,
  expectRevertUnchanged,
  keeperRewardWad,
  leaveVaultRoom,
  ledgerOf,
  liquidatedArgs,
  marginFor,
  maxOf,
  mined,
  minOf,
  open,
  planAdl,
  positionIn,
  positionUpdated,
  selectorOf,
  setProtocol,
  splitEquity,
  termsAt,
  tierList,
} from "../../helpers/liquidation.js";

const GAP = w(3850);

/**
 * Nothing pays (empty fund, vault at its floor) and one call may make only 2 ADL fills. alice 10 long at
 * about 41x; bob, carol, dave and erin 2.5 short each at 45x, in that order in tier 4 (each sold into a lower
 * skew, so each has a lower J). ETH gaps to $3,850.
 */
async function deployBudgetBook() {
  const d = await deployBook();
  await setProtocol(d, { insuranceFeeShareWad: 0n, adlFillBudget: 2n });
  await open(d, d.alice, w(10), w(1000));
  for (const short of [d.bob, d.carol, d.dave, d.erin]) await open(d, short, -w("2.5"), marginFor(w("2.5"), 45n));
  await setPrice(d.ethFeed, 3850);
  await leaveVaultRoom(d, 0n);
  return d;
}

/**
 * Nothing pays, 2 ADL fills a call. alice and dave 10 long at about 41x, carol 10 long at 10x (healthy after
 * the gap); shorts bob 5 and erin 5 (tier 4), frank 10 and grace 10 (tier 3). ETH gaps to $3,850.
 */
async function deployBatchBook() {
  const d = await deployBook();
  await setProtocol(d, { insuranceFeeShareWad: 0n, adlFillBudget: 2n });
  await open(d, d.alice, w(10), w(1000));
  await open(d, d.dave, w(10), w(1000));
  await open(d, d.carol, w(10), marginFor(w(10), 10n));
  await open(d, d.bob, -w(5), marginFor(w(5), 45n));
  await open(d, d.erin, -w(5), marginFor(w(5), 45n));
  await open(d, d.frank, -w(10), marginFor(w(10), 30n));
  await open(d, d.grace, -w(10), marginFor(w(10), 30n));
  await setPrice(d.ethFeed, 3850);
  await leaveVaultRoom(d, 0n);
  return d;
}

describe("LiquidationModule.liquidate: ADL fill budget and continuation", () => {
  it("test_liquidate_leavesTheUnfilledRemainderInLiquidationWhenTheBudgetRunsOut", async () => {
    const d = await networkHelpers.loadFixture(deployBudgetBook);
    const before = await ledgerOf(d);
    const alice = positionIn(d, before, d.alice);
    expect(await tierList(d, false, 4)).to.deep.equal([d.bob.address, d.carol.address, d.dave.address, d.erin.address]);
    // The budget finds bob and carol (5 units) with dave still in profit behind them: only that slice is
    // liquidated now, its pro-rata margin valued at P; the reward is the whole position's.
    const sliceMargin = alice.marginWad / 2n;
    const sliceEquity = sliceMargin + (w(5) * (GAP - alice.jWad)) / w(1);
    const reward = keeperRewardWad(await termsAt(d, GAP), w(10));
    const { deficitWad } = splitEquity({ equityWad: sliceEquity, rewardWad: reward, feeWad: 0n });
    const adl = planAdl(d, before, {
      liquidated: d.alice,
      priceWad: GAP,
      fills: [
        [d.bob, w("2.5")],
        [d.carol, w("2.5")],
      ],
      unpaidWad: deficitWad,
    });
    const remainder = { ...alice, sizeWad: w(5), marginWad: alice.marginWad - sliceMargin, inLiquidation: true };

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventsOf(d, receipt, ["AdlFill", "PositionUpdated", "DeficitPaid", "BadDebt"])).to.deep.equal([
      ...adl.events,
      ["DeficitPaid", d.alice.address, ETH, deficitWad, 0n, 0n, adl.haircutTotalWad, 0n],
      ["PositionUpdated", ...positionUpdated(d.alice, remainder)],
    ]);
    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.alice,
        keeper: d.keeper,
        sizeClosedWad: w(5),
        priceWad: GAP,
        equityWad: sliceEquity,
        rewardWad: reward,
        feeWad: 0n,
        takenOverWad: 0n,
        adlSizeWad: w(5),
        remainingWad: w(5),
      }),
    ]);
    const dust = adl.haircutTotalWad - deficitWad;
    await expectLedger(d, before, {
      free: [[d.keeper, reward], ...adl.free],
      positions: [[d.alice, remainder], ...adl.positions],
      insuranceWad: dust,
      vaultCashWad: sliceMargin - reward - adl.vaultPaysWad - dust,
      inLiquidation: 1n,
      longSizeWad: -w(5),
      longJSum: -w(5) * alice.jWad,
      shortSizeWad: adl.shortSizeWad,
      shortJSum: adl.shortJSum,
    });
    // The remainder keeps its list place (its J has not changed).
    expect(await tierList(d, true, 4)).to.deep.equal([d.alice.address]);
    await expectConservation(d);
  });

  it("test_liquidate_remainderInLiquidationLocksItsOwnerAndLpFlows", async () => {
    const d = await networkHelpers.loadFixture(deployBudgetBook);
    await d.engine.connect(d.keeper).liquidate(d.alice.address, ETH);
    expect(await d.engine.positionsInLiquidation()).to.equal(1n);

    const ownerActions: [string, () => Promise<unknown>][] = [
      ["trade", () => d.engine.connect(d.alice).trade(ETH, w(1), w(100), anyPrice(1n), [])],
      ["close", () => d.engine.connect(d.alice).closePosition(ETH, 0n)],
      ["reduce", () => d.engine.connect(d.alice).trade(ETH, -w(1), 0n, 0n, [])],
      ["addMargin", () => d.engine.connect(d.alice).addMargin(ETH, w(100))],
      ["depositAndAddMargin", () => d.engine.connect(d.alice).depositAndAddMargin(ETH, tokens(100))],
      ["removeMargin", () => d.engine.connect(d.alice).removeMargin(ETH, w(1), [])],
    ];
    for (const [, action] of ownerActions) {
      await expectRevertUnchanged({
        d,
        action,
        contract: d.engine,
        error: "PositionInLiquidation",
        args: [d.alice.address, ETH],
      });
    }
    // LPs wait: the remainder's loss is not settled yet.
    await expectRevertUnchanged({
      d,
      action: () => d.vault.connect(d.lp).deposit(tokens(1000), d.lp.address),
      contract: d.engine,
      error: "LiquidationsPending",
      args: [1n],
    });
    await expectRevertUnchanged({
      d,
      action: () => d.vault.connect(d.lp).withdraw(tokens(1000), d.lp.address, d.lp.address),
      contract: d.engine,
      error: "LiquidationsPending",
      args: [1n],
    });
    expect(await d.vault.maxDeposit(d.lp.address)).to.equal(0n);
    await expectConservation(d);
  });

  it("test_liquidate_anyoneContinuesTheRemainderAtTheNewPriceAndIsRewarded", async () => {
    const d = await networkHelpers.loadFixture(deployBudgetBook);
    await d.engine.connect(d.keeper).liquidate(d.alice.address, ETH);
    const P2 = w(3840);
    await setPrice(d.ethFeed, 3840);
    await d.engine.poke(ETH);
    const vaultRoom = maxOf(0n, (await d.engine.vaultEquityWad()) - (await d.engine.solvencyFloorWad()));
    const before = await ledgerOf(d);
    const alice = positionIn(d, before, d.alice);
    expect([alice.sizeWad, alice.inLiquidation]).to.deep.equal([w(5), true]);

    // The waterfall runs again on the remainder at $3,840: the keeper floor ($5 > 0.02% of $19,200), the
    // remainder's equity at the new price, and ADL on dave and erin (the budget is per call).
    const reward = keeperRewardWad(await termsAt(d, P2), w(5));
    expect(reward).to.equal(w(5));
    const equity = equityAtWad(alice, P2);
    const { deficitWad } = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: 0n });
    const fromVault = minOf(deficitWad, vaultRoom);
    const unpaid = deficitWad - fromVault;
    const adl = planAdl(d, before, {
      liquidated: d.alice,
      priceWad: P2,
      fills: [
        [d.dave, w("2.5")],
        [d.erin, w("2.5")],
      ],
      unpaidWad: unpaid,
    });

    // Continuing a liquidation goes on while paused.
    await d.engine.pause();
    const receipt = await mined(d.engine.connect(d.stranger).liquidate(d.alice.address, ETH));
    await d.engine.unpause();

    expect(eventsOf(d, receipt, ["AdlFill", "PositionUpdated", "DeficitPaid", "BadDebt"])).to.deep.equal([
      ...adl.events,
      ["DeficitPaid", d.alice.address, ETH, deficitWad, 0n, fromVault, adl.haircutTotalWad, 0n],
      ["PositionUpdated", ...positionUpdated(d.alice, EMPTY)],
    ]);
    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.alice,
        keeper: d.stranger,
        sizeClosedWad: w(5),
        priceWad: P2,
        equityWad: equity,
        rewardWad: reward,
        feeWad: 0n,
        takenOverWad: 0n,
        adlSizeWad: w(5),
        remainingWad: 0n,
      }),
    ]);
    const dust = adl.haircutTotalWad - unpaid;
    await expectLedger(d, before, {
      free: [[d.stranger, reward], ...adl.free],
      positions: [[d.alice, EMPTY], ...adl.positions],
      insuranceWad: dust,
      vaultCashWad: alice.marginWad - reward - adl.vaultPaysWad - dust,
      inLiquidation: 0n,
      longSizeWad: -w(5),
      longJSum: -w(5) * alice.jWad,
      shortSizeWad: adl.shortSizeWad,
      shortJSum: adl.shortJSum,
    });
    // Nothing is pending any more: LPs may deposit again.
    await expect(d.vault.connect(d.lp).deposit(tokens(1000), d.lp.address)).to.emit(d.engine, "VaultCashDeposited");
    await expectConservation(d);
  });
});

describe("LiquidationModule.liquidateBatch", () => {
  it("test_liquidateBatch_skipsWhatAnotherKeeperTookInTheSameBlockAndWhatIsHealthy", async () => {
    const d = await networkHelpers.loadFixture(deployBatchBook);
    const dave = positionIn(d, await ledgerOf(d), d.dave);
    // Both keepers see alice; the first one's transaction is mined first in the same block.
    await ethers.provider.send("evm_setAutomine", [false]);
    const first = await d.engine.connect(d.keeper).liquidate(d.alice.address, ETH, { gasLimit: 5_000_000 });
    const second = await d.engine
      .connect(d.stranger)
      .liquidateBatch(ETH, [d.alice.address, d.carol.address, d.heidi.address, d.dave.address], {
        gasLimit: 5_000_000,
      });
    await ethers.provider.send("evm_mine", []);
    await ethers.provider.send("evm_setAutomine", [true]);
    const firstReceipt = (await first.wait())!;
    const receipt = (await second.wait())!;
    expect(receipt.blockNumber).to.equal(firstReceipt.blockNumber);
    expect(firstReceipt.index < receipt.index).to.equal(true);

    expect(eventsNamed(d, receipt, "LiquidationSkipped")).to.deep.equal([
      [d.alice.address, ETH, selectorOf(d, "NoPosition")],
      [d.carol.address, ETH, selectorOf(d, "PositionNotLiquidatable")],
      [d.heidi.address, ETH, selectorOf(d, "NoPosition")],
    ]);
    // dave is liquidated by the batch: frank (tier 3 after the spent tier 4) fills his 10.
    const equity = equityAtWad(dave, GAP);
    const reward = keeperRewardWad(await termsAt(d, GAP), w(10));
    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.dave,
        keeper: d.stranger,
        sizeClosedWad: w(10),
        priceWad: GAP,
        equityWad: equity,
        rewardWad: reward,
        feeWad: 0n,
        takenOverWad: 0n,
        adlSizeWad: w(10),
        remainingWad: 0n,
      }),
    ]);
    expect(eventsNamed(d, receipt, "AdlFill").map((fill) => fill[0])).to.deep.equal([d.frank.address]);
    expect(await d.engine.freeCollateralWad(d.stranger.address)).to.equal(reward);
    expect((await d.engine.positionOf(d.carol.address, ETH)).sizeWad).to.equal(w(10));
    await expectConservation(d);
  });

  it("test_liquidateBatch_sharesOneAdlBudgetAndSkipsWhatItCannotStart", async () => {
    const d = await networkHelpers.loadFixture(deployBatchBook);
    const before = await ledgerOf(d);
    const alice = positionIn(d, before, d.alice);
    const reward = keeperRewardWad(await termsAt(d, GAP), w(10));
    const { deficitWad } = splitEquity({ equityWad: equityAtWad(alice, GAP), rewardWad: reward, feeWad: 0n });
    // alice takes both fills of the budget (bob and erin, tier 4); dave, next, cannot start.
    const adl = planAdl(d, before, {
      liquidated: d.alice,
      priceWad: GAP,
      fills: [
        [d.bob, w(5)],
        [d.erin, w(5)],
      ],
      unpaidWad: deficitWad,
    });
    expect(await d.engine.connect(d.keeper).liquidateBatch.staticCall(ETH, [d.alice.address, d.dave.address])).to.equal(
      1n
    );

    const receipt = await mined(d.engine.connect(d.keeper).liquidateBatch(ETH, [d.alice.address, d.dave.address]));

    expect(eventsOf(d, receipt, ["AdlFill", "PositionUpdated", "DeficitPaid", "LiquidationSkipped"])).to.deep.equal([
      ...adl.events,
      ["DeficitPaid", d.alice.address, ETH, deficitWad, 0n, 0n, adl.haircutTotalWad, 0n],
      ["PositionUpdated", ...positionUpdated(d.alice, EMPTY)],
      ["LiquidationSkipped", d.dave.address, ETH, selectorOf(d, "AdlBudgetSpent")],
    ]);
    const dust = adl.haircutTotalWad - deficitWad;
    await expectLedger(d, before, {
      free: [[d.keeper, reward], ...adl.free],
      positions: [[d.alice, EMPTY], ...adl.positions],
      insuranceWad: dust,
      vaultCashWad: alice.marginWad - reward - adl.vaultPaysWad - dust,
      longSizeWad: -w(10),
      longJSum: -w(10) * alice.jWad,
      shortSizeWad: adl.shortSizeWad,
      shortJSum: adl.shortJSum,
    });
    // dave was left untouched, not in liquidation; the next call starts it with a fresh budget.
    await expect(d.engine.connect(d.keeper).liquidate(d.dave.address, ETH)).to.emit(d.engine, "Liquidated");
    expect((await d.engine.positionOf(d.dave.address, ETH)).sizeWad).to.equal(0n);
    await expectConservation(d);
  });
});
