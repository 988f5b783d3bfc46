import { expect } from "chai";
import { ETH, networkHelpers, setPrice, w } from "../../helpers/fixture.js";
import {
  EMPTY,
  type Actor,
  type Book,
  adlSlice,
  deployBook,
  deployNothingPaysBook,
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
  mined,
  open,
  planAdl,
  positionIn,
  positionUpdated,
  splitEquity,
  termsAt,
  tierList,
} from "../../helpers/liquidation.js";

const GAP = w(3850);

/** alice 10 ETH long at about 41x; bob 6 short at 45x (tier 4) and carol 6 short at 30x (tier 3). */
async function openGapBook(d: Book) {
  await open(d, d.alice, w(10), w(1000));
  await open(d, d.bob, -w(6), marginFor(w(6), 45n));
  await open(d, d.carol, -w(6), marginFor(w(6), 30n));
}

/**
 * The gap book, then ETH gaps to $3,850 and the vault is left $100 above its floor. The insurance fund holds its
 * share of the opening fees.
 */
async function deployPartlyPaidBook() {
  const d = await deployBook();
  await openGapBook(d);
  await setPrice(d.ethFeed, 3850);
  await leaveVaultRoom(d, w(100));
  return d;
}

/** As deployPartlyPaidBook, but no fee reaches the insurance fund and the vault sits exactly at its floor. */
async function deployUnpaidBook() {
  return deployNothingPaysBook(3850, openGapBook);
}

/**
 * Nothing pays (empty fund, vault at its floor). bob shorts 5 at $4,000; ETH falls to $3,890, where alice is
 * already below maintenance, and dave shorts 5 there; then the gap to $3,850. Both are tier 4, bob first
 * (higher J); dave's profit is only about $40 a unit.
 */
async function deploySmallProfitBook() {
  return deployNothingPaysBook(3850, async (d) => {
    await open(d, d.alice, w(10), w(1000));
    await open(d, d.bob, -w(5), marginFor(w(5), 45n));
    await setPrice(d.ethFeed, 3890);
    await open(d, d.dave, -w(5), marginFor(w(5), 45n));
  });
}

/**
 * Nothing pays. Shorts: bob 4 (tier 3) and grace 10 (tier 2) at $4,000; at $3,849 frank 3 (tier 4) and erin 3
 * (tier 3), who are at a loss after the move to $3,850.
 */
async function deployUnprofitableHeadBook() {
  return deployNothingPaysBook(3850, async (d) => {
    await open(d, d.alice, w(10), w(1000));
    await open(d, d.bob, -w(4), marginFor(w(4), 30n));
    await open(d, d.grace, -w(10), marginFor(w(10), 15n));
    await setPrice(d.ethFeed, 3849);
    await open(d, d.frank, -w(3), marginFor(w(3), 45n));
    await open(d, d.erin, -w(3), marginFor(w(3), 30n));
  });
}

/** Nothing pays. heidi 10 short at 2x (exempt) and bob 2 short at 5x (tier 1), both in profit after the gap. */
async function deployExemptBook() {
  return deployNothingPaysBook(3850, async (d) => {
    await open(d, d.alice, w(10), w(1000));
    await open(d, d.heidi, -w(10), marginFor(w(10), 2n));
    await open(d, d.bob, -w(2), marginFor(w(2), 5n));
  });
}

/**
 * Nothing pays. alice 5 long at about 41x; bob 5 short at 45x (tier 4), carol 5 short at 30x (tier 3); then
 * bob adds $2,000 of margin (about 8x): his drop to tier 1 is pending for an hour.
 */
async function deployPendingDropBook() {
  return deployNothingPaysBook(3850, async (d) => {
    await open(d, d.alice, w(5), w(500));
    await open(d, d.bob, -w(5), marginFor(w(5), 45n));
    await open(d, d.carol, -w(5), marginFor(w(5), 30n));
    await d.engine.connect(d.bob).addMargin(ETH, w(2000));
  });
}

/**
 * Nothing pays. bob 10 ETH short at about 41x; alice 6 long at 45x (tier 4) and carol 6 long at 30x (tier 3);
 * ETH jumps to $4,150, through bob's bankruptcy price (about $4,098).
 */
