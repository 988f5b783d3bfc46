import { expect } from "chai";
import { ETH, anyPrice, deployFunded, networkHelpers, setPrice, tokens, w } from "../../helpers/fixture.js";
import {
  captureState,
  eventsIn,
  expectRevertWithoutChange,
  fundingIndexAt,
  latestTimestamp,
  mined,
  pinTimestamp,
  pnlWad,
  positionOf,
  requiredMarginWad,
  scopeOf,
  timestampOf,
  tokenBalanceIn,
  type Protocol,
} from "../../helpers/engine.js";

const IMR = w("0.01125");

/** alice: 10 ETH long on 1700 of collateral, about 23.8x chosen leverage: tier 3 (20–40x). */
async function openTierThree(d: Protocol) {
  await d.engine.connect(d.alice).trade(ETH, w(10), w(1700), anyPrice(1n), []);
  const p = await positionOf(d.engine, d.alice.address, ETH);
  expect(p.tier).to.equal(3n);
  return p;
}

/** Adds enough margin to bring alice's tier-3 position to about 6x, so a drop to tier 1 waits. */
async function addMarginToTierOne(d: Protocol) {
  const receipt = await mined(d.engine.connect(d.alice).addMargin(ETH, w(5000)));
  return timestampOf(receipt);
}

describe("PerpEngine.addMargin", () => {
  it("test_addMargin_movesFreeCollateralIntoTheMargin", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    const old = await positionOf(d.engine, d.alice.address, ETH);
    const before = await captureState(scopeOf(d));

    const receipt = await mined(d.engine.connect(d.alice).addMargin(ETH, w(100)));

    expect(await eventsIn(d.engine, receipt, d.engine.filters.MarginMoved)).to.deep.equal([
      [d.alice.address, ETH, w(100)],
    ]);
    // 40000.08 / 5079.99996 ≈ 7.9x: still tier 1, so nothing is pending.
    const now = await positionOf(d.engine, d.alice.address, ETH);
    expect(now).to.deep.equal({ ...old, marginWad: old.marginWad + w(100) });
    expect(await eventsIn(d.engine, receipt, d.engine.filters.PositionUpdated)).to.deep.equal([
      [d.alice.address, ETH, now.sizeWad, now.marginWad, now.jWad, now.f0Wad, 1n, 0n, 0n],
    ]);
    expect(await d.engine.freeCollateralWad(d.alice.address)).to.equal(before.freeCollateralWad[0] - w(100));
    const after = await captureState(scopeOf(d));
    expect([after.vaultCashWad, after.insuranceFundWad, after.treasuryWad, after.markets]).to.deep.equal([
      before.vaultCashWad,
      before.insuranceFundWad,
      before.treasuryWad,
      before.markets,
    ]);
  });

  it("test_addMargin_keepsTheTierAndRecordsTheDropAsPending", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const old = await openTierThree(d);
    const since = await addMarginToTierOne(d);
    expect(await positionOf(d.engine, d.alice.address, ETH)).to.deep.equal({
      ...old,
      marginWad: old.marginWad + w(5000),
      tier: 3n,
      pendingTier: 1n,
      pendingTierSince: since,
    });
  });

  it("test_addMargin_worksWhilePausedAndWithAStaleOracle", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await d.engine.pause();
    await networkHelpers.time.increase(7200);
    await expect(d.registry.readPrice(ETH)).to.be.revertedWithCustomError(d.registry, "OraclePriceStale");
    await expect(d.engine.connect(d.alice).addMargin(ETH, w(100)))
      .to.emit(d.engine, "MarginMoved")
      .withArgs(d.alice.address, ETH, w(100));
  });

  it("test_addMargin_revertsOnZeroAmount", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).addMargin(ETH, 0n),
      contract: d.engine,
      error: "ZeroAmount",
    });
  });

  it("test_addMargin_revertsWithoutAPosition", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).addMargin(ETH, w(100)),
      contract: d.engine,
      error: "NoPosition",
      args: [d.alice.address, ETH],
    });
  });

  it("test_addMargin_revertsAboveFreeCollateral", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).addMargin(ETH, w(95_000) + 1n),
      contract: d.engine,
      error: "InsufficientFreeCollateral",
      args: [w(95_000), w(95_000) + 1n],
    });
  });
});

