import { expect } from "chai";
import { ZeroAddress, ZeroHash, encodeBytes32String } from "ethers";
import { ETH, BTC, networkHelpers } from "../../helpers/fixture.js";
import {
  ceilDiv,
  configTuple,
  deployWithFeeds,
  expectUnchanged,
  marketInput,
  param,
  protocolInput,
  registryState,
} from "../../helpers/state.js";
import type { MarketInput } from "../../helpers/state.js";

const WAD = 10n ** 18n;
const E14 = 10n ** 14n;
const E15 = 10n ** 15n;
const E16 = 10n ** 16n;
const FEED8_MIN = 4n * 10n ** 8n;
const FEED8_MAX = 4_000_000n * 10n ** 8n;
const UNLISTED = 3n;

type Fixture = Awaited<ReturnType<typeof deployWithFeeds>>;

/** ETH-USD as the Ignition module lists it. */
async function ethConfig(d: Fixture): Promise<MarketInput> {
  return marketInput(await d.ethFeed.getAddress(), 8, { feedDecimals: 8n, listed: true });
}

/** Asserts that `call` reverts with `error(args)` and leaves every market and protocol field as it was. */
async function expectRegistryRevert(d: Fixture, call: () => Promise<unknown>, error: string, args: unknown[]) {
  await expectUnchanged(
    () => registryState(d.registry),
    () =>
      expect(call())
        .to.be.revertedWithCustomError(d.registry, error)
        .withArgs(...args)
  );
}

describe("MarketRegistry.setOracle", () => {
  it("test_setOracle_storesFeedDecimalsAndBoundsAndEmits", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const feed = await d.feed18.getAddress();
    const [min, max] = [4n * WAD, 4_000_000n * WAD];
    await expect(d.registry.setOracle(ETH, feed, 7200n, 2n * E15, min, max))
      .to.emit(d.registry, "OracleUpdated")
      .withArgs(ETH, feed, 7200n, 2n * E15, min, max);
    const expected = {
      ...(await ethConfig(d)),
      feed,
      feedDecimals: 18n,
      heartbeat: 7200n,
      deviationWad: 2n * E15,
      minAnswer: min,
      maxAnswer: max,
    };
    expect(await d.registry.marketConfig(ETH)).to.deep.equal(configTuple(expected));
    expect(await d.registry.maxDeviationWad()).to.equal(2n * E15);
    // The new feed's 18 decimals are used for the price from now on.
    expect(await d.registry.readPrice(ETH)).to.deep.equal([4000n * WAD, false, false]);
  });

  it("test_setOracle_revertsForUnlistedMarket", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const feed = await d.ethFeed.getAddress();
    for (const id of [0n, UNLISTED]) {
      await expectRegistryRevert(
        d,
        () => d.registry.setOracle(id, feed, 3600n, E15, FEED8_MIN, FEED8_MAX),
        "MarketNotListed",
        [id]
      );
    }
  });

  it("test_setOracle_revertsOnZeroFeed", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(
      d,
      () => d.registry.setOracle(ETH, ZeroAddress, 3600n, E15, FEED8_MIN, FEED8_MAX),
      "ZeroAddress",
      []
    );
  });

  it("test_setOracle_revertsOnFeedWithMoreThan18Decimals", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const feed = await d.feed19.getAddress();
    await expectRegistryRevert(
      d,
      () => d.registry.setOracle(ETH, feed, 3600n, E15, FEED8_MIN, FEED8_MAX),
      "FeedDecimalsUnsupported",
      [19n]
    );
  });

  const oracleBounds: [string, bigint, bigint, bigint, bigint, bigint][] = [
    // name, heartbeat, deviation, offending value, min, max
    ["heartbeat", 59n, E15, 59n, 60n, 172_800n],
    ["heartbeat", 172_801n, E15, 172_801n, 60n, 172_800n],
    ["deviation", 3600n, E14 - 1n, E14 - 1n, E14, 5n * E16],
    ["deviation", 3600n, 5n * E16 + 1n, 5n * E16 + 1n, E14, 5n * E16],
  ];
  for (const [name, heartbeat, deviation, value, min, max] of oracleBounds) {
    it(`test_setOracle_revertsWhen_${name}_is_${value}`, async () => {
      const d = await networkHelpers.loadFixture(deployWithFeeds);
      const feed = await d.ethFeed.getAddress();
      await expectRegistryRevert(
        d,
        () => d.registry.setOracle(ETH, feed, heartbeat, deviation, FEED8_MIN, FEED8_MAX),
        "ParameterOutOfBounds",
        [param(name), value, min, max]
      );
    });
  }

  it("test_setOracle_revertsOnInvalidAnswerBounds", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const feed = await d.ethFeed.getAddress();
    for (const [min, max] of [
      [-1n, FEED8_MAX],
      [FEED8_MAX, FEED8_MAX],
      [FEED8_MAX, FEED8_MIN],
    ]) {
      await expectRegistryRevert(
        d,
        () => d.registry.setOracle(ETH, feed, 3600n, E15, min, max),
        "AnswerBoundsInvalid",
        [min, max]
      );
    }
  });

  it("test_setOracle_revertsForNonAdmin", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const feed = await d.ethFeed.getAddress();
    await expectRegistryRevert(
      d,
      () => d.registry.connect(d.stranger).setOracle(ETH, feed, 3600n, E15, FEED8_MIN, FEED8_MAX),
      "AccessControlUnauthorizedAccount",
      [d.stranger.address, ZeroHash]
    );
  });
});

