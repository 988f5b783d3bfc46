import { expect } from "chai";
import { ETH, TOKEN_TO_WAD, networkHelpers, setPrice, tokens, w } from "../../helpers/fixture.js";
import { nextUtcDay } from "../../helpers/state.js";
import {
  EMPTY,
  type Actor,
  type Book,
  deployBook,
  equityAtWad,
  eventNames,
  eventsNamed,
  expectConservation,
  expectLedger,
  keeperRewardWad,
  leaveVaultRoom,
  ledgerOf,
  liquidatedArgs,
  marginFor,
  mined,
  open,
  positionIn,
  setExposureCap,
  setProtocol,
  splitEquity,
  termsAt,
  tierList,
} from "../../helpers/liquidation.js";

const GAP = w(3850);

/** alice 10 ETH long at about 41x, $10k donated to the insurance fund, ETH gaps to $3,850. */
async function deployInsuredGapBook() {
  const d = await deployBook();
  await open(d, d.alice, w(10), w(1000));
  await d.engine.connect(d.lp).donateInsurance(tokens(10_000));
  await setPrice(d.ethFeed, 3850);
  return d;
}

/**
 * One hour into a UTC day: alice, bob and carol each 100 ETH long at 40x, $20k in the insurance fund, then ETH
 * gaps to $3,850, each deficit (about $5,085) above the fund's $5k daily cap.
 */
async function deployDailyCapBook() {
  const d = await deployBook();
  await networkHelpers.time.increaseTo(nextUtcDay(await networkHelpers.time.latest()) + 3600);
  await setPrice(d.ethFeed, 4000);
  for (const trader of [d.alice, d.bob, d.carol]) await open(d, trader, w(100), w(10_200));
  await d.engine.connect(d.lp).donateInsurance(tokens(20_000));
  await setPrice(d.ethFeed, 3850);
  return d;
}

/**
 * alice 10 long; after the gap to $3,850 the LP withdraws down to $1,000 above the floor. The insurance fund
 * holds only its share of alice's opening fee.
 */
async function deployDrainedVaultBook() {
  const d = await deployBook();
  await open(d, d.alice, w(10), w(1000));
  await setPrice(d.ethFeed, 3850);
  await d.engine.poke(ETH);
  const excessWad = (await d.engine.vaultEquityWad()) - (await d.engine.solvencyFloorWad()) - w(1000);
  await d.vault.connect(d.lp).withdraw(excessWad / TOKEN_TO_WAD, d.lp.address, d.lp.address);
  return d;
}

/**
 * No fee reaches the insurance fund (its share is zero), so it stays empty. alice 10 long; heidi 10 short at 2x
 * (exempt, in profit after the gap); bob 6 short at 45x opened at $3,849 (at a loss at $3,850). The vault is
 * left $200 above its floor.
 */
async function deployBadDebtBook() {
  const d = await deployBook();
  await setProtocol(d, { insuranceFeeShareWad: 0n });
  await open(d, d.alice, w(10), w(1000));
  await open(d, d.heidi, -w(10), marginFor(w(10), 2n));
  await setPrice(d.ethFeed, 3849);
  await open(d, d.bob, -w(6), marginFor(w(6), 45n));
  await setExposureCap(d, 0n);
  await setPrice(d.ethFeed, 3850);
  await leaveVaultRoom(d, w(200));
  return d;
}

/** alice's (or another long's) waterfall numbers at the gap price when the vault takes the whole position. */
async function bankruptLong(d: Book, trader: Actor, sizeWad: bigint) {
  const before = await ledgerOf(d);
  const p = positionIn(d, before, trader);
  const t = await termsAt(d, GAP);
  const equity = equityAtWad(p, GAP);
  const reward = keeperRewardWad(t, sizeWad);
  const split = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: 0n });
  return { before, p, t, equity, reward, deficit: split.deficitWad };
}