describe("PerpEngine.depositAndAddMargin", () => {
  it("test_depositAndAddMargin_pullsTokensStraightIntoTheMargin", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    const old = await positionOf(d.engine, d.alice.address, ETH);
    const before = await captureState(scopeOf(d));

    const tx = d.engine.connect(d.alice).depositAndAddMargin(ETH, 250_000_001n);
    // Logged as a deposit then an add-margin: free collateral rebuilds from events alone.
    await expect(tx).to.emit(d.engine, "Deposited").withArgs(d.alice.address, 250_000_001n);
    await expect(tx).to.emit(d.engine, "MarginMoved").withArgs(d.alice.address, ETH, w("250.000001"));

    expect((await positionOf(d.engine, d.alice.address, ETH)).marginWad).to.equal(old.marginWad + w("250.000001"));
    expect(await d.engine.freeCollateralWad(d.alice.address)).to.equal(before.freeCollateralWad[0]);
    expect(await d.usdc.balanceOf(d.alice.address)).to.equal(tokenBalanceIn(before, d.alice.address) - 250_000_001n);
    expect(await d.usdc.balanceOf(await d.engine.getAddress())).to.equal(before.engineTokenBalance + 250_000_001n);
  });

  it("test_depositAndAddMargin_worksWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await d.engine.pause();
    await expect(d.engine.connect(d.alice).depositAndAddMargin(ETH, tokens(250)))
      .to.emit(d.engine, "MarginMoved")
      .withArgs(d.alice.address, ETH, w(250));
  });

  it("test_depositAndAddMargin_recordsATierDropAsPending", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await openTierThree(d);
    const receipt = await mined(d.engine.connect(d.alice).depositAndAddMargin(ETH, tokens(5000)));
    const p = await positionOf(d.engine, d.alice.address, ETH);
    expect([p.tier, p.pendingTier, p.pendingTierSince]).to.deep.equal([3n, 1n, await timestampOf(receipt)]);
  });

  it("test_depositAndAddMargin_revertsOnZeroAmount", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).depositAndAddMargin(ETH, 0n),
      contract: d.engine,
      error: "ZeroAmount",
    });
  });

  it("test_depositAndAddMargin_revertsWithoutAPosition", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).depositAndAddMargin(ETH, tokens(250)),
      contract: d.engine,
      error: "NoPosition",
      args: [d.alice.address, ETH],
    });
  });
});

describe("PerpEngine.removeMargin", () => {
  it("test_removeMargin_movesMarginToFreeCollateralAndRaisesTheTierAtOnce", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    const old = await positionOf(d.engine, d.alice.address, ETH);
    expect(old.tier).to.equal(1n);
    const before = await captureState(scopeOf(d));

    const receipt = await mined(d.engine.connect(d.alice).removeMargin(ETH, w(3000), []));

    expect(await eventsIn(d.engine, receipt, d.engine.filters.MarginMoved)).to.deep.equal([
      [d.alice.address, ETH, -w(3000)],
    ]);
    // 40000.08 / 1979.99996 ≈ 20.2x: tier 3 at once, nothing pending.
    expect(await positionOf(d.engine, d.alice.address, ETH)).to.deep.equal({
      ...old,
      marginWad: old.marginWad - w(3000),
      tier: 3n,
    });
    expect(await d.engine.freeCollateralWad(d.alice.address)).to.equal(before.freeCollateralWad[0] + w(3000));
  });

  it("test_removeMargin_cancelsAPendingDropWhenTheTierRisesAgain", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await openTierThree(d);
    await addMarginToTierOne(d);
    await d.engine.connect(d.alice).removeMargin(ETH, w(5000), []);
    const p = await positionOf(d.engine, d.alice.address, ETH);
    expect([p.tier, p.pendingTier, p.pendingTierSince]).to.deep.equal([3n, 0n, 0n]);
  });

  it("test_removeMargin_revertsWhenOnlyUnrealisedProfitWouldBackIt", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(1000), anyPrice(1n), []);
    await setPrice(d.ethFeed, 4400);
    // Equity is about $4980, but 979.99996 − 600 of margin is below 1.125% × $44,000 = 495.
    expect(await d.engine.equityOf(d.alice.address, ETH)).to.be.greaterThan(w(4900));
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).removeMargin(ETH, w(600), []),
      contract: d.engine,
      error: "BelowInitialMargin",
      args: [w("379.99996"), w(495)],
    });
  });

  it("test_removeMargin_revertsWhenALossLeavesItBelowInitialMargin", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const openedAt = (await latestTimestamp()) + 1n;
    await pinTimestamp(openedAt);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(1000), anyPrice(1n), []);
    await setPrice(d.ethFeed, 3960);
    const at = await pinTimestamp(openedAt + 60n);
    const p = await positionOf(d.engine, d.alice.address, ETH);
    const loss = pnlWad({ ...p, fundingIndexWad: await fundingIndexAt(d, ETH, at), priceWad: w(3960) });
    const required = requiredMarginWad({ sizeWad: p.sizeWad, priceWad: w(3960), ratioWad: IMR });
    // The remaining margin alone would cover 445.5; the unrealised loss of about $400 does not leave enough.
    expect(p.marginWad - w(400) > required).to.equal(true);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).removeMargin(ETH, w(400), []),
      contract: d.engine,
      error: "BelowInitialMargin",
      args: [p.marginWad - w(400) + loss, required],
    });
  });

  it("test_removeMargin_revertsAboveTheMargin", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    const p = await positionOf(d.engine, d.alice.address, ETH);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).removeMargin(ETH, p.marginWad + 1n, []),
      contract: d.engine,
      error: "InsufficientMargin",
      args: [p.marginWad, p.marginWad + 1n],
    });
  });

  it("test_removeMargin_revertsWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await d.engine.pause();
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).removeMargin(ETH, w(100), []),
      contract: d.engine,
      error: "EnforcedPause",
    });
  });

  it("test_removeMargin_revertsAtTheOracleBound", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.bob).trade(ETH, -w(500), w(50_000), anyPrice(-1n), []);
    await setPrice(d.ethFeed, 4);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.bob).removeMargin(ETH, w(100), []),
      contract: d.engine,
      error: "OraclePriceAtBound",
      args: [ETH, w(4)],
    });
  });

  it("test_removeMargin_revertsOnZeroAmount", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).removeMargin(ETH, 0n, []),
      contract: d.engine,
      error: "ZeroAmount",
    });
  });

  it("test_removeMargin_revertsWithoutAPosition", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).removeMargin(ETH, w(100), []),
      contract: d.engine,
      error: "NoPosition",
      args: [d.alice.address, ETH],
    });
  });
});

