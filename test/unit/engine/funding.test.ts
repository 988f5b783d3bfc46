import { expect } from "chai";
import { BTC, ETH, WAD, anyPrice, deployFunded, networkHelpers, setPrice, w } from "../../helpers/fixture.js";
import {
  captureState,
  eventsIn,
  expectRevertWithoutChange,
  expectTradeOutcome,
  fundingIndexAt,
  fundingIndexDeltaWad,
  latestTimestamp,
  marketOf,
  mined,
  pinTimestamp,
  pnlWad,
  positionOf,
  predictTrade,
  scopeOf,
  sidePnlWad,
  type Protocol,
} from "../../helpers/engine.js";

/** Opens at a pinned time and returns it. */
async function openAt(d: Protocol, trader: Protocol["alice"], sizeWad: bigint, marginWad: bigint) {
  const t = await pinTimestamp((await latestTimestamp()) + 1n);
  await d.engine.connect(trader).trade(ETH, sizeWad, marginWad, anyPrice(sizeWad), []);
  return t;
}

/** Lets time pass to `t` and republishes the feed at `priceUsd`, so the price stays within its heartbeat. */
async function waitUntil(d: Protocol, t: bigint, priceUsd: string | number) {
  await networkHelpers.time.increaseTo(t);
  await setPrice(d.ethFeed, priceUsd);
}

/** Closes `trader`'s whole ETH position at `timestamp` and checks it against the model; returns the fill. */
async function closeAsModelled(d: Protocol, trader: Protocol["alice"], timestamp: bigint) {
  const size = (await positionOf(d.engine, trader.address, ETH)).sizeWad;
  const before = await captureState(scopeOf(d));
  const predicted = await predictTrade(d, {
    account: trader.address,
    marketId: ETH,
    sizeDeltaWad: -size,
    marginWad: 0n,
    timestamp,
  });
  const receipt = await mined(d.engine.connect(trader).closePosition(ETH, anyPrice(-size)));
  await expectTradeOutcome({ d, account: trader.address, marketId: ETH, predicted, receipt, before });
  return { fill: predicted.fills[0], fundingIndexWad: predicted.fundingIndexWad };
}

describe("PerpEngine funding", () => {
  it("test_poke_accruesFundingExactlyAsFundingMathSays", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const openedAt = await openAt(d, d.alice, w(1000), w(60_000));
    await waitUntil(d, openedAt + 1800n, 4000);
    await pinTimestamp(openedAt + 3600n);
    // skew/skewScale = 1000/2.5e6 = 0.0004, so the rate is 1% × 0.0004 = 4e-6 a day, and over one hour at
    // $4000: 4000 × 4e-6 × 3600/86400 = 0.000666…, truncated to the wei.
    const expected = 666_666_666_666_666n;
    expect(
      fundingIndexDeltaWad({
        skewWad: w(1000),
        skewScaleWad: w(2_500_000),
        maxRatePerDayWad: w("0.01"),
        priceWad: w(4000),
        elapsedSeconds: 3600n,
      })
    ).to.equal(expected);

    await expect(d.engine.poke(ETH)).to.emit(d.engine, "MarketPoked").withArgs(ETH, w(4000), expected);
    const m = await marketOf(d.engine, ETH);
    expect([m.fundingIndexWad, m.lastUpdateTime]).to.deep.equal([expected, openedAt + 3600n]);
  });

  it("test_poke_movesTheIndexDownWhenShortsDominateTruncatingTowardsZero", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const openedAt = await openAt(d, d.bob, -w(1000), w(60_000));
    await waitUntil(d, openedAt + 1800n, 4000);
    await pinTimestamp(openedAt + 3600n);
    // Rounding towards negative infinity would give …667; FundingMath truncates.
    await expect(d.engine.poke(ETH)).to.emit(d.engine, "MarketPoked").withArgs(ETH, w(4000), -666_666_666_666_666n);
  });

  it("test_poke_clampsTheRateAtFullSkew", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const openedAt = await openAt(d, d.alice, w(10), w(5000));
    // A 5-ETH skew scale: the 10-ETH skew is beyond it, so funding runs at the full 1% a day.
    await d.registry.setFundingParams(ETH, w(5), w("0.01"));
    await waitUntil(d, openedAt + 1800n, 4000);
    await pinTimestamp(openedAt + 3600n);
    await expect(d.engine.poke(ETH))
      .to.emit(d.engine, "MarketPoked")
      .withArgs(ETH, w(4000), 1_666_666_666_666_666_666n);
  });

  it("test_closePosition_longsPayAndShortsReceiveFundingWhenTheSkewIsLong", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const openedAt = await openAt(d, d.alice, w(1000), w(60_000));
    await pinTimestamp(openedAt + 1n);
    await d.engine.connect(d.carol).trade(ETH, -w(200), w(20_000), anyPrice(-1n), []);
    await waitUntil(d, openedAt + 3000n, 4000);

    const alice = await positionOf(d.engine, d.alice.address, ETH);
    const aliceClose = await closeAsModelled(d, d.alice, openedAt + 3600n);
    const F1 = aliceClose.fundingIndexWad;
    expect(F1).to.be.greaterThan(0n);
    // The long realises exactly |s|·F less than it would without funding.
    const aliceWithoutFunding = pnlWad({
      sizeWad: w(1000),
      jWad: alice.jWad,
      fundingIndexWad: 0n,
      priceWad: aliceClose.fill.fillPriceWad,
    });
    expect(aliceWithoutFunding - aliceClose.fill.realisedPnlWad).to.equal(1000n * F1);

    const carol = await positionOf(d.engine, d.carol.address, ETH);
    const carolClose = await closeAsModelled(d, d.carol, openedAt + 3601n);
    const carolWithoutFunding = pnlWad({
      sizeWad: -w(200),
      jWad: carol.jWad,
      fundingIndexWad: 0n,
      priceWad: carolClose.fill.fillPriceWad,
    });
    expect(carolClose.fill.realisedPnlWad - carolWithoutFunding).to.equal(200n * carolClose.fundingIndexWad);
  });

  it("test_currentFundingIndex_matchesWhatTheNextActionStores", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const openedAt = await openAt(d, d.alice, w(1000), w(60_000));
    await waitUntil(d, openedAt + 1800n, 4000);

    // At the latest block, the view accrues up to that block's time.
    const latest = await latestTimestamp();
    expect(await d.engine.currentFundingIndex(ETH)).to.equal(await fundingIndexAt(d, ETH, latest));

    // Evaluated in the pending block, it is exactly what a poke mined in that block stores.
    await pinTimestamp(openedAt + 2000n);
    const preview = await d.engine.currentFundingIndex(ETH, { blockTag: "pending" });
    expect(preview).to.equal(await fundingIndexAt(d, ETH, openedAt + 2000n));
    await expect(d.engine.poke(ETH)).to.emit(d.engine, "MarketPoked").withArgs(ETH, w(4000), preview);

    // And what a trade mined in that block accrues before it moves the skew.
    await pinTimestamp(openedAt + 2500n);
    const next = await d.engine.currentFundingIndex(ETH, { blockTag: "pending" });
    const receipt = await mined(d.engine.connect(d.bob).trade(ETH, -w(300), w(30_000), anyPrice(-1n), []));
    const [traded] = await eventsIn(d.engine, receipt, d.engine.filters.Traded);
    expect(traded.fundingIndexWad).to.equal(next);
    expect((await positionOf(d.engine, d.bob.address, ETH)).f0Wad).to.equal(next);
  });
});

