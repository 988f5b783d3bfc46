import { expect } from "chai";
import { ETH, networkHelpers, setPrice, w } from "../../helpers/fixture.js";
import { deployFeed } from "../../helpers/state.js";
import {
  fillPriceWad,
  fundingIndexDeltaWad,
  isLiquidatableAt,
  kWad,
  pnlWad,
  tradingFeeWad,
} from "../../helpers/engine.js";
import {
  EMPTY,
  deployBook,
  equityAtWad,
  eventNames,
  eventsNamed,
  expectConservation,
  expectLedger,
  expectRevertUnchanged,
  keeperRewardWad,
  ledgerOf,
  liquidatedArgs,
  liquidationFeeWad,
  marginFor,
  mined,
  open,
  positionIn,
  positionUpdated,
  skewOf,
  splitEquity,
  termsAt,
  wMulUp,
} from "../../helpers/liquidation.js";

const P = w(3935);

/**
 * bob is 30 ETH short, alice 10 ETH long at about 41x (J = $3,999.96: she bought 10 into a skew of −30, so
 * her fill was 4000·(1 − 50/2/2.5M)), then ETH falls to $3,935: her equity of $330.4002 is below maintenance
 * (0.9% of $39,350 = $354.15) but covers the keeper reward and the liquidation fee.
 */
async function deployAliceBelowMaintenance() {
  const d = await deployBook();
  await open(d, d.bob, -w(30), w(3000));
  await open(d, d.alice, w(10), w(1000));
  await setPrice(d.ethFeed, 3935);
  return d;
}

/**
 * Funding switched back on (1% a day at full skew): carol 200 ETH long at 10x, then alice 10 long at about
 * 41x; thirty days later, with the longs paying funding on a skew of +210, ETH is at $3,935.
 */
async function deployFundingBook() {
  const d = await deployBook();
  const c = await d.registry.marketConfig(ETH);
  await d.registry.setFundingParams(ETH, c.skewScaleWad, w("0.01"));
  await open(d, d.carol, w(200), marginFor(w(200), 10n));
  await open(d, d.alice, w(10), w(1000));
  await networkHelpers.time.increase(30 * 86_400);
  await setPrice(d.ethFeed, 3935);
  return d;
}

