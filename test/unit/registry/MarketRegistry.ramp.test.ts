import { expect } from "chai";
import { encodeBytes32String } from "ethers";
import { ETH, networkHelpers } from "../../helpers/fixture.js";
import { deployWithFeeds, expectUnchanged, marketInput, nextUtcDay, registryState } from "../../helpers/state.js";

const E13 = 10n ** 13n;
const E15 = 10n ** 15n;

// ETH-USD starts the day at MMR 0.9% and IMR 1.125%: today's ceilings are 0.99% and 1.2375%.
const MMR = 9n * E15;
const IMR = 1125n * E13;
const MMR_MAX_DAY1 = 99n * 10n ** 14n;
const IMR_MAX_DAY1 = 12_375n * 10n ** 12n;
// After a full raise on day 1, day 2 allows 10% more of those: 1.089% and 1.36125%.
const MMR_MAX_DAY2 = 1089n * E13;
const IMR_MAX_DAY2 = 136_125n * 10n ** 11n;
const BUFFER = E15;

type Fixture = Awaited<ReturnType<typeof deployWithFeeds>>;

/** Mines a reverting call at exactly `timestamp`, so the revert is judged on that block's UTC day. */
async function revertsAt(d: Fixture, timestamp: number, mmr: bigint, maxToday: bigint) {
  await networkHelpers.time.setNextBlockTimestamp(timestamp);
  await expectUnchanged(
    () => registryState(d.registry),
    () =>
      expect(d.registry.setMarginRatios(ETH, mmr, (mmr * 5n + 3n) / 4n, BUFFER, { gasLimit: 1_000_000n }))
        .to.be.revertedWithCustomError(d.registry, "MarginRaiseTooFast")
        .withArgs(mmr, maxToday)
  );
  expect(await networkHelpers.time.latest()).to.equal(timestamp);
}

describe("MarketRegistry margin ramp", () => {
  it("test_setMarginRatios_raisesBy10PercentOfTheDayStart", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expect(d.registry.setMarginRatios(ETH, MMR_MAX_DAY1, IMR_MAX_DAY1, BUFFER))
      .to.emit(d.registry, "MarginRatiosUpdated")
      .withArgs(ETH, MMR_MAX_DAY1, IMR_MAX_DAY1, BUFFER);
    const c = await d.registry.marketConfig(ETH);
    expect([c.mmrWad, c.imrWad]).to.deep.equal([MMR_MAX_DAY1, IMR_MAX_DAY1]);
  });

  it("test_setMarginRatios_revertsOnMmrRaiseAbove10PercentWithTheExactMax", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const mmr = MMR_MAX_DAY1 + 1n;
    const imr = (mmr * 5n + 3n) / 4n;
    await expectUnchanged(
      () => registryState(d.registry),
      () =>
        expect(d.registry.setMarginRatios(ETH, mmr, imr, BUFFER))
          .to.be.revertedWithCustomError(d.registry, "MarginRaiseTooFast")
          .withArgs(mmr, MMR_MAX_DAY1)
    );
  });

  it("test_setMarginRatios_revertsOnImrRaiseAbove10PercentWithTheExactMax", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectUnchanged(
      () => registryState(d.registry),
      () =>
        expect(d.registry.setMarginRatios(ETH, MMR, IMR_MAX_DAY1 + 1n, BUFFER))
          .to.be.revertedWithCustomError(d.registry, "MarginRaiseTooFast")
          .withArgs(IMR_MAX_DAY1 + 1n, IMR_MAX_DAY1)
    );
  });

  it("test_setMarginRatios_raisesOnTheSameDayDoNotCompound", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    // Two steps of ~5.6% and ~4.2% reach the day's ceiling; a third step is measured against 0.9%, not 0.99%.
    await d.registry.setMarginRatios(ETH, 95n * 10n ** 14n, 11_875n * 10n ** 12n, BUFFER);
    await d.registry.setMarginRatios(ETH, MMR_MAX_DAY1, IMR_MAX_DAY1, BUFFER);
    const mmr = MMR_MAX_DAY1 + 1n;
    await expectUnchanged(
      () => registryState(d.registry),
      () =>
        expect(d.registry.setMarginRatios(ETH, mmr, (mmr * 5n + 3n) / 4n, BUFFER))
          .to.be.revertedWithCustomError(d.registry, "MarginRaiseTooFast")
          .withArgs(mmr, MMR_MAX_DAY1)
    );
  });

  it("test_setMarginRatios_nextUtcDayAllowsAnother10Percent", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await d.registry.setMarginRatios(ETH, MMR_MAX_DAY1, IMR_MAX_DAY1, BUFFER);
    const tomorrow = nextUtcDay(await networkHelpers.time.latest());

    // The day's last second still measures against this morning's 0.9%.
    await revertsAt(d, tomorrow - 1, MMR_MAX_DAY1 + 1n, MMR_MAX_DAY1);

    await networkHelpers.time.setNextBlockTimestamp(tomorrow);
    await expect(d.registry.setMarginRatios(ETH, MMR_MAX_DAY2, IMR_MAX_DAY2, BUFFER))
      .to.emit(d.registry, "MarginRatiosUpdated")
      .withArgs(ETH, MMR_MAX_DAY2, IMR_MAX_DAY2, BUFFER);

    // And the new day's ceiling is 10% over the new base, not over yesterday's.
    const mmr = MMR_MAX_DAY2 + 1n;
    await expectUnchanged(
      () => registryState(d.registry),
      () =>
        expect(d.registry.setMarginRatios(ETH, mmr, (mmr * 5n + 3n) / 4n, BUFFER))
          .to.be.revertedWithCustomError(d.registry, "MarginRaiseTooFast")
          .withArgs(mmr, MMR_MAX_DAY2)
    );
  });

  it("test_setMarginRatios_loweringNeedsNoRamp", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await d.registry.setMarginRatios(ETH, MMR_MAX_DAY1, IMR_MAX_DAY1, BUFFER);
    await d.registry.setMarginRatios(ETH, 8n * E15, 10n * E15, BUFFER);
    const c = await d.registry.marketConfig(ETH);
    expect([c.mmrWad, c.imrWad]).to.deep.equal([8n * E15, 10n * E15]);
  });
});

