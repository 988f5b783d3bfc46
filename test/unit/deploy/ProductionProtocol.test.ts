import { expect } from "chai";
import ProductionProtocol from "../../../ignition/modules/ProductionProtocol.js";
import { ethers, ignition, networkHelpers } from "../../helpers/fixture.js";
import { MarketRegistry__factory, IPerpEngine__factory } from "../../../types/ethers-contracts/index.js";

const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
const PAUSER_ROLE = ethers.id("PAUSER_ROLE");

/** Existing contracts on a "real" network: a token and Chainlink-like feeds, deployed outside the module. */
async function deployWithParameters() {
  const [deployer, admin, guardian] = await ethers.getSigners();
  const usdc = await ethers.deployContract("MockUSDC");
  const ethFeed = await ethers.deployContract("MockAggregator", [8, "ETH / USD", 4000n * 10n ** 8n]);
  const btcFeed = await ethers.deployContract("MockAggregator", [8, "BTC / USD", 117000n * 10n ** 8n]);
  const sequencer = await ethers.deployContract("MockAggregator", [0, "sequencer", 0n]);
  await sequencer.setRound(0n, 1n, 1n, 1n);
  const { registry, engine, vault } = await ignition.deploy(ProductionProtocol, {
    parameters: {
      ProductionProtocol: {
        admin: admin.address,
        pauseGuardian: guardian.address,
        collateral: await usdc.getAddress(),
        sequencerFeed: await sequencer.getAddress(),
        sequencerGracePeriod: 1800,
        ETHUSDFeed: await ethFeed.getAddress(),
        ETHUSDHeartbeat: 86400,
        BTCUSDFeed: await btcFeed.getAddress(),
        BTCUSDHeartbeat: 86400,
      },
    },
  });
  return {
    deployer,
    admin,
    guardian,
    usdc,
    ethFeed,
    registry: MarketRegistry__factory.connect(await registry.getAddress(), deployer),
    engine: IPerpEngine__factory.connect(await engine.getAddress(), deployer),
    vault,
  };
}

describe("ProductionProtocol (Ignition module for real networks)", () => {
  it("deploys over existing token and feeds, with the network's heartbeats and sequencer feed", async () => {
    const d = await networkHelpers.loadFixture(deployWithParameters);
    expect(await d.registry.marketCount()).to.equal(2n);
    const eth = await d.registry.marketConfig(1n);
    expect(eth.feed).to.equal(await d.ethFeed.getAddress());
    expect(eth.heartbeat).to.equal(86400n);
    expect(await d.registry.sequencerGracePeriod()).to.equal(1800n);
    expect(await d.engine.vault()).to.equal(await d.vault.getAddress());
    expect(await d.engine.collateral()).to.equal(await d.usdc.getAddress());
  });

  it("hands every role to the admin and the pause guardian and leaves the deployer none", async () => {
    const d = await networkHelpers.loadFixture(deployWithParameters);
    expect(await d.registry.hasRole(DEFAULT_ADMIN_ROLE, d.admin.address)).to.equal(true);
    expect(await d.engine.hasRole(DEFAULT_ADMIN_ROLE, d.admin.address)).to.equal(true);
    expect(await d.engine.hasRole(PAUSER_ROLE, d.guardian.address)).to.equal(true);
    expect(await d.registry.hasRole(DEFAULT_ADMIN_ROLE, d.deployer.address)).to.equal(false);
    expect(await d.engine.hasRole(DEFAULT_ADMIN_ROLE, d.deployer.address)).to.equal(false);
    expect(await d.engine.hasRole(PAUSER_ROLE, d.deployer.address)).to.equal(false);
    await expect(d.engine.pause())
      .to.be.revertedWithCustomError(d.engine, "AccessControlUnauthorizedAccount")
      .withArgs(d.deployer.address, PAUSER_ROLE);
  });
});
