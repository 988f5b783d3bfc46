import { expect } from "chai";
import { ETH, WAD, anyPrice, deployFunded, networkHelpers, setPrice, w } from "../../helpers/fixture.js";
import {
  captureState,
  divDown,
  equityWad,
  eventsIn,
  expectRevertWithoutChange,
  expectTradeOutcome,
  fundingIndexAt,
  kWad,
  latestTimestamp,
  mined,
  pinTimestamp,
  pnlWad,
  positionOf,
  predictTrade,
  requiredMarginWad,
  scopeOf,
  wMulDown,
  wMulUp,
  type Protocol,
} from "../../helpers/engine.js";
import { tierListMembers } from "../../helpers/liquidation.js";

const IMR = w("0.01125");

/** Opens at a pinned time, lets `seconds` pass and republishes the feed at `priceUsd` (the heartbeat is 1 h). */
async function openThenWait(
  d: Protocol,
  a: { trader: Protocol["alice"]; sizeWad: bigint; marginWad: bigint; seconds: bigint; priceUsd: string | number }
) {
  const openedAt = (await latestTimestamp()) + 1n;
  await pinTimestamp(openedAt);
  await d.engine.connect(a.trader).trade(ETH, a.sizeWad, a.marginWad, anyPrice(a.sizeWad), []);
  await networkHelpers.time.increaseTo(openedAt + a.seconds);
  await setPrice(d.ethFeed, a.priceUsd);
  return openedAt;
}

/** Predicts, sends and checks one trade of `trader` on ETH against the reference model. */
async function tradeAsModelled(
  d: Protocol,
  a: { trader: Protocol["alice"]; sizeWad: bigint; marginWad: bigint; timestamp?: bigint }
) {
  const before = await captureState(scopeOf(d));
  const predicted = await predictTrade(d, {
    account: a.trader.address,
    marketId: ETH,
    sizeDeltaWad: a.sizeWad,
    marginWad: a.marginWad,
    timestamp: a.timestamp,
  });
  const receipt = await mined(d.engine.connect(a.trader).trade(ETH, a.sizeWad, a.marginWad, anyPrice(a.sizeWad), []));
  await expectTradeOutcome({ d, account: a.trader.address, marketId: ETH, predicted, receipt, before });
  return { predicted, receipt, before };
}

/** Unscaled s·(P − F − J), the PnL before its division by 1e18. */
const rawPnl = (sizeWad: bigint, jWad: bigint, fundingIndexWad: bigint, priceWad: bigint) =>
  sizeWad * (priceWad - fundingIndexWad - jWad);