describe("MarketRegistry.setMarginRatios", () => {
  it("test_setMarginRatios_lowersWithinTheConstraintsAndEmits", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    // 0.8% ≥ 2 × 0.05% + 0.1% + 0.2% = 0.4%; IMR 1% = 1.25 × 0.8%; $1,000 × 0.8% = $8 ≥ $5.
    await expect(d.registry.setMarginRatios(ETH, 8n * E15, E16, 2n * E15))
      .to.emit(d.registry, "MarginRatiosUpdated")
      .withArgs(ETH, 8n * E15, E16, 2n * E15);
    const expected = { ...(await ethConfig(d)), mmrWad: 8n * E15, imrWad: E16, latencyBufferWad: 2n * E15 };
    expect(await d.registry.marketConfig(ETH)).to.deep.equal(configTuple(expected));
    expect(await d.registry.isRiskCompliant(ETH)).to.equal(true);
  });

  const marginBounds: [string, bigint, bigint, bigint, bigint, bigint, bigint][] = [
    // name, mmr, imr, buffer, offending value, min, max
    ["latencyBuffer", 9n * E15, 1125n * 10n ** 13n, E15 - 1n, E15 - 1n, E15, 5n * E16],
    ["latencyBuffer", 9n * E15, 1125n * 10n ** 13n, 5n * E16 + 1n, 5n * E16 + 1n, E15, 5n * E16],
    ["mmr", 0n, 1125n * 10n ** 13n, E15, 0n, 1n, 5n * 10n ** 17n],
    ["mmr", 5n * 10n ** 17n + 1n, 9n * 10n ** 17n, E15, 5n * 10n ** 17n + 1n, 1n, 5n * 10n ** 17n],
    ["imr", 4n * E15, E16 - 1n, E15, E16 - 1n, E16, 9n * 10n ** 17n],
    ["imr", 9n * E15, 9n * 10n ** 17n + 1n, E15, 9n * 10n ** 17n + 1n, E16, 9n * 10n ** 17n],
  ];
  for (const [name, mmr, imr, buffer, value, min, max] of marginBounds) {
    it(`test_setMarginRatios_revertsWhen_${name}_is_${value}`, async () => {
      const d = await networkHelpers.loadFixture(deployWithFeeds);
      await expectRegistryRevert(d, () => d.registry.setMarginRatios(ETH, mmr, imr, buffer), "ParameterOutOfBounds", [
        param(name),
        value,
        min,
        max,
      ]);
    });
  }

  it("test_setMarginRatios_revertsWhenImrBelow1_25Mmr", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(
      d,
      () => d.registry.setMarginRatios(ETH, 9n * E15, 1125n * 10n ** 13n - 1n, E15),
      "InitialMarginTooLow",
      [1125n * 10n ** 13n - 1n, 1125n * 10n ** 13n]
    );
  });

  it("test_setMarginRatios_revertsWhenLoweringMmrBelowFeesPlusDeviationPlusBuffer", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    // The market needs 2 × 0.05% + 0.1% + 0.1% = 0.3%.
    await expectRegistryRevert(
      d,
      () => d.registry.setMarginRatios(ETH, 3n * E15 - 1n, E16, E15),
      "MaintenanceMarginTooLow",
      [3n * E15 - 1n, 3n * E15]
    );
  });

  it("test_setMarginRatios_revertsWhenRaisingTheBufferAboveWhatTheMmrCovers", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    // MMR unchanged at 0.9%; a 0.8% buffer needs 1%.
    await expectRegistryRevert(
      d,
      () => d.registry.setMarginRatios(ETH, 9n * E15, 1125n * 10n ** 13n, 8n * E15),
      "MaintenanceMarginTooLow",
      [9n * E15, E16]
    );
  });

  it("test_setMarginRatios_revertsWhenABufferRaiseOutrunsAnMmrRaiseOnACompliantMarket", async () => {
    // DESIGN "Risk parameters": MMR ≥ fees + δ + buffer is a hard bound of the setter; only a raise of the
    // feed's δ may leave a market below it (to ramp back in). A compliant market must not be pushed out of
    // compliance by raising its buffer together with a token raise of the MMR.
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const mmr = 9n * E15 + 1n;
    const imr = ceilDiv(mmr * 5n, 4n);
    await expectRegistryRevert(
      d,
      () => d.registry.setMarginRatios(ETH, mmr, imr, 8n * E15),
      "MaintenanceMarginTooLow",
      [mmr, E16]
    );
  });

  it("test_setMarginRatios_revertsWhenMmrTimesMinNotionalBelowKeeperFloor", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    // $1,000 × 0.4% = $4 < $5: the minimum must be $5 / 0.4% = $1,250.
    await expectRegistryRevert(d, () => d.registry.setMarginRatios(ETH, 4n * E15, E16, E15), "MinNotionalTooSmall", [
      1000n * WAD,
      1250n * WAD,
    ]);
  });

  it("test_setMarginRatios_revertsForUnlistedMarket", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(
      d,
      () => d.registry.setMarginRatios(UNLISTED, 9n * E15, 1125n * 10n ** 13n, E15),
      "MarketNotListed",
      [UNLISTED]
    );
  });

  it("test_setMarginRatios_revertsForNonAdmin", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(
      d,
      () => d.registry.connect(d.stranger).setMarginRatios(ETH, 8n * E15, E16, E15),
      "AccessControlUnauthorizedAccount",
      [d.stranger.address, ZeroHash]
    );
  });
});

