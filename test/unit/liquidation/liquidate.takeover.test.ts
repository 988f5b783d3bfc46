import { expect } from "chai";
import { ETH, networkHelpers, setPrice, tokens, w } from "../../helpers/fixture.js";
import {
  EMPTY,
  adlSlice,
  deployBook,
  equityAtWad,
  eventNames,
  eventsNamed,
  expectConservation,
  expectLedger,
  keeperRewardWad,
  ledgerOf,
  liquidatedArgs,
  liquidationFeeWad,
  marginFor,
  mined,
  open,
  positionIn,
  positionUpdated,
  setExposureCap,
  skewOf,
  splitEquity,
  termsAt,
  tierList,
} from "../../helpers/liquidation.js";

const GAP = w(3850);

/**
 * alice 10 ETH long at about 41x; bob 3 short at 45x (tier 4) and carol 3 short at 30x (tier 3): the traders
 * are net long 4, so the vault is short 4. Then the exposure cap goes to zero, $10k is donated to the
 * insurance fund and ETH gaps to $3,850, through alice's bankruptcy price (about $3,902).
 */
async function deployCapacityBook() {
  const d = await deployBook();
  await open(d, d.alice, w(10), w(1000));
  await open(d, d.bob, -w(3), marginFor(w(3), 45n));
  await open(d, d.carol, -w(3), marginFor(w(3), 30n));
  await setExposureCap(d, 0n);
  await d.engine.connect(d.lp).donateInsurance(tokens(10_000));
  await setPrice(d.ethFeed, 3850);
  return d;
}

/** alice 10 long, bob 2 short: the vault is short 8. Cap zero, ETH at $3,935 (alice's equity still positive). */
async function deployReducingBook() {
  const d = await deployBook();
  await open(d, d.alice, w(10), w(1000));
  await open(d, d.bob, -w(2), marginFor(w(2), 45n));
  await setExposureCap(d, 0n);
  await setPrice(d.ethFeed, 3935);
  return d;
}

/**
 * bob 30 short at about 41x, alice 10 long: the vault is long 20 ($80k), and its cap is lowered to 1% of its
 * equity (about $50k), so it already carries more than its cap on the long side. ETH at $3,935.
 */
async function deployVaultOverCapBook() {
  const d = await deployBook();
  await open(d, d.bob, -w(30), w(3000));
  await open(d, d.alice, w(10), w(1000));
  await setExposureCap(d, w("0.01"));
  await setPrice(d.ethFeed, 3935);
  return d;
}

/**
 * alice 10 long; ETH falls to $3,849 and bob shorts 6 there, so at $3,850 bob is not in profit. The vault is
 * short 4, its cap zero, $10k in the insurance fund.
 */
async function deployNoProfitableCounterpartyBook() {
  const d = await deployBook();
  await open(d, d.alice, w(10), w(1000));
  await setPrice(d.ethFeed, 3849);
  await open(d, d.bob, -w(6), marginFor(w(6), 45n));
  await setExposureCap(d, 0n);
  await d.engine.connect(d.lp).donateInsurance(tokens(10_000));
  await setPrice(d.ethFeed, 3850);
  return d;
}

