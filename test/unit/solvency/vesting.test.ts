import { expect } from "chai";
import { BTC, ETH, anyPrice, deployFunded, networkHelpers, setPrice, tokens, w } from "../../helpers/fixture.js";


const HOUR = 3_600n;

/** alice holds 1,000 ETH long at ~10x and 20 BTC long; funding off so amounts are exact. */
async function deployWinner() {
  const d = await deployFunded();
  for (const market of [ETH, BTC]) {
    const c = await d.registry.marketConfig(market);
    await d.registry.setFundingParams(market, c.skewScaleWad, 0n);
  }
  await d.engine.connect(d.alice).deposit(tokens(900_000));
  await d.engine.connect(d.alice).trade(ETH, w(1_000), w(401_000), anyPrice(1n), []);
  await d.engine.connect(d.alice).trade(BTC, w(20), w(240_000), anyPrice(1n), []);
  return d;
}

/** The realised PnL of the caller's last Traded event in `receipt`. */
async function realisedOf(d: Awaited<ReturnType<typeof deployWinner>>, txPromise: Promise<{ wait: () => Promise<unknown> }>) {
  const receipt = (await (await txPromise).wait()) as { logs: Parameters<typeof d.engine.interface.parseLog>[0][] };
  for (const log of receipt.logs) {
    const parsed = (() => {
      try {
        return d.engine.interface.parseLog(log);
      } catch {
        return null;
      }
    })();
    if (parsed?.name === "Traded") return parsed.args.realisedPnlWad as bigint;
  }
  throw new Error("no Traded event");
}

describe("vesting of large realised profit", () => {
  it("test_closePosition_profitBelowTheDailyThresholdIsWithdrawableAtOnce", async () => {
    const d = await networkHelpers.loadFixture(deployWinner);
    await setPrice(d.ethFeed, 4_050); // about $50k of profit
    const realised = await realisedOf(d, d.engine.connect(d.alice).closePosition(ETH, 0n));
    expect(realised).to.be.lessThan(w(100_000));
    expect(await d.engine.lockedProfitWad(d.alice.address)).to.equal(0n);
    const free = await d.engine.freeCollateralWad(d.alice.address);
    await d.engine.connect(d.alice).withdraw(free / 10n ** 12n);
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
    const tooMuch = withdrawable / 10n ** 12n + 1n;
    await networkHelpers.time.setNextBlockTimestamp(vestedAt + 60n);
    await expect(d.engine.connect(d.alice).withdraw(tooMuch))
      .to.be.revertedWithCustomError(d.engine, "ProfitStillVesting")
      .withArgs(withdrawable, tooMuch * 10n ** 12n, lockedThen);
    expect(await d.engine.freeCollateralWad(d.alice.address)).to.equal(free);

    // Linear: after half the period half is still locked (rounded up).
    await networkHelpers.time.increaseTo(vestedAt + HOUR / 2n);
    expect(await d.engine.lockedProfitWad(d.alice.address)).to.equal((excess * (HOUR / 2n) + HOUR - 1n) / HOUR);
    await networkHelpers.time.increaseTo(vestedAt + HOUR);
    expect(await d.engine.lockedProfitWad(d.alice.address)).to.equal(0n);
    await d.engine.connect(d.alice).withdraw(free / 10n ** 12n);
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

