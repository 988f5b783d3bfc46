import { expect } from "chai";
import { ZeroAddress, ZeroHash, encodeBytes32String } from "ethers";
import { networkHelpers } from "../../helpers/fixture.js";
import {
  configTuple,
  deployWithFeeds,
  expectUnchanged,
  marketInput,
  param,
  registryState,
} from "../../helpers/state.js";
import type { MarketInput } from "../../helpers/state.js";

const SOL = encodeBytes32String("SOL-USD");

/** The registry state plus the would-be market's symbol lookup, which a failed listing must leave at zero. */
async function listingState(d: Awaited<ReturnType<typeof deployWithFeeds>>, symbol: string) {
  return { registry: await registryState(d.registry), idOfSymbol: await d.registry.marketIdOf(symbol) };
}

describe("MarketRegistry.listMarket", () => {
  async function expectListingReverts(
    overrides: Partial<MarketInput>,
    error: string,
    args: unknown[],
    symbol: string = SOL
  ) {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const config = marketInput(await d.ethFeed.getAddress(), 8, overrides);
    await expectUnchanged(
      () => listingState(d, symbol),
      () =>
        expect(d.registry.listMarket(symbol, config))
          .to.be.revertedWithCustomError(d.registry, error)
          .withArgs(...args)
    );
  }

  it("test_listMarket_listsWithTheNextIdAndEmitsMarketListed", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const feed = await d.feed18.getAddress();
    // The caller's feedDecimals and listed flags are ignored: the registry sets both.
    const input = marketInput(feed, 18, { feedDecimals: 8n, listed: false });
    const stored = { ...input, feedDecimals: 18n, listed: true };

    await expect(d.registry.listMarket(SOL, input))
      .to.emit(d.registry, "MarketListed")
      .withArgs(3n, SOL, configTuple(stored));

    expect(await d.registry.marketCount()).to.equal(3n);
    expect(await d.registry.marketIdOf(SOL)).to.equal(3n);
    expect(await d.registry.symbolOf(3n)).to.equal(SOL);
    expect(await d.registry.marketConfig(3n)).to.deep.equal(configTuple(stored));
    expect(await d.registry.isRiskCompliant(3n)).to.equal(true);
  });

  it("test_listMarket_assignsSequentialIds", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    expect(await d.registry.marketIdOf(encodeBytes32String("ETH-USD"))).to.equal(1n);
    expect(await d.registry.marketIdOf(encodeBytes32String("BTC-USD"))).to.equal(2n);
    const symbols = ["SOL-USD", "XRP-USD", "AVAX-USD"].map((s) => encodeBytes32String(s));
    for (const [i, symbol] of symbols.entries()) {
      const expectedId = BigInt(i) + 3n;
      await expect(d.registry.listMarket(symbol, marketInput(await d.feed6.getAddress(), 6)))
        .to.emit(d.registry, "MarketListed")
        .withArgs(expectedId, symbol, (config: { feedDecimals: bigint }) => config.feedDecimals === 6n);
      expect(await d.registry.symbolOf(expectedId)).to.equal(symbol);
      expect(await d.registry.marketIdOf(symbol)).to.equal(expectedId);
    }
    expect(await d.registry.marketCount()).to.equal(5n);
  });

  it("test_listMarket_revertsOnDuplicateSymbol", async () => {
    const eth = encodeBytes32String("ETH-USD");
    await expectListingReverts({}, "SymbolTaken", [eth], eth);
  });

  it("test_listMarket_revertsOnZeroSymbol", async () => {
    await expectListingReverts({}, "SymbolTaken", [ZeroHash], ZeroHash);
  });

  it("test_listMarket_revertsOnZeroFeed", async () => {
    await expectListingReverts({ feed: ZeroAddress }, "ZeroAddress", []);
  });

  it("test_listMarket_revertsOnFeedWithMoreThan18Decimals", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const config = marketInput(await d.feed19.getAddress(), 19);
    await expectUnchanged(
      () => listingState(d, SOL),
      () =>
        expect(d.registry.listMarket(SOL, config))
          .to.be.revertedWithCustomError(d.registry, "FeedDecimalsUnsupported")
          .withArgs(19n)
    );
  });

  it("test_listMarket_revertsOnNegativeMinAnswer", async () => {
    await expectListingReverts({ minAnswer: -1n }, "AnswerBoundsInvalid", [-1n, 4_000_000n * 10n ** 8n]);
  });

  it("test_listMarket_revertsWhenMaxAnswerDoesNotExceedMinAnswer", async () => {
    await expectListingReverts({ minAnswer: 5n, maxAnswer: 5n }, "AnswerBoundsInvalid", [5n, 5n]);
    await expectListingReverts({ minAnswer: 6n, maxAnswer: 5n }, "AnswerBoundsInvalid", [6n, 5n]);
  });

  // Each row breaks one hard bound and nothing checked before it, so the error names that parameter.
  const bounds: [string, keyof MarketInput, bigint, bigint, bigint][] = [
    ["heartbeat", "heartbeat", 59n, 60n, 172_800n],
    ["heartbeat", "heartbeat", 172_801n, 60n, 172_800n],
    ["deviation", "deviationWad", 10n ** 14n - 1n, 10n ** 14n, 5n * 10n ** 16n],
    ["deviation", "deviationWad", 5n * 10n ** 16n + 1n, 10n ** 14n, 5n * 10n ** 16n],
    ["tradingFee", "tradingFeeWad", 10n ** 16n + 1n, 0n, 10n ** 16n],
    ["liquidationFeeExtra", "liquidationFeeExtraWad", 5n * 10n ** 16n + 1n, 0n, 5n * 10n ** 16n],
    ["latencyBuffer", "latencyBufferWad", 10n ** 15n - 1n, 10n ** 15n, 5n * 10n ** 16n],
    ["latencyBuffer", "latencyBufferWad", 5n * 10n ** 16n + 1n, 10n ** 15n, 5n * 10n ** 16n],
    ["mmr", "mmrWad", 0n, 1n, 5n * 10n ** 17n],
    ["mmr", "mmrWad", 5n * 10n ** 17n + 1n, 1n, 5n * 10n ** 17n],
    ["imr", "imrWad", 10n ** 16n - 1n, 10n ** 16n, 9n * 10n ** 17n],
    ["imr", "imrWad", 9n * 10n ** 17n + 1n, 10n ** 16n, 9n * 10n ** 17n],
    ["skewScale", "skewScaleWad", 10n ** 18n - 1n, 10n ** 18n, 10n ** 36n],
    ["skewScale", "skewScaleWad", 10n ** 36n + 1n, 10n ** 18n, 10n ** 36n],
    ["maxFundingRate", "maxFundingRatePerDayWad", 10n ** 17n + 1n, 0n, 10n ** 17n],
    ["oiCap", "oiCapUsdWad", 10n ** 30n + 1n, 0n, 10n ** 30n],
    ["minNotional", "minNotionalUsdWad", 0n, 1n, 10n ** 24n],
    ["minNotional", "minNotionalUsdWad", 10n ** 24n + 1n, 1n, 10n ** 24n],
    ["vaultExposureCap", "vaultExposureCapWad", 2n * 10n ** 18n + 1n, 0n, 2n * 10n ** 18n],
    ["insuranceDailyCap", "insuranceDailyCapUsdWad", 10n ** 30n + 1n, 0n, 10n ** 30n],
  ];
  for (const [name, field, value, min, max] of bounds) {
    it(`test_listMarket_revertsWhen_${name}_is_${value}`, async () => {
      await expectListingReverts({ [field]: value }, "ParameterOutOfBounds", [param(name), value, min, max]);
    });
  }

  it("test_listMarket_revertsWhenFeeBelowHalfTheDeviation", async () => {
    // δ = 0.2%: the floor is 0.1% a side, twice the preset fee. MMR is raised so only the fee floor fails.
    await expectListingReverts(
      { deviationWad: 2n * 10n ** 15n, mmrWad: 10n ** 16n, imrWad: 125n * 10n ** 14n },
      "FeeBelowDeviationFloor",
      [5n * 10n ** 14n, 10n ** 15n]
    );
  });

  it("test_listMarket_feeFloorRoundsUp", async () => {
    // δ odd by one wei: δ/2 rounds up, so a fee of exactly ⌊δ/2⌋ is one wei short.
    const deviation = 2n * 10n ** 14n + 1n;
    await expectListingReverts({ deviationWad: deviation, tradingFeeWad: 10n ** 14n }, "FeeBelowDeviationFloor", [
      10n ** 14n,
      10n ** 14n + 1n,
    ]);
  });

  it("test_listMarket_revertsWhenMmrBelowFeesPlusDeviationPlusBuffer", async () => {
    // 2 × 0.05% + 0.1% + 0.1% = 0.3%: one wei under is refused (IMR and minimum still satisfy their own rules).
    const required = 3n * 10n ** 15n;
    await expectListingReverts(
      { mmrWad: required - 1n, imrWad: 10n ** 16n, minNotionalUsdWad: 2000n * 10n ** 18n },
      "MaintenanceMarginTooLow",
      [required - 1n, required]
    );
  });

  it("test_listMarket_acceptsMmrExactlyAtTheRequirement", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const config = marketInput(await d.ethFeed.getAddress(), 8, {
      mmrWad: 3n * 10n ** 15n,
      imrWad: 10n ** 16n,
      minNotionalUsdWad: 2000n * 10n ** 18n,
    });
    await expect(d.registry.listMarket(SOL, config)).to.emit(d.registry, "MarketListed");
    expect((await d.registry.marketConfig(3n)).mmrWad).to.equal(3n * 10n ** 15n);
    expect(await d.registry.isRiskCompliant(3n)).to.equal(true);
  });

  it("test_listMarket_revertsWhenImrBelow1_25Mmr", async () => {
    // 1.25 × 0.9% = 1.125% exactly.
    await expectListingReverts({ imrWad: 1125n * 10n ** 13n - 1n }, "InitialMarginTooLow", [
      1125n * 10n ** 13n - 1n,
      1125n * 10n ** 13n,
    ]);
  });

  it("test_listMarket_imrRequirementRoundsUp", async () => {
    // 1.25 × (0.9% + 1 wei) = 1.125% + 1.25 wei, rounded up to + 2 wei.
    const mmr = 9n * 10n ** 15n + 1n;
    await expectListingReverts({ mmrWad: mmr, imrWad: 1125n * 10n ** 13n + 1n }, "InitialMarginTooLow", [
      1125n * 10n ** 13n + 1n,
      1125n * 10n ** 13n + 2n,
    ]);
  });

  it("test_listMarket_revertsWhenMmrTimesMinNotionalBelowKeeperFloor", async () => {
    // $5 / 0.9% = $555.5…6 rounded up.
    const required = (5n * 10n ** 36n + 9n * 10n ** 15n - 1n) / (9n * 10n ** 15n);
    await expectListingReverts({ minNotionalUsdWad: required - 1n }, "MinNotionalTooSmall", [required - 1n, required]);
  });

  it("test_listMarket_acceptsMinNotionalExactlyAtTheKeeperFloor", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const required = (5n * 10n ** 36n + 9n * 10n ** 15n - 1n) / (9n * 10n ** 15n);
    const config = marketInput(await d.ethFeed.getAddress(), 8, { minNotionalUsdWad: required });
    await expect(d.registry.listMarket(SOL, config)).to.emit(d.registry, "MarketListed");
    expect((await d.registry.marketConfig(3n)).minNotionalUsdWad).to.equal(required);
  });

  const badTiers: [string, [bigint, bigint, bigint, bigint]][] = [
    ["FirstBoundAt1x", [10_000n, 100_000n, 200_000n, 400_000n]],
    ["FirstBoundBelow1x", [5_000n, 100_000n, 200_000n, 400_000n]],
    ["EqualNeighbours", [30_000n, 100_000n, 100_000n, 400_000n]],
    ["Descending", [30_000n, 200_000n, 100_000n, 400_000n]],
    ["LastAbove1000x", [30_000n, 100_000n, 200_000n, 10_000_001n]],
  ];
  for (const [label, tiers] of badTiers) {
    it(`test_listMarket_revertsOnTierBounds${label}`, async () => {
      await expectListingReverts({ tierBoundsX1e4: tiers }, "TierBoundsInvalid", []);
    });
  }

  it("test_listMarket_acceptsTierBoundsAtTheirLimits", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const tiers: [bigint, bigint, bigint, bigint] = [10_001n, 10_002n, 10_003n, 10_000_000n];
    await d.registry.listMarket(SOL, marketInput(await d.ethFeed.getAddress(), 8, { tierBoundsX1e4: tiers }));
    expect((await d.registry.marketConfig(3n)).tierBoundsX1e4).to.deep.equal(tiers);
  });

  it("test_listMarket_revertsBeyond64Markets", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const feed = await d.ethFeed.getAddress();
    for (let i = 3; i <= 64; i++) await d.registry.listMarket(encodeBytes32String(`M${i}`), marketInput(feed, 8));
    expect(await d.registry.marketCount()).to.equal(64n);
    const symbol = encodeBytes32String("M65");
    await expectUnchanged(
      () => listingState(d, symbol),
      () =>
        expect(d.registry.listMarket(symbol, marketInput(feed, 8)))
          .to.be.revertedWithCustomError(d.registry, "TooManyMarkets")
          .withArgs(64n)
    );
  });

  it("test_listMarket_revertsForNonAdmin", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const config = marketInput(await d.ethFeed.getAddress(), 8);
    await expectUnchanged(
      () => listingState(d, SOL),
      () =>
        expect(d.registry.connect(d.stranger).listMarket(SOL, config))
          .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
          .withArgs(d.stranger.address, ZeroHash)
    );
  });
});