async function deployUnpaidShortBook() {
  return deployNothingPaysBook(4150, async (d) => {
    await open(d, d.bob, -w(10), w(1000));
    await open(d, d.alice, w(6), marginFor(w(6), 45n));
    await open(d, d.carol, w(6), marginFor(w(6), 30n));
  });
}

/** The waterfall numbers of a whole bankrupt position at `priceWad` (the vault takes nothing over). */
async function bankrupt(d: Book, trader: Actor, priceWad: bigint) {
  const before = await ledgerOf(d);
  const p = positionIn(d, before, trader);
  const t = await termsAt(d, priceWad);
  const sizeAbs = p.sizeWad > 0n ? p.sizeWad : -p.sizeWad;
  const equity = equityAtWad(p, priceWad);
  const reward = keeperRewardWad(t, sizeAbs);
  const split = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: 0n });
  return { before, p, sizeAbs, equity, reward, deficit: split.deficitWad };
}

describe("LiquidationModule.liquidate: ADL haircuts", () => {
  it("test_liquidate_haircutsCoverWhatTheFundAndTheVaultLeaveUnpaid", async () => {
    const d = await networkHelpers.loadFixture(deployPartlyPaidBook);
    const vaultEquityBefore = await d.engine.vaultEquityWad();
    const floor = await d.engine.solvencyFloorWad();
    const { before, p, equity, reward, deficit } = await bankrupt(d, d.alice, GAP);
    const fromInsurance = before.insuranceWad;
    const unpaid = deficit - fromInsurance - w(100);
    expect(unpaid > 0n).to.equal(true);
    // A deficit stays unpaid: the vault takes nothing, all 10 go to ADL, bob's 6 (tier 4) then 4 of carol's 6.
    const adl = planAdl(d, before, {
      liquidated: d.alice,
      priceWad: GAP,
      fills: [
        [d.bob, w(6)],
        [d.carol, w(4)],
      ],
      unpaidWad: unpaid,
    });
    // Both are in profit by more than the level: one uniform haircut per unit, U/10 rounded up.
    expect(adl.levelWad).to.equal((unpaid * w(1) + w(10) - 1n) / w(10));
    const dust = adl.haircutTotalWad - unpaid;
    expect(dust >= 0n && dust < 10n).to.equal(true);

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventsOf(d, receipt, ["AdlFill", "PositionUpdated", "DeficitPaid", "BadDebt", "Liquidated"])).to.deep.equal([
      ...adl.events,
      ["DeficitPaid", d.alice.address, ETH, deficit, fromInsurance, w(100), adl.haircutTotalWad, 0n],
      ["PositionUpdated", ...positionUpdated(d.alice, EMPTY)],
      [
        "Liquidated",
        ...liquidatedArgs({
          account: d.alice,
          keeper: d.keeper,
          sizeClosedWad: w(10),
          priceWad: GAP,
          equityWad: equity,
          rewardWad: reward,
          feeWad: 0n,
          takenOverWad: 0n,
          adlSizeWad: w(10),
          remainingWad: 0n,
        }),
      ],
    ]);
    // The shorts buy between the oracle price and alice's bankruptcy price J − m/|s|.
    const bankruptcyPrice = p.jWad - (p.marginWad * w(1)) / w(10);
    for (const fill of eventsNamed(d, receipt, "AdlFill")) {
      expect((fill[5] as bigint) > GAP && (fill[5] as bigint) < bankruptcyPrice).to.equal(true);
    }
    await expectLedger(d, before, {
      free: [[d.keeper, reward], ...adl.free],
      positions: [[d.alice, EMPTY], ...adl.positions],
      insuranceWad: -fromInsurance + dust,
      insuranceUsedTodayWad: fromInsurance,
      vaultCashWad: p.marginWad - reward + fromInsurance - adl.vaultPaysWad - dust,
      longSizeWad: -w(10),
      longJSum: -w(10) * p.jWad,
      shortSizeWad: adl.shortSizeWad,
      shortJSum: adl.shortJSum,
    });
    // The vault paid its $100 and no more: it ends exactly at its floor.
    expect(await d.engine.vaultEquityWad()).to.equal(vaultEquityBefore - w(100));
    expect(await d.engine.vaultEquityWad()).to.equal(floor);
    expect(await tierList(d, false, 4)).to.deep.equal([]);
    expect(await tierList(d, false, 3)).to.deep.equal([d.carol.address]);
    await expectConservation(d);
  });

  it("test_liquidate_haircutsCoverTheWholeDeficitWhenNothingElsePays", async () => {
    const d = await networkHelpers.loadFixture(deployUnpaidBook);
    const { before, p, equity, reward, deficit } = await bankrupt(d, d.alice, GAP);
    expect(before.insuranceWad).to.equal(0n);
    const adl = planAdl(d, before, {
      liquidated: d.alice,
      priceWad: GAP,
      fills: [
        [d.bob, w(6)],
        [d.carol, w(4)],
      ],
      unpaidWad: deficit,
    });
    // With nothing else paying, the counterparties buy at alice's bankruptcy price plus her reward per unit.
    const bankruptcyPrice = p.jWad - (p.marginWad * w(1)) / w(10);
    expect(GAP + adl.levelWad).to.equal(bankruptcyPrice + reward / 10n);
    const dust = adl.haircutTotalWad - deficit;

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventsOf(d, receipt, ["AdlFill", "PositionUpdated", "DeficitPaid", "BadDebt"])).to.deep.equal([
      ...adl.events,
      ["DeficitPaid", d.alice.address, ETH, deficit, 0n, 0n, adl.haircutTotalWad, 0n],
      ["PositionUpdated", ...positionUpdated(d.alice, EMPTY)],
    ]);
    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.alice,
        keeper: d.keeper,
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
    await expectLedger(d, before, {
      free: [[d.keeper, reward], ...adl.free],
      positions: [[d.alice, EMPTY], ...adl.positions],
      insuranceWad: dust,
      vaultCashWad: p.marginWad - reward - adl.vaultPaysWad - dust,
      longSizeWad: -w(10),
      longJSum: -w(10) * p.jWad,
      shortSizeWad: adl.shortSizeWad,
      shortJSum: adl.shortJSum,
    });
    await expectConservation(d);
  });

  it("test_liquidate_longCounterpartiesSellBelowTheOraclePriceByTheirHaircut", async () => {
    const d = await networkHelpers.loadFixture(deployUnpaidShortBook);
    const P = w(4150);
    const { before, p, equity, reward, deficit } = await bankrupt(d, d.bob, P);
    expect(await tierList(d, true, 4)).to.deep.equal([d.alice.address]);
    expect(await tierList(d, true, 3)).to.deep.equal([d.carol.address]);
    const adl = planAdl(d, before, {
      liquidated: d.bob,
      priceWad: P,
      fills: [
        [d.alice, w(6)],
        [d.carol, w(4)],
      ],
      unpaidWad: deficit,
    });
    // The longs sell at P − x, x the uniform haircut per unit (both profit more than x).
    expect(adl.events[0]).to.deep.equal([
      "AdlFill",
      d.alice.address,
      ETH,
      d.bob.address,
      -w(6),
      P,
      P - (adl.haircutsWad[0] * w(1) + w(6) - 1n) / w(6),
      adl.haircutsWad[0],
      4n,
    ]);

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.bob.address, ETH));

    expect(eventsOf(d, receipt, ["AdlFill", "PositionUpdated", "DeficitPaid", "BadDebt"])).to.deep.equal([
      ...adl.events,
      ["DeficitPaid", d.bob.address, ETH, deficit, 0n, 0n, adl.haircutTotalWad, 0n],
      ["PositionUpdated", ...positionUpdated(d.bob, EMPTY)],
    ]);
    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.bob,
        keeper: d.keeper,
        sizeClosedWad: -w(10),
        priceWad: P,
        equityWad: equity,
        rewardWad: reward,
        feeWad: 0n,
        takenOverWad: 0n,
        adlSizeWad: w(10),
        remainingWad: 0n,
      }),
    ]);
    const dust = adl.haircutTotalWad - deficit;
    await expectLedger(d, before, {
      free: [[d.keeper, reward], ...adl.free],
      positions: [[d.bob, EMPTY], ...adl.positions],
      insuranceWad: dust,
      vaultCashWad: p.marginWad - reward - adl.vaultPaysWad - dust,
      shortSizeWad: -w(10),
      shortJSum: -w(10) * p.jWad,
      longSizeWad: adl.longSizeWad,
      longJSum: adl.longJSum,
    });
    await expectConservation(d);
  });

  it("test_liquidate_counterpartyProfitCapsItsHaircutAndTheOthersPayMore", async () => {
    const d = await networkHelpers.loadFixture(deploySmallProfitBook);
    const { before, p, deficit } = await bankrupt(d, d.alice, GAP);
    const bob = positionIn(d, before, d.bob);
    const dave = positionIn(d, before, d.dave);
    expect(await tierList(d, false, 4)).to.deep.equal([d.bob.address, d.dave.address]);
    const davePerUnit = dave.jWad - GAP;
    // dave's whole profit on 5 units is below what a uniform level over the 10 units would take from him.
    expect(davePerUnit * 10n < deficit).to.equal(true);
    const adl = planAdl(d, before, {
      liquidated: d.alice,
      priceWad: GAP,
      fills: [
        [d.bob, w(5)],
        [d.dave, w(5)],
      ],
      unpaidWad: deficit,
    });
    const [bobCut, daveCut] = adl.haircutsWad;
    // dave gives up exactly his profit and gets his margin back: no principal lost.
    expect(daveCut).to.equal(adlSlice(dave, w(5), GAP).profitWad);
    // bob pays the rest, above dave's per-unit profit but within his own.
    expect(adl.levelWad).to.equal(((deficit - daveCut) * w(1) + w(5) - 1n) / w(5));
    expect(adl.levelWad > davePerUnit && adl.levelWad < bob.jWad - GAP).to.equal(true);
    expect(bobCut + daveCut >= deficit).to.equal(true);

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventsOf(d, receipt, ["AdlFill", "PositionUpdated", "DeficitPaid", "BadDebt"])).to.deep.equal([
      ...adl.events,
      ["DeficitPaid", d.alice.address, ETH, deficit, 0n, 0n, adl.haircutTotalWad, 0n],
      ["PositionUpdated", ...positionUpdated(d.alice, EMPTY)],
    ]);
    await expectLedger(d, before, {
      free: [[d.keeper, keeperRewardWad(await termsAt(d, GAP), w(10))], ...adl.free],
      positions: [[d.alice, EMPTY], ...adl.positions],
      insuranceWad: adl.haircutTotalWad - deficit,
      vaultCashWad: p.marginWad - w("7.7") - adl.vaultPaysWad - (adl.haircutTotalWad - deficit),
      longSizeWad: -w(10),
      longJSum: -w(10) * p.jWad,
      shortSizeWad: adl.shortSizeWad,
      shortJSum: adl.shortJSum,
    });
    expect(adl.free[1]).to.deep.equal([d.dave, dave.marginWad]);
    await expectConservation(d);
  });
});

