import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import { ethers, networkHelpers } from "../../helpers/fixture.js";
import {
  deployWithFeeds,
  expectUnchanged,
  param,
  protocolInput,
  protocolTuple,
  registryState,
} from "../../helpers/state.js";
import type { ProtocolInput } from "../../helpers/state.js";
import { MarketRegistry__factory } from "../../../types/ethers-contracts/index.js";

const WAD = 10n ** 18n;

// Each row breaks one bound of the protocol configuration and nothing checked before it.
const protocolBounds: [string, keyof ProtocolInput, bigint, bigint, bigint][] = [
  ["insuranceFeeShare", "insuranceFeeShareWad", WAD + 1n, 0n, WAD],
  // The treasury's share is bounded by what the insurance share (20%) leaves.
  ["treasuryFeeShare", "treasuryFeeShareWad", (8n * WAD) / 10n + 1n, 0n, (8n * WAD) / 10n],
  ["lpFee", "lpFeeWad", 5n * 10n ** 16n + 1n, 0n, 5n * 10n ** 16n],
  ["floorRatio", "floorRatioWad", 5n * 10n ** 17n + 1n, 0n, 5n * 10n ** 17n],
  ["floorAbsolute", "floorAbsoluteUsdWad", 10n ** 30n + 1n, 0n, 10n ** 30n],
  ["keeperRewardFloor", "keeperRewardFloorUsdWad", 1000n * WAD + 1n, 0n, 1000n * WAD],
  ["keeperRewardRatio", "keeperRewardRatioWad", 10n ** 16n + 1n, 0n, 10n ** 16n],
  ["tierDropDelay", "tierDropDelay", 7n * 86_400n + 1n, 0n, 7n * 86_400n],
];

// withdrawStop (0.25) < adlTarget (0.35) < adlTrigger (0.5) < scaling (0.75) ≤ 10, withdrawStop > 0.
const unorderedThresholds: [string, Partial<ProtocolInput>][] = [
  ["WithdrawStopZero", { withdrawStopRatioWad: 0n }],
  ["WithdrawStopEqualsAdlTarget", { withdrawStopRatioWad: (35n * WAD) / 100n }],
  ["AdlTargetEqualsAdlTrigger", { adlTargetRatioWad: WAD / 2n }],
  ["AdlTriggerEqualsScaling", { adlTriggerRatioWad: (75n * WAD) / 100n }],
  ["AdlTriggerAboveScaling", { adlTriggerRatioWad: WAD }],
  ["ScalingAbove10", { scalingRatioWad: 10n * WAD + 1n }],
];

async function deployRegistry(admin: string, config: ProtocolInput) {
  const [deployer] = await ethers.getSigners();
  return new MarketRegistry__factory(deployer).deploy(admin, config);
}

describe("MarketRegistry.constructor", () => {
  it("test_constructor_grantsAdminAndStoresProtocolConfig", async () => {
    const [deployer, other] = await ethers.getSigners();
    const config = protocolInput();
    const registry = await deployRegistry(other.address, config);
    await expect(registry.deploymentTransaction())
      .to.emit(registry, "ProtocolConfigUpdated")
      .withArgs(protocolTuple(config));
    expect(await registry.hasRole(ZeroHash, other.address)).to.equal(true);
    expect(await registry.hasRole(ZeroHash, deployer.address)).to.equal(false);
    expect(await registry.protocolConfig()).to.deep.equal(protocolTuple(config));
    expect(await registry.marketCount()).to.equal(0n);
    expect(await registry.effectiveLpFeeWad()).to.equal(config.lpFeeWad);
  });

  it("test_constructor_acceptsThresholdsAtTheirLimits", async () => {
    const [admin] = await ethers.getSigners();
    const config = protocolInput({ withdrawStopRatioWad: 1n, scalingRatioWad: 10n * WAD, tierDropDelay: 7n * 86_400n });
    const registry = await deployRegistry(admin.address, config);
    expect(await registry.protocolConfig()).to.deep.equal(protocolTuple(config));
  });

  it("test_constructor_revertsOnZeroAdmin", async () => {
    const [deployer] = await ethers.getSigners();
    const factory = new MarketRegistry__factory(deployer);
    await expect(factory.deploy(ZeroAddress, protocolInput())).to.be.revertedWithCustomError(factory, "ZeroAddress");
  });

  for (const [name, field, value, min, max] of protocolBounds) {
    it(`test_constructor_revertsWhen_${name}_is_${value}`, async () => {
      const [admin] = await ethers.getSigners();
      const factory = new MarketRegistry__factory(admin);
      await expect(factory.deploy(admin.address, protocolInput({ [field]: value })))
        .to.be.revertedWithCustomError(factory, "ParameterOutOfBounds")
        .withArgs(param(name), value, min, max);
    });
  }

  for (const [label, overrides] of unorderedThresholds) {
    it(`test_constructor_revertsOnThresholds${label}`, async () => {
      const [admin] = await ethers.getSigners();
      const factory = new MarketRegistry__factory(admin);
      await expect(factory.deploy(admin.address, protocolInput(overrides))).to.be.revertedWithCustomError(
        factory,
        "ThresholdsNotOrdered"
      );
    });
  }
});

