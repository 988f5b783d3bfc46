/**
 * DESIGN "Vault solvency": vault-solvency ADL (its trigger, the walk in ADL order that closes just enough to reach
 * the target, the fill budget, the keeper paid by the vault) and pro-rata profit scaling (on a close, never on a
 * loss, and on an ADL fill after its haircut). Every expected number is worked out here from the stored
 * aggregates (S and A per side), the vault's cash and the protocol's parameters, with funding off (F = 0).
 */
import { expect } from "chai";
import { ETH, WAD, anyPrice, networkHelpers, setPrice, tokens, w } from "../../helpers/fixture.js";
import {
  divUp,
  feeSplitWad,
  fillPriceWad,
  maxOf,
  pnlWad,
  tradingFeeWad,
  wDivDown,
  wDivUp,
  wMulDown,
} from "../../helpers/engine.js";
import {
  EMPTY,
  type Book,
  adlSlice,
  deployBook,
  deployNothingPaysBook,
  equityAtWad,
  eventsOf,
  expectConservation,
  expectLedger,
  expectRevertUnchanged,
  keeperRewardWad,
  leaveVaultRoom,
  ledgerOf,
  liquidationFeeWad,
  marginFor,
  mined,
  open,
  planAdl,
  positionIn,
  positionUpdated,
  setProtocol,
  splitEquity,
  termsAt,
  tierList,
} from "../../helpers/liquidation.js";

const FEED_UNIT = 10n ** 10n; // one unit of the 8-decimal feed, in WAD

/**
 * Longs opened at $4,000: alice 1,000 ETH at about 10x (tier 2), bob 100 at about 49x (tier 4), heidi 20 at 2x
 * (exempt); erin 10 at about 30x (tier 3), opened earlier at $6,000 so that she is at a loss below it; carol 10
 * short at 1x (exempt). The LP's $5M backs them; the traders are net long 1,120.
 */
async function openSolvencyBook(d: Book) {
  await setPrice(d.ethFeed, 6000);
  await open(d, d.erin, w(10), w(2_031));
  await setPrice(d.ethFeed, 4000);
  await d.engine.connect(d.alice).deposit(tokens(400_000));
  await open(d, d.alice, w(1_000), w(401_000));
  await open(d, d.bob, w(100), w(8_400));
  await open(d, d.heidi, w(20), marginFor(w(20), 2n));
  await open(d, d.carol, -w(10), w(40_100));
}

async function deploySolvencyBook() {
  const d = await deployBook();
  await openSolvencyBook(d);
  return d;
}

/**
 * The same book with no fee share for the insurance fund (it stays empty), then dave 10 short at about 41x at
 * $6,900; ETH spikes to $7,100, through dave's bankruptcy price (about $7,068), and the vault is left at its floor.
 */
async function deployScaledAdlBook() {
  return deployNothingPaysBook(7100, async (d) => {
    await openSolvencyBook(d);
    await setPrice(d.ethFeed, 6900);
    await open(d, d.dave, -w(10), w(1_720));
  });
}

/**
 * A remainder left in liquidation beside a large winner: nothing pays a deficit and a call may make 2 ADL fills.
 * heidi 1,000 long at about 10x (tier 2); alice 10 long at about 41x; bob, carol, dave and erin 2.5 short each
 * at 45x. ETH gaps to $3,850 with the vault at its floor: alice's liquidation fills bob and carol and leaves 5
 * of her 10 in liquidation. Realised profit vests above $1,000 a day.
 */
async function deployRecoveringRemainderBook() {
  const d = await deployBook();
  await setProtocol(d, { insuranceFeeShareWad: 0n, adlFillBudget: 2n, vestingThresholdUsdWad: w(1000) });
  await d.engine.connect(d.heidi).deposit(tokens(400_000));
  await open(d, d.heidi, w(1_000), w(401_000));
  await open(d, d.alice, w(10), w(1000));
  for (const short of [d.bob, d.carol, d.dave, d.erin]) await open(d, short, -w("2.5"), marginFor(w("2.5"), 45n));
  await setPrice(d.ethFeed, 3850);
  await leaveVaultRoom(d, 0n);
  await d.engine.connect(d.keeper).liquidate(d.alice.address, ETH);
  return d;
}