describe("PerpEngine.trade: increasing", () => {
  it("test_trade_increaseAveragesJUpForALongAndResetsF0WithoutMovingFunding", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const openedAt = await openThenWait(d, {
      trader: d.alice,
      sizeWad: w(10),
      marginWad: w(5000),
      seconds: 1800n,
      priceUsd: 4050,
    });
    const old = await positionOf(d.engine, d.alice.address, ETH);

    const { predicted } = await tradeAsModelled(d, {
      trader: d.alice,
      sizeWad: w("4.7"),
      marginWad: w(2000),
      timestamp: openedAt + 1810n,
    });

    const F = predicted.fundingIndexWad;
    const P = w(4050);
    const [fill] = predicted.fills;
    const now = await positionOf(d.engine, d.alice.address, ETH);
    // Thirty minutes of a long skew: longs have paid funding, and it stays in the PnL, not in the margin.
    expect(F).to.be.greaterThan(0n);
    expect(now.f0Wad).to.equal(F);
    expect(now.marginWad).to.equal(old.marginWad + w(2000) - fill.feeWad);
    const weighted = w(10) * old.jWad + w("4.7") * (fill.fillPriceWad - F);
    expect(weighted % w("14.7")).to.not.equal(0n);
    expect(now.jWad).to.equal(weighted / w("14.7") + 1n);
    // Equity moves only by the new collateral, the fee and the new fill's impact, minus J's rounding, which
    // favours the protocol by less than one wei of price per unit.
    const drift =
      rawPnl(now.sizeWad, now.jWad, F, P) - rawPnl(old.sizeWad, old.jWad, F, P) - w("4.7") * (P - fill.fillPriceWad);
    expect(drift <= 0n).to.equal(true);
    expect(-drift < now.sizeWad).to.equal(true);
    expect(await d.engine.equityOf(d.alice.address, ETH)).to.equal(
      equityWad({ ...now, fundingIndexWad: F, priceWad: P })
    );
  });

  it("test_trade_increaseAveragesJDownForAShort", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const openedAt = await openThenWait(d, {
      trader: d.bob,
      sizeWad: -w(10),
      marginWad: w(5000),
      seconds: 1800n,
      priceUsd: 3950,
    });
    const old = await positionOf(d.engine, d.bob.address, ETH);

    const { predicted } = await tradeAsModelled(d, {
      trader: d.bob,
      sizeWad: -w("4.3"),
      marginWad: w(2000),
      timestamp: openedAt + 1810n,
    });

    const F = predicted.fundingIndexWad;
    const [fill] = predicted.fills;
    const now = await positionOf(d.engine, d.bob.address, ETH);
    // A short skew: shorts pay, so the index falls.
    expect(F).to.be.lessThan(0n);
    const weighted = w(10) * old.jWad + w("4.3") * (fill.fillPriceWad - F);
    expect(weighted % w("14.3")).to.not.equal(0n);
    expect(now.jWad).to.equal(divDown(weighted, w("14.3")));
    expect(now.f0Wad).to.equal(F);
    const P = w(3950);
    const drift =
      rawPnl(now.sizeWad, now.jWad, F, P) - rawPnl(old.sizeWad, old.jWad, F, P) + w("4.3") * (P - fill.fillPriceWad);
    expect(drift <= 0n).to.equal(true);
    expect(-drift < -now.sizeWad).to.equal(true);
  });

  it("test_trade_increaseThatLowersLeverageKeepsTheTierWithTheDropPending", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    // 10 ETH on 1700: about 23.8x, tier 3 (20–40x).
    await d.engine.connect(d.alice).trade(ETH, w(10), w(1700), anyPrice(1n), []);
    expect((await positionOf(d.engine, d.alice.address, ETH)).tier).to.equal(3n);

    const { predicted, receipt } = await tradeAsModelled(d, { trader: d.alice, sizeWad: w(10), marginWad: w(9000) });
    const now = await positionOf(d.engine, d.alice.address, ETH);
    expect(now.tier).to.equal(3n);
    expect(now.pendingTier).to.equal(1n);
    expect(now.pendingTierSince).to.equal(predicted.timestamp);
    expect(await eventsIn(d.engine, receipt, d.engine.filters.PositionUpdated)).to.deep.equal([
      [d.alice.address, ETH, now.sizeWad, now.marginWad, now.jWad, now.f0Wad, 3n, 1n, predicted.timestamp],
    ]);
  });

  it("test_trade_revertsOnAnIncreaseThatALossLeavesBelowInitialMargin", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const openedAt = await openThenWait(d, {
      trader: d.alice,
      sizeWad: w(10),
      marginWad: w(1000),
      seconds: 600n,
      priceUsd: "3940.5",
    });
    const at = openedAt + 610n;
    // One wei over 1 ETH at a price with cents makes the requirement's products inexact, so their rounding
    // (up) shows.
    const added = w(1) + 1n;
    const predicted = await predictTrade(d, {
      account: d.alice.address,
      marketId: ETH,
      sizeDeltaWad: added,
      marginWad: w(60),
      timestamp: at,
    });
    const p = predicted.position;
    const P = w("3940.5");
    const loss = pnlWad({ ...p, fundingIndexWad: predicted.fundingIndexWad, priceWad: P });
    const required = requiredMarginWad({ sizeWad: p.sizeWad, priceWad: P, ratioWad: IMR });
    expect(((w(11) + 1n) * P) % WAD).to.not.equal(0n);
    expect((wMulUp(w(11) + 1n, P) * IMR) % WAD).to.not.equal(0n);
    // The margin alone would do; the unrealised loss is what fails it.
    expect(p.marginWad > required).to.equal(true);
    expect(loss < 0n).to.equal(true);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, added, w(60), anyPrice(1n), []),
      contract: d.engine,
      error: "BelowInitialMargin",
      args: [p.marginWad + loss, required],
    });
  });

  it("test_trade_revertsWhenOnlyPaperProfitWouldFundAnIncrease", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    // About 83x at 4000; then the price runs to 4400 and the position is $4000 in profit.
    const openedAt = await openThenWait(d, {
      trader: d.alice,
      sizeWad: w(10),
      marginWad: w(500),
      seconds: 600n,
      priceUsd: 4400,
    });
    const at = openedAt + 610n;
    expect(await d.engine.equityOf(d.alice.address, ETH)).to.be.greaterThan(w(4400));
    const predicted = await predictTrade(d, {
      account: d.alice.address,
      marketId: ETH,
      sizeDeltaWad: w(10),
      marginWad: w(100),
      timestamp: at,
    });
    const p = predicted.position;
    const P = w(4400);
    const required = requiredMarginWad({ sizeWad: p.sizeWad, priceWad: P, ratioWad: IMR });
    expect(required).to.equal(w(990));
    expect(pnlWad({ ...p, fundingIndexWad: predicted.fundingIndexWad, priceWad: P }) > required).to.equal(true);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(10), w(100), anyPrice(1n), []),
      contract: d.engine,
      error: "BelowInitialMargin",
      args: [p.marginWad, required],
    });

    // Collateral that brings the margin itself to the requirement does buy the size.
    const old = await positionOf(d.engine, d.alice.address, ETH);
    const collateral = required - old.marginWad + predicted.fills[0].feeWad;
    await tradeAsModelled(d, { trader: d.alice, sizeWad: w(10), marginWad: collateral, timestamp: at });
    expect((await positionOf(d.engine, d.alice.address, ETH)).marginWad).to.equal(required);
  });

  it("test_trade_revertsOnAnIncreaseWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await d.engine.pause();
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(1), w(500), anyPrice(1n), []),
      contract: d.engine,
      error: "EnforcedPause",
    });
  });
});