describe("LiquidationModule.liquidate: vault takeover", () => {
  it("test_liquidate_vaultTakesOverUpToItsCapacityAndAdlFillsTheRestAtTheOraclePrice", async () => {
    const d = await networkHelpers.loadFixture(deployCapacityBook);
    const before = await ledgerOf(d);
    const alice = positionIn(d, before, d.alice);
    const bob = positionIn(d, before, d.bob);
    expect([bob.tier, positionIn(d, before, d.carol).tier]).to.deep.equal([4n, 3n]);
    expect(await tierList(d, false, 4)).to.deep.equal([d.bob.address]);
    const t = await termsAt(d, GAP);

    const equity = equityAtWad(alice, GAP);
    const reward = keeperRewardWad(t, w(10));
    expect(reward).to.equal(w("7.7"));
    // Bankrupt: nothing for the fee; the deficit is the negative equity plus the whole reward.
    const split = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: 0n });
    expect(split.deficitWad).to.equal(reward - equity);
    expect(split.deficitWad < w(5000) && split.deficitWad < before.insuranceWad).to.equal(true);
    // Taking alice's long first unwinds the vault's short 4 (never limited), then the cap (zero) allows no
    // more: 8 units. The other 2 go to ADL, bob (tier 4) first; the deficit is paid, so no haircut.
    const fill = adlSlice(bob, w(2), GAP);

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventNames(d, receipt)).to.deep.equal([
      "AdlFill",
      "PositionUpdated",
      "DeficitPaid",
      "PositionUpdated",
      "Liquidated",
    ]);
    expect(eventsNamed(d, receipt, "AdlFill")).to.deep.equal([
      [d.bob.address, ETH, d.alice.address, w(2), GAP, GAP, 0n, 4n],
    ]);
    expect(eventsNamed(d, receipt, "PositionUpdated")).to.deep.equal([
      positionUpdated(d.bob, fill.after),
      positionUpdated(d.alice, EMPTY),
    ]);
    expect(eventsNamed(d, receipt, "DeficitPaid")).to.deep.equal([
      [d.alice.address, ETH, split.deficitWad, split.deficitWad, 0n, 0n, 0n],
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
      free: [
        [d.keeper, reward],
        [d.bob, fill.marginSliceWad + fill.profitWad],
      ],
      positions: [
        [d.alice, EMPTY],
        [d.bob, fill.after],
      ],
      insuranceWad: -split.deficitWad,
      insuranceUsedTodayWad: split.deficitWad,
      // alice's margin, less the reward the vault fronts, plus the fund's payment, less bob's profit.
      vaultCashWad: alice.marginWad - reward + split.deficitWad - fill.profitWad,
      longSizeWad: -w(10),
      longJSum: -w(10) * alice.jWad,
      shortSizeWad: -w(2),
      shortJSum: -w(2) * bob.jWad,
    });
    // bob's remainder keeps its place; the vault went from short 4 to long 4.
    expect(await tierList(d, false, 4)).to.deep.equal([d.bob.address]);
    expect(await skewOf(d)).to.equal(-w(4));
    await expectConservation(d);
  });

  it("test_liquidate_takeoverThatReducesTheVaultsExposureIsNeverLimited", async () => {
    const d = await networkHelpers.loadFixture(deployReducingBook);
    const before = await ledgerOf(d);
    const alice = positionIn(d, before, d.alice);
    const P = w(3935);
    const t = await termsAt(d, P);
    expect(t.vaultExposureCapWad).to.equal(0n);

    const equity = equityAtWad(alice, P);
    const reward = keeperRewardWad(t, w(10));
    // Selling 10 into a skew of +8 is favourable (average skew +3): no adverse impact, only 0.15% of notional.
    const fee = liquidationFeeWad(t, { sliceAbsWad: w(10), isLong: true, skewWad: w(8) });
    expect(fee).to.deep.equal({ feeWad: w("59.025"), impactWad: 0n });
    const split = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: fee.feeWad });
    expect(split.payoutWad > 0n).to.equal(true);

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    // All 10 to the vault (short 8 → long 2, a smaller exposure) although bob is in profit and the cap is zero.
    expect(eventNames(d, receipt)).to.deep.equal(["PositionUpdated", "Liquidated"]);
    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.alice,
        keeper: d.keeper,
        sizeClosedWad: w(10),
        priceWad: P,
        equityWad: equity,
        rewardWad: reward,
        feeWad: fee.feeWad,
        takenOverWad: w(10),
        adlSizeWad: 0n,
        remainingWad: 0n,
      }),
    ]);
    await expectLedger(d, before, {
      free: [
        [d.alice, split.payoutWad],
        [d.keeper, reward],
      ],
      positions: [[d.alice, EMPTY]],
      insuranceWad: fee.feeWad,
      vaultCashWad: alice.marginWad - equity,
      longSizeWad: -w(10),
      longJSum: -w(10) * alice.jWad,
    });
    expect(await skewOf(d)).to.equal(-w(2));
    await expectConservation(d);
  });

  it("test_liquidate_feeImpactGoesToTheInsuranceFundWhenTheVaultTakesNothingOver", async () => {
    const d = await networkHelpers.loadFixture(deployVaultOverCapBook);
    const before = await ledgerOf(d);
    const alice = positionIn(d, before, d.alice);
    const bob = positionIn(d, before, d.bob);
    const P = w(3935);
    const t = await termsAt(d, P);

    const equity = equityAtWad(alice, P);
    const reward = keeperRewardWad(t, w(10));
    const fee = liquidationFeeWad(t, { sliceAbsWad: w(10), isLong: true, skewWad: -w(20) });
    expect(fee.impactWad).to.equal(w("0.3935"));
    const split = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: fee.feeWad });
    // The vault is already long beyond its cap: it takes nothing, bob takes all 10 at the oracle price.
    const fill = adlSlice(bob, w(10), P);

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    expect(eventsNamed(d, receipt, "AdlFill")).to.deep.equal([
      [d.bob.address, ETH, d.alice.address, w(10), P, P, 0n, 4n],
    ]);
    expect(eventsNamed(d, receipt, "Liquidated")).to.deep.equal([
      liquidatedArgs({
        account: d.alice,
        keeper: d.keeper,
        sizeClosedWad: w(10),
        priceWad: P,
        equityWad: equity,
        rewardWad: reward,
        feeWad: fee.feeWad,
        takenOverWad: 0n,
        adlSizeWad: w(10),
        remainingWad: 0n,
      }),
    ]);
    // DESIGN: the impact part of the fee goes to the vault "for the size it takes over (it carries that
    // skew)". Here it takes over nothing and its exposure does not move, so the whole fee goes to the fund.
    await expectLedger(d, before, {
      free: [
        [d.alice, split.payoutWad],
        [d.keeper, reward],
        [d.bob, fill.marginSliceWad + fill.profitWad],
      ],
      positions: [
        [d.alice, EMPTY],
        [d.bob, fill.after],
      ],
      insuranceWad: fee.feeWad,
      vaultCashWad: alice.marginWad - equity - fill.profitWad,
      longSizeWad: -w(10),
      longJSum: -w(10) * alice.jWad,
      shortSizeWad: -w(10),
      shortJSum: -w(10) * bob.jWad,
    });
    expect(await skewOf(d)).to.equal(-w(20));
    await expectConservation(d);
  });

  it("test_liquidate_vaultTakesTheSizeBeyondItsCapacityWhenNoCounterpartyIsInProfit", async () => {
    const d = await networkHelpers.loadFixture(deployNoProfitableCounterpartyBook);
    const before = await ledgerOf(d);
    const alice = positionIn(d, before, d.alice);
    const bob = positionIn(d, before, d.bob);
    expect(bob.jWad < GAP).to.equal(true);
    const t = await termsAt(d, GAP);

    const equity = equityAtWad(alice, GAP);
    const reward = keeperRewardWad(t, w(10));
    const split = splitEquity({ equityWad: equity, rewardWad: reward, feeWad: 0n });

    const receipt = await mined(d.engine.connect(d.keeper).liquidate(d.alice.address, ETH));

    // Capacity is 8 (unwinding the vault's short 4, then a zero cap); bob, at a loss, cannot take the other 2,
    // so the vault takes them regardless of its limits. The fund pays the whole deficit: no bad debt.
    expect(eventNames(d, receipt)).to.deep.equal([
      "DeficitPaid",
      "VaultLimitOverride",
      "PositionUpdated",
      "Liquidated",
    ]);
    expect(eventsNamed(d, receipt, "VaultLimitOverride")).to.deep.equal([[ETH, d.alice.address, w(2)]]);
    expect(eventsNamed(d, receipt, "DeficitPaid")).to.deep.equal([
      [d.alice.address, ETH, split.deficitWad, split.deficitWad, 0n, 0n, 0n],
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
      insuranceWad: -split.deficitWad,
      insuranceUsedTodayWad: split.deficitWad,
      vaultCashWad: alice.marginWad - reward + split.deficitWad,
      longSizeWad: -w(10),
      longJSum: -w(10) * alice.jWad,
    });
    expect(await skewOf(d)).to.equal(-w(6));
    await expectConservation(d);
  });
});
