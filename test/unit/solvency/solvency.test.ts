import { expect } from "chai";
import { ETH, anyPrice, deployFunded, networkHelpers, setPrice, tokens, w } from "../../helpers/fixture.js";

const WAD = 10n ** 18n;
const mulDown = (a: bigint, b: bigint) => (a * b) / WAD;
const divDown = (a: bigint, b: bigint) => (a * WAD) / b;

/** Two longs on ETH: alice at ~10x (tier 2) and bob at ~50x (tier 4), $4.4M of net long against a $5M vault. */
async function deployLongBook() {
  const d = await deployFunded();
  // No funding, so the expectations computed from views match the next block's transaction exactly.
  const config = await d.registry.marketConfig(ETH);
  await d.registry.setFundingParams(ETH, config.skewScaleWad, 0n);
  await d.engine.connect(d.alice).deposit(tokens(500_000));
  await d.engine.connect(d.alice).trade(ETH, w(1_000), w(401_000), anyPrice(1n), []);
  await d.engine.connect(d.bob).trade(ETH, w(100), w(8_400), anyPrice(1n), []);
  return d;
}

describe("vault-solvency ADL", () => {
  it("test_deleverageForSolvency_revertsWhileTheSideProfitIsWithinTheTrigger", async () => {
    const d = await networkHelpers.loadFixture(deployLongBook);
    await setPrice(d.ethFeed, 4_400);
    const [profit, equity, triggered] = await d.engine.solvencyAdlStatus(ETH, true);
    expect(triggered).to.equal(false);
    await expect(d.engine.connect(d.keeper).deleverageForSolvency(ETH, true))
      .to.be.revertedWithCustomError(d.engine, "SolvencyAdlNotTriggered")
      .withArgs(profit, equity, w("0.5"));
  });

  it("test_deleverageForSolvency_closesTheHighestTierHeadFirstJustEnoughToReachTheTarget", async () => {
    const d = await networkHelpers.loadFixture(deployLongBook);
    await setPrice(d.ethFeed, 5_600);
    const [profitBefore, equity, triggered] = await d.engine.solvencyAdlStatus(ETH, true);
    expect(triggered).to.equal(true);
    const bob = await d.engine.positionOf(d.bob.address, ETH);
    const alice = await d.engine.positionOf(d.alice.address, ETH);
    expect(bob.tier).to.equal(4n);
    expect(alice.tier).to.equal(2n);
    const f = await d.engine.currentFundingIndex(ETH);
    const price = 5_600n * WAD;
    // The target counts the largest keeper reward the call could pay: 0.02% of the whole long side's notional.
    const sideSize = (await d.engine.marketState(ETH)).longSizeWad;
    const rewardBound = (((sideSize * price + WAD - 1n) / WAD) * w("0.0002") + WAD - 1n) / WAD;
    const target = mulDown(BigInt(equity) - rewardBound, w("0.35"));
    let excess = profitBefore - target;
    // bob (tier 4) goes first, whole (his profit is smaller than the excess), then alice just enough.
    const bobProfitPerUnit = price - f - bob.jWad;
    const bobRealised = mulDown(bob.sizeWad, bobProfitPerUnit);
    expect(bobRealised).to.be.lessThan(excess);
    excess -= bobRealised;
    const aliceProfitPerUnit = price - f - alice.jWad;
    const aliceClose = divDown(excess, aliceProfitPerUnit);
    const freeBobBefore = await d.engine.freeCollateralWad(d.bob.address);
    const tx = d.engine.connect(d.keeper).deleverageForSolvency(ETH, true);
    await expect(tx).to.emit(d.engine, "SolvencyDeleveraged").withArgs(d.bob.address, ETH, -bob.sizeWad, price, bobRealised);
    await expect(tx).to.emit(d.engine, "SolvencyDeleveraged").withArgs(d.alice.address, ETH, -aliceClose, price, mulDown(aliceClose, aliceProfitPerUnit));
    expect((await d.engine.positionOf(d.bob.address, ETH)).sizeWad).to.equal(0n);
    const aliceAfter = await d.engine.positionOf(d.alice.address, ETH);
    expect(aliceAfter.sizeWad).to.equal(alice.sizeWad - aliceClose);
    expect(aliceAfter.jWad).to.equal(alice.jWad, "a pro-rata slice keeps J");
    expect(await d.engine.freeCollateralWad(d.bob.address)).to.equal(freeBobBefore + BigInt(bob.marginWad) + bobRealised);
    const [profitAfter, equityAfter, stillTriggered] = await d.engine.solvencyAdlStatus(ETH, true);
    expect(stillTriggered).to.equal(false);
    // Back at or under the target (sizes round down: within a cent of it).
    expect(profitAfter).to.be.at.most(mulDown(BigInt(equityAfter), w("0.35")) + w("0.01"));
  });

  it("test_deleverageForSolvency_paysTheKeeperFromTheVault", async () => {
    const d = await networkHelpers.loadFixture(deployLongBook);
    await setPrice(d.ethFeed, 5_600);
    const before = await d.engine.freeCollateralWad(d.keeper.address);
    await d.engine.connect(d.keeper).deleverageForSolvency(ETH, true);
    expect(await d.engine.freeCollateralWad(d.keeper.address)).to.be.greaterThan(before);
  });
});

describe("pro-rata profit scaling", () => {
  it("test_closePosition_scalesProfitAboveTheHighestThresholdAndCountsTheWithheldPart", async () => {
    const d = await networkHelpers.loadFixture(deployLongBook);
    await setPrice(d.ethFeed, 7_000);
    await d.engine.poke(ETH);
    const profitTotal = await d.engine.tradersProfitWad();
    const equity = await d.engine.vaultEquityWad();
    const phi = divDown(mulDown(BigInt(equity), w("0.75")), profitTotal);
    expect(phi).to.be.lessThan(WAD);
    expect(await d.engine.profitScaleWad()).to.equal(phi);

    const bob = await d.engine.positionOf(d.bob.address, ETH);
    const tx = await d.engine.connect(d.bob).closePosition(ETH, 0n);
    const receipt = await tx.wait();
    const scaled = receipt!.logs
      .map((l) => {
        try {
          return d.engine.interface.parseLog(l);
        } catch {
          return null;
        }
      })
      .find((e) => e?.name === "ProfitScaled");
    expect(scaled, "ProfitScaled emitted").to.not.equal(undefined);
    const [account, market, profit, withheld, scale] = scaled!.args.toArray() as [string, bigint, bigint, bigint, bigint];
    expect(account).to.equal(d.bob.address);
    expect(market).to.equal(ETH);
    expect(scale).to.equal(phi);
    expect(withheld).to.equal(profit - mulDown(profit, phi));
    expect(await d.engine.profitWithheldWad(ETH)).to.equal(withheld);
    // The margin is never scaled: bob keeps at least his margin less the fee.
    expect(await d.engine.freeCollateralWad(d.bob.address)).to.be.greaterThan(BigInt(bob.marginWad));
  });

  it("test_profitScaleWad_isOneBelowTheThreshold", async () => {
    const d = await networkHelpers.loadFixture(deployLongBook);
    expect(await d.engine.profitScaleWad()).to.equal(WAD);
  });
});