describe("LiquidationModule.liquidate: deficit", () => {
  it("test_liquidate_insuranceFundPaysTheDeficitOfAGapThroughTheBankruptcyPrice", async () => {
    const d = await networkHelpers.loadFixture(deployInsuredGapBook);
    await d.engine.poke(ETH);
    const vaultEquityBefore = await d.engine.vaultEquityWad();
    const { before, p, equity, reward, deficit } = await bankruptLong(d, d.alice, w(10));
    // $979.99996 + 10 × ($3,850 − $4,000.008) = −$520.08004, plus the $7.70 reward nobody else pays.
    expect([equity, reward, deficit]).to.deep.equal([w("-520.08004"), w("7.7"), w("527.78004")]);

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventNames(d, receipt)).to.deep.equal(["DeficitPaid", "PositionUpdated", "Liquidated"]);
    expect(eventsNamed(d, receipt, "DeficitPaid")).to.deep.equal([
      [d.alice.address, ETH, deficit, deficit, 0n, 0n, 0n],
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
        takenOverWad: w(10),
        adlSizeWad: 0n,
        remainingWad: 0n,
      }),
    ]);
    await expectLedger(d, before, {
      free: [[d.keeper, reward]],
      positions: [[d.alice, EMPTY]],
      insuranceWad: -deficit,
      insuranceUsedTodayWad: deficit,
      vaultCashWad: p.marginWad - reward + deficit,
      longSizeWad: -w(10),
      longJSum: -w(10) * p.jWad,
    });
    // The fund paid everything the vault's equity had counted on collecting from alice.
    expect(await d.engine.vaultEquityWad()).to.equal(vaultEquityBefore);
    await expectConservation(d);
  });

  it("test_liquidate_insuranceFundPaysTheRewardShortfallOfAThinEquity", async () => {
    const d = await networkHelpers.loadFixture(deployInsuredGapBook);
    const P = w("3902.2");
    await setPrice(d.ethFeed, "3902.2");
    const before = await ledgerOf(d);
    const p = positionIn(d, before, d.alice);
    const t = await termsAt(d, P);
    // $979.99996 + 10 × ($3,902.20 − $4,000.008) = $1.91996 of equity against a $7.8044 reward: all of it to
    // the keeper, and the $5.88444 it lacks is a deficit the fund pays; nothing is left for a fee.
    const equity = equityAtWad(p, P);
    const reward = keeperRewardWad(t, w(10));
    const split = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: w(1000) });
    expect([equity, reward, split.rewardFromEquityWad, split.feeChargedWad, split.deficitWad]).to.deep.equal([
      w("1.91996"),
      w("7.8044"),
      w("1.91996"),
      0n,
      w("5.88444"),
    ]);

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventsNamed(d, receipt, "DeficitPaid")).to.deep.equal([
      [d.alice.address, ETH, split.deficitWad, split.deficitWad, 0n, 0n, 0n],
    ]);
    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.alice,
        keeper: d.keeper,
        sizeClosedWad: w(10),
        priceWad: P,
        equityWad: equity,
        rewardWad: reward,
        feeWad: 0n,
        takenOverWad: w(10),
        adlSizeWad: 0n,
        remainingWad: 0n,
      }),
    ]);
    await expectLedger(d, before, {
      free: [[d.keeper, reward]],
      positions: [[d.alice, EMPTY]],
      insuranceWad: -split.deficitWad,
      insuranceUsedTodayWad: split.deficitWad,
      vaultCashWad: p.marginWad - equity,
      longSizeWad: -w(10),
      longJSum: -w(10) * p.jWad,
    });
    await expectConservation(d);
  });

  it("test_liquidate_insuranceFundPaysAtMostItsDailyCapPerMarketUntilTheNextUtcDay", async () => {
    const d = await networkHelpers.loadFixture(deployDailyCapBook);
    const cap = (await termsAt(d, GAP)).insuranceDailyCapUsdWad;
    expect(cap).to.equal(w(5000));

    // First deficit of the day: the fund pays its $5k cap, the vault's equity the rest.
    let s = await bankruptLong(d, d.alice, w(100));
    expect(s.deficit > cap).to.equal(true);
    let receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));
    expect(eventsNamed(d, receipt, "DeficitPaid")).to.deep.equal([
      [d.alice.address, ETH, s.deficit, cap, s.deficit - cap, 0n, 0n],
    ]);
    await expectLedger(d, s.before, {
      free: [[d.keeper, s.reward]],
      positions: [[d.alice, EMPTY]],
      insuranceWad: -cap,
      insuranceUsedTodayWad: cap,
      vaultCashWad: s.p.marginWad - s.reward + cap,
      longSizeWad: -w(100),
      longJSum: -w(100) * s.p.jWad,
    });

    // Same day: the cap is spent, the vault pays all of bob's deficit although $15k is still in the fund.
    s = await bankruptLong(d, d.bob, w(100));
    receipt = await mined(d.engine.connect(d.keeper).liquidate(d.bob.address, ETH));
    expect(eventsNamed(d, receipt, "DeficitPaid")).to.deep.equal([
      [d.bob.address, ETH, s.deficit, 0n, s.deficit, 0n, 0n],
    ]);
    await expectLedger(d, s.before, {
      free: [[d.keeper, s.reward]],
      positions: [[d.bob, EMPTY]],
      vaultCashWad: s.p.marginWad - s.reward,
      longSizeWad: -w(100),
      longJSum: -w(100) * s.p.jWad,
    });
    expect(await d.engine.insuranceUsedTodayWad(ETH)).to.equal(cap);

    // The next UTC day the cap is whole again.
    await networkHelpers.time.increaseTo(nextUtcDay(await networkHelpers.time.latest()));
    await setPrice(d.ethFeed, 3850);
    expect(await d.engine.insuranceUsedTodayWad(ETH)).to.equal(0n);
    s = await bankruptLong(d, d.carol, w(100));
    receipt = await mined(d.engine.connect(d.keeper).liquidate(d.carol.address, ETH));
    expect(eventsNamed(d, receipt, "DeficitPaid")).to.deep.equal([
      [d.carol.address, ETH, s.deficit, cap, s.deficit - cap, 0n, 0n],
    ]);
    await expectLedger(d, s.before, {
      free: [[d.keeper, s.reward]],
      positions: [[d.carol, EMPTY]],
      insuranceWad: -cap,
      insuranceUsedTodayWad: cap,
      vaultCashWad: s.p.marginWad - s.reward + cap,
      longSizeWad: -w(100),
      longJSum: -w(100) * s.p.jWad,
    });
    expect(await d.engine.insuranceFundWad()).to.equal(s.before.insuranceWad - cap);
    await expectConservation(d);
  });

  it("test_liquidate_vaultEquityPaysWhatTheInsuranceFundCannot", async () => {
    const d = await networkHelpers.loadFixture(deployDrainedVaultBook);
    const vaultEquityBefore = await d.engine.vaultEquityWad();
    const floor = await d.engine.solvencyFloorWad();
    expect(floor).to.equal(w(10_000));
    const { before, p, equity, reward, deficit } = await bankruptLong(d, d.alice, w(10));
    // The fund holds 20% of alice's $20.00004 opening fee; the vault, $1,000 (and a token unit's dust) above
    // its floor, pays the rest and stays above the floor.
    expect(before.insuranceWad).to.equal(w("4.000008"));
    const fromVault = deficit - before.insuranceWad;
    expect(fromVault < vaultEquityBefore - floor).to.equal(true);

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventsNamed(d, receipt, "DeficitPaid")).to.deep.equal([
      [d.alice.address, ETH, deficit, before.insuranceWad, fromVault, 0n, 0n],
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
        takenOverWad: w(10),
        adlSizeWad: 0n,
        remainingWad: 0n,
      }),
    ]);
    await expectLedger(d, before, {
      free: [[d.keeper, reward]],
      positions: [[d.alice, EMPTY]],
      insuranceWad: -before.insuranceWad,
      insuranceUsedTodayWad: before.insuranceWad,
      vaultCashWad: p.marginWad - reward + before.insuranceWad,
      longSizeWad: -w(10),
      longJSum: -w(10) * p.jWad,
    });
    expect(await d.engine.vaultEquityWad()).to.equal(vaultEquityBefore - fromVault);
    await expectConservation(d);
  });

  it("test_liquidate_deficitNobodyCanTakeIsBadDebtWithTheVaultTakingTheSizeBeyondItsLimits", async () => {
    const d = await networkHelpers.loadFixture(deployBadDebtBook);
    const vaultEquityBefore = await d.engine.vaultEquityWad();
    const { before, p, equity, reward, deficit } = await bankruptLong(d, d.alice, w(10));
    const heidi = positionIn(d, before, d.heidi);
    const bob = positionIn(d, before, d.bob);
    // heidi is in profit but exempt (≤ 3x, in no list); bob is the only listed short, and at a loss.
    expect([heidi.tier, bob.tier, bob.jWad < GAP]).to.deep.equal([0n, 4n, true]);
    expect(await tierList(d, false, 4)).to.deep.equal([d.bob.address]);
    expect(before.insuranceWad).to.equal(0n);
    const badDebt = deficit - w(200);

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventNames(d, receipt)).to.deep.equal([
      "BadDebt",
      "DeficitPaid",
      "VaultLimitOverride",
      "PositionUpdated",
      "Liquidated",
    ]);
    expect(eventsNamed(d, receipt, "BadDebt")).to.deep.equal([[ETH, d.alice.address, badDebt, badDebt]]);
    expect(eventsNamed(d, receipt, "DeficitPaid")).to.deep.equal([
      [d.alice.address, ETH, deficit, 0n, w(200), 0n, badDebt],
    ]);
    // A deficit stays unpaid, so the vault was to take nothing; nobody profitable took the size, so it takes
    // all of it, beyond its (zero) cap.
    expect(eventsNamed(d, receipt, "VaultLimitOverride")).to.deep.equal([[ETH, d.alice.address, w(10)]]);
    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.alice,
        keeper: d.keeper,
        sizeClosedWad: w(10),
        priceWad: GAP,
        equityWad: equity,
        rewardWad: reward,
        feeWad: 0n,
        takenOverWad: w(10),
        adlSizeWad: 0n,
        remainingWad: 0n,
      }),
    ]);
    await expectLedger(d, before, {
      free: [[d.keeper, reward]],
      positions: [[d.alice, EMPTY]],
      badDebtWad: badDebt,
      vaultCashWad: p.marginWad - reward,
      longSizeWad: -w(10),
      longJSum: -w(10) * p.jWad,
    });
    // The vault paid down to its floor, and the bad debt takes it below.
    expect(await d.engine.vaultEquityWad()).to.equal(vaultEquityBefore - deficit);
    expect(await d.engine.vaultEquityWad()).to.equal((await d.engine.solvencyFloorWad()) - badDebt);
    expect(await d.engine.badDebtWad(ETH)).to.equal(badDebt);
    await expectConservation(d);
  });
});
