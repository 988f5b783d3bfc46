import { expect } from "chai";
import {
  ETH,
  TOKEN_TO_WAD,
  anyPrice,
  deployFunded,
  networkHelpers,
  setPrice,
  tokens,
  w,
} from "../../helpers/fixture.js";
import { feedAnswer } from "../../../ignition/presets.js";
import {
  deployEmptyVault,
  deployFeed,
  expectRevertWithoutChange,
  fundingIndexAt,
  impersonateVault,
  latestTimestamp,
  marketOf,
  pinTimestamp,
  positionOf,
  scopeOf,
  sidePnlWad,
} from "../../helpers/engine.js";

describe("PerpEngine.trade: oracle errors from the registry", () => {
  it("test_trade_revertsWhenThePriceIsOlderThanTheHeartbeat", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const [, , , updatedAt] = await d.ethFeed.latestRoundData();
    await networkHelpers.time.increaseTo(updatedAt + 3601n);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []),
      contract: d.registry,
      error: "OraclePriceStale",
      args: [ETH, updatedAt, 3600n],
    });
  });

  it("test_trade_acceptsAPriceExactlyOneHeartbeatOld", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const [, , , updatedAt] = await d.ethFeed.latestRoundData();
    await pinTimestamp(updatedAt + 3600n);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    expect((await positionOf(d.engine, d.alice.address, ETH)).sizeWad).to.equal(w(10));
  });

  for (const { label, answer } of [
    { label: "Zero", answer: 0n },
    { label: "Negative", answer: -1n },
  ]) {
    it(`test_trade_revertsOnA${label}Answer`, async () => {
      const d = await networkHelpers.loadFixture(deployFunded);
      await d.ethFeed.setPrice(answer);
      await expectRevertWithoutChange({
        scope: scopeOf(d),
        action: () => d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []),
        contract: d.registry,
        error: "OraclePriceNotPositive",
        args: [ETH, answer],
      });
    });
  }

  it("test_trade_revertsOnARoundAnsweredInAnEarlierRound", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const previous = await d.ethFeed.latestRound();
    const now = await latestTimestamp();
    await d.ethFeed.setRound(feedAnswer("4000"), now, now, previous);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []),
      contract: d.registry,
      error: "OracleRoundIncomplete",
      args: [ETH, previous + 1n, previous],
    });
  });

  it("test_trade_revertsOnARoundNeverUpdated", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const round = (await d.ethFeed.latestRound()) + 1n;
    const now = await latestTimestamp();
    await d.ethFeed.setRound(feedAnswer("4000"), now, 0n, round);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []),
      contract: d.registry,
      error: "OracleRoundIncomplete",
      args: [ETH, round, round],
    });
  });

  it("test_trade_revertsOnAnUnlistedMarket", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(3n, w(10), w(5000), anyPrice(1n), []),
      contract: d.registry,
      error: "MarketNotListed",
      args: [3n],
    });
  });

  it("test_trade_revertsWhenTheImpactWouldPushTheFillToZero", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    // A 1-ETH skew scale: selling 3 ETH asks for 4000·(1 − 3/2) < 0.
    await d.registry.setFundingParams(ETH, w(1), w("0.01"));
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, -w(3), w(5000), anyPrice(-1n), []),
      contract: d.engine,
      error: "InvalidFillPrice",
    });
  });
});