describe("PerpEngine.trade: decreasing, closing and flipping", () => {
  it("test_trade_decreaseRemovesAProRataSliceAndRealisesItsPnl", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const openedAt = await openThenWait(d, {
      trader: d.alice,
      sizeWad: w(7),
      marginWad: w(3000),
      seconds: 1800n,
      priceUsd: 4100,
    });
    const old = await positionOf(d.engine, d.alice.address, ETH);

    const { predicted, before } = await tradeAsModelled(d, {
      trader: d.alice,
      sizeWad: -w(3),
      marginWad: 0n,
      timestamp: openedAt + 1810n,
    });

    const now = await positionOf(d.engine, d.alice.address, ETH);
    const [fill] = predicted.fills;
    const F = predicted.fundingIndexWad;
    // 3/7 of the margin does not divide: the slice rounds down and the remainder keeps the dust.
    expect((old.marginWad * 3n) % 7n).to.not.equal(0n);
    const slice = (old.marginWad * 3n) / 7n;
    expect(now.marginWad).to.equal(old.marginWad - slice);
    expect([now.sizeWad, now.jWad, now.f0Wad, now.tier]).to.deep.equal([w(4), old.jWad, old.f0Wad, old.tier]);
    // The realised PnL is the slice's, at its fill and with its accrued funding.
    expect(fill.realisedPnlWad).to.equal(divDown(w(3) * (fill.fillPriceWad - F - old.jWad), WAD));
    expect(await d.engine.freeCollateralWad(d.alice.address)).to.equal(
      before.freeCollateralWad[0] + slice + fill.realisedPnlWad - fill.feeWad
    );
    // K = J − m/|s| moves by at most one unit, and only away from liquidation.
    const kBefore = kWad(old);
    const kAfter = kWad(now);
    expect(kAfter <= kBefore && kBefore - kAfter <= 1n).to.equal(true);
  });

  it("test_closePosition_closesInFullAndRealisesFunding", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const openedAt = await openThenWait(d, {
      trader: d.alice,
      sizeWad: w(10),
      marginWad: w(5000),
      seconds: 3000n,
      priceUsd: 4100,
    });
    const old = await positionOf(d.engine, d.alice.address, ETH);
    const before = await captureState(scopeOf(d));
    const predicted = await predictTrade(d, {
      account: d.alice.address,
      marketId: ETH,
      sizeDeltaWad: -w(10),
      marginWad: 0n,
      timestamp: openedAt + 3010n,
    });
    const receipt = await mined(d.engine.connect(d.alice).closePosition(ETH, 0n));
    await expectTradeOutcome({ d, account: d.alice.address, marketId: ETH, predicted, receipt, before });

    const [fill] = predicted.fills;
    const F = predicted.fundingIndexWad;
    expect(F).to.be.greaterThan(0n);
    expect(fill.realisedPnlWad).to.equal(
      pnlWad({ sizeWad: w(10), jWad: old.jWad, fundingIndexWad: F, priceWad: fill.fillPriceWad })
    );
    // Funding paid by the long is part of what it realises.
    expect(
      pnlWad({ sizeWad: w(10), jWad: old.jWad, fundingIndexWad: 0n, priceWad: fill.fillPriceWad }) - fill.realisedPnlWad
    ).to.equal(10n * F);
    expect(await eventsIn(d.engine, receipt, d.engine.filters.PositionUpdated)).to.deep.equal([
      [d.alice.address, ETH, 0n, 0n, 0n, 0n, 0n, 0n, 0n],
    ]);
    expect(await d.engine.freeCollateralWad(d.alice.address)).to.equal(
      before.freeCollateralWad[0] + old.marginWad + fill.realisedPnlWad - fill.feeWad
    );
  });

  it("test_trade_flipClosesThenOpensTheRestWithTwoTradedEvents", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const openedAt = await openThenWait(d, {
      trader: d.alice,
      sizeWad: w(10),
      marginWad: w(5000),
      seconds: 1200n,
      priceUsd: 3980,
    });

    const { predicted, receipt } = await tradeAsModelled(d, {
      trader: d.alice,
      sizeWad: -w(15),
      marginWad: w(3000),
      timestamp: openedAt + 1210n,
    });

    expect(predicted.fills.map((f) => f.sizeDeltaWad)).to.deep.equal([-w(10), -w(5)]);
    const [, open] = predicted.fills;
    const F = predicted.fundingIndexWad;
    const now = await positionOf(d.engine, d.alice.address, ETH);
    expect(now).to.deep.equal({
      sizeWad: -w(5),
      marginWad: w(3000) - open.feeWad,
      jWad: open.fillPriceWad - F,
      f0Wad: F,
      tier: predicted.position.tier,
      pendingTier: 0n,
      pendingTierSince: 0n,
      inLiquidation: false,
    });
    expect(await eventsIn(d.engine, receipt, d.engine.filters.PositionUpdated)).to.deep.equal([
      [d.alice.address, ETH, 0n, 0n, 0n, 0n, 0n, 0n, 0n],
      [d.alice.address, ETH, -w(5), now.marginWad, now.jWad, F, now.tier, 0n, 0n],
    ]);
    // Each fill books its own fee and split.
    const fees = (await eventsIn(d.engine, receipt, d.engine.filters.Traded)).map((e) => [e.feeWad, e.feeToInsuranceWad]);
    expect(fees).to.deep.equal(predicted.fills.map((f) => [f.feeWad, wMulDown(f.feeWad, w("0.2"))]));
  });

  it("test_trade_revertsOnAFlipWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await d.engine.pause();
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, -w(15), w(3000), anyPrice(-1n), []),
      contract: d.engine,
      error: "EnforcedPause",
    });
  });

  it("test_trade_decreasesAndClosesWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await d.engine.pause();
    await tradeAsModelled(d, { trader: d.alice, sizeWad: -w(4), marginWad: 0n });
    await d.engine.connect(d.alice).closePosition(ETH, 0n);
    expect((await positionOf(d.engine, d.alice.address, ETH)).sizeWad).to.equal(0n);
  });

  it("test_trade_revertsOnADecreaseThatLeavesDust", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(1) + 1n, w(500), anyPrice(1n), []);
    // 0.1 ETH and one wei left at $4000.5 is about $400.05, rounded down against the trader.
    await setPrice(d.ethFeed, "4000.5");
    const left = w("0.1") + 1n;
    expect((left * w("4000.5")) % WAD).to.not.equal(0n);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, -w("0.9"), 0n, anyPrice(-1n), []),
      contract: d.engine,
      error: "BelowMinNotional",
      args: [wMulDown(left, w("4000.5")), w(1000)],
    });
  });

  it("test_trade_revertsOnCollateralGivenWithADecrease", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, -w(10), 1n, anyPrice(-1n), []),
      contract: d.engine,
      error: "MarginOnDecrease",
    });
  });

  it("test_trade_revertsOnADecreaseBelowTheAcceptablePrice", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    const predicted = await predictTrade(d, {
      account: d.alice.address,
      marketId: ETH,
      sizeDeltaWad: -w(5),
      marginWad: 0n,
    });
    const fill = predicted.fills[0].fillPriceWad;
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, -w(5), 0n, fill + 1n, []),
      contract: d.engine,
      error: "AcceptablePriceExceeded",
      args: [fill, fill + 1n],
    });
  });

  it("test_closePosition_revertsBelowTheAcceptablePrice", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    const predicted = await predictTrade(d, {
      account: d.alice.address,
      marketId: ETH,
      sizeDeltaWad: -w(10),
      marginWad: 0n,
    });
    const fill = predicted.fills[0].fillPriceWad;
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).closePosition(ETH, fill + 1n),
      contract: d.engine,
      error: "AcceptablePriceExceeded",
      args: [fill, fill + 1n],
    });
  });

  it("test_closePosition_revertsWithoutAPosition", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).closePosition(ETH, 0n),
      contract: d.engine,
      error: "NoPosition",
      args: [d.alice.address, ETH],
    });
  });

  it("test_closePosition_revertsOnNegativeEquity", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    // About 83x; a fall to 3950 is through the bankruptcy price near 3952.
    const openedAt = await openThenWait(d, {
      trader: d.alice,
      sizeWad: w(10),
      marginWad: w(500),
      seconds: 600n,
      priceUsd: 3950,
    });
    const at = await pinTimestamp(openedAt + 610n);
    const p = await positionOf(d.engine, d.alice.address, ETH);
    const equity = equityWad({ ...p, fundingIndexWad: await fundingIndexAt(d, ETH, at), priceWad: w(3950) });
    expect(equity < 0n).to.equal(true);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).closePosition(ETH, 0n),
      contract: d.engine,
      error: "NegativeEquity",
      args: [equity],
    });
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, -w(5), 0n, 0n, []),
      contract: d.engine,
      error: "NegativeEquity",
      args: [equity],
    });
  });

  it("test_closePosition_revertsWhenTheProceedsDoNotCoverTheFee", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    // Bankruptcy near 3952: at 3952.5 the equity is a few dollars, less than the ~$19.76 closing fee.
    const openedAt = await openThenWait(d, {
      trader: d.alice,
      sizeWad: w(10),
      marginWad: w(500),
      seconds: 600n,
      priceUsd: "3952.5",
    });
    const at = openedAt + 610n;
    const p = await positionOf(d.engine, d.alice.address, ETH);
    const predicted = await predictTrade(d, {
      account: d.alice.address,
      marketId: ETH,
      sizeDeltaWad: -w(10),
      marginWad: 0n,
      timestamp: at,
    });
    const [fill] = predicted.fills;
    const proceeds = p.marginWad + fill.realisedPnlWad;
    expect(equityWad({ ...p, fundingIndexWad: predicted.fundingIndexWad, priceWad: w("3952.5") }) >= 0n).to.equal(true);
    expect(proceeds < fill.feeWad).to.equal(true);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).closePosition(ETH, 0n),
      contract: d.engine,
      error: "ProceedsBelowFee",
      args: [proceeds, fill.feeWad],
    });
  });
});