describe("LiquidationModule.liquidate: ADL order", () => {
  it("test_liquidate_unprofitableHeadEndsItsTierAndAdlContinuesInTheNextTier", async () => {
    const d = await networkHelpers.loadFixture(deployUnprofitableHeadBook);
    const { before, p, deficit } = await bankrupt(d, d.alice, GAP);
    expect(await tierList(d, false, 4)).to.deep.equal([d.frank.address]);
    expect(await tierList(d, false, 3)).to.deep.equal([d.bob.address, d.erin.address]);
    expect(await tierList(d, false, 2)).to.deep.equal([d.grace.address]);
    expect(positionIn(d, before, d.frank).jWad < GAP && positionIn(d, before, d.erin).jWad < GAP).to.equal(true);
    // Tier 4 stops at once at frank (at a loss); tier 3 gives bob's 4 and stops at erin (at a loss) although
    // 6 more are needed; tier 2 gives 6 of grace's 10.
    const adl = planAdl(d, before, {
      liquidated: d.alice,
      priceWad: GAP,
      fills: [
        [d.bob, w(4)],
        [d.grace, w(6)],
      ],
      unpaidWad: deficit,
    });

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventsOf(d, receipt, ["AdlFill", "PositionUpdated", "DeficitPaid", "BadDebt"])).to.deep.equal([
      ...adl.events,
      ["DeficitPaid", d.alice.address, ETH, deficit, 0n, 0n, adl.haircutTotalWad, 0n],
      ["PositionUpdated", ...positionUpdated(d.alice, EMPTY)],
    ]);
    await expectLedger(d, before, {
      free: [[d.keeper, w("7.7")], ...adl.free],
      positions: [[d.alice, EMPTY], ...adl.positions],
      insuranceWad: adl.haircutTotalWad - deficit,
      vaultCashWad: p.marginWad - w("7.7") - adl.vaultPaysWad - (adl.haircutTotalWad - deficit),
      longSizeWad: -w(10),
      longJSum: -w(10) * p.jWad,
      shortSizeWad: adl.shortSizeWad,
      shortJSum: adl.shortJSum,
    });
    expect(await tierList(d, false, 4)).to.deep.equal([d.frank.address]);
    expect(await tierList(d, false, 3)).to.deep.equal([d.erin.address]);
    expect(await tierList(d, false, 2)).to.deep.equal([d.grace.address]);
    await expectConservation(d);
  });

  it("test_liquidate_exemptTierIsNeverDeleveragedAndTheUncoveredRestIsBadDebt", async () => {
    const d = await networkHelpers.loadFixture(deployExemptBook);
    const { before, p, equity, reward, deficit } = await bankrupt(d, d.alice, GAP);
    const heidi = positionIn(d, before, d.heidi);
    const bob = positionIn(d, before, d.bob);
    expect([heidi.tier, bob.tier]).to.deep.equal([0n, 1n]);
    expect(heidi.jWad > GAP).to.equal(true);
    expect(await tierList(d, false, 1)).to.deep.equal([d.bob.address]);
    // bob's whole profit on his 2 units is less than the deficit: he gives it all, the rest is bad debt, and
    // the 8 units nobody listed can take go to the vault beyond its limits. heidi, exempt, keeps everything.
    const adl = planAdl(d, before, { liquidated: d.alice, priceWad: GAP, fills: [[d.bob, w(2)]], unpaidWad: deficit });
    expect(adl.haircutsWad).to.deep.equal(adl.profitsWad);
    const badDebt = deficit - adl.haircutTotalWad;
    expect(badDebt > 0n).to.equal(true);

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(
      eventsOf(d, receipt, ["AdlFill", "PositionUpdated", "BadDebt", "DeficitPaid", "VaultLimitOverride"])
    ).to.deep.equal([
      ...adl.events,
      ["BadDebt", ETH, d.alice.address, badDebt, badDebt],
      ["DeficitPaid", d.alice.address, ETH, deficit, 0n, 0n, adl.haircutTotalWad, badDebt],
      ["VaultLimitOverride", ETH, d.alice.address, w(8)],
      ["PositionUpdated", ...positionUpdated(d.alice, EMPTY)],
    ]);
    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.alice,
        keeper: d.keeper,
        sizeClosedWad: w(10),
        priceWad: GAP,
        equityWad: equity,
        rewardWad: reward,
        feeWad: 0n,
        takenOverWad: w(8),
        adlSizeWad: w(2),
        remainingWad: 0n,
      }),
    ]);
    await expectLedger(d, before, {
      free: [[d.keeper, reward], ...adl.free],
      positions: [[d.alice, EMPTY], ...adl.positions],
      badDebtWad: badDebt,
      vaultCashWad: p.marginWad - reward - adl.vaultPaysWad,
      longSizeWad: -w(10),
      longJSum: -w(10) * p.jWad,
      shortSizeWad: adl.shortSizeWad,
      shortJSum: adl.shortJSum,
    });
    // bob is left with exactly his margin: his haircut took his profit, not his principal.
    expect(adl.free).to.deep.equal([[d.bob, bob.marginWad]]);
    await expectConservation(d);
  });

  it("test_liquidate_pendingTierDropStillCountsInTheOldTierBeforeItsDelay", async () => {
    const d = await networkHelpers.loadFixture(deployPendingDropBook);
    const { before, p, deficit, reward } = await bankrupt(d, d.alice, GAP);
    const bob = positionIn(d, before, d.bob);
    expect([bob.tier, bob.pendingTier]).to.deep.equal([4n, 1n]);
    expect(await tierList(d, false, 4)).to.deep.equal([d.bob.address]);
    await expectRevertUnchanged({
      d,
      action: () => d.engine.connect(d.stranger).applyTierDrop(d.bob.address, ETH, []),
      contract: d.engine,
      error: "TierDropNotDue",
      args: [bob.pendingTierSince + 3600n],
    });
    // Still tier 4: bob, who added margin to dodge, is deleveraged before carol (tier 3).
    const adl = planAdl(d, before, { liquidated: d.alice, priceWad: GAP, fills: [[d.bob, w(5)]], unpaidWad: deficit });

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventsOf(d, receipt, ["AdlFill", "PositionUpdated", "DeficitPaid"])).to.deep.equal([
      ...adl.events,
      ["DeficitPaid", d.alice.address, ETH, deficit, 0n, 0n, adl.haircutTotalWad, 0n],
      ["PositionUpdated", ...positionUpdated(d.alice, EMPTY)],
    ]);
    await expectLedger(d, before, {
      free: [[d.keeper, reward], ...adl.free],
      positions: [[d.alice, EMPTY], ...adl.positions],
      insuranceWad: adl.haircutTotalWad - deficit,
      vaultCashWad: p.marginWad - reward - adl.vaultPaysWad - (adl.haircutTotalWad - deficit),
      longSizeWad: -w(5),
      longJSum: -w(5) * p.jWad,
      shortSizeWad: adl.shortSizeWad,
      shortJSum: adl.shortJSum,
    });
    await expectConservation(d);
  });

  it("test_liquidate_appliedTierDropMovesTheCounterpartyBehindTheHigherTiers", async () => {
    const d = await networkHelpers.loadFixture(deployPendingDropBook);
    await networkHelpers.time.increase(3600);
    await setPrice(d.ethFeed, 3850);
    const bob = await positionIn(d, await ledgerOf(d), d.bob);
    const drop = await mined(d.engine.connect(d.stranger).applyTierDrop(d.bob.address, ETH, []));
    expect(eventsNamed(d, drop, "TierDropApplied")).to.deep.equal([[d.bob.address, ETH, 1n, d.stranger.address]]);
    expect(await tierList(d, false, 4)).to.deep.equal([]);
    expect(await tierList(d, false, 1)).to.deep.equal([d.bob.address]);
    const { before, p, deficit, reward } = await bankrupt(d, d.alice, GAP);
    expect(positionIn(d, before, d.bob)).to.deep.equal({
      ...bob,
      tier: 1n,
      pendingTier: 0n,
      pendingTierSince: 0n,
    });
    // Now carol (tier 3) is first; bob, in tier 1, is not reached.
    const adl = planAdl(d, before, {
      liquidated: d.alice,
      priceWad: GAP,
      fills: [[d.carol, w(5)]],
      unpaidWad: deficit,
    });

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventsOf(d, receipt, ["AdlFill", "PositionUpdated", "DeficitPaid"])).to.deep.equal([
      ...adl.events,
      ["DeficitPaid", d.alice.address, ETH, deficit, 0n, 0n, adl.haircutTotalWad, 0n],
      ["PositionUpdated", ...positionUpdated(d.alice, EMPTY)],
    ]);
    await expectLedger(d, before, {
      free: [[d.keeper, reward], ...adl.free],
      positions: [[d.alice, EMPTY], ...adl.positions],
      insuranceWad: adl.haircutTotalWad - deficit,
      vaultCashWad: p.marginWad - reward - adl.vaultPaysWad - (adl.haircutTotalWad - deficit),
      longSizeWad: -w(5),
      longJSum: -w(5) * p.jWad,
      shortSizeWad: adl.shortSizeWad,
      shortJSum: adl.shortJSum,
    });
    expect(await tierList(d, false, 1)).to.deep.equal([d.bob.address]);
    await expectConservation(d);
  });
});