describe("PerpEngine.trade: new-risk guards", () => {
  it("test_trade_revertsOnOpeningWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.pause();
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []),
      contract: d.engine,
      error: "EnforcedPause",
    });
  });

  it("test_trade_revertsWhileTheMarketIsRampingUpAndStillReduces", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    const c = await d.registry.marketConfig(ETH);
    // δ = 0.2% asks for fees of at least 0.1% a side: the 0.05% fee no longer fits, the market is non-compliant.
    await d.registry.setOracle(ETH, c.feed, c.heartbeat, w("0.002"), c.minAnswer, c.maxAnswer);
    expect(await d.registry.isRiskCompliant(ETH)).to.equal(false);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.bob).trade(ETH, -w(10), w(5000), anyPrice(-1n), []),
      contract: d.engine,
      error: "MarketRampingUp",
      args: [ETH],
    });
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(1), w(500), anyPrice(1n), []),
      contract: d.engine,
      error: "MarketRampingUp",
      args: [ETH],
    });
    await d.engine.connect(d.alice).trade(ETH, -w(5), 0n, anyPrice(-1n), []);
    expect((await positionOf(d.engine, d.alice.address, ETH)).sizeWad).to.equal(w(5));

    await d.registry.setFees(ETH, w("0.001"), c.liquidationFeeExtraWad);
    await d.engine.connect(d.bob).trade(ETH, -w(10), w(5000), anyPrice(-1n), []);
  });

  it("test_trade_revertsDuringTheSequencerGracePeriodAndStillReduces", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    const sequencer = await deployFeed(d, 0, 0n);
    const upSince = await latestTimestamp();
    await sequencer.setRound(0n, upSince, upSince, 1n);
    await d.registry.setSequencerFeed(await sequencer.getAddress(), 3600);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.bob).trade(ETH, -w(10), w(5000), anyPrice(-1n), []),
      contract: d.engine,
      error: "SequencerGracePeriod",
    });
    await d.engine.connect(d.alice).trade(ETH, -w(5), 0n, anyPrice(-1n), []);

    await networkHelpers.time.increaseTo(upSince + 3600n);
    await d.ethFeed.setPrice(feedAnswer("4000"));
    await d.engine.connect(d.bob).trade(ETH, -w(10), w(5000), anyPrice(-1n), []);
    expect((await positionOf(d.engine, d.bob.address, ETH)).sizeWad).to.equal(-w(10));
  });

  it("test_trade_revertsWhileTheSequencerIsDown", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const sequencer = await deployFeed(d, 0, 0n);
    const now = await latestTimestamp();
    await sequencer.setRound(1n, now - 7200n, now, 1n);
    await d.registry.setSequencerFeed(await sequencer.getAddress(), 3600);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []),
      contract: d.registry,
      error: "SequencerDown",
    });
  });

  it("test_trade_isReduceOnlyOnceTradersProfitPushesTheVaultBelowItsFloor", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(500), w(50_000), anyPrice(1n), []);
    // LPs withdraw down to $140k of equity, above the floor of 5% × $2M = $100k.
    const vault = await impersonateVault(d);
    const excessTokens = ((await d.engine.vaultEquityWad()) - w(140_000)) / TOKEN_TO_WAD;
    await d.engine.connect(vault).withdrawVaultCash(d.lp.address, excessTokens);
    // +$100 on 500 ETH is $50k of trader profit: the vault's equity falls below 5% × $2.05M = $102,500.
    await setPrice(d.ethFeed, 4100);
    await d.engine.poke(ETH);
    const floor = await d.engine.solvencyFloorWad();
    expect(floor).to.equal(w(102_500));

    const at = await pinTimestamp((await latestTimestamp()) + 1n);
    const m = await marketOf(d.engine, ETH);
    const side = sidePnlWad({ market: m, priceWad: w(4100), fundingIndexWad: await fundingIndexAt(d, ETH, at) });
    const equity = (await d.engine.vaultCashWad()) - side.longPnlWad - side.shortPnlWad;
    expect(equity > 0n && equity <= floor).to.equal(true);
    for (const action of [
      () => d.engine.connect(d.bob).trade(ETH, -w(10), w(5000), anyPrice(-1n), []),
      () => d.engine.connect(d.alice).trade(ETH, w(1), w(500), anyPrice(1n), []),
      () => d.engine.connect(d.alice).removeMargin(ETH, w(100), []),
    ]) {
      await expectRevertWithoutChange({
        scope: scopeOf(d),
        action,
        contract: d.engine,
        error: "VaultAtSolvencyFloor",
        args: [equity, floor],
      });
    }
    await d.engine.connect(d.alice).trade(ETH, -w(100), 0n, anyPrice(-1n), []);
    await d.engine.connect(d.alice).closePosition(ETH, anyPrice(-1n));
    expect((await positionOf(d.engine, d.alice.address, ETH)).sizeWad).to.equal(0n);
  });

  it("test_trade_revertsWithTheVaultExactlyAtItsFloorAndOpensOneUnitAbove", async () => {
    const d = await networkHelpers.loadFixture(deployEmptyVault);
    const vault = await impersonateVault(d);
    await d.usdc.mint(await d.engine.getAddress(), tokens(10_001));
    await d.engine.connect(vault).creditVaultCash(tokens(10_000));
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(1), w(500), anyPrice(1n), []),
      contract: d.engine,
      error: "VaultAtSolvencyFloor",
      args: [w(10_000), w(10_000)],
    });
    await d.engine.connect(vault).creditVaultCash(1n);
    await d.engine.connect(d.alice).trade(ETH, w(1), w(500), anyPrice(1n), []);
    expect((await positionOf(d.engine, d.alice.address, ETH)).sizeWad).to.equal(w(1));
  });

  it("test_trade_revertsWhenTheVaultIsAtItsSolvencyFloor", async () => {
    const d = await networkHelpers.loadFixture(deployEmptyVault);
    expect(await d.engine.vaultEquityWad()).to.equal(0n);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []),
      contract: d.engine,
      error: "VaultAtSolvencyFloor",
      args: [0n, w(10_000)],
    });
  });
});
