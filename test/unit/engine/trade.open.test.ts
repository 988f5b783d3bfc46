import { expect } from "chai";
import { BTC, ETH, WAD, anyPrice, deployFunded, networkHelpers, setPrice, w } from "../../helpers/fixture.js";
import {
  captureState,
  chosenLeverageWad,
  divUp,
  eventsIn,
  expectRevertWithoutChange,
  feeSplitWad,
  fillPriceWad,
  marketOf,
  mined,
  positionOf,
  predictTrade,
  scopeOf,
  tierOf,
  tradeParamsOf,
  tradingFeeWad,
  wMulDown,
  wMulUp,
} from "../../helpers/engine.js";

/*
 * ETH opens at $4000 with skewScale = $10B / $4000 = 2,500,000 ETH, a 0.05% fee, IMR 1.125% and tier bounds
 * 3/10/20/40x. With an empty book, a buy of 10 ETH fills at 4000·(1 + (0 + 10)/2/2.5e6) = 4000.008 and pays
 * 10 × 4000.008 × 0.0005 = 20.00004 in fees.
 */
describe("PerpEngine.trade: opening", () => {
  it("test_trade_opensLongAtTheImpactAdjustedFill", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const before = await captureState(scopeOf(d));
    const size = w(10);
    const fill = w("4000.008");
    const fee = w("20.00004");
    const margin = w(5000) - fee;

    const receipt = await mined(d.engine.connect(d.alice).trade(ETH, size, w(5000), anyPrice(size), []));

    // The fee's 20% shares for the insurance fund and the treasury; the vault keeps the other 60%.
    expect(await eventsIn(d.engine, receipt, d.engine.filters.Traded)).to.deep.equal([
      [d.alice.address, ETH, size, w(4000), fill, fee, 0n, 0n, w("4.000008"), w("4.000008")],
    ]);
    // Chosen leverage 40000.08 / 4979.99996 ≈ 8.03x: the 3–10x tier.
    expect(await positionOf(d.engine, d.alice.address, ETH)).to.deep.equal({
      sizeWad: size,
      marginWad: margin,
      jWad: fill,
      f0Wad: 0n,
      tier: 1n,
      pendingTier: 0n,
      pendingTierSince: 0n,
      inLiquidation: false,
    });
    expect(await d.engine.freeCollateralWad(d.alice.address)).to.equal(before.freeCollateralWad[0] - w(5000));
    expect(await d.engine.insuranceFundWad()).to.equal(before.insuranceFundWad + w("4.000008"));
    expect(await d.engine.treasuryWad()).to.equal(before.treasuryWad + w("4.000008"));
    expect(await d.engine.vaultCashWad()).to.equal(before.vaultCashWad + w("12.000024"));

    const m = await marketOf(d.engine, ETH);
    expect(m.longSizeWad).to.equal(size);
    expect(m.longJSum).to.equal(size * fill);
    expect(m.shortSizeWad).to.equal(0n);
    expect(m.lastPriceWad).to.equal(w(4000));
    expect(m.cachedNotionalWad).to.equal(w(40_000));
    // The vault is short the impact: the trader's PnL at the oracle price is 10 × (4000 − 4000.008).
    expect(m.cachedLongPnlWad).to.equal(-w("0.08"));
    expect(await d.engine.vaultEquityWad()).to.equal(before.vaultCashWad + w("12.000024") + w("0.08"));
  });

  it("test_trade_opensShortAtTheImpactAdjustedFill", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const size = -w(10);
    const fill = w("3999.992");
    const fee = w("19.99996");

    const receipt = await mined(d.engine.connect(d.bob).trade(ETH, size, w(5000), anyPrice(size), []));

    expect(await eventsIn(d.engine, receipt, d.engine.filters.Traded)).to.deep.equal([
      [d.bob.address, ETH, size, w(4000), fill, fee, 0n, 0n, w("3.999992"), w("3.999992")],
    ]);
    expect(await positionOf(d.engine, d.bob.address, ETH)).to.deep.equal({
      sizeWad: size,
      marginWad: w(5000) - fee,
      jWad: fill,
      f0Wad: 0n,
      tier: 1n,
      pendingTier: 0n,
      pendingTierSince: 0n,
      inLiquidation: false,
    });
    const m = await marketOf(d.engine, ETH);
    expect(m.shortSizeWad).to.equal(w(10));
    expect(m.shortJSum).to.equal(w(10) * fill);
    expect(m.cachedShortPnlWad).to.equal(-w("0.08"));
  });

  it("test_trade_roundsTheFillUpForBuysAndDownForSells", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    // BTC's skewScale, $10B / $117,000, is not a whole number of units, so the impact never divides evenly.
    const params = await tradeParamsOf(d, BTC);
    const price = w(117_000);
    const buy = w("0.3");
    const buyNumerator = price * buy;
    expect(buyNumerator % (2n * params.skewScaleWad)).to.not.equal(0n);

    const buyFill = fillPriceWad({
      priceWad: price,
      skewBeforeWad: 0n,
      sizeDeltaWad: buy,
      skewScaleWad: params.skewScaleWad,
    });
    expect(buyFill).to.equal(price + buyNumerator / (2n * params.skewScaleWad) + 1n);
    const buyReceipt = await mined(d.engine.connect(d.alice).trade(BTC, buy, w(5000), anyPrice(buy), []));
    const [buyTrade] = await eventsIn(d.engine, buyReceipt, d.engine.filters.Traded);
    expect(buyTrade.fillPriceWad).to.equal(buyFill);

    // A sell of 0.5 against a skew of +0.3: (0.3 + (−0.2))/2 > 0, the sell still pays a premium, rounded down.
    const sell = -w("0.5");
    const sellNumerator = price * (2n * buy + sell);
    const sellFill = fillPriceWad({
      priceWad: price,
      skewBeforeWad: buy,
      sizeDeltaWad: sell,
      skewScaleWad: params.skewScaleWad,
    });
    expect(sellFill).to.equal(price + sellNumerator / (2n * params.skewScaleWad));
    expect(sellNumerator % (2n * params.skewScaleWad)).to.not.equal(0n);
    const sellReceipt = await mined(d.engine.connect(d.bob).trade(BTC, sell, w(5000), anyPrice(sell), []));
    const [sellTrade] = await eventsIn(d.engine, sellReceipt, d.engine.filters.Traded);
    expect(sellTrade.fillPriceWad).to.equal(sellFill);
    expect(sellTrade.feeWad).to.equal(
      tradingFeeWad({ sizeAbsWad: w("0.5"), fillPriceWad: sellFill, feeRateWad: params.tradingFeeWad })
    );
  });

  it("test_trade_roundsTheFeeUpAndGivesTheSplitRemainderToTheVault", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const size = w("0.123456789");
    const predicted = await predictTrade(d, {
      account: d.alice.address,
      marketId: BTC,
      sizeDeltaWad: size,
      marginWad: w(1000),
    });
    const [fill] = predicted.fills;
    // Neither the fee nor its 20% shares are exact here, so every rounding shows.
    expect((size * fill.fillPriceWad) % WAD).to.not.equal(0n);
    const split = feeSplitWad({ feeWad: fill.feeWad, insuranceShareWad: w("0.2"), treasuryShareWad: w("0.2") });
    expect((fill.feeWad * w("0.2")) % WAD).to.not.equal(0n);
    expect(split.vaultWad).to.equal(fill.feeWad - 2n * ((fill.feeWad * 2n) / 10n));

    const before = await captureState(scopeOf(d));
    const receipt = await mined(d.engine.connect(d.alice).trade(BTC, size, w(1000), anyPrice(size), []));
    const [traded] = await eventsIn(d.engine, receipt, d.engine.filters.Traded);
    expect([traded.feeWad, traded.feeToInsuranceWad, traded.feeToTreasuryWad]).to.deep.equal([
      fill.feeWad,
      split.insuranceWad,
      split.treasuryWad,
    ]);
    expect(await d.engine.insuranceFundWad()).to.equal(before.insuranceFundWad + split.insuranceWad);
    expect(await d.engine.treasuryWad()).to.equal(before.treasuryWad + split.treasuryWad);
    expect(await d.engine.vaultCashWad()).to.equal(before.vaultCashWad + split.vaultWad);
    expect((await positionOf(d.engine, d.alice.address, BTC)).marginWad).to.equal(w(1000) - fill.feeWad);
  });

  // Each bound belongs to the tier below it: exactly 3x is exempt, exactly 10x is in 3–10x, and so on.
  for (const row of [
    { leverage: 3n, sizeWad: w(3), tierAtBound: 0n },
    { leverage: 10n, sizeWad: w(10), tierAtBound: 1n },
    { leverage: 20n, sizeWad: w(10), tierAtBound: 2n },
    { leverage: 40n, sizeWad: w(10), tierAtBound: 3n },
  ]) {
    it(`test_trade_placesExactly${row.leverage}xInTier${row.tierAtBound}AndOneWeiLessMarginAbove`, async () => {
      const d = await networkHelpers.loadFixture(deployFunded);
      const params = await tradeParamsOf(d, ETH);
      const fill = fillPriceWad({
        priceWad: w(4000),
        skewBeforeWad: 0n,
        sizeDeltaWad: row.sizeWad,
        skewScaleWad: params.skewScaleWad,
      });
      const fee = tradingFeeWad({ sizeAbsWad: row.sizeWad, fillPriceWad: fill, feeRateWad: params.tradingFeeWad });
      // E·|s|/m = leverage exactly needs m = E·|s|/leverage to be a whole number of wei.
      expect((fill * row.sizeWad) % (row.leverage * WAD)).to.equal(0n);
      const marginAtBound = (fill * row.sizeWad) / (row.leverage * WAD);
      expect(chosenLeverageWad({ sizeWad: row.sizeWad, marginWad: marginAtBound, jWad: fill, f0Wad: 0n })).to.equal(
        row.leverage * WAD
      );

      await d.engine.connect(d.alice).trade(ETH, row.sizeWad, marginAtBound + fee, anyPrice(row.sizeWad), []);
      expect((await positionOf(d.engine, d.alice.address, ETH)).tier).to.equal(row.tierAtBound);

      await networkHelpers.loadFixture(deployFunded);
      await d.engine.connect(d.alice).trade(ETH, row.sizeWad, marginAtBound + fee - 1n, anyPrice(row.sizeWad), []);
      const above = await positionOf(d.engine, d.alice.address, ETH);
      expect(above.marginWad).to.equal(marginAtBound - 1n);
      expect(above.tier).to.equal(row.tierAtBound + 1n);
      expect(above.tier).to.equal(tierOf({ leverageWad: chosenLeverageWad(above), boundsX1e4: params.tierBoundsX1e4 }));
    });
  }

  it("test_trade_placesLeverageAboveTheTopBoundInTheTopTier", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    // 10 ETH on 600 of collateral: about 69x, above the 40x bound.
    await d.engine.connect(d.alice).trade(ETH, w(10), w(600), anyPrice(1n), []);
    expect((await positionOf(d.engine, d.alice.address, ETH)).tier).to.equal(4n);
  });
});