describe("MarketRegistry.setFees", () => {
  it("test_setFees_storesAndEmits", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    // 2 × 0.06% + 0.1% + 0.1% = 0.32% ≤ 0.9%.
    await expect(d.registry.setFees(ETH, 6n * E14, 2n * E15))
      .to.emit(d.registry, "FeesUpdated")
      .withArgs(ETH, 6n * E14, 2n * E15);
    const expected = { ...(await ethConfig(d)), tradingFeeWad: 6n * E14, liquidationFeeExtraWad: 2n * E15 };
    expect(await d.registry.marketConfig(ETH)).to.deep.equal(configTuple(expected));
    expect(await d.registry.isRiskCompliant(ETH)).to.equal(true);
  });

  it("test_setFees_revertsOnTradingFeeAbove1Percent", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(d, () => d.registry.setFees(ETH, E16 + 1n, E15), "ParameterOutOfBounds", [
      param("tradingFee"),
      E16 + 1n,
      0n,
      E16,
    ]);
  });

  it("test_setFees_revertsOnLiquidationFeeExtraAbove5Percent", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(d, () => d.registry.setFees(ETH, 5n * E14, 5n * E16 + 1n), "ParameterOutOfBounds", [
      param("liquidationFeeExtra"),
      5n * E16 + 1n,
      0n,
      5n * E16,
    ]);
  });

  it("test_setFees_revertsBelowHalfTheDeviation", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(d, () => d.registry.setFees(ETH, 5n * E14 - 1n, E15), "FeeBelowDeviationFloor", [
      5n * E14 - 1n,
      5n * E14,
    ]);
  });

  it("test_setFees_revertsWhenFeesNoLongerFitTheMmr", async () => {
    // IMarketRegistry.setFees: "Fees stay ≥ δ/2 and within the MMR"; DESIGN makes MMR ≥ 2·fee + δ + buffer a
    // hard bound of the setter. A 0.4% fee needs 2 × 0.4% + 0.1% + 0.1% = 1% > the market's 0.9%.
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(d, () => d.registry.setFees(ETH, 4n * E15, E15), "MaintenanceMarginTooLow", [
      9n * E15,
      E16,
    ]);
  });

  it("test_setFees_revertsForUnlistedMarket", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(d, () => d.registry.setFees(UNLISTED, 5n * E14, E15), "MarketNotListed", [UNLISTED]);
  });

  it("test_setFees_revertsForNonAdmin", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(
      d,
      () => d.registry.connect(d.stranger).setFees(ETH, 6n * E14, E15),
      "AccessControlUnauthorizedAccount",
      [d.stranger.address, ZeroHash]
    );
  });
});