describe("PerpEngine.trade: reduce-only at the oracle bound", () => {
  it("test_trade_decreasesAndClosesButNeverOpensAtTheOracleBound", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.bob).trade(ETH, -w(500), w(50_000), anyPrice(-1n), []);
    // ETH's circuit-breaker floor is 4000/1000 = $4: the market is reduce-only there.
    await setPrice(d.ethFeed, 4);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(1000), w(1000), anyPrice(1n), []),
      contract: d.engine,
      error: "OraclePriceAtBound",
      args: [ETH, w(4)],
    });
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.bob).trade(ETH, -w(300), w(1000), anyPrice(-1n), []),
      contract: d.engine,
      error: "OraclePriceAtBound",
      args: [ETH, w(4)],
    });
    // 300 ETH left is $1200 at $4: above the $1000 minimum.
    await tradeAsModelled(d, { trader: d.bob, sizeWad: w(200), marginWad: 0n });
    expect((await positionOf(d.engine, d.bob.address, ETH)).sizeWad).to.equal(-w(300));
    await d.engine.connect(d.bob).closePosition(ETH, anyPrice(1n));
    expect((await positionOf(d.engine, d.bob.address, ETH)).sizeWad).to.equal(0n);
  });

  it("test_trade_revertsOnOpeningAtTheUpperOracleBound", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await setPrice(d.ethFeed, 4_000_000);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, -w(1), w(90_000), anyPrice(-1n), []),
      contract: d.engine,
      error: "OraclePriceAtBound",
      args: [ETH, w(4_000_000)],
    });
    // One dollar inside the bound the market takes risk again.
    await setPrice(d.ethFeed, 3_999_999);
    await d.engine.connect(d.alice).trade(ETH, -w(1), w(90_000), anyPrice(-1n), []);
    expect((await positionOf(d.engine, d.alice.address, ETH)).sizeWad).to.equal(-w(1));
  });
});