describe("MarketRegistry.isRiskCompliant", () => {
  const SOL = encodeBytes32String("SOL-USD");
  // A market whose fee (0.25%) already covers δ = 0.5% but whose MMR (0.9%) does not: after the raise of δ it
  // needs 2 × 0.25% + 0.5% + 0.1% = 1.1%, three daily steps away (0.9% → 0.99% → 1.089% → 1.1%).
  const REQUIRED = 11n * 10n ** 15n;

  async function rampingMarket() {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const feed = await d.ethFeed.getAddress();
    const config = marketInput(feed, 8, { tradingFeeWad: 25n * 10n ** 14n });
    await d.registry.listMarket(SOL, config);
    expect(await d.registry.isRiskCompliant(3n)).to.equal(true);
    await d.registry.setOracle(3n, feed, 3600n, 5n * E15, config.minAnswer, config.maxAnswer);
    return d;
  }

  it("test_isRiskCompliant_trueForThePresets", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    expect(await d.registry.isRiskCompliant(1n)).to.equal(true);
    expect(await d.registry.isRiskCompliant(2n)).to.equal(true);
  });

  it("test_isRiskCompliant_falseWhenARaisedDeviationOutgrowsTheFee", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const c = await d.registry.marketConfig(ETH);
    // δ 0.2% puts the fee floor at 0.1%, above the 0.05% fee (the MMR of 0.9% still covers 0.4%).
    await d.registry.setOracle(ETH, c.feed, c.heartbeat, 2n * E15, c.minAnswer, c.maxAnswer);
    expect(await d.registry.isRiskCompliant(ETH)).to.equal(false);
  });

  it("test_isRiskCompliant_falseAfterADeviationRaiseThenTrueOnceMarginsRampedUp", async () => {
    const d = await rampingMarket();
    expect(await d.registry.isRiskCompliant(3n)).to.equal(false);

    // Day 0: a raise still below the requirement is the ramp, and is allowed.
    await d.registry.setMarginRatios(3n, MMR_MAX_DAY1, IMR_MAX_DAY1, BUFFER);
    expect(await d.registry.isRiskCompliant(3n)).to.equal(false);

    let day = nextUtcDay(await networkHelpers.time.latest());
    await networkHelpers.time.setNextBlockTimestamp(day);
    // Day 1: the daily cap still binds during a ramp (1.1% would be 11% over 0.99%).
    await expect(d.registry.setMarginRatios(3n, REQUIRED, (REQUIRED * 5n + 3n) / 4n, BUFFER))
      .to.be.revertedWithCustomError(d.registry, "MarginRaiseTooFast")
      .withArgs(REQUIRED, MMR_MAX_DAY2);
    await d.registry.setMarginRatios(3n, MMR_MAX_DAY2, IMR_MAX_DAY2, BUFFER);
    expect(await d.registry.isRiskCompliant(3n)).to.equal(false);

    day = nextUtcDay(await networkHelpers.time.latest());
    await networkHelpers.time.setNextBlockTimestamp(day);
    await d.registry.setMarginRatios(3n, REQUIRED, (REQUIRED * 5n + 3n) / 4n, BUFFER);
    expect(await d.registry.isRiskCompliant(3n)).to.equal(true);
  });

  it("test_setMarginRatios_revertsWhenLoweringTheMmrOfARampingMarket", async () => {
    const d = await rampingMarket();
    const mmr = 89n * 10n ** 14n;
    await expectUnchanged(
      () => registryState(d.registry),
      () =>
        expect(d.registry.setMarginRatios(3n, mmr, IMR, BUFFER))
          .to.be.revertedWithCustomError(d.registry, "MaintenanceMarginTooLow")
          .withArgs(mmr, REQUIRED)
    );
  });

  it("test_isRiskCompliant_revertsForUnlistedMarket", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expect(d.registry.isRiskCompliant(3n))
      .to.be.revertedWithCustomError(d.registry, "MarketNotListed")
      .withArgs(3n);
  });
});