describe("MarketRegistry.setFundingParams", () => {
  it("test_setFundingParams_storesAndEmits", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expect(d.registry.setFundingParams(ETH, 10n ** 36n, 0n))
      .to.emit(d.registry, "FundingParamsUpdated")
      .withArgs(ETH, 10n ** 36n, 0n);
    const expected = { ...(await ethConfig(d)), skewScaleWad: 10n ** 36n, maxFundingRatePerDayWad: 0n };
    expect(await d.registry.marketConfig(ETH)).to.deep.equal(configTuple(expected));
  });

  const fundingBounds: [string, bigint, bigint, bigint, bigint, bigint][] = [
    ["skewScale", WAD - 1n, E16, WAD - 1n, WAD, 10n ** 36n],
    ["skewScale", 10n ** 36n + 1n, E16, 10n ** 36n + 1n, WAD, 10n ** 36n],
    ["maxFundingRate", WAD, 10n ** 17n + 1n, 10n ** 17n + 1n, 0n, 10n ** 17n],
  ];
  for (const [name, skewScale, rate, value, min, max] of fundingBounds) {
    it(`test_setFundingParams_revertsWhen_${name}_is_${value}`, async () => {
      const d = await networkHelpers.loadFixture(deployWithFeeds);
      await expectRegistryRevert(d, () => d.registry.setFundingParams(ETH, skewScale, rate), "ParameterOutOfBounds", [
        param(name),
        value,
        min,
        max,
      ]);
    });
  }

  it("test_setFundingParams_revertsForUnlistedMarket", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(d, () => d.registry.setFundingParams(UNLISTED, WAD, E16), "MarketNotListed", [UNLISTED]);
  });

  it("test_setFundingParams_revertsForNonAdmin", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(
      d,
      () => d.registry.connect(d.stranger).setFundingParams(ETH, WAD, E16),
      "AccessControlUnauthorizedAccount",
      [d.stranger.address, ZeroHash]
    );
  });
});

