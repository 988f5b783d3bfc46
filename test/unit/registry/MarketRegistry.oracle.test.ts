import { expect } from "chai";
import { encodeBytes32String } from "ethers";
import { ETH, networkHelpers } from "../../helpers/fixture.js";
import { configTuple, deployWithFeeds, marketInput } from "../../helpers/state.js";

const WAD = 10n ** 18n;
const E8 = 10n ** 8n;
// ETH-USD's circuit breaker, in the feed's 8 decimals.
const MIN_ANSWER = 4n * E8;
const MAX_ANSWER = 4_000_000n * E8;

/** ETH-USD (8 decimals), plus market 3 over an 18-decimal feed and market 4 over a 6-decimal feed. */
async function deployThreeFeedKinds() {
  const d = await deployWithFeeds();
  await d.registry.listMarket(encodeBytes32String("ETH18-USD"), marketInput(await d.feed18.getAddress(), 18));
  await d.registry.listMarket(encodeBytes32String("ETH6-USD"), marketInput(await d.feed6.getAddress(), 6));
  return d;
}

describe("MarketRegistry.readPrice", () => {
  it("test_readPrice_normalisesEachFeedTo18Decimals", async () => {
    const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
    // 1234.56789012 in each feed's own decimals (the 6-decimal feed cannot carry the last two digits).
    await d.ethFeed.setPrice(123_456_789_012n);
    await d.feed18.setPrice(1_234_567_890_120_000_000_000n);
    await d.feed6.setPrice(1_234_567_890n);
    expect(await d.registry.readPrice(ETH)).to.deep.equal([1_234_567_890_120_000_000_000n, false, false]);
    expect(await d.registry.readPrice(3n)).to.deep.equal([1_234_567_890_120_000_000_000n, false, false]);
    expect(await d.registry.readPrice(4n)).to.deep.equal([1_234_567_890_000_000_000_000n, false, false]);
  });

  it("test_readPrice_readsFeedDecimalsFromTheFeedAtListing", async () => {
    const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
    expect((await d.registry.marketConfig(ETH)).feedDecimals).to.equal(8n);
    expect((await d.registry.marketConfig(3n)).feedDecimals).to.equal(18n);
    expect((await d.registry.marketConfig(4n)).feedDecimals).to.equal(6n);
  });

  for (const answer of [0n, -1n, -4000n * E8]) {
    it(`test_readPrice_revertsOnAnswer_${answer}`, async () => {
      const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
      await d.ethFeed.setPrice(answer);
      await expect(d.registry.readPrice(ETH))
        .to.be.revertedWithCustomError(d.registry, "OraclePriceNotPositive")
        .withArgs(ETH, answer);
      await expect(d.registry.marketSnapshot(ETH))
        .to.be.revertedWithCustomError(d.registry, "OraclePriceNotPositive")
        .withArgs(ETH, answer);
    });
  }

  it("test_readPrice_revertsOnRoundNeverUpdated", async () => {
    const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
    const roundId = (await d.ethFeed.latestRound()) + 1n;
    await d.ethFeed.setRound(4000n * E8, 0n, 0n, roundId);
    await expect(d.registry.readPrice(ETH))
      .to.be.revertedWithCustomError(d.registry, "OracleRoundIncomplete")
      .withArgs(ETH, roundId, roundId);
  });

  it("test_readPrice_revertsOnAnswerCarriedFromAnEarlierRound", async () => {
    const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
    const roundId = (await d.ethFeed.latestRound()) + 1n;
    const now = BigInt(await networkHelpers.time.latest());
    await d.ethFeed.setRound(4000n * E8, now, now, roundId - 1n);
    await expect(d.registry.readPrice(ETH))
      .to.be.revertedWithCustomError(d.registry, "OracleRoundIncomplete")
      .withArgs(ETH, roundId, roundId - 1n);
  });

  it("test_readPrice_freshUpToTheHeartbeatStaleAfter", async () => {
    const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
    await d.ethFeed.setPrice(4000n * E8);
    const [, , , updatedAt] = await d.ethFeed.latestRoundData();
    // Views run on the latest block: at updatedAt + heartbeat the answer is still good.
    await networkHelpers.time.increaseTo(updatedAt + 3600n);
    expect(await d.registry.readPrice(ETH)).to.deep.equal([4000n * WAD, false, false]);
    await networkHelpers.time.increaseTo(updatedAt + 3601n);
    await expect(d.registry.readPrice(ETH))
      .to.be.revertedWithCustomError(d.registry, "OraclePriceStale")
      .withArgs(ETH, updatedAt, 3600n);
    await expect(d.registry.marketSnapshot(ETH))
      .to.be.revertedWithCustomError(d.registry, "OraclePriceStale")
      .withArgs(ETH, updatedAt, 3600n);
  });

  it("test_readPrice_staleUsesEachMarketsOwnHeartbeat", async () => {
    const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
    const c = await d.registry.marketConfig(ETH);
    await d.registry.setOracle(ETH, c.feed, 60n, c.deviationWad, c.minAnswer, c.maxAnswer);
    await d.ethFeed.setPrice(4000n * E8);
    await d.feed18.setPrice(4000n * WAD);
    const [, , , updatedAt] = await d.ethFeed.latestRoundData();
    await networkHelpers.time.increaseTo(updatedAt + 61n);
    await expect(d.registry.readPrice(ETH))
      .to.be.revertedWithCustomError(d.registry, "OraclePriceStale")
      .withArgs(ETH, updatedAt, 60n);
    expect((await d.registry.readPrice(3n))[0]).to.equal(4000n * WAD);
  });

  const bounds: [string, bigint, boolean][] = [
    ["AtMin", MIN_ANSWER, true],
    ["BelowMin", MIN_ANSWER - 1n, true],
    ["JustAboveMin", MIN_ANSWER + 1n, false],
    ["Inside", 4000n * E8, false],
    ["JustBelowMax", MAX_ANSWER - 1n, false],
    ["AtMax", MAX_ANSWER, true],
    ["AboveMax", MAX_ANSWER + 1n, true],
  ];
  for (const [label, answer, atBound] of bounds) {
    it(`test_readPrice_atBound${label}_is_${atBound}`, async () => {
      const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
      await d.ethFeed.setPrice(answer);
      expect(await d.registry.readPrice(ETH)).to.deep.equal([answer * 10n ** 10n, atBound, false]);
    });
  }

  it("test_readPrice_atBoundUsesTheFeedsOwnDecimals", async () => {
    const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
    await d.feed18.setPrice(4n * WAD);
    expect(await d.registry.readPrice(3n)).to.deep.equal([4n * WAD, true, false]);
    await d.feed6.setPrice(4_000_000n * 10n ** 6n);
    expect(await d.registry.readPrice(4n)).to.deep.equal([4_000_000n * WAD, true, false]);
  });

  for (const id of [0n, 5n, 2n ** 256n - 1n]) {
    it(`test_views_revertForUnlistedMarket_${id}`, async () => {
      const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
      for (const call of [
        () => d.registry.readPrice(id),
        () => d.registry.marketSnapshot(id),
        () => d.registry.marketConfig(id),
        () => d.registry.isRiskCompliant(id),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(d.registry, "MarketNotListed").withArgs(id);
      }
    });
  }
});

describe("MarketRegistry.marketSnapshot", () => {
  it("test_marketSnapshot_returnsTheConfigAndTheCheckedPrice", async () => {
    const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
    await d.feed6.setPrice(4_000_000n * 10n ** 6n);
    const [config, protocol, priceWad, atBound, inGracePeriod] = await d.registry.marketSnapshot(4n);
    expect(protocol).to.deep.equal(await d.registry.protocolConfig());
    const expected = marketInput(await d.feed6.getAddress(), 6, { feedDecimals: 6n, listed: true });
    expect(config).to.deep.equal(configTuple(expected));
    expect([priceWad, atBound, inGracePeriod]).to.deep.equal([4_000_000n * WAD, true, false]);
  });
});

describe("MarketRegistry sequencer check", () => {
  const GRACE = 3600n;

  /** The sequencer-uptime feed reports the sequencer up since `startedAt`, and the registry watches it. */
  async function sequencerUpSince(d: Awaited<ReturnType<typeof deployThreeFeedKinds>>, startedAt: bigint) {
    const roundId = (await d.sequencer.latestRound()) + 1n;
    await d.sequencer.setRound(0n, startedAt, startedAt, roundId);
    await d.registry.setSequencerFeed(await d.sequencer.getAddress(), GRACE);
  }

  it("test_readPrice_revertsWhileTheSequencerIsDown", async () => {
    const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
    await d.registry.setSequencerFeed(await d.sequencer.getAddress(), GRACE);
    const now = BigInt(await networkHelpers.time.latest());
    await d.sequencer.setRound(1n, now, now, (await d.sequencer.latestRound()) + 1n);
    await expect(d.registry.readPrice(ETH)).to.be.revertedWithCustomError(d.registry, "SequencerDown");
    await expect(d.registry.marketSnapshot(ETH)).to.be.revertedWithCustomError(d.registry, "SequencerDown");
  });

  it("test_readPrice_inGracePeriodUntilGraceAfterStartedAt", async () => {
    const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
    const startedAt = BigInt(await networkHelpers.time.latest()) + 1n;
    // The market's feed publishes in the restart's block, so it stays fresh through the grace period.
    await networkHelpers.time.setNextBlockTimestamp(startedAt);
    await d.ethFeed.setPrice(4000n * E8);
    await sequencerUpSince(d, startedAt);
    expect(await d.registry.readPrice(ETH)).to.deep.equal([4000n * WAD, false, true]);
    expect((await d.registry.marketSnapshot(ETH))[4]).to.equal(true);

    await networkHelpers.time.increaseTo(startedAt + GRACE - 1n);
    expect(await d.registry.readPrice(ETH)).to.deep.equal([4000n * WAD, false, true]);

    await networkHelpers.time.increaseTo(startedAt + GRACE);
    expect(await d.registry.readPrice(ETH)).to.deep.equal([4000n * WAD, false, false]);
  });

  it("test_readPrice_notInGracePeriodLongAfterRestart", async () => {
    const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
    const now = BigInt(await networkHelpers.time.latest());
    await sequencerUpSince(d, now - 2n * GRACE);
    expect(await d.registry.readPrice(ETH)).to.deep.equal([4000n * WAD, false, false]);
  });

  it("test_readPrice_sequencerDownWinsOverAStaleFeed", async () => {
    const d = await networkHelpers.loadFixture(deployThreeFeedKinds);
    await d.registry.setSequencerFeed(await d.sequencer.getAddress(), GRACE);
    await networkHelpers.time.increase(7200);
    const now = BigInt(await networkHelpers.time.latest());
    await d.sequencer.setRound(1n, now, now, (await d.sequencer.latestRound()) + 1n);
    await expect(d.registry.readPrice(ETH)).to.be.revertedWithCustomError(d.registry, "SequencerDown");
  });
});
