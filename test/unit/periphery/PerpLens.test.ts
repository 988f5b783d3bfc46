import { expect } from "chai";
import { ETH, anyPrice, deployFunded, networkHelpers, setPrice, w } from "../../helpers/fixture.js";

const WAD = 10n ** 18n;


describe("PerpLens", () => {
  it("test_positionView_derivesKBankruptcyLiquidationPriceAndLeverage", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(4_020), anyPrice(1n), []);
    await setPrice(d.ethFeed, 4_100);
    const v = await d.lens.positionView(d.alice.address, ETH);
    const p = await d.engine.positionOf(d.alice.address, ETH);
    const f = await d.engine.currentFundingIndex(ETH);
    const k = p.jWad - (p.marginWad * WAD) / p.sizeWad;
    expect(v.accountId).to.equal(await d.engine.accountIdOf(d.alice.address));
    expect(v.kWad).to.equal(k);
    expect(v.bankruptcyPriceWad).to.equal(k + f);
    const mmr = (await d.registry.marketConfig(ETH)).mmrWad;
    const bankruptcy = (k + f) * WAD;
    expect(v.liquidationPriceWad).to.equal((bankruptcy + (WAD - mmr) - 1n) / (WAD - mmr));
    expect(v.equityWad).to.equal(await d.engine.equityOf(d.alice.address, ETH));
    expect(v.entryWad).to.equal(p.jWad + p.f0Wad);
    expect(v.profitPerUnitWad).to.equal(4_100n * WAD - f - p.jWad);
    const notional = 10n * 4_100n * WAD;
    expect(v.effectiveLeverageWad).to.equal((notional * WAD + v.equityWad - 1n) / v.equityWad);
    expect(v.tier).to.equal(2n); // chosen leverage just above 10x (the fee came out of the margin)
  });

  it("test_walkList_pagesThroughATierListHeadFirst", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    // Three longs in the 3–10x tier at rising fills: J ascending, so the order is alice, bob, carol.
    for (const who of [d.alice, d.bob, d.carol]) await d.engine.connect(who).trade(ETH, w(1), w(800), anyPrice(1n), []);
    const [firstIds, , cursor] = await d.lens.walkList(ETH, true, 1, 0, 2);
    expect(firstIds).to.deep.equal([
      await d.engine.accountIdOf(d.alice.address),
      await d.engine.accountIdOf(d.bob.address),
    ]);
    const [restIds, restPositions, end] = await d.lens.walkList(ETH, true, 1, cursor, 2);
    expect(restIds).to.deep.equal([await d.engine.accountIdOf(d.carol.address)]);
    expect(restPositions[0].sizeWad).to.equal(w(1));
    expect(end).to.equal(0n);
  });

  it("test_approxHint_returnsAPrecedingMemberCloseToTheInsertionPoint", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    for (const who of [d.alice, d.bob, d.carol]) await d.engine.connect(who).trade(ETH, w(1), w(800), anyPrice(1n), []);
    const carol = await d.engine.positionOf(d.carol.address, ETH);
    // A new long with J above carol's goes after her: with enough samples the hint is carol.
    const [hint] = await d.lens.approxHint(ETH, true, 1, carol.jWad + 1n, 50, 7);
    expect(hint).to.equal(await d.engine.accountIdOf(d.carol.address));
    // Below everyone: no member precedes it, the hint is the head end (0).
    const [none] = await d.lens.approxHint(ETH, true, 1, 1n, 50, 7);
    expect(none).to.equal(0n);
  });
});
