import { expect } from "chai";
import { BTC, ETH, WAD, anyPrice, deployFunded, networkHelpers, setPrice, w } from "../../helpers/fixture.js";
import {
  deployEmptyVault,
  equityWad,
  fundingIndexAt,
  latestTimestamp,
  marketOf,
  maxOf,
  minOf,
  positionOf,
  sidePnlWad,
  wDivUp,
  wMulUp,
  type Protocol,
} from "../../helpers/engine.js";

/** Σ over both markets of the cached side PnL, and of its positive parts. */
async function cachedTotals(d: Protocol) {
  let pnl = 0n;
  let profit = 0n;
  for (const id of [ETH, BTC]) {
    const m = await marketOf(d.engine, id);
    pnl += m.cachedLongPnlWad + m.cachedShortPnlWad;
    profit += maxOf(m.cachedLongPnlWad, 0n) + maxOf(m.cachedShortPnlWad, 0n);
  }
  return { pnl, profit };
}

/**
 * alice long 100.3 ETH, bob short 50.7 ETH, carol short 1.3 BTC. Fractional sizes make the side PnL sums
 * inexact in WAD, so their rounding shows.
 */
async function openBook(d: Protocol) {
  await d.engine.connect(d.alice).trade(ETH, w("100.3"), w(20_000), anyPrice(1n), []);
  await d.engine.connect(d.bob).trade(ETH, -w("50.7"), w(10_000), anyPrice(-1n), []);
  await d.engine.connect(d.carol).trade(BTC, -w("1.3"), w(10_000), anyPrice(-1n), []);
}

describe("PerpEngine.markPrice", () => {
  it("test_markPrice_returnsTheOraclePriceWhenFresh", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    expect(await d.engine.markPrice(ETH)).to.deep.equal([w(4000), true]);
    expect(await d.engine.markPrice(BTC)).to.deep.equal([w(117_000), true]);
  });

  it("test_markPrice_returnsAPriceAtTheBoundAsFresh", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await setPrice(d.ethFeed, 4);
    expect(await d.engine.markPrice(ETH)).to.deep.equal([w(4), true]);
  });

  it("test_markPrice_fallsBackToTheLastGoodPriceWhenStale", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await setPrice(d.ethFeed, 4100);
    await d.engine.poke(ETH);
    await networkHelpers.time.increase(3601);
    expect(await d.engine.markPrice(ETH)).to.deep.equal([w(4100), false]);
    // A market never touched has no last good price yet.
    expect(await d.engine.markPrice(BTC)).to.deep.equal([0n, false]);
  });

  it("test_markPrice_fallsBackOnANonPositiveAnswer", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await d.ethFeed.setPrice(0n);
    expect(await d.engine.markPrice(ETH)).to.deep.equal([w(4000), false]);
  });
});

describe("PerpEngine.equityOf", () => {
  it("test_equityOf_isMarginPlusPnlAtTheMarkPriceWithFundingToNow", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await networkHelpers.time.increase(1800);
    await setPrice(d.ethFeed, 4100);
    const p = await positionOf(d.engine, d.alice.address, ETH);
    const F = await fundingIndexAt(d, ETH, await latestTimestamp());
    expect(F).to.be.greaterThan((await marketOf(d.engine, ETH)).fundingIndexWad);
    expect(await d.engine.currentFundingIndex(ETH)).to.equal(F);
    expect(await d.engine.equityOf(d.alice.address, ETH)).to.equal(
      equityWad({ ...p, fundingIndexWad: F, priceWad: w(4100) })
    );
  });

  it("test_equityOf_usesTheLastGoodPriceWhenStale", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await d.engine.connect(d.bob).trade(ETH, -w(10), w(5000), anyPrice(-1n), []);
    await setPrice(d.ethFeed, 4100);
    await d.engine.poke(ETH);
    await networkHelpers.time.increase(7200);
    // With the skew flat the index no longer moves, so the equity is the stored one at $4100.
    const m = await marketOf(d.engine, ETH);
    const p = await positionOf(d.engine, d.alice.address, ETH);
    expect(await d.engine.currentFundingIndex(ETH)).to.equal(m.fundingIndexWad);
    expect(await d.engine.equityOf(d.alice.address, ETH)).to.equal(
      equityWad({ ...p, fundingIndexWad: m.fundingIndexWad, priceWad: w(4100) })
    );
  });

  it("test_equityOf_isZeroWithoutAPosition", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    expect(await d.engine.equityOf(d.alice.address, ETH)).to.equal(0n);
  });
});