describe("PerpEngine.applyTierDrop", () => {
  it("test_applyTierDrop_revertsWhenNoDropIsPending", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.stranger).applyTierDrop(d.alice.address, ETH, []),
      contract: d.engine,
      error: "NoTierDropPending",
      args: [d.alice.address, ETH],
    });
    await openTierThree(d);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.stranger).applyTierDrop(d.alice.address, ETH, []),
      contract: d.engine,
      error: "NoTierDropPending",
      args: [d.alice.address, ETH],
    });
  });

  it("test_applyTierDrop_revertsBeforeTheDelay", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await openTierThree(d);
    const since = await addMarginToTierOne(d);
    await pinTimestamp(since + 3599n);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.stranger).applyTierDrop(d.alice.address, ETH, []),
      contract: d.engine,
      error: "TierDropNotDue",
      args: [since + 3600n],
    });
  });

  it("test_applyTierDrop_anyoneAppliesItOnceTheDelayHasPassed", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const old = await openTierThree(d);
    const since = await addMarginToTierOne(d);
    await pinTimestamp(since + 3600n);

    const receipt = await mined(d.engine.connect(d.stranger).applyTierDrop(d.alice.address, ETH, []));

    expect(await eventsIn(d.engine, receipt, d.engine.filters.TierDropApplied)).to.deep.equal([
      [d.alice.address, ETH, 1n, d.stranger.address],
    ]);
    const now = await positionOf(d.engine, d.alice.address, ETH);
    expect(now).to.deep.equal({
      ...old,
      marginWad: old.marginWad + w(5000),
      tier: 1n,
      pendingTier: 0n,
      pendingTierSince: 0n,
    });
    expect(await eventsIn(d.engine, receipt, d.engine.filters.PositionUpdated)).to.deep.equal([
      [d.alice.address, ETH, now.sizeWad, now.marginWad, now.jWad, now.f0Wad, 1n, 0n, 0n],
    ]);
  });

  it("test_applyTierDrop_worksWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await openTierThree(d);
    const since = await addMarginToTierOne(d);
    await d.engine.pause();
    await networkHelpers.time.increaseTo(since + 3600n);
    await expect(d.engine.connect(d.keeper).applyTierDrop(d.alice.address, ETH, []))
      .to.emit(d.engine, "TierDropApplied")
      .withArgs(d.alice.address, ETH, 1n, d.keeper.address);
  });
});