/** The solvency book with ETH moved to `priceUsd` and the market poked there; P is that price in WAD. */
async function solvencyBookAt(priceUsd: number) {
  const d = await networkHelpers.loadFixture(deploySolvencyBook);
  await setPrice(d.ethFeed, priceUsd);
  await d.engine.poke(ETH);
  return { d, P: w(priceUsd) };
}

/** The solvency numbers at P from the stored aggregates and the vault's cash (F = 0, ETH the only market). */
async function solvencyAt(d: Book, priceWad: bigint) {
  const m = await d.engine.marketState(ETH);
  const longPnl = divUp(m.longSizeWad * priceWad - m.longJSum, WAD);
  const shortPnl = divUp(m.shortJSum - m.shortSizeWad * priceWad, WAD);
  const equity = (await d.engine.vaultCashWad()) - longPnl - shortPnl;
  return { m, longPnl, shortPnl, longProfit: maxOf(0n, longPnl), equity };
}

/** φ = θ_scale × equity / Σ max(0, side PnL), rounded down, when below one (DESIGN "Scaling factor"). */
async function profitScaleAt(d: Book, priceWad: bigint): Promise<bigint> {
  const s = await solvencyAt(d, priceWad);
  const profit = maxOf(0n, s.longPnl) + maxOf(0n, s.shortPnl);
  const capacity = s.equity > 0n ? wMulDown(s.equity, (await d.registry.protocolConfig()).scalingRatioWad) : 0n;
  return profit === 0n || capacity >= profit ? WAD : wDivDown(capacity, profit);
}

/** What vesting does to a payout when nothing was realised earlier in the day: the part above the threshold. */
async function vestedPart(d: Book, paidWad: bigint): Promise<bigint> {
  const threshold = (await d.registry.protocolConfig()).vestingThresholdUsdWad;
  return paidWad > threshold ? paidWad - threshold : 0n;
}