describe("LiquidationModule.liquidate: clean liquidation", () => {
  it("test_liquidate_paysTheKeeperThenTheFeeAndReturnsTheRestWhileTheVaultTakesOver", async () => {
    const d = await networkHelpers.loadFixture(deployAliceBelowMaintenance);
    const before = await ledgerOf(d);
    const alice = positionIn(d, before, d.alice);
    expect([alice.jWad, alice.marginWad]).to.deep.equal([w("3999.96"), w("980.0002")]);
    const t = await termsAt(d, P);

    const equity = equityAtWad(alice, P);
    expect(equity).to.equal(w("330.4002"));
    // max($5, 0.02% × $39,350) = $7.87.
    const reward = keeperRewardWad(t, w(10));
    expect(reward).to.equal(w("7.87"));
    // 0.15% × $39,350 = $59.025, plus the impact of selling 10 into a skew of −20: 3935 × 50/2/2.5M = $0.03935 a
    // unit, $0.3935 in all.
    const fee = liquidationFeeWad(t, { sliceAbsWad: w(10), isLong: true, skewWad: -w(20) });
    expect(fee).to.deep.equal({ feeWad: w("59.4185"), impactWad: w("0.3935") });
    const split = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: fee.feeWad });
    expect([split.payoutWad, split.deficitWad]).to.deep.equal([w("263.1117"), 0n]);

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventNames(d, receipt)).to.deep.equal(["PositionUpdated", "Liquidated"]);
    expect(eventsNamed(d, receipt, "PositionUpdated")).to.deep.equal([positionUpdated(d.alice, EMPTY)]);
    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.alice,
        keeper: d.keeper,
        sizeClosedWad: w(10),
        priceWad: P,
        equityWad: equity,
        rewardWad: reward,
        feeWad: fee.feeWad,
        takenOverWad: w(10),
        adlSizeWad: 0n,
        remainingWad: 0n,
      }),
    ]);
    await expectLedger(d, before, {
      free: [
        [d.alice, split.payoutWad],
        [d.keeper, reward],
      ],
      positions: [[d.alice, EMPTY]],
      // The impact part of the fee pays the vault for the skew it takes over, the rest goes to the fund.
      insuranceWad: fee.feeWad - fee.impactWad,
      // The vault keeps the trader's loss (margin − equity) and the impact part of the fee.
      vaultCashWad: alice.marginWad - equity + fee.impactWad,
      longSizeWad: -w(10),
      longJSum: -w(10) * alice.jWad,
    });
    // The vault, short 20 against the traders before, now carries alice's 10 too.
    expect(await skewOf(d)).to.equal(-w(30));
    await expectConservation(d);
  });

  it("test_liquidate_valuesTheEquityWithTheFundingAccruedToItsBlock", async () => {
    const d = await networkHelpers.loadFixture(deployFundingBook);
    const before = await ledgerOf(d);
    const alice = positionIn(d, before, d.alice);
    const t = await termsAt(d, P);
    const m = await d.engine.marketState(ETH);
    const at = BigInt(await networkHelpers.time.latest()) + 1n;
    await networkHelpers.time.setNextBlockTimestamp(at);
    const funding =
      m.fundingIndexWad +
      fundingIndexDeltaWad({
        skewWad: w(210),
        skewScaleWad: t.skewScaleWad,
        maxRatePerDayWad: w("0.01"),
        priceWad: P,
        elapsedSeconds: at - m.lastUpdateTime,
      });
    expect(funding > 0n).to.equal(true);
    // Equity m + s·(P − F − J): the funding alice owes is part of her loss, realised by the liquidation.
    const equity =
      alice.marginWad + pnlWad({ sizeWad: w(10), jWad: alice.jWad, fundingIndexWad: funding, priceWad: P });
    expect(equity < equityAtWad(alice, P)).to.equal(true);
    const reward = keeperRewardWad(t, w(10));
    // Selling 10 into a skew of +210 is favourable: no impact in the fee.
    const fee = liquidationFeeWad(t, { sliceAbsWad: w(10), isLong: true, skewWad: w(210) });
    expect(fee.impactWad).to.equal(0n);
    const split = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: fee.feeWad });

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.alice,
        keeper: d.keeper,
        sizeClosedWad: w(10),
        priceWad: P,
        equityWad: equity,
        rewardWad: reward,
        feeWad: fee.feeWad,
        takenOverWad: w(10),
        adlSizeWad: 0n,
        remainingWad: 0n,
      }),
    ]);
    await expectLedger(d, before, {
      free: [
        [d.alice, split.payoutWad],
        [d.keeper, reward],
      ],
      positions: [[d.alice, EMPTY]],
      insuranceWad: fee.feeWad,
      vaultCashWad: alice.marginWad - equity,
      longSizeWad: -w(10),
      longJSum: -w(10) * alice.jWad,
    });
    expect((await d.engine.marketState(ETH)).fundingIndexWad).to.equal(funding);
    await expectConservation(d);
  });

  it("test_liquidate_feeTakesOnlyWhatTheEquityLeavesAfterTheReward", async () => {
    const d = await networkHelpers.loadFixture(deployAliceBelowMaintenance);
    const P2 = w(3905);
    await setPrice(d.ethFeed, 3905);
    const before = await ledgerOf(d);
    const alice = positionIn(d, before, d.alice);
    const t = await termsAt(d, P2);
    // $980.0002 + 10 × ($3,905 − $3,999.96) = $30.4002: the $7.81 reward, then $22.5902 of the $58.9655 fee,
    // nothing for alice. The fee's impact part ($0.3905) still goes to the vault, which takes the size over.
    const equity = equityAtWad(alice, P2);
    expect(await d.engine.equityOf(d.alice.address, ETH)).to.equal(equity);
    const reward = keeperRewardWad(t, w(10));
    const fee = liquidationFeeWad(t, { sliceAbsWad: w(10), isLong: true, skewWad: -w(20) });
    const split = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: fee.feeWad });
    expect([equity, reward, fee.feeWad, fee.impactWad]).to.deep.equal([
      w("30.4002"),
      w("7.81"),
      w("58.9655"),
      w("0.3905"),
    ]);
    expect([split.feeChargedWad, split.payoutWad, split.deficitWad]).to.deep.equal([w("22.5902"), 0n, 0n]);

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventNames(d, receipt)).to.deep.equal(["PositionUpdated", "Liquidated"]);
    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.alice,
        keeper: d.keeper,
        sizeClosedWad: w(10),
        priceWad: P2,
        equityWad: equity,
        rewardWad: reward,
        feeWad: split.feeChargedWad,
        takenOverWad: w(10),
        adlSizeWad: 0n,
        remainingWad: 0n,
      }),
    ]);
    await expectLedger(d, before, {
      free: [[d.keeper, reward]],
      positions: [[d.alice, EMPTY]],
      insuranceWad: split.feeChargedWad - fee.impactWad,
      vaultCashWad: alice.marginWad - equity + fee.impactWad,
      longSizeWad: -w(10),
      longJSum: -w(10) * alice.jWad,
    });
    await expectConservation(d);
  });

  it("test_liquidate_selfLiquidationKeepsLessThanClosingAtTheSamePrice", async () => {
    let d = await networkHelpers.loadFixture(deployAliceBelowMaintenance);
    const t = await termsAt(d, P);
    const alice = positionIn(d, await ledgerOf(d), d.alice);
    const freeBefore = await d.engine.freeCollateralWad(d.alice.address);

    await d.engine.connect(d.alice).closePosition(ETH, 0n);
    const keptByClosing = (await d.engine.freeCollateralWad(d.alice.address)) - freeBefore;
    const closeFill = fillPriceWad({
      priceWad: P,
      skewBeforeWad: -w(20),
      sizeDeltaWad: -w(10),
      skewScaleWad: t.skewScaleWad,
    });
    const closeFee = tradingFeeWad({ sizeAbsWad: w(10), fillPriceWad: closeFill, feeRateWad: t.tradingFeeWad });
    expect(keptByClosing).to.equal(alice.marginWad + (w(10) * (closeFill - alice.jWad)) / w(1) - closeFee);
    expect(keptByClosing).to.equal(w("310.33189675"));

    // The same state at the same price, alice now liquidating herself: she is her own keeper, so the reward
    // comes back to her, and still the fee (trading fee + 0.1% + the close's impact) leaves her with less.
    d = await networkHelpers.loadFixture(deployAliceBelowMaintenance);
    await d.engine.connect(d.alice).liquidate(d.alice.address, ETH);
    const keptByLiquidating = (await d.engine.freeCollateralWad(d.alice.address)) - freeBefore;
    const fee = liquidationFeeWad(t, { sliceAbsWad: w(10), isLong: true, skewWad: -w(20) });
    expect(keptByLiquidating).to.equal(equityAtWad(alice, P) - fee.feeWad);
    expect(keptByLiquidating).to.equal(w("270.9817"));
    expect(keptByClosing - keptByLiquidating).to.equal(w("39.35019675"));
    await expectConservation(d);
  });

  it("test_liquidate_triggersOneFeedUnitBelowTheLastHealthyPrice", async () => {
    const d = await networkHelpers.loadFixture(deployAliceBelowMaintenance);
    const t = await termsAt(d, P);
    const alice = positionIn(d, await ledgerOf(d), d.alice);
    // Liquidatable when K = J − m/|s| (rounded down) exceeds P − MMR·P (rounded up), i.e. equity < MMR·|s|·P.
    const k = kWad(alice);
    expect(k).to.equal(alice.jWad - (alice.marginWad * w(1)) / w(10));
    const unit = 10n ** 10n; // one unit of the 8-decimal feed, in WAD
    const liquidatableAt = (price: bigint) =>
      isLiquidatableAt(alice, { priceWad: price, fundingIndexWad: 0n, mmrWad: t.mmrWad });
    let healthy = ((k * w(1)) / (w(1) - t.mmrWad) / unit) * unit;
    while (liquidatableAt(healthy)) healthy += unit;
    while (!liquidatableAt(healthy - unit)) healthy -= unit;
    expect(healthy).to.equal(w("3937.39654895"));

    await d.ethFeed.setPrice(healthy / unit);
    await expectRevertUnchanged({
      d,
      action: () => d.engine.connect(d.keeper).liquidate(d.alice.address, ETH),
      contract: d.engine,
      error: "PositionNotLiquidatable",
      args: [d.alice.address, ETH, equityAtWad(alice, healthy), wMulUp(wMulUp(w(10), healthy), t.mmrWad)],
    });
    await d.ethFeed.setPrice(healthy / unit - 1n);
    await expect(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH)).to.emit(d.engine, "Liquidated");
    await expectConservation(d);
  });
});

