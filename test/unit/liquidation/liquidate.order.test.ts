import { expect } from "chai";
import { ETH, networkHelpers, setPrice, tokens, w } from "../../helpers/fixture.js";
import {
  EMPTY,
  type Actor,
  type Book,
  deployBook,
  equityAtWad,
  eventsNamed,
  eventsOf,
  expectConservation,
  expectLedger,
  keeperRewardWad,
  ledgerOf,
  liquidatedArgs,
  marginFor,
  mined,
  open,
  planAdl,
  positionIn,
  positionOf,
  positionUpdated,
  setExposureCap,
  splitEquity,
  termsAt,
  tierList,
} from "../../helpers/liquidation.js";

/**
 * Opens, in `side`'s direction (+1 long, −1 short), the ADL candidates of one side:
 * tier 4: dave 1 (opened first at `earlyPrice`, the most profitable J), erin 1 and frank 1 at $4,000 with the
 * same J (ivan trades 1 the other way between them, restoring the skew, so both fill at the same price);
 * tier 3: grace 2 then carol 2 (less profitable J: the skew has moved against them); tier 2: heidi 2.
 * `liquidated` opens 4 the other way at about 41x before them.
 */
async function openCandidates(d: Book, side: bigint, earlyPrice: number, liquidated: Actor) {
  await setPrice(d.ethFeed, earlyPrice);
  await open(d, d.dave, side * w(1), marginFor(w(1), 45n));
  await setPrice(d.ethFeed, 4000);
  await open(d, liquidated, -side * w(4), w(400));
  await open(d, d.erin, side * w(1), marginFor(w(1), 45n));
  await open(d, d.ivan, -side * w(1), marginFor(w(1), 5n));
  await open(d, d.frank, side * w(1), marginFor(w(1), 45n));
  await open(d, d.grace, side * w(2), marginFor(w(2), 30n));
  await open(d, d.carol, side * w(2), marginFor(w(2), 30n));
  await open(d, d.heidi, side * w(2), marginFor(w(2), 15n));
  // The vault's exposure cap drops to zero: it can take nothing over, so all 4 units go to ADL; the insurance
  // fund pays the deficit, so the fills are at the oracle price and only the order is at stake.
  await setExposureCap(d, 0n);
  await d.engine.connect(d.lp).donateInsurance(tokens(10_000));
}

/** Shorts as candidates, dave's at $4,010; alice's long gaps through its bankruptcy price at $3,850. */
async function deployShortCandidates() {
  const d = await deployBook();
  await openCandidates(d, -1n, 4010, d.alice);
  await setPrice(d.ethFeed, 3850);
  return d;
}

/** Longs as candidates, dave's at $3,990; bob's short gaps through its bankruptcy price at $4,150. */
async function deployLongCandidates() {
  const d = await deployBook();
  await openCandidates(d, 1n, 3990, d.bob);
  await setPrice(d.ethFeed, 4150);
  return d;
}

/**
 * Liquidates `liquidated` (4 units) and checks that the fills were dave, erin, frank, then one of grace's two,
 * at the oracle price, with the deficit paid by the insurance fund, and that grace keeps her place.
 */