describe("MarketRegistry.setLimits", () => {
  const OI = 50_000_000n * WAD;
  const MIN = 1000n * WAD;
  const CAP = WAD;
  const DAILY = 5000n * WAD;

  it("test_setLimits_storesAndEmits", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expect(d.registry.setLimits(ETH, 10n ** 30n, 10n ** 24n, 2n * WAD, 0n))
      .to.emit(d.registry, "LimitsUpdated")
      .withArgs(ETH, 10n ** 30n, 10n ** 24n, 2n * WAD, 0n);
    const expected = {
      ...(await ethConfig(d)),
      oiCapUsdWad: 10n ** 30n,
      minNotionalUsdWad: 10n ** 24n,
      vaultExposureCapWad: 2n * WAD,
      insuranceDailyCapUsdWad: 0n,
    };
    expect(await d.registry.marketConfig(ETH)).to.deep.equal(configTuple(expected));
    expect(await d.registry.maxVaultExposureCapWad()).to.equal(2n * WAD);
  });

  const limitBounds: [string, [bigint, bigint, bigint, bigint], bigint, bigint, bigint][] = [
    ["oiCap", [10n ** 30n + 1n, MIN, CAP, DAILY], 10n ** 30n + 1n, 0n, 10n ** 30n],
    ["minNotional", [OI, 0n, CAP, DAILY], 0n, 1n, 10n ** 24n],
    ["minNotional", [OI, 10n ** 24n + 1n, CAP, DAILY], 10n ** 24n + 1n, 1n, 10n ** 24n],
    ["vaultExposureCap", [OI, MIN, 2n * WAD + 1n, DAILY], 2n * WAD + 1n, 0n, 2n * WAD],
    ["insuranceDailyCap", [OI, MIN, CAP, 10n ** 30n + 1n], 10n ** 30n + 1n, 0n, 10n ** 30n],
  ];
  for (const [name, [oi, min, cap, daily], value, lo, hi] of limitBounds) {
    it(`test_setLimits_revertsWhen_${name}_is_${value}`, async () => {
      const d = await networkHelpers.loadFixture(deployWithFeeds);
      await expectRegistryRevert(d, () => d.registry.setLimits(ETH, oi, min, cap, daily), "ParameterOutOfBounds", [
        param(name),
        value,
        lo,
        hi,
      ]);
    });
  }

  it("test_setLimits_revertsWhenMinNotionalTimesMmrBelowKeeperFloor", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const required = ceilDiv(5n * WAD * WAD, 9n * E15);
    await expectRegistryRevert(
      d,
      () => d.registry.setLimits(ETH, OI, required - 1n, CAP, DAILY),
      "MinNotionalTooSmall",
      [required - 1n, required]
    );
  });

  it("test_setLimits_revertsForUnlistedMarket", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(d, () => d.registry.setLimits(UNLISTED, OI, MIN, CAP, DAILY), "MarketNotListed", [
      UNLISTED,
    ]);
  });

  it("test_setLimits_revertsForNonAdmin", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(
      d,
      () => d.registry.connect(d.stranger).setLimits(ETH, OI, MIN, CAP, DAILY),
      "AccessControlUnauthorizedAccount",
      [d.stranger.address, ZeroHash]
    );
  });
});

