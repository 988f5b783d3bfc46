import { expect } from "chai";
import {
  deployEngine,
  ETH,
  TOKEN_TO_WAD,
  anyPrice,
  deployFunded,
  disableFunding,
  ethers,
  networkHelpers,
  setPrice,
  tokens,
  w,
} from "../../helpers/fixture.js";
import { PerpEngine__factory } from "../../../types/ethers-contracts/index.js";
import {
  captureState,
  deployFeeOnTransferEngine,
  expectRevertWithoutChange,
  impersonateVault,
  scopeOf,
  tokenBalanceIn,
} from "../../helpers/engine.js";

const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
const PAUSER_ROLE = ethers.id("PAUSER_ROLE");

describe("PerpEngine.donateInsurance", () => {
  it("test_donateInsurance_anyoneAddsToTheInsuranceFund", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.usdc.mint(d.stranger.address, tokens(1000));
    await d.usdc.connect(d.stranger).approve(await d.engine.getAddress(), tokens(1000));
    const before = await captureState(scopeOf(d));
    await expect(d.engine.connect(d.stranger).donateInsurance(tokens(1000)))
      .to.emit(d.engine, "InsuranceDonated")
      .withArgs(d.stranger.address, tokens(1000));
    expect(await d.engine.insuranceFundWad()).to.equal(before.insuranceFundWad + w(1000));
    expect(await d.usdc.balanceOf(d.stranger.address)).to.equal(0n);
    expect(await d.usdc.balanceOf(await d.engine.getAddress())).to.equal(before.engineTokenBalance + tokens(1000));
    expect(await d.engine.freeCollateralWad(d.stranger.address)).to.equal(0n);
  });

  it("test_donateInsurance_worksWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.pause();
    await expect(d.engine.connect(d.alice).donateInsurance(tokens(1)))
      .to.emit(d.engine, "InsuranceDonated")
      .withArgs(d.alice.address, tokens(1));
  });

  it("test_donateInsurance_revertsOnZeroAmount", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).donateInsurance(0n),
      contract: d.engine,
      error: "ZeroAmount",
    });
  });

  it("test_donateInsurance_revertsOnFeeOnTransferToken", async () => {
    const d = await networkHelpers.loadFixture(deployFeeOnTransferEngine);
    await expectRevertWithoutChange({
      scope: { engine: d.feeEngine, token: d.feeToken, accounts: [d.alice.address] },
      action: () => d.feeEngine.connect(d.alice).donateInsurance(tokens(500)),
      contract: d.feeEngine,
      error: "TransferAmountMismatch",
      args: [tokens(500), tokens(495)],
    });
  });
});

describe("PerpEngine.withdrawTreasury", () => {
  /** One 10-ETH open pays 20.00004 in fees, 4.000008 of them to the treasury. */
  async function withTreasury() {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.connect(d.alice).trade(ETH, w(10), w(5000), anyPrice(1n), []);
    expect(await d.engine.treasuryWad()).to.equal(w("4.000008"));
    return d;
  }

  it("test_withdrawTreasury_paysTheAdminsChosenRecipient", async () => {
    const d = await withTreasury();
    const before = await captureState(scopeOf(d));
    await expect(d.engine.withdrawTreasury(d.stranger.address, tokens(4)))
      .to.emit(d.engine, "TreasuryWithdrawn")
      .withArgs(d.stranger.address, tokens(4));
    expect(await d.engine.treasuryWad()).to.equal(w("0.000008"));
    expect(await d.usdc.balanceOf(d.stranger.address)).to.equal(tokenBalanceIn(before, d.stranger.address) + tokens(4));
    expect(await d.usdc.balanceOf(await d.engine.getAddress())).to.equal(before.engineTokenBalance - tokens(4));
  });

  it("test_withdrawTreasury_paysOutTheWholeTreasury", async () => {
    const d = await withTreasury();
    await d.engine.withdrawTreasury(d.stranger.address, tokens("4.000008"));
    expect(await d.engine.treasuryWad()).to.equal(0n);
    expect(await d.usdc.balanceOf(d.stranger.address)).to.equal(tokens("4.000008"));
  });

  it("test_withdrawTreasury_revertsForAnyoneButTheAdmin", async () => {
    const d = await withTreasury();
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.stranger).withdrawTreasury(d.stranger.address, tokens(1)),
      contract: d.engine,
      error: "AccessControlUnauthorizedAccount",
      args: [d.stranger.address, DEFAULT_ADMIN_ROLE],
    });
  });

  it("test_withdrawTreasury_revertsAboveTheTreasury", async () => {
    const d = await withTreasury();
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.withdrawTreasury(d.stranger.address, tokens("4.000009")),
      contract: d.engine,
      error: "InsufficientTreasury",
      args: [w("4.000008"), w("4.000009")],
    });
  });

  it("test_withdrawTreasury_revertsOnTheZeroAddress", async () => {
    const d = await withTreasury();
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.withdrawTreasury(ethers.ZeroAddress, tokens(1)),
      contract: d.engine,
      error: "ZeroAddress",
    });
  });

  it("test_withdrawTreasury_revertsOnZeroAmount", async () => {
    const d = await withTreasury();
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.withdrawTreasury(d.stranger.address, 0n),
      contract: d.engine,
      error: "ZeroAmount",
    });
  });
});

