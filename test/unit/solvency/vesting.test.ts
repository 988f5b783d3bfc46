import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { BTC, ETH, TOKEN_TO_WAD, anyPrice, deployFunded, disableFunding, networkHelpers, setPrice, tokens, w } from "../../helpers/fixture.js";
import { eventsNamed, mined } from "../../helpers/engine.js";

const HOUR = 3_600n;

/** alice holds 1,000 ETH long at ~10x and 20 BTC long; funding off so amounts are exact. */
async function deployWinner() {
  const d = await deployFunded();
  await disableFunding(d, [ETH, BTC]);
  await d.engine.connect(d.alice).deposit(tokens(900_000));
  await d.engine.connect(d.alice).trade(ETH, w(1_000), w(401_000), anyPrice(1n), []);
  await d.engine.connect(d.alice).trade(BTC, w(20), w(240_000), anyPrice(1n), []);
  return d;
}

/** The realised PnL of the last Traded event of the transaction. */
async function realisedOf(d: Awaited<ReturnType<typeof deployWinner>>, tx: Promise<ContractTransactionResponse>) {
  const traded = eventsNamed(d, await mined(tx), "Traded");
  if (traded.length === 0) throw new Error("no Traded event");
  return traded[traded.length - 1][6] as bigint;
}

describe("vesting of large realised profit", () => {
  it("test_closePosition_profitBelowTheDailyThresholdIsWithdrawableAtOnce", async () => {
    const d = await networkHelpers.loadFixture(deployWinner);
    await setPrice(d.ethFeed, 4_050); // about $50k of profit
    const realised = await realisedOf(d, d.engine.connect(d.alice).closePosition(ETH, 0n));
    expect(realised).to.be.lessThan(w(100_000));
    expect(await d.engine.lockedProfitWad(d.alice.address)).to.equal(0n);
    const free = await d.engine.freeCollateralWad(d.alice.address);
    await d.engine.connect(d.alice).withdraw(free / TOKEN_TO_WAD);
  });

  it("test_closePosition_profitAboveTheDailyThresholdVestsOverAnHour", async () => {
    const d = await networkHelpers.loadFixture(deployWinner);
    await setPrice(d.ethFeed, 4_200); // about $200k of profit
    const tx = d.engine.connect(d.alice).closePosition(ETH, 0n);
    const realised = await realisedOf(d, tx);
    const excess = realised - w(100_000);
    const vestedAt = BigInt(await networkHelpers.time.latest());
    expect(await d.engine.lockedProfitWad(d.alice.address)).to.equal(excess);

    // A minute later 59/60 of it is still locked (rounded up); one unit more than the rest reverts.
    const free = await d.engine.freeCollateralWad(d.alice.address);
    const lockedThen = (excess * (HOUR - 60n) + HOUR - 1n) / HOUR;
    const withdrawable = free - lockedThen;
    const tooMuch = withdrawable / TOKEN_TO_WAD + 1n;
    await networkHelpers.time.setNextBlockTimestamp(vestedAt + 60n);
    await expect(d.engine.connect(d.alice).withdraw(tooMuch))
      .to.be.revertedWithCustomError(d.engine, "ProfitStillVesting")
      .withArgs(withdrawable, tooMuch * TOKEN_TO_WAD, lockedThen);
    expect(await d.engine.freeCollateralWad(d.alice.address)).to.equal(free);

    // Linear: after half the period half is still locked (rounded up).
    await networkHelpers.time.increaseTo(vestedAt + HOUR / 2n);
    expect(await d.engine.lockedProfitWad(d.alice.address)).to.equal((excess * (HOUR / 2n) + HOUR - 1n) / HOUR);
    await networkHelpers.time.increaseTo(vestedAt + HOUR);
    expect(await d.engine.lockedProfitWad(d.alice.address)).to.equal(0n);
    await d.engine.connect(d.alice).withdraw(free / TOKEN_TO_WAD);
  });

  it("test_closePosition_theDailyTotalCountsEveryMarket", async () => {
    const d = await networkHelpers.loadFixture(deployWinner);
    await setPrice(d.ethFeed, 4_070); // about $70k on ETH
    await setPrice(d.btcFeed, 119_000); // about $40k on BTC
    const eth = await realisedOf(d, d.engine.connect(d.alice).closePosition(ETH, 0n));
    expect(eth).to.be.lessThan(w(100_000));
    expect(await d.engine.lockedProfitWad(d.alice.address)).to.equal(0n);
    const btc = await realisedOf(d, d.engine.connect(d.alice).closePosition(BTC, 0n));
    expect(eth + btc).to.be.greaterThan(w(100_000));
    expect(await d.engine.lockedProfitWad(d.alice.address)).to.equal(eth + btc - w(100_000));
  });

  it("test_closePosition_aNewUtcDayStartsANewThreshold", async () => {
    const d = await networkHelpers.loadFixture(deployWinner);
    await setPrice(d.ethFeed, 4_090); // about $90k
    await d.engine.connect(d.alice).trade(ETH, -w(500), 0n, 0n, []);
    const now = BigInt(await networkHelpers.time.latest());
    await networkHelpers.time.increaseTo((now / 86_400n + 1n) * 86_400n + 10n);
    await setPrice(d.ethFeed, 4_090);
    await setPrice(d.btcFeed, 117_000);
    const realised = await realisedOf(d, d.engine.connect(d.alice).closePosition(ETH, 0n));
    expect(realised).to.be.lessThan(w(100_000));
    expect(await d.engine.lockedProfitWad(d.alice.address)).to.equal(0n);
  });
});