describe("PerpEngine.poke", () => {
  it("test_poke_refreshesTheCachedPnlAndNotionalAtTheNewPrice", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    // Sizes with more decimals than the price make every product below inexact, so its rounding shows.
    const long = w("100.123456789123456789");
    const short = w("40.987654321987654321");
    const price = w("4100.12345678");
    await d.engine.connect(d.alice).trade(ETH, long, w(20_000), anyPrice(1n), []);
    await d.engine.connect(d.bob).trade(ETH, -short, w(10_000), anyPrice(-1n), []);
    await setPrice(d.ethFeed, "4100.12345678");
    const at = await pinTimestamp((await latestTimestamp()) + 1n);
    const F = await fundingIndexAt(d, ETH, at);

    await expect(d.engine.connect(d.keeper).poke(ETH)).to.emit(d.engine, "MarketPoked").withArgs(ETH, price, F);

    const m = await marketOf(d.engine, ETH);
    const expected = sidePnlWad({ market: m, priceWad: price, fundingIndexWad: F });
    expect([
      m.lastPriceWad,
      m.lastUpdateTime,
      m.cachedLongPnlWad,
      m.cachedShortPnlWad,
      m.cachedNotionalWad,
    ]).to.deep.equal([price, at, expected.longPnlWad, expected.shortPnlWad, expected.notionalWad]);
    // Gross notional rounds up: the floor it sets errs high.
    expect(((long + short) * price) % WAD).to.not.equal(0n);
    expect(expected.notionalWad).to.equal(((long + short) * price) / WAD + 1n);
    expect(await d.engine.totalNotionalWad()).to.equal(expected.notionalWad);
    expect(await d.engine.vaultEquityWad()).to.equal(
      (await d.engine.vaultCashWad()) - expected.longPnlWad - expected.shortPnlWad
    );
  });

  it("test_poke_worksWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(100), w(20_000), anyPrice(1n), []);
    await d.engine.pause();
    await expect(d.engine.connect(d.keeper).poke(ETH)).to.emit(d.engine, "MarketPoked");
  });

  it("test_poke_touchesAMarketNobodyTradedYet", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const at = await pinTimestamp((await latestTimestamp()) + 1n);
    await expect(d.engine.poke(BTC)).to.emit(d.engine, "MarketPoked").withArgs(BTC, w(117_000), 0n);
    const m = await marketOf(d.engine, BTC);
    expect([m.lastUpdateTime, m.lastPriceWad, m.cachedNotionalWad]).to.deep.equal([at, w(117_000), 0n]);
  });

  it("test_poke_revertsOnAStalePrice", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(100), w(20_000), anyPrice(1n), []);
    const [, , , updatedAt] = await d.ethFeed.latestRoundData();
    await networkHelpers.time.increaseTo(updatedAt + 3601n);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.poke(ETH),
      contract: d.registry,
      error: "OraclePriceStale",
      args: [ETH, updatedAt, 3600n],
    });
  });

  it("test_poke_revertsOnAnUnlistedMarket", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.poke(3n),
      contract: d.registry,
      error: "MarketNotListed",
      args: [3n],
    });
  });
});