describe("MarketRegistry.setProtocolConfig", () => {
  it("test_setProtocolConfig_storesAndEmits", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const config = protocolInput({
      insuranceFeeShareWad: WAD / 10n,
      treasuryFeeShareWad: WAD / 10n,
      lpFeeWad: 2n * 10n ** 15n,
      floorRatioWad: WAD / 10n,
      floorAbsoluteUsdWad: 20_000n * WAD,
      keeperRewardFloorUsdWad: 4n * WAD,
      tierDropDelay: 7200n,
    });
    await expect(d.registry.setProtocolConfig(config))
      .to.emit(d.registry, "ProtocolConfigUpdated")
      .withArgs(protocolTuple(config));
    expect(await d.registry.protocolConfig()).to.deep.equal(protocolTuple(config));
    expect(await d.registry.effectiveLpFeeWad()).to.equal(2n * 10n ** 15n);
  });

  for (const [name, field, value, min, max] of protocolBounds) {
    it(`test_setProtocolConfig_revertsWhen_${name}_is_${value}`, async () => {
      const d = await networkHelpers.loadFixture(deployWithFeeds);
      await expectUnchanged(
        () => registryState(d.registry),
        () =>
          expect(d.registry.setProtocolConfig(protocolInput({ [field]: value })))
            .to.be.revertedWithCustomError(d.registry, "ParameterOutOfBounds")
            .withArgs(param(name), value, min, max)
      );
    });
  }

  for (const [label, overrides] of unorderedThresholds) {
    it(`test_setProtocolConfig_revertsOnThresholds${label}`, async () => {
      const d = await networkHelpers.loadFixture(deployWithFeeds);
      await expectUnchanged(
        () => registryState(d.registry),
        () =>
          expect(d.registry.setProtocolConfig(protocolInput(overrides))).to.be.revertedWithCustomError(
            d.registry,
            "ThresholdsNotOrdered"
          )
      );
    });
  }

  it("test_setProtocolConfig_revertsWhenKeeperFloorOutgrowsAMarketsMinimum", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    // A $10 floor needs $10 / 0.9% = $1,111.1… of minimum notional; the listed markets have $1,000.
    const mmr = 9n * 10n ** 15n;
    const required = (10n * WAD * WAD + mmr - 1n) / mmr;
    await expectUnchanged(
      () => registryState(d.registry),
      () =>
        expect(d.registry.setProtocolConfig(protocolInput({ keeperRewardFloorUsdWad: 10n * WAD })))
          .to.be.revertedWithCustomError(d.registry, "MinNotionalTooSmall")
          .withArgs(1000n * WAD, required)
    );
  });

  it("test_setProtocolConfig_acceptsKeeperFloorExactlyCoveredByMinimum", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    // $1,000 × 0.9% = $9: a $9 floor is exactly covered.
    await d.registry.setProtocolConfig(protocolInput({ keeperRewardFloorUsdWad: 9n * WAD }));
    expect((await d.registry.protocolConfig()).keeperRewardFloorUsdWad).to.equal(9n * WAD);
  });

  it("test_setProtocolConfig_revertsForNonAdmin", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectUnchanged(
      () => registryState(d.registry),
      () =>
        expect(d.registry.connect(d.stranger).setProtocolConfig(protocolInput({ lpFeeWad: 0n })))
          .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
          .withArgs(d.stranger.address, ZeroHash)
    );
  });
});