async function expectOrder(d: Book, liquidated: Actor, isLong: boolean, priceWad: bigint) {
  const before = await ledgerOf(d);
  const p = positionIn(d, before, liquidated);
  const erin = positionIn(d, before, d.erin);
  const frank = positionIn(d, before, d.frank);
  expect(erin.jWad).to.equal(frank.jWad);
  // Equal J: erin opened first, so the list keeps her ahead of frank (checked by the walk below).
  const candidates = !isLong;
  expect(await tierList(d, candidates, 4)).to.deep.equal([d.dave.address, d.erin.address, d.frank.address]);
  expect(await tierList(d, candidates, 3)).to.deep.equal([d.grace.address, d.carol.address]);
  expect(await tierList(d, candidates, 2)).to.deep.equal([d.heidi.address]);
  const t = await termsAt(d, priceWad);
  const equity = equityAtWad(p, priceWad);
  const reward = keeperRewardWad(t, w(4));
  expect(reward).to.equal(w(5));
  const { deficitWad } = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: 0n });
  const adl = planAdl(d, before, {
    liquidated,
    priceWad,
    fills: [
      [d.dave, w(1)],
      [d.erin, w(1)],
      [d.frank, w(1)],
      [d.grace, w(1)],
    ],
    unpaidWad: 0n,
  });
  expect(adl.haircutTotalWad).to.equal(0n);

  const receipt = await mined(d.engine.connect(d.keeper).liquidate(liquidated.address, ETH));

  expect(eventsOf(d, receipt, ["AdlFill", "PositionUpdated", "DeficitPaid"])).to.deep.equal([
    ...adl.events,
    ["DeficitPaid", liquidated.address, ETH, deficitWad, deficitWad, 0n, 0n, 0n],
    ["PositionUpdated", ...positionUpdated(liquidated, EMPTY)],
  ]);
  expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
    liquidatedArgs({
      account: liquidated,
      keeper: d.keeper,
      sizeClosedWad: isLong ? w(4) : -w(4),
      priceWad,
      equityWad: equity,
      rewardWad: reward,
      feeWad: 0n,
      takenOverWad: 0n,
      adlSizeWad: w(4),
      remainingWad: 0n,
    }),
  ]);
  const grace = positionIn(d, before, d.grace);
  expect(adl.positions[3]).to.deep.equal([
    d.grace,
    { ...grace, sizeWad: grace.sizeWad / 2n, marginWad: grace.marginWad - grace.marginWad / 2n },
  ]);
  await expectLedger(d, before, {
    free: [[d.keeper, reward], ...adl.free],
    positions: [[liquidated, EMPTY], ...adl.positions],
    insuranceWad: -deficitWad,
    insuranceUsedTodayWad: deficitWad,
    vaultCashWad: p.marginWad - reward + deficitWad - adl.vaultPaysWad,
    longSizeWad: isLong ? -w(4) + adl.longSizeWad : adl.longSizeWad,
    longJSum: isLong ? -w(4) * p.jWad + adl.longJSum : adl.longJSum,
    shortSizeWad: isLong ? adl.shortSizeWad : -w(4) + adl.shortSizeWad,
    shortJSum: isLong ? adl.shortJSum : -w(4) * p.jWad + adl.shortJSum,
  });
  // The pro-rata slice left grace's J, tier and list links as they were: she is still head of tier 3,
  // in front of carol, with the same links.
  expect(await tierList(d, candidates, 4)).to.deep.equal([]);
  expect(await tierList(d, candidates, 3)).to.deep.equal([d.grace.address, d.carol.address]);
  expect(await tierList(d, candidates, 2)).to.deep.equal([d.heidi.address]);
  const graceAfter = await positionOf(d, d.grace);
  expect([graceAfter.prevId, graceAfter.nextId]).to.deep.equal([0n, await d.engine.accountIdOf(d.carol.address)]);
  await expectConservation(d);
}

describe("LiquidationModule.liquidate: the ADL order", () => {
  it("test_liquidate_fillsShortsByTierThenHighestJThenInsertionOrder", async () => {
    const d = await networkHelpers.loadFixture(deployShortCandidates);
    const dave = positionIn(d, await ledgerOf(d), d.dave);
    const erin = positionIn(d, await ledgerOf(d), d.erin);
    // Most profit per unit first among shorts: the highest J.
    expect(dave.jWad > erin.jWad).to.equal(true);
    await expectOrder(d, d.alice, true, w(3850));
  });

  it("test_liquidate_fillsLongsByTierThenLowestJThenInsertionOrder", async () => {
    const d = await networkHelpers.loadFixture(deployLongCandidates);
    const dave = positionIn(d, await ledgerOf(d), d.dave);
    const erin = positionIn(d, await ledgerOf(d), d.erin);
    // Most profit per unit first among longs: the lowest J.
    expect(dave.jWad < erin.jWad).to.equal(true);
    await expectOrder(d, d.bob, false, w(4150));
  });
});