describe("vault-solvency ADL", () => {
  it("test_deleverageForSolvency_triggersOneFeedUnitAboveTheLastPriceWithinTheTriggerRatio", async () => {
    const d = await networkHelpers.loadFixture(deploySolvencyBook);
    const trigger = (await d.registry.protocolConfig()).adlTriggerRatioWad;
    expect(trigger).to.equal(w("0.5"));
    // Triggered when the longs' profit exceeds half the vault's equity, both at P: S·P − A > (cash − PnL)/2.
    const triggeredAt = async (priceWad: bigint) => {
      const s = await solvencyAt(d, priceWad);
      return s.longProfit > wMulDown(s.equity, trigger);
    };
    let [low, high] = [w(4000) / FEED_UNIT, w(7000) / FEED_UNIT];
    expect([await triggeredAt(low * FEED_UNIT), await triggeredAt(high * FEED_UNIT)]).to.deep.equal([false, true]);
    while (high - low > 1n) {
      const mid = (low + high) / 2n;
      if (await triggeredAt(mid * FEED_UNIT)) high = mid;
      else low = mid;
    }
    // Equity ≈ $9.50M − 1,120·P and the longs' profit ≈ 1,130·P − $4.54M: the trigger is near $5,498.
    expect(low * FEED_UNIT).to.be.within(w(5_490), w(5_510));

    await d.ethFeed.setPrice(low);
    const within = await solvencyAt(d, low * FEED_UNIT);
    expect(await d.engine.solvencyAdlStatus(ETH, true)).to.deep.equal([within.longProfit, within.equity, false]);
    await expectRevertUnchanged({
      d,
      action: () => d.engine.connect(d.keeper).deleverageForSolvency(ETH, true),
      contract: d.engine,
      error: "SolvencyAdlNotTriggered",
      args: [within.longProfit, within.equity, trigger],
    });

    await d.ethFeed.setPrice(high);
    const beyond = await solvencyAt(d, high * FEED_UNIT);
    expect(await d.engine.solvencyAdlStatus(ETH, true)).to.deep.equal([beyond.longProfit, beyond.equity, true]);
    await expect(d.engine.connect(d.keeper).deleverageForSolvency(ETH, true)).to.emit(d.engine, "SolvencyAdl");
    await expectConservation(d);
  });

  it("test_deleverageForSolvency_closesTheHeadsInAdlOrderJustEnoughToReachTheTargetAndPaysTheKeeper", async () => {
    const { d, P } = await solvencyBookAt(5600);
    const pc = await d.registry.protocolConfig();
    // Below the scaling threshold (0.75 of the equity): φ = 1, profit is paid whole.
    expect(await profitScaleAt(d, P)).to.equal(WAD);
    expect(await d.engine.profitScaleWad()).to.equal(WAD);
    const before = await ledgerOf(d);
    const [alice, bob, erin] = [d.alice, d.bob, d.erin].map((a) => positionIn(d, before, a));
    expect([bob.tier, erin.tier, alice.tier, positionIn(d, before, d.heidi).tier]).to.deep.equal([4n, 3n, 2n, 0n]);
    expect([await tierList(d, true, 4), await tierList(d, true, 3), await tierList(d, true, 2)]).to.deep.equal([
      [d.bob.address],
      [d.erin.address],
      [d.alice.address],
    ]);
    expect(await tierList(d, true, 1)).to.deep.equal([]);

    const s = await solvencyAt(d, P);
    expect(s.longProfit > wMulDown(s.equity, pc.adlTriggerRatioWad)).to.equal(true);
    // The target counts the largest reward the call could pay: the keeper's share of the whole side's notional.
    const rewardBound = keeperRewardWad(await termsAt(d, P), s.m.longSizeWad);
    const target = wMulDown(s.equity - rewardBound, pc.adlTargetRatioWad);
    let excess = s.longProfit - target;
    // Tier 4: bob, whole (his profit is less than the excess). Tier 3: erin is at a loss, which ends the tier.
    // Tier 2: alice, just enough (her size rounds up). heidi (exempt) is in no list.
    const bobPerUnit = P - bob.jWad;
    const bobRealised = wMulDown(bob.sizeWad, bobPerUnit);
    expect(bobRealised < excess).to.equal(true);
    excess -= bobRealised;
    expect(P < erin.jWad).to.equal(true);
    const alicePerUnit = P - alice.jWad;
    const aliceQ = wDivUp(excess, alicePerUnit);
    expect(aliceQ > 0n && aliceQ < alice.sizeWad).to.equal(true);
    const aliceRealised = wMulDown(aliceQ, alicePerUnit);
    const aliceSlice = adlSlice(alice, aliceQ, P);
    expect(aliceSlice.profitWad).to.equal(aliceRealised);
    const closed = bob.sizeWad + aliceQ;
    const reward = keeperRewardWad(await termsAt(d, P), closed);
    const longSizeAfter = s.m.longSizeWad - closed;
    const longJSumAfter = s.m.longJSum - bob.sizeWad * bob.jWad - aliceQ * alice.jWad;
    const profitAfter = maxOf(0n, divUp(longSizeAfter * P - longJSumAfter, WAD));
    // At or just under the target: alice's size rounds up, so the profit ends below it by less than one wei of
    // size times her profit per unit (plus the profit's own rounding up).
    expect(profitAfter <= target && target - profitAfter <= alicePerUnit / WAD + 1n).to.equal(true);

    const receipt = await mined(d.engine.connect(d.keeper).deleverageForSolvency(ETH, true));
    const at = BigInt((await receipt.getBlock()).timestamp);

    const bobVested = await vestedPart(d, bobRealised);
    const aliceVested = await vestedPart(d, aliceRealised);
    expect(bobVested > 0n && aliceVested > 0n).to.equal(true);
    expect(
      eventsOf(d, receipt, ["SolvencyDeleveraged", "ProfitVesting", "ProfitScaled", "PositionUpdated", "SolvencyAdl"])
    ).to.deep.equal([
      ["ProfitVesting", d.bob.address, ETH, bobVested, bobVested, at + pc.vestingPeriod],
      ["SolvencyDeleveraged", d.bob.address, ETH, -bob.sizeWad, P, bobRealised],
      ["PositionUpdated", ...positionUpdated(d.bob, EMPTY)],
      ["ProfitVesting", d.alice.address, ETH, aliceVested, aliceVested, at + pc.vestingPeriod],
      ["SolvencyDeleveraged", d.alice.address, ETH, -aliceQ, P, aliceRealised],
      ["PositionUpdated", ...positionUpdated(d.alice, aliceSlice.after)],
      ["SolvencyAdl", ETH, true, d.keeper.address, closed, s.longProfit, profitAfter, reward],
    ]);
    // The vault pays the realised profit at P (no fee, no impact, no haircut) and the keeper; nobody else moves.
    await expectLedger(d, before, {
      free: [
        [d.bob, bob.marginWad + bobRealised],
        [d.alice, aliceSlice.marginSliceWad + aliceRealised],
        [d.keeper, reward],
      ],
      positions: [
        [d.bob, EMPTY],
        [d.alice, aliceSlice.after],
      ],
      vaultCashWad: -bobRealised - aliceRealised - reward,
      longSizeWad: -closed,
      longJSum: longJSumAfter - s.m.longJSum,
    });
    expect(await d.engine.lockedProfitWad(d.bob.address)).to.equal(bobVested);
    // Realising profit at P leaves the vault's equity where it was, but for the reward (and the wei alice's
    // rounded-down profit leaves in it).
    const after = await solvencyAt(d, P);
    expect(after.longProfit).to.equal(profitAfter);
    expect(after.equity - (s.equity - reward)).to.be.within(0n, 1n);
    expect(await d.engine.solvencyAdlStatus(ETH, true)).to.deep.equal([profitAfter, after.equity, false]);
    expect(await tierList(d, true, 3)).to.deep.equal([d.erin.address]);
    expect(await tierList(d, true, 2)).to.deep.equal([d.alice.address]);
    await expectConservation(d);
  });

  it("test_deleverageForSolvency_stopsAtTheFillBudgetAndTheNextCallGoesOnWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deploySolvencyBook);
    const P = w(5600);
    await setPrice(d.ethFeed, 5600);
    await setProtocol(d, { adlFillBudget: 1n });
    await d.engine.pause();
    const before = await ledgerOf(d);
    const [alice, bob] = [d.alice, d.bob].map((a) => positionIn(d, before, a));
    const pc = await d.registry.protocolConfig();

    // One fill: bob's whole position; the side is still above the trigger.
    const first = await mined(d.engine.connect(d.keeper).deleverageForSolvency(ETH, true));
    const bobRealised = wMulDown(bob.sizeWad, P - bob.jWad);
    const reward1 = keeperRewardWad(await termsAt(d, P), bob.sizeWad);
    expect(eventsOf(d, first, ["SolvencyDeleveraged"])).to.deep.equal([
      ["SolvencyDeleveraged", d.bob.address, ETH, -bob.sizeWad, P, bobRealised],
    ]);
    expect(await d.engine.vaultCashWad()).to.equal(before.vaultCashWad - bobRealised - reward1);
    expect(await d.engine.freeCollateralWad(d.keeper.address)).to.equal(reward1);
    const s = await solvencyAt(d, P);
    expect(s.longProfit > wMulDown(s.equity, pc.adlTriggerRatioWad)).to.equal(true);

    // The next call starts again from the head: erin (at a loss) ends tier 3, alice closes just enough.
    const target = wMulDown(s.equity - keeperRewardWad(await termsAt(d, P), s.m.longSizeWad), pc.adlTargetRatioWad);
    const aliceQ = wDivUp(s.longProfit - target, P - alice.jWad);
    const second = await mined(d.engine.connect(d.stranger).deleverageForSolvency(ETH, true));
    expect(eventsOf(d, second, ["SolvencyDeleveraged"])).to.deep.equal([
      ["SolvencyDeleveraged", d.alice.address, ETH, -aliceQ, P, wMulDown(aliceQ, P - alice.jWad)],
    ]);
    expect(await d.engine.freeCollateralWad(d.stranger.address)).to.equal(keeperRewardWad(await termsAt(d, P), aliceQ));
    expect((await d.engine.solvencyAdlStatus(ETH, true))[2]).to.equal(false);
    await expectConservation(d);
  });
});