describe("LiquidationModule.liquidate: guards", () => {
  it("test_liquidate_worksWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployAliceBelowMaintenance);
    const before = await ledgerOf(d);
    const alice = positionIn(d, before, d.alice);
    const t = await termsAt(d, P);
    await d.engine.pause();

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    const equity = equityAtWad(alice, P);
    const reward = keeperRewardWad(t, w(10));
    const fee = liquidationFeeWad(t, { sliceAbsWad: w(10), isLong: true, skewWad: -w(20) });
    const split = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: fee.feeWad });
    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.alice,
        keeper: d.keeper,
        sizeClosedWad: w(10),
        priceWad: P,
        equityWad: equity,
        rewardWad: reward,
        feeWad: fee.feeWad,
        takenOverWad: w(10),
        adlSizeWad: 0n,
        remainingWad: 0n,
      }),
    ]);
    await expectLedger(d, before, {
      free: [
        [d.alice, split.payoutWad],
        [d.keeper, reward],
      ],
      positions: [[d.alice, EMPTY]],
      insuranceWad: fee.feeWad - fee.impactWad,
      vaultCashWad: alice.marginWad - equity + fee.impactWad,
      longSizeWad: -w(10),
      longJSum: -w(10) * alice.jWad,
    });
    expect(await d.engine.paused()).to.equal(true);
    await expectConservation(d);
  });

  it("test_liquidate_worksAtTheOraclesCircuitBreakerBound", async () => {
    const d = await networkHelpers.loadFixture(deployAliceBelowMaintenance);
    const c = await d.registry.marketConfig(ETH);
    // ETH at the feed's minimum answer ($4): opening is refused there, liquidation goes on.
    await d.ethFeed.setPrice(c.minAnswer);
    const P4 = w(4);
    expect((await d.registry.readPrice(ETH)).atBound).to.equal(true);
    const before = await ledgerOf(d);
    const alice = positionIn(d, before, d.alice);
    const t = await termsAt(d, P4);
    const equity = equityAtWad(alice, P4);
    // $5, the floor: 0.02% of $40 is less.
    const reward = keeperRewardWad(t, w(10));
    expect(reward).to.equal(w(5));
    const { deficitWad } = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: 0n });
    const fromInsurance = before.insuranceWad;

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventsNamed(d, receipt, "DeficitPaid")).to.deep.equal([
      [d.alice.address, ETH, deficitWad, fromInsurance, deficitWad - fromInsurance, 0n, 0n],
    ]);
    await expectLedger(d, before, {
      free: [[d.keeper, reward]],
      positions: [[d.alice, EMPTY]],
      insuranceWad: -fromInsurance,
      insuranceUsedTodayWad: fromInsurance,
      vaultCashWad: alice.marginWad - reward + fromInsurance,
      longSizeWad: -w(10),
      longJSum: -w(10) * alice.jWad,
    });
    await expectConservation(d);
  });

  it("test_liquidate_revertsOnAStaleOraclePrice", async () => {
    const d = await networkHelpers.loadFixture(deployAliceBelowMaintenance);
    await networkHelpers.time.increase(3601);
    await expectRevertUnchanged({
      d,
      action: () => d.engine.connect(d.keeper).liquidate(d.alice.address, ETH),
      contract: d.registry,
      error: "OraclePriceStale",
    });
  });

  it("test_liquidate_revertsDuringTheSequencerGracePeriod", async () => {
    const d = await networkHelpers.loadFixture(deployAliceBelowMaintenance);
    const sequencer = await deployFeed(0, 0n, "sequencer uptime");
    const upSince = BigInt(await networkHelpers.time.latest());
    await sequencer.setRound(0n, upSince, upSince, 1n);
    await d.registry.setSequencerFeed(await sequencer.getAddress(), 3600);

    await expectRevertUnchanged({
      d,
      action: () => d.engine.connect(d.keeper).liquidate(d.alice.address, ETH),
      contract: d.engine,
      error: "SequencerGracePeriod",
    });
    await expectRevertUnchanged({
      d,
      action: () => d.engine.connect(d.keeper).liquidateBatch(ETH, [d.alice.address]),
      contract: d.engine,
      error: "SequencerGracePeriod",
    });

    // Once the hour has passed (and the feed has a fresh round), liquidation goes on.
    await networkHelpers.time.increaseTo(upSince + 3600n);
    await setPrice(d.ethFeed, 3935);
    await expect(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH)).to.emit(d.engine, "Liquidated");
    await expectConservation(d);
  });

  it("test_liquidate_revertsWhenHealthyWithTheEquityAndTheMaintenanceMargin", async () => {
    const d = await networkHelpers.loadFixture(deployAliceBelowMaintenance);
    await setPrice(d.ethFeed, 3940);
    // $980.0002 + 10 × ($3,940 − $3,999.96) = $380.4002 against 0.9% × $39,400 = $354.60.
    await expectRevertUnchanged({
      d,
      action: () => d.engine.connect(d.keeper).liquidate(d.alice.address, ETH),
      contract: d.engine,
      error: "PositionNotLiquidatable",
      args: [d.alice.address, ETH, w("380.4002"), w("354.6")],
    });
  });

  it("test_liquidate_revertsWithoutAPosition", async () => {
    const d = await networkHelpers.loadFixture(deployAliceBelowMaintenance);
    await expectRevertUnchanged({
      d,
      action: () => d.engine.connect(d.keeper).liquidate(d.carol.address, ETH),
      contract: d.engine,
      error: "NoPosition",
      args: [d.carol.address, ETH],
    });
    await d.engine.connect(d.keeper).liquidate(d.alice.address, ETH);
    // A second keeper is too late: the position is gone.
    await expectRevertUnchanged({
      d,
      action: () => d.engine.connect(d.stranger).liquidate(d.alice.address, ETH),
      contract: d.engine,
      error: "NoPosition",
      args: [d.alice.address, ETH],
    });
    await expectConservation(d);
  });
});