describe("MarketRegistry.setTierBounds", () => {
  it("test_setTierBounds_storesAndEmits", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const tiers: [bigint, bigint, bigint, bigint] = [10_001n, 50_000n, 500_000n, 10_000_000n];
    await expect(d.registry.setTierBounds(ETH, tiers)).to.emit(d.registry, "TierBoundsUpdated").withArgs(ETH, tiers);
    expect(await d.registry.marketConfig(ETH)).to.deep.equal(
      configTuple({ ...(await ethConfig(d)), tierBoundsX1e4: tiers })
    );
  });

  const badTiers: [string, [bigint, bigint, bigint, bigint]][] = [
    ["FirstBoundAt1x", [10_000n, 100_000n, 200_000n, 400_000n]],
    ["EqualNeighbours", [30_000n, 30_000n, 200_000n, 400_000n]],
    ["Descending", [30_000n, 100_000n, 400_000n, 200_000n]],
    ["LastAbove1000x", [30_000n, 100_000n, 200_000n, 10_000_001n]],
  ];
  for (const [label, tiers] of badTiers) {
    it(`test_setTierBounds_revertsOn${label}`, async () => {
      const d = await networkHelpers.loadFixture(deployWithFeeds);
      await expectRegistryRevert(d, () => d.registry.setTierBounds(ETH, tiers), "TierBoundsInvalid", []);
    });
  }

  it("test_setTierBounds_revertsForUnlistedMarket", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(
      d,
      () => d.registry.setTierBounds(UNLISTED, [30_000n, 100_000n, 200_000n, 400_000n]),
      "MarketNotListed",
      [UNLISTED]
    );
  });

  it("test_setTierBounds_revertsForNonAdmin", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectRegistryRevert(
      d,
      () => d.registry.connect(d.stranger).setTierBounds(ETH, [30_000n, 100_000n, 200_000n, 400_000n]),
      "AccessControlUnauthorizedAccount",
      [d.stranger.address, ZeroHash]
    );
  });
});

describe("MarketRegistry.effectiveLpFeeWad", () => {
  it("test_effectiveLpFeeWad_isTheConfiguredFeeWhenAboveTheFloor", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    // Presets: 0.1% configured, floor 0.1% δ × 1× cap = 0.1%.
    expect(await d.registry.maxDeviationWad()).to.equal(E15);
    expect(await d.registry.maxVaultExposureCapWad()).to.equal(WAD);
    expect(await d.registry.effectiveLpFeeWad()).to.equal(E15);
    expect(await d.vault.lpFeeWad()).to.equal(E15);
  });

  it("test_effectiveLpFeeWad_followsTheLargestDeviation", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const feed = await d.btcFeed.getAddress();
    const btc = await d.registry.marketConfig(BTC);
    await d.registry.setOracle(BTC, feed, 3600n, 5n * E15, btc.minAnswer, btc.maxAnswer);
    expect(await d.registry.effectiveLpFeeWad()).to.equal(5n * E15);
    // Lowering it again falls back to the other market's δ, then to the configured fee.
    await d.registry.setOracle(BTC, feed, 3600n, E15 / 2n, btc.minAnswer, btc.maxAnswer);
    expect(await d.registry.maxDeviationWad()).to.equal(E15);
    expect(await d.registry.effectiveLpFeeWad()).to.equal(E15);
  });

  it("test_effectiveLpFeeWad_followsTheLargestExposureCap", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await d.registry.setLimits(ETH, 50_000_000n * WAD, 1000n * WAD, 2n * WAD, 5000n * WAD);
    expect(await d.registry.effectiveLpFeeWad()).to.equal(2n * E15);
    await d.registry.setLimits(ETH, 50_000_000n * WAD, 1000n * WAD, WAD / 2n, 5000n * WAD);
    expect(await d.registry.maxVaultExposureCapWad()).to.equal(WAD);
    expect(await d.registry.effectiveLpFeeWad()).to.equal(E15);
  });

  it("test_effectiveLpFeeWad_followsAListingAndRoundsUp", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const deviation = 3n * E15 + 1n;
    const cap = (3n * WAD) / 2n + 1n;
    const config = marketInput(await d.ethFeed.getAddress(), 8, {
      deviationWad: deviation,
      tradingFeeWad: 2n * E15,
      mmrWad: 2n * E16,
      imrWad: 25n * E15,
      vaultExposureCapWad: cap,
    });
    await d.registry.listMarket(encodeBytes32String("SOL-USD"), config);
    expect(await d.registry.effectiveLpFeeWad()).to.equal(ceilDiv(deviation * cap, WAD));
  });

  it("test_effectiveLpFeeWad_followsTheConfiguredFeeAboveTheFloor", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await d.registry.setProtocolConfig(protocolInput({ lpFeeWad: 3n * E15 }));
    expect(await d.registry.effectiveLpFeeWad()).to.equal(3n * E15);
  });
});