describe("pro-rata profit scaling", () => {
  it("test_closePosition_scalesProfitAboveTheHighestThresholdCountsTheWithheldPartAndVestsTheRest", async () => {
    const { d, P } = await solvencyBookAt(7000);
    const pc = await d.registry.protocolConfig();
    const phi = await profitScaleAt(d, P);
    // Longs about $3.37M in profit against about $1.66M of equity: φ = 0.75 × 1.66M / 3.37M, about 0.37.
    expect(phi > w("0.36") && phi < w("0.38")).to.equal(true);
    expect(await d.engine.profitScaleWad()).to.equal(phi);

    const before = await ledgerOf(d);
    const bob = positionIn(d, before, d.bob);
    const t = await termsAt(d, P);
    const fill = fillPriceWad({
      priceWad: P,
      skewBeforeWad: before.longSizeWad - before.shortSizeWad,
      sizeDeltaWad: -bob.sizeWad,
      skewScaleWad: t.skewScaleWad,
    });
    const realised = pnlWad({ sizeWad: bob.sizeWad, jWad: bob.jWad, fundingIndexWad: 0n, priceWad: fill });
    const kept = wMulDown(realised, phi);
    const withheld = realised - kept;
    const fee = tradingFeeWad({ sizeAbsWad: bob.sizeWad, fillPriceWad: fill, feeRateWad: t.tradingFeeWad });
    const split = feeSplitWad({
      feeWad: fee,
      insuranceShareWad: pc.insuranceFeeShareWad,
      treasuryShareWad: pc.treasuryFeeShareWad,
    });
    const vested = await vestedPart(d, kept);
    expect(vested > 0n).to.equal(true);

    const receipt = await mined(d.engine.connect(d.bob).closePosition(ETH, 0n));
    const at = BigInt((await receipt.getBlock()).timestamp);

    expect(eventsOf(d, receipt, ["ProfitScaled", "ProfitVesting", "Traded"])).to.deep.equal([
      ["ProfitScaled", d.bob.address, ETH, realised, withheld, phi],
      ["ProfitVesting", d.bob.address, ETH, vested, vested, at + pc.vestingPeriod],
      ["Traded", d.bob.address, ETH, -bob.sizeWad, P, fill, fee, kept, 0n, split.insuranceWad, split.treasuryWad],
    ]);
    // The margin is paid back whole; only the profit is scaled, and what is withheld stays in the vault.
    await expectLedger(d, before, {
      free: [[d.bob, bob.marginWad + kept - fee]],
      positions: [[d.bob, EMPTY]],
      vaultCashWad: -kept + split.vaultWad,
      insuranceWad: split.insuranceWad,
      treasuryWad: split.treasuryWad,
      longSizeWad: -bob.sizeWad,
      longJSum: -bob.sizeWad * bob.jWad,
    });
    expect(await d.engine.profitWithheldWad(ETH)).to.equal(withheld);
    expect(await d.engine.lockedProfitWad(d.bob.address)).to.equal(vested);
    await expectConservation(d);
  });

  it("test_closePosition_neverScalesALoss", async () => {
    const { d, P } = await solvencyBookAt(7000);
    expect((await profitScaleAt(d, P)) < WAD).to.equal(true);
    const before = await ledgerOf(d);
    const carol = positionIn(d, before, d.carol);
    const t = await termsAt(d, P);
    // carol's short, opened at $4,000, closes at a loss of about $30,000: paid in full out of her margin.
    const fill = fillPriceWad({
      priceWad: P,
      skewBeforeWad: before.longSizeWad - before.shortSizeWad,
      sizeDeltaWad: w(10),
      skewScaleWad: t.skewScaleWad,
    });
    const realised = pnlWad({ sizeWad: carol.sizeWad, jWad: carol.jWad, fundingIndexWad: 0n, priceWad: fill });
    expect(realised < -w(30_000) && realised > -w(30_100)).to.equal(true);
    const fee = tradingFeeWad({ sizeAbsWad: w(10), fillPriceWad: fill, feeRateWad: t.tradingFeeWad });
    const pc = await d.registry.protocolConfig();
    const split = feeSplitWad({
      feeWad: fee,
      insuranceShareWad: pc.insuranceFeeShareWad,
      treasuryShareWad: pc.treasuryFeeShareWad,
    });

    const receipt = await mined(d.engine.connect(d.carol).closePosition(ETH, anyPrice(1n)));

    expect(eventsOf(d, receipt, ["ProfitScaled", "ProfitVesting", "Traded"])).to.deep.equal([
      ["Traded", d.carol.address, ETH, w(10), P, fill, fee, realised, 0n, split.insuranceWad, split.treasuryWad],
    ]);
    await expectLedger(d, before, {
      free: [[d.carol, carol.marginWad + realised - fee]],
      positions: [[d.carol, EMPTY]],
      vaultCashWad: -realised + split.vaultWad,
      insuranceWad: split.insuranceWad,
      treasuryWad: split.treasuryWad,
      shortSizeWad: -w(10),
      shortJSum: -w(10) * carol.jWad,
    });
    expect(await d.engine.profitWithheldWad(ETH)).to.equal(0n);
    await expectConservation(d);
  });

  it("test_liquidate_scalesAnAdlCounterpartysProfitAfterItsHaircutAndReturnsItsMarginWhole", async () => {
    const d = await networkHelpers.loadFixture(deployScaledAdlBook);
    const P = w(7100);
    const phi = await profitScaleAt(d, P);
    expect(phi < WAD).to.equal(true);
    const before = await ledgerOf(d);
    expect(before.insuranceWad).to.equal(0n);
    const dave = positionIn(d, before, d.dave);
    const bob = positionIn(d, before, d.bob);
    expect([dave.tier, bob.tier]).to.deep.equal([4n, 4n]);
    expect(await tierList(d, true, 4)).to.deep.equal([d.bob.address]);
    const reward = keeperRewardWad(await termsAt(d, P), w(10));
    const equity = equityAtWad(dave, P);
    const { deficitWad } = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: 0n });
    expect(deficitWad > 0n).to.equal(true);
    // Nothing else pays: the whole deficit is bob's haircut on 10 of his 100 units (the head of the longs' top
    // tier); φ then scales what is left of his profit on the slice. His margin share comes back whole.
    const adl = planAdl(d, before, { liquidated: d.dave, priceWad: P, fills: [[d.bob, w(10)]], unpaidWad: deficitWad });
    const [haircut] = adl.haircutsWad;
    const [profit] = adl.profitsWad;
    expect(haircut < profit).to.equal(true);
    const afterHaircut = profit - haircut;
    const kept = wMulDown(afterHaircut, phi);
    const slice = adlSlice(bob, w(10), P);
    const dust = adl.haircutTotalWad - deficitWad;

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.dave.address, ETH));

    expect(eventsOf(d, receipt, ["ProfitScaled", "AdlFill", "PositionUpdated", "DeficitPaid"])).to.deep.equal([
      ["ProfitScaled", d.bob.address, ETH, afterHaircut, afterHaircut - kept, phi],
      ...adl.events,
      ["DeficitPaid", d.dave.address, ETH, deficitWad, 0n, 0n, adl.haircutTotalWad, 0n],
      ["PositionUpdated", ...positionUpdated(d.dave, EMPTY)],
    ]);
    await expectLedger(d, before, {
      free: [
        [d.keeper, reward],
        [d.bob, slice.marginSliceWad + kept],
      ],
      positions: [
        [d.dave, EMPTY],
        [d.bob, slice.after],
      ],
      insuranceWad: dust,
      vaultCashWad: dave.marginWad - reward - kept - dust,
      shortSizeWad: -w(10),
      shortJSum: -w(10) * dave.jWad,
      longSizeWad: -w(10),
      longJSum: -w(10) * bob.jWad,
    });
    expect(await d.engine.profitWithheldWad(ETH)).to.equal(afterHaircut - kept);
    await expectConservation(d);
  });

  it("test_liquidate_scalesAndVestsWhatARecoveredRemainderRealisesAboveItsMargin", async () => {
    const d = await networkHelpers.loadFixture(deployRecoveringRemainderBook);
    // ETH rallies to $7,000: heidi's paper profit (about $3M) pushes φ below one, and alice's remainder, still
    // in liquidation, is now worth far more than its margin.
    const P = w(7000);
    await setPrice(d.ethFeed, 7000);
    await d.engine.poke(ETH);
    const phi = await profitScaleAt(d, P);
    expect(phi < WAD).to.equal(true);
    const before = await ledgerOf(d);
    const alice = positionIn(d, before, d.alice);
    expect([alice.sizeWad, alice.inLiquidation]).to.deep.equal([w(5), true]);
    const withheldBefore = await d.engine.profitWithheldWad(ETH);

    // The shorts are all at a loss: nobody can take the remainder but the vault. Out of the equity: the reward,
    // the fee, then the margin whole and the profit above it scaled by φ, of which the part above the day's
    // threshold vests.
    const t = await termsAt(d, P);
    const reward = keeperRewardWad(t, w(5));
    const fee = liquidationFeeWad(t, { sliceAbsWad: w(5), isLong: true, skewWad: before.longSizeWad - before.shortSizeWad });
    const equity = equityAtWad(alice, P);
    const { payoutWad } = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: fee.feeWad });
    const profit = payoutWad - alice.marginWad;
    expect(profit > 0n).to.equal(true);
    const kept = wMulDown(profit, phi);
    const vested = await vestedPart(d, kept);
    expect(vested > 0n).to.equal(true);
    const pc = await d.registry.protocolConfig();

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));
    const at = BigInt((await receipt.getBlock()).timestamp);

    expect(eventsOf(d, receipt, ["ProfitScaled", "ProfitVesting", "AdlFill", "DeficitPaid", "PositionUpdated"])).to.deep.equal([
      ["ProfitScaled", d.alice.address, ETH, profit, profit - kept, phi],
      ["ProfitVesting", d.alice.address, ETH, vested, vested, at + pc.vestingPeriod],
      ["PositionUpdated", ...positionUpdated(d.alice, EMPTY)],
    ]);
    // The vault takes the whole remainder over, so the impact part of the fee is its own; what φ withholds
    // stays in its cash.
    await expectLedger(d, before, {
      free: [
        [d.keeper, reward],
        [d.alice, alice.marginWad + kept],
      ],
      positions: [[d.alice, EMPTY]],
      vaultCashWad: -reward - fee.feeWad - kept + fee.impactWad,
      insuranceWad: fee.feeWad - fee.impactWad,
      inLiquidation: 0n,
      longSizeWad: -w(5),
      longJSum: -w(5) * alice.jWad,
    });
    expect((await d.engine.profitWithheldWad(ETH)) - withheldBefore).to.equal(profit - kept);
    expect(await d.engine.lockedProfitWad(d.alice.address)).to.equal(vested);
    await expectConservation(d);
  });
});