describe("PerpEngine.setVault", () => {
  it("test_setVault_connectsTheVaultOnce", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const engine = await deployEngine(d.admin, await d.usdc.getAddress(), await d.registry.getAddress());
    await expect(engine.setVault(d.keeper.address)).to.emit(engine, "VaultSet").withArgs(d.keeper.address);
    expect(await engine.vault()).to.equal(d.keeper.address);
    await expectRevertWithoutChange({
      scope: { ...scopeOf(d), engine },
      action: () => engine.setVault(d.stranger.address),
      contract: engine,
      error: "VaultAlreadySet",
      args: [d.keeper.address],
    });
    expect(await engine.vault()).to.equal(d.keeper.address);
  });

  it("test_setVault_revertsWhenAlreadySet", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.setVault(d.stranger.address),
      contract: d.engine,
      error: "VaultAlreadySet",
      args: [await d.vault.getAddress()],
    });
    expect(await d.engine.vault()).to.equal(await d.vault.getAddress());
  });

  it("test_setVault_revertsForAnyoneButTheAdmin", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.stranger).setVault(d.stranger.address),
      contract: d.engine,
      error: "AccessControlUnauthorizedAccount",
      args: [d.stranger.address, DEFAULT_ADMIN_ROLE],
    });
  });

  it("test_setVault_revertsOnTheZeroAddress", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.setVault(ethers.ZeroAddress),
      contract: d.engine,
      error: "ZeroAddress",
    });
  });
});