describe("PerpEngine vault views", () => {
  it("test_vaultEquityWad_isCashMinusTradersNetPnlAtTheCachedPrices", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await openBook(d);
    await setPrice(d.ethFeed, 4400);
    await d.btcFeed.setPrice(11_000_000_000_000n); // $110,000
    const stale = await d.engine.vaultEquityWad();
    // A price move counts only once a touch re-prices the market.
    expect(stale).to.equal((await d.engine.vaultCashWad()) - (await cachedTotals(d)).pnl);
    await d.engine.poke(ETH);
    await d.engine.poke(BTC);

    const totals = await cachedTotals(d);
    expect(await d.engine.vaultEquityWad()).to.equal((await d.engine.vaultCashWad()) - totals.pnl);
    expect(await d.engine.vaultEquityWad()).to.not.equal(stale);
    for (const [id, price] of [
      [ETH, w(4400)],
      [BTC, w(110_000)],
    ]) {
      const m = await marketOf(d.engine, id);
      const side = sidePnlWad({ market: m, priceWad: price, fundingIndexWad: m.fundingIndexWad });
      expect([m.cachedLongPnlWad, m.cachedShortPnlWad]).to.deep.equal([side.longPnlWad, side.shortPnlWad]);
      // The liability is rounded up, so the vault's equity errs low.
      const netPrice = price - m.fundingIndexWad;
      const rawShort = m.shortJSum - m.shortSizeWad * netPrice;
      expect(rawShort % WAD).to.not.equal(0n);
      expect(m.cachedShortPnlWad).to.equal(rawShort / WAD + (rawShort > 0n ? 1n : 0n));
      if (id === ETH) {
        const rawLong = m.longSizeWad * netPrice - m.longJSum;
        expect(rawLong % WAD).to.not.equal(0n);
        expect(m.cachedLongPnlWad).to.equal(rawLong / WAD + (rawLong > 0n ? 1n : 0n));
      }
    }
  });

  it("test_solvencyFloorWad_isTheLargerOfTenThousandAndFivePercentOfGrossNotional", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    expect(await d.engine.solvencyFloorWad()).to.equal(w(10_000));
    // $120,000 of gross notional: 5% is $6,000, below the absolute part.
    await d.engine.connect(d.alice).trade(ETH, w(30), w(5000), anyPrice(1n), []);
    expect(await d.engine.solvencyFloorWad()).to.equal(w(10_000));
    await d.engine.connect(d.bob).trade(ETH, -w(120), w(10_000), anyPrice(-1n), []);
    await d.engine.connect(d.carol).trade(BTC, -w(1), w(10_000), anyPrice(-1n), []);
    expect(await d.engine.totalNotionalWad()).to.equal(w(150 * 4000 + 117_000));
    expect(await d.engine.solvencyFloorWad()).to.equal(wMulUp(w(717_000), w("0.05")));
    expect(await d.engine.solvencyFloorWad()).to.equal(w(35_850));
  });

  it("test_tradersProfitWad_sumsThePositiveSidesOfAllMarkets", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await openBook(d);
    await setPrice(d.ethFeed, 4400);
    await d.btcFeed.setPrice(11_000_000_000_000n);
    await d.engine.poke(ETH);
    await d.engine.poke(BTC);
    const eth = await marketOf(d.engine, ETH);
    const btc = await marketOf(d.engine, BTC);
    // ETH longs and BTC shorts win, ETH shorts lose: losses do not offset profits here.
    expect(eth.cachedLongPnlWad > 0n && eth.cachedShortPnlWad < 0n && btc.cachedShortPnlWad > 0n).to.equal(true);
    expect(await d.engine.tradersProfitWad()).to.equal(eth.cachedLongPnlWad + btc.cachedShortPnlWad);
    expect(await d.engine.tradersProfitWad()).to.equal((await cachedTotals(d)).profit);
  });

  it("test_vaultWithdrawableWad_isTheRoomAboveTheFloorAndTheProfitStop", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await openBook(d);
    // Before any move the only profit is bob's price improvement for reducing the skew: the floor binds.
    const smallProfit = await d.engine.tradersProfitWad();
    expect(smallProfit > 0n && smallProfit < w(10)).to.equal(true);
    expect(wDivUp(smallProfit, w("0.25")) + 1n < (await d.engine.solvencyFloorWad())).to.equal(true);
    const floorOnly = (await d.engine.vaultEquityWad()) - (await d.engine.solvencyFloorWad());
    expect(await d.engine.vaultWithdrawableWad()).to.equal(minOf(floorOnly, await d.engine.vaultCashWad()));

    await setPrice(d.ethFeed, 4400);
    await d.engine.poke(ETH);
    const profit = await d.engine.tradersProfitWad();
    const equity = await d.engine.vaultEquityWad();
    const byProfit = wDivUp(profit, w("0.25")) + 1n;
    expect(byProfit > (await d.engine.solvencyFloorWad())).to.equal(true);
    expect(await d.engine.vaultWithdrawableWad()).to.equal(minOf(equity - byProfit, await d.engine.vaultCashWad()));
  });

  it("test_vaultWithdrawableWad_isZeroForAnEmptyVault", async () => {
    const d = await networkHelpers.loadFixture(deployEmptyVault);
    expect(await d.engine.vaultWithdrawableWad()).to.equal(0n);
  });
});