describe("MarketRegistry.setSequencerFeed", () => {
  it("test_setSequencerFeed_storesAndEmits", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const feed = await d.sequencer.getAddress();
    await expect(d.registry.setSequencerFeed(feed, 86_400n))
      .to.emit(d.registry, "SequencerFeedUpdated")
      .withArgs(feed, 86_400n);
    expect(await d.registry.sequencerFeed()).to.equal(feed);
    expect(await d.registry.sequencerGracePeriod()).to.equal(86_400n);
  });

  it("test_setSequencerFeed_zeroDisablesTheCheck", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    const now = await networkHelpers.time.latest();
    await d.sequencer.setRound(1n, now, now, 1n);
    await d.registry.setSequencerFeed(await d.sequencer.getAddress(), 3600n);
    await expect(d.registry.readPrice(1n)).to.be.revertedWithCustomError(d.registry, "SequencerDown");
    await expect(d.registry.setSequencerFeed(ZeroAddress, 0n))
      .to.emit(d.registry, "SequencerFeedUpdated")
      .withArgs(ZeroAddress, 0n);
    expect(await d.registry.readPrice(1n)).to.deep.equal([4000n * WAD, false, false]);
  });

  it("test_setSequencerFeed_revertsOnGracePeriodAboveOneDay", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectUnchanged(
      () => registryState(d.registry),
      () =>
        expect(d.registry.setSequencerFeed(d.sequencer.getAddress(), 86_401n))
          .to.be.revertedWithCustomError(d.registry, "ParameterOutOfBounds")
          .withArgs(param("sequencerGracePeriod"), 86_401n, 0n, 86_400n)
    );
  });

  it("test_setSequencerFeed_revertsForNonAdmin", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expectUnchanged(
      () => registryState(d.registry),
      () =>
        expect(d.registry.connect(d.stranger).setSequencerFeed(d.sequencer.getAddress(), 60n))
          .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
          .withArgs(d.stranger.address, ZeroHash)
    );
  });
});

describe("MarketRegistry access control", () => {
  it("test_grantRole_letsASecondAdminSetParameters", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expect(d.registry.grantRole(ZeroHash, d.carol.address))
      .to.emit(d.registry, "RoleGranted")
      .withArgs(ZeroHash, d.carol.address, d.admin.address);
    await d.registry.connect(d.carol).setSequencerFeed(ZeroAddress, 60n);
    expect(await d.registry.sequencerGracePeriod()).to.equal(60n);
  });

  it("test_renounceRole_removesTheAdmin", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await d.registry.grantRole(ZeroHash, d.carol.address);
    await d.registry.connect(d.carol).renounceRole(ZeroHash, d.carol.address);
    expect(await d.registry.hasRole(ZeroHash, d.carol.address)).to.equal(false);
    await expect(d.registry.connect(d.carol).setSequencerFeed(ZeroAddress, 60n))
      .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
      .withArgs(d.carol.address, ZeroHash);
  });

  it("test_grantRole_revertsForNonAdmin", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    await expect(d.registry.connect(d.stranger).grantRole(ZeroHash, d.stranger.address))
      .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
      .withArgs(d.stranger.address, ZeroHash);
    expect(await d.registry.hasRole(ZeroHash, d.stranger.address)).to.equal(false);
  });

  it("test_supportsInterface_advertisesAccessControl", async () => {
    const d = await networkHelpers.loadFixture(deployWithFeeds);
    // IAccessControl's and ERC-165's interface ids.
    expect(await d.registry.supportsInterface("0x7965db0b")).to.equal(true);
    expect(await d.registry.supportsInterface("0x01ffc9a7")).to.equal(true);
    expect(await d.registry.supportsInterface("0xffffffff")).to.equal(false);
  });
});