describe("PerpEngine.trade: opening reverts", () => {
  it("test_trade_revertsOnZeroSizeDelta", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, 0n, w(1000), anyPrice(1n), []),
      contract: d.engine,
      error: "ZeroSizeDelta",
    });
  });

  it("test_trade_revertsWhenABuyFillsAboveTheAcceptablePrice", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const fill = w("4000.008");
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(10), w(5000), fill - 1n, []),
      contract: d.engine,
      error: "AcceptablePriceExceeded",
      args: [fill, fill - 1n],
    });
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), fill, []);
  });

  it("test_trade_revertsWhenASellFillsBelowTheAcceptablePrice", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const fill = w("3999.992");
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, -w(10), w(5000), fill + 1n, []),
      contract: d.engine,
      error: "AcceptablePriceExceeded",
      args: [fill, fill + 1n],
    });
    await d.engine.connect(d.alice).trade(ETH, -w(10), w(5000), fill, []);
  });

  it("test_trade_revertsWhenTheCollateralDoesNotCoverTheFee", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(10), w("20.00004") - 1n, anyPrice(1n), []),
      contract: d.engine,
      error: "MarginBelowFee",
      args: [w("20.00004") - 1n, w("20.00004")],
    });
  });

  it("test_trade_revertsWhenTheCollateralExceedsFreeCollateral", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(10), w(100_000) + 1n, anyPrice(1n), []),
      contract: d.engine,
      error: "InsufficientFreeCollateral",
      args: [w(100_000), w(100_000) + 1n],
    });
  });

  it("test_trade_revertsWhenLeverageExceedsTheInitialMargin", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    // 100 ETH fills at 4000.08 and pays 200.004: margin 3799.996, minus the impact loss of 100 × 0.08,
    // against IMR 1.125% × $400,000 = 4500 (about 105x asked, 88x allowed).
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(100), w(4000), anyPrice(1n), []),
      contract: d.engine,
      error: "BelowInitialMargin",
      args: [w("3791.996"), w(4500)],
    });
  });

  it("test_trade_revertsWhenTheOpenedNotionalIsBelowTheMinimum", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w("0.2"), w(100), anyPrice(1n), []),
      contract: d.engine,
      error: "BelowMinNotional",
      args: [w(800), w(1000)],
    });
  });

  it("test_trade_revertsAboveTheOpenInterestCap", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.registry.setLimits(ETH, w(100_000), w(1000), w(1), w(5000));
    await d.engine.connect(d.bob).trade(ETH, w(20), w(5000), anyPrice(1n), []);
    // The cap is per side: bob's 20 ETH plus alice's 10 ETH (and one wei) is about $120,005 of longs at
    // $4000.5, rounded up against the trader.
    await setPrice(d.ethFeed, "4000.5");
    const longs = w(30) + 1n;
    expect((longs * w("4000.5")) % WAD).to.not.equal(0n);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(10) + 1n, w(5000), anyPrice(1n), []),
      contract: d.engine,
      error: "OpenInterestCapExceeded",
      args: [ETH, wMulUp(longs, w("4000.5")), w(100_000)],
    });
    // The short side has its own room.
    await d.engine.connect(d.alice).trade(ETH, -w(10), w(5000), anyPrice(-1n), []);
  });

  it("test_trade_revertsAboveTheVaultExposureCap", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    expect(await d.engine.vaultCashWad()).to.equal(w(5_000_000));
    // 1300 ETH fills at 4001.04: the vault's equity counts the trader's impact loss 1300 × 1.04 = 1352, so its
    // cap (1× equity) is $5,001,352, below the $5.2M exposure.
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(1300), w(70_000), anyPrice(1n), []),
      contract: d.engine,
      error: "VaultExposureCapExceeded",
      args: [ETH, w(5_200_000), w(5_001_352)],
    });
  });

  it("test_trade_roundsTheVaultExposureCapDown", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const oneThird = w("0.333333333333333333");
    await d.registry.setLimits(ETH, w(50_000_000), w(1000), oneThird, w(5000));
    // One wei under 500 ETH: the vault's equity (its cash plus the trader's impact loss, rounded up) is not a
    // whole number of dollars, and a third of it is not a whole wei.
    const size = w(500) - 1n;
    const params = await tradeParamsOf(d, ETH);
    const fill = fillPriceWad({
      priceWad: w(4000),
      skewBeforeWad: 0n,
      sizeDeltaWad: size,
      skewScaleWad: params.skewScaleWad,
    });
    const equity = (await d.engine.vaultCashWad()) - divUp(size * (w(4000) - fill), WAD);
    expect((equity * oneThird) % WAD).to.not.equal(0n);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, size, w(50_000), anyPrice(1n), []),
      contract: d.engine,
      error: "VaultExposureCapExceeded",
      args: [ETH, w(2_000_000) - 4000n, wMulDown(equity, oneThird)],
    });
  });

  it("test_trade_allowsATradeThatReducesTheVaultExposureBeyondItsCap", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(1000), w(60_000), anyPrice(1n), []);
    await d.registry.setLimits(ETH, w(50_000_000), w(1000), 0n, w(5000));
    // With a zero cap every increase of the vault's exposure fails, but bob's short reduces it.
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.carol).trade(ETH, w(1), w(500), anyPrice(1n), []),
      contract: d.engine,
      error: "VaultExposureCapExceeded",
      args: [ETH, w(4_004_000), 0n],
    });
    await d.engine.connect(d.bob).trade(ETH, -w(500), w(30_000), anyPrice(-1n), []);
    expect((await positionOf(d.engine, d.bob.address, ETH)).sizeWad).to.equal(-w(500));
  });
});