describe("PerpEngine.creditVaultCash and withdrawVaultCash", () => {
  it("test_creditVaultCash_revertsForAnyoneButTheVault", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.stranger).creditVaultCash(tokens(1000)),
      contract: d.engine,
      error: "NotVault",
      args: [d.stranger.address],
    });
  });

  it("test_withdrawVaultCash_revertsForAnyoneButTheVault", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.admin).withdrawVaultCash(d.admin.address, tokens(1000)),
      contract: d.engine,
      error: "NotVault",
      args: [d.admin.address],
    });
  });

  it("test_creditVaultCash_creditsTheVaultsCash", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const vault = await impersonateVault(d);
    // The vault moves LP assets to the engine first, then credits them.
    await d.usdc.connect(d.lp).transfer(await d.engine.getAddress(), tokens(1000));
    const before = await d.engine.vaultCashWad();
    await expect(d.engine.connect(vault).creditVaultCash(tokens(1000)))
      .to.emit(d.engine, "VaultCashDeposited")
      .withArgs(tokens(1000));
    expect(await d.engine.vaultCashWad()).to.equal(before + w(1000));
  });

  it("test_creditVaultCash_revertsWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const vault = await impersonateVault(d);
    await d.engine.pause();
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(vault).creditVaultCash(tokens(1000)),
      contract: d.engine,
      error: "EnforcedPause",
    });
  });

  it("test_withdrawVaultCash_paysTheReceiverAlsoWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const vault = await impersonateVault(d);
    await d.engine.pause();
    const before = await captureState(scopeOf(d));
    await expect(d.engine.connect(vault).withdrawVaultCash(d.lp.address, tokens(1000)))
      .to.emit(d.engine, "VaultCashWithdrawn")
      .withArgs(d.lp.address, tokens(1000));
    expect(await d.engine.vaultCashWad()).to.equal(before.vaultCashWad - w(1000));
    expect(await d.usdc.balanceOf(d.lp.address)).to.equal(tokenBalanceIn(before, d.lp.address) + tokens(1000));
  });

  it("test_withdrawVaultCash_revertsAboveTheVaultsCash", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const vault = await impersonateVault(d);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(vault).withdrawVaultCash(d.lp.address, tokens(5_000_001)),
      contract: d.engine,
      error: "VaultCashInsufficient",
      args: [w(5_000_000), w(5_000_001)],
    });
  });

  it("test_withdrawVaultCash_revertsBelowTheSolvencyFloor", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const vault = await impersonateVault(d);
    // Nothing is open, so the floor is its $10,000 absolute part.
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(vault).withdrawVaultCash(d.lp.address, tokens(4_995_000)),
      contract: d.engine,
      error: "VaultWithdrawalBelowFloor",
      args: [w(5000), w(10_000)],
    });
  });

  it("test_withdrawVaultCash_revertsWhenTradersProfitReachesTheStopRatio", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const vault = await impersonateVault(d);
    await d.engine.connect(d.alice).trade(ETH, w(500), w(50_000), anyPrice(1n), []);
    await setPrice(d.ethFeed, 4200);
    await d.engine.poke(ETH);
    const profit = await d.engine.tradersProfitWad();
    const equity = await d.engine.vaultEquityWad();
    // Leave the vault just under profit / 0.25 of equity: still above the floor, but past the stop.
    const amountTokens = (equity - (profit * 4n - w(1000))) / TOKEN_TO_WAD + 1n;
    const equityAfter = equity - amountTokens * TOKEN_TO_WAD;
    expect(equityAfter > (await d.engine.solvencyFloorWad())).to.equal(true);
    expect(profit * 4n >= equityAfter).to.equal(true);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(vault).withdrawVaultCash(d.lp.address, amountTokens),
      contract: d.engine,
      error: "VaultWithdrawalProfitStop",
      args: [profit, equityAfter, w("0.25")],
    });
  });

  it("test_withdrawVaultCash_revertsWithProfitExactlyAtTheStopRatio", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const vault = await impersonateVault(d);
    // Without funding every amount below is a whole number of token units, so the boundary is reachable:
    // 500 ETH filled at 4000.4 are 500 × 199.6 = $99,800 in profit at $4200.
    await disableFunding(d);
    await d.engine.connect(d.alice).trade(ETH, w(500), w(50_000), anyPrice(1n), []);
    await setPrice(d.ethFeed, 4200);
    await d.engine.poke(ETH);
    expect(await d.engine.tradersProfitWad()).to.equal(w(99_800));
    const equity = await d.engine.vaultEquityWad();
    const atStopTokens = (equity - w(399_200)) / TOKEN_TO_WAD;
    expect(equity - atStopTokens * TOKEN_TO_WAD).to.equal(w(399_200));

    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(vault).withdrawVaultCash(d.lp.address, atStopTokens),
      contract: d.engine,
      error: "VaultWithdrawalProfitStop",
      args: [w(99_800), w(399_200), w("0.25")],
    });
    await d.engine.connect(vault).withdrawVaultCash(d.lp.address, atStopTokens - 1n);
    expect(await d.engine.vaultEquityWad()).to.equal(w(399_200) + TOKEN_TO_WAD);
  });

  it("test_withdrawVaultCash_paysExactlyVaultWithdrawableAndNotOneUnitMore", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const vault = await impersonateVault(d);
    await d.engine.connect(d.alice).trade(ETH, w(500), w(50_000), anyPrice(1n), []);
    await setPrice(d.ethFeed, 4200);
    await d.engine.poke(ETH);
    const withdrawable = (await d.engine.vaultWithdrawableWad()) / TOKEN_TO_WAD;
    // Here the profit stop binds before the floor.
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(vault).withdrawVaultCash(d.lp.address, withdrawable + 1n),
      contract: d.engine,
      error: "VaultWithdrawalProfitStop",
      args: [
        await d.engine.tradersProfitWad(),
        (await d.engine.vaultEquityWad()) - (withdrawable + 1n) * TOKEN_TO_WAD,
        w("0.25"),
      ],
    });
    await d.engine.connect(vault).withdrawVaultCash(d.lp.address, withdrawable);
    expect(await d.engine.vaultWithdrawableWad()).to.be.lessThan(TOKEN_TO_WAD);
  });
});

describe("PerpEngine.pause and unpause", () => {
  it("test_pause_revertsForAnyoneWithoutThePauserRole", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.stranger).pause(),
      contract: d.engine,
      error: "AccessControlUnauthorizedAccount",
      args: [d.stranger.address, PAUSER_ROLE],
    });
  });

  it("test_pause_aGuardianPausesButOnlyTheAdminUnpauses", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.grantRole(PAUSER_ROLE, d.keeper.address);
    await expect(d.engine.connect(d.keeper).pause()).to.emit(d.engine, "Paused").withArgs(d.keeper.address);
    expect(await d.engine.paused()).to.equal(true);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.keeper).unpause(),
      contract: d.engine,
      error: "AccessControlUnauthorizedAccount",
      args: [d.keeper.address, DEFAULT_ADMIN_ROLE],
    });
    await expect(d.engine.unpause()).to.emit(d.engine, "Unpaused").withArgs(d.admin.address);
    expect(await d.engine.paused()).to.equal(false);
  });

  it("test_pause_revertsWhenAlreadyPaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.pause();
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.pause(),
      contract: d.engine,
      error: "EnforcedPause",
    });
  });

  it("test_unpause_revertsWhenNotPaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.unpause(),
      contract: d.engine,
      error: "ExpectedPause",
    });
  });
});