describe("PerpEngine.trade: an increase and the ADL list", () => {
  const tier2Longs = (d: Protocol) => tierListMembers(d, true, 2);

  /** alice, bob and carol each long 1 ETH at about 15x (tier 2, 10–20x), in that order: J ascends. */
  async function deployThreeLongs() {
    const d = await deployFunded();
    for (const trader of [d.alice, d.bob, d.carol]) await d.engine.connect(trader).trade(ETH, w(1), w(270), anyPrice(1n), []);
    return d;
  }

  it("test_trade_increaseKeepsItsPlaceWhenItsNewJStillSortsBetweenItsNeighbours", async () => {
    const d = await networkHelpers.loadFixture(deployThreeLongs);
    const before = await tier2Longs(d);
    expect(before.members.map((m) => m.account)).to.deep.equal([d.alice.address, d.bob.address, d.carol.address]);

    // A small increase moves alice's J up, but not past bob's.
    await tradeAsModelled(d, { trader: d.alice, sizeWad: w("0.01"), marginWad: w(3) });
    const after = await tier2Longs(d);
    expect(after.members[0].jWad > before.members[0].jWad && after.members[0].jWad < after.members[1].jWad).to.equal(true);
    expect(after.members.map(({ account, prevId, nextId }) => ({ account, prevId, nextId }))).to.deep.equal(
      before.members.map(({ account, prevId, nextId }) => ({ account, prevId, nextId }))
    );
    expect([after.head, after.tail]).to.deep.equal([before.head, before.tail]);
  });

  it("test_trade_increasePastItsNextNeighbourMovesBehindIt", async () => {
    const d = await networkHelpers.loadFixture(deployThreeLongs);
    // Doubling at a fill above everyone's entry averages alice's J past bob's (not carol's): she leaves her
    // place at the head and is inserted between them.
    await tradeAsModelled(d, { trader: d.alice, sizeWad: w(1), marginWad: w(270) });
    const after = await tier2Longs(d);
    expect(after.members.map((m) => m.account)).to.deep.equal([d.bob.address, d.alice.address, d.carol.address]);
    const js = after.members.map((m) => m.jWad);
    expect(js[0] < js[1] && js[1] < js[2]).to.equal(true);
  });
});
