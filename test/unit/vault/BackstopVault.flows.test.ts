import { expect } from "chai";
import { MaxUint256 } from "ethers";
import {
  deployEngine,
  ETH,
  TOKEN_TO_WAD,
  anyPrice,
  deployFunded,
  deployProtocol,
  ethers,
  networkHelpers,
  setPrice,
  tokens,
  w,
} from "../../helpers/fixture.js";
import type { System } from "../../helpers/fixture.js";
import { expectUnchanged, vaultState } from "../../helpers/state.js";
import {
  BackstopVault__factory,
  FeeOnTransferToken__factory,
  IPerpEngine__factory,
  LiquidationModule__factory,
  PerpEngine__factory,
} from "../../../types/ethers-contracts/index.js";

const holders = (d: System) => [d.lp, d.keeper, d.alice, d.bob, d.carol, d.stranger];
const state = (d: System) => vaultState(d, holders(d));

/** deployFunded plus a second LP (the keeper account) with $1M in the vault, so "remaining LPs" exist. */
async function deployTwoLps() {
  const d = await deployFunded();
  await d.vault.connect(d.keeper).deposit(tokens(1_000_000), d.keeper.address);
  return d;
}

describe("BackstopVault.deposit", () => {
  it("test_deposit_mintsThePreviewAndCreditsTheWholeAmountToTheVault", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const assets = 1_234_567_891n;
    const shares = await d.vault.previewDeposit(assets);
    expect(await d.vault.connect(d.keeper).deposit.staticCall(assets, d.carol.address)).to.equal(shares);
    const before = await state(d);

    await expect(d.vault.connect(d.keeper).deposit(assets, d.carol.address))
      .to.emit(d.vault, "Deposit")
      .withArgs(d.keeper.address, d.carol.address, assets, shares)
      .and.to.emit(d.engine, "VaultCashDeposited")
      .withArgs(assets);

    const after = await state(d);
    expect(after.holders[4].shares - before.holders[4].shares).to.equal(shares);
    expect(before.holders[1].tokens - after.holders[1].tokens).to.equal(assets);
    expect(after.engineTokens - before.engineTokens).to.equal(assets);
    expect(after.vaultTokens).to.equal(0n);
    expect(after.totalSupply - before.totalSupply).to.equal(shares);
    // The fee is not skimmed anywhere: the vault's cash takes the full amount.
    expect(after.vaultCashWad - before.vaultCashWad).to.equal(assets * TOKEN_TO_WAD);
  });

  it("test_deposit_feeStaysWithTheExistingLps", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const lpShares = await d.vault.balanceOf(d.lp.address);
    const lpValueBefore = await d.vault.convertToAssets(lpShares);
    const totalBefore = await d.vault.totalAssets();
    const assets = tokens(1_000_000);
    await d.vault.connect(d.keeper).deposit(assets, d.keeper.address);
    const newShares = await d.vault.balanceOf(d.keeper.address);
    const supply = await d.vault.totalSupply();
    expect(await d.vault.totalAssets()).to.equal(totalBefore + assets);
    // fee = 1,000,000 × 0.001/1.001 ≈ $999.0, shared pro rata by every holder after the deposit: the
    // existing LP (≈ 5/6 of the shares) gains ≈ $832.5 and the newcomer gets back ≈ $166.5 of its own fee.
    const fee = (assets * 10n ** 15n + (10n ** 18n + 10n ** 15n) - 1n) / (10n ** 18n + 10n ** 15n);
    const gain = (await d.vault.convertToAssets(lpShares)) - lpValueBefore;
    expect(gain).to.be.within((fee * lpShares) / supply - 2n, (fee * lpShares) / supply + 2n);
    const newcomerValue = await d.vault.convertToAssets(newShares);
    const expectedNewcomer = assets - fee + (fee * newShares) / supply;
    expect(newcomerValue).to.be.within(expectedNewcomer - 2n, expectedNewcomer + 2n);
  });

  it("test_deposit_revertsOnZeroAssets", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.keeper).deposit(0n, d.keeper.address)).to.be.revertedWithCustomError(
          d.vault,
          "ZeroShares"
        )
    );
  });

  it("test_deposit_revertsOnDustThatTheFeeEatsWhole", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    // One unit: the fee on the total rounds up to that unit, nothing is left to convert.
    expect(await d.vault.previewDeposit(1n)).to.equal(0n);
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.keeper).deposit(1n, d.keeper.address)).to.be.revertedWithCustomError(
          d.vault,
          "ZeroShares"
        )
    );
  });

  it("test_deposit_revertsWithoutAllowance", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.usdc.mint(d.stranger.address, tokens(100));
    const vaultAddress = await d.vault.getAddress();
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.stranger).deposit(tokens(100), d.stranger.address))
          .to.be.revertedWithCustomError(d.usdc, "ERC20InsufficientAllowance")
          .withArgs(vaultAddress, 0n, tokens(100))
    );
  });
});

describe("BackstopVault.mint", () => {
  it("test_mint_mintsExactSharesForThePreviewAssets", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const shares = 1_234_567_891_234_567n;
    const assets = await d.vault.previewMint(shares);
    expect(await d.vault.connect(d.keeper).mint.staticCall(shares, d.carol.address)).to.equal(assets);
    const before = await state(d);

    await expect(d.vault.connect(d.keeper).mint(shares, d.carol.address))
      .to.emit(d.vault, "Deposit")
      .withArgs(d.keeper.address, d.carol.address, assets, shares);

    const after = await state(d);
    expect(after.holders[4].shares - before.holders[4].shares).to.equal(shares);
    expect(before.holders[1].tokens - after.holders[1].tokens).to.equal(assets);
    expect(after.engineTokens - before.engineTokens).to.equal(assets);
    expect(after.vaultCashWad - before.vaultCashWad).to.equal(assets * TOKEN_TO_WAD);
  });

  it("test_mint_revertsOnZeroShares", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.keeper).mint(0n, d.keeper.address)).to.be.revertedWithCustomError(
          d.vault,
          "ZeroShares"
        )
    );
  });
});

describe("BackstopVault.withdraw", () => {
  it("test_withdraw_burnsThePreviewAndPaysTheReceiver", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    const assets = 1_234_567_891n;
    const shares = await d.vault.previewWithdraw(assets);
    expect(await d.vault.connect(d.lp).withdraw.staticCall(assets, d.stranger.address, d.lp.address)).to.equal(shares);
    const before = await state(d);

    await expect(d.vault.connect(d.lp).withdraw(assets, d.stranger.address, d.lp.address))
      .to.emit(d.vault, "Withdraw")
      .withArgs(d.lp.address, d.stranger.address, d.lp.address, assets, shares)
      .and.to.emit(d.engine, "VaultCashWithdrawn")
      .withArgs(d.stranger.address, assets);

    const after = await state(d);
    expect(before.holders[0].shares - after.holders[0].shares).to.equal(shares);
    expect(after.holders[5].tokens - before.holders[5].tokens).to.equal(assets);
    expect(before.engineTokens - after.engineTokens).to.equal(assets);
    expect(before.totalSupply - after.totalSupply).to.equal(shares);
    // Only the net amount leaves; the fee's worth of shares is burnt into the remaining LPs' price.
    expect(before.vaultCashWad - after.vaultCashWad).to.equal(assets * TOKEN_TO_WAD);
  });

  it("test_withdraw_feeStaysWithTheRemainingLps", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    const keeperShares = await d.vault.balanceOf(d.keeper.address);
    const valueBefore = await d.vault.convertToAssets(keeperShares);
    await d.vault.connect(d.lp).withdraw(tokens(1_000_000), d.lp.address, d.lp.address);
    // $1,000 of fee (0.1% of $1M) stays; the keeper holds about 1/5 of what remains.
    const gain = (await d.vault.convertToAssets(keeperShares)) - valueBefore;
    expect(gain).to.be.within(tokens(190), tokens(210));
  });

  it("test_withdraw_spendsTheAllowanceOfACallerWhoIsNotTheOwner", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    const assets = tokens(10_000);
    const shares = await d.vault.previewWithdraw(assets);
    await d.vault.connect(d.lp).approve(d.bob.address, shares + 5n);
    await expect(d.vault.connect(d.bob).withdraw(assets, d.bob.address, d.lp.address))
      .to.emit(d.vault, "Withdraw")
      .withArgs(d.bob.address, d.bob.address, d.lp.address, assets, shares);
    expect(await d.vault.allowance(d.lp.address, d.bob.address)).to.equal(5n);
  });

  it("test_withdraw_revertsWhenTheAllowanceIsShort", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    const assets = tokens(10_000);
    const shares = await d.vault.previewWithdraw(assets);
    await d.vault.connect(d.lp).approve(d.bob.address, shares - 1n);
    await expectUnchanged(
      async () => ({ s: await state(d), allowance: await d.vault.allowance(d.lp.address, d.bob.address) }),
      () =>
        expect(d.vault.connect(d.bob).withdraw(assets, d.bob.address, d.lp.address))
          .to.be.revertedWithCustomError(d.vault, "ERC20InsufficientAllowance")
          .withArgs(d.bob.address, shares - 1n, shares)
    );
  });

  it("test_withdraw_revertsBeyondTheOwnersShares", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    const max = await d.vault.previewRedeem(await d.vault.balanceOf(d.keeper.address));
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.keeper).withdraw(max + 1n, d.keeper.address, d.keeper.address))
          .to.be.revertedWithCustomError(d.vault, "ERC4626ExceededMaxWithdraw")
          .withArgs(d.keeper.address, max + 1n, max)
    );
  });

  it("test_withdraw_revertsOnZeroAssets", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.lp).withdraw(0n, d.lp.address, d.lp.address)).to.be.revertedWithCustomError(
          d.vault,
          "ZeroShares"
        )
    );
  });
});

describe("BackstopVault.redeem", () => {
  it("test_redeem_paysThePreviewForExactShares", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    const shares = 1_234_567_891_234_567n;
    const assets = await d.vault.previewRedeem(shares);
    expect(await d.vault.connect(d.lp).redeem.staticCall(shares, d.stranger.address, d.lp.address)).to.equal(assets);
    const before = await state(d);

    await expect(d.vault.connect(d.lp).redeem(shares, d.stranger.address, d.lp.address))
      .to.emit(d.vault, "Withdraw")
      .withArgs(d.lp.address, d.stranger.address, d.lp.address, assets, shares);

    const after = await state(d);
    expect(before.holders[0].shares - after.holders[0].shares).to.equal(shares);
    expect(after.holders[5].tokens - before.holders[5].tokens).to.equal(assets);
    expect(before.vaultCashWad - after.vaultCashWad).to.equal(assets * TOKEN_TO_WAD);
  });

  it("test_redeem_allSharesLeavesTheFeeToTheOthers", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    const lpShares = await d.vault.balanceOf(d.lp.address);
    const lpValueBefore = await d.vault.convertToAssets(lpShares);
    const keeperShares = await d.vault.balanceOf(d.keeper.address);
    const expected = await d.vault.previewRedeem(keeperShares);
    const walletBefore = await d.usdc.balanceOf(d.keeper.address);
    await d.vault.connect(d.keeper).redeem(keeperShares, d.keeper.address, d.keeper.address);
    expect(await d.vault.balanceOf(d.keeper.address)).to.equal(0n);
    const received = (await d.usdc.balanceOf(d.keeper.address)) - walletBefore;
    expect(received).to.equal(expected);
    // The keeper put in $1M: ≈ $999 in, ≈ $998 out, less the ≈ $166 of its own entry fee it shared in.
    expect(tokens(1_000_000) - received).to.be.within(tokens(1_800), tokens(1_850));
    expect(await d.vault.convertToAssets(lpShares)).to.be.greaterThan(lpValueBefore);
  });

  it("test_redeem_spendsTheAllowanceOfACallerWhoIsNotTheOwner", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    const shares = 10n ** 16n;
    const assets = await d.vault.previewRedeem(shares);
    await d.vault.connect(d.lp).approve(d.bob.address, MaxUint256);
    await expect(d.vault.connect(d.bob).redeem(shares, d.carol.address, d.lp.address))
      .to.emit(d.vault, "Withdraw")
      .withArgs(d.bob.address, d.carol.address, d.lp.address, assets, shares);
    // An infinite approval is not spent (OpenZeppelin's convention).
    expect(await d.vault.allowance(d.lp.address, d.bob.address)).to.equal(MaxUint256);
  });

  it("test_redeem_revertsWhenTheAllowanceIsShort", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.bob).redeem(10n ** 16n, d.bob.address, d.lp.address))
          .to.be.revertedWithCustomError(d.vault, "ERC20InsufficientAllowance")
          .withArgs(d.bob.address, 0n, 10n ** 16n)
    );
  });

  it("test_redeem_revertsBeyondTheOwnersShares", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    const balance = await d.vault.balanceOf(d.keeper.address);
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.keeper).redeem(balance + 1n, d.keeper.address, d.keeper.address))
          .to.be.revertedWithCustomError(d.vault, "ERC4626ExceededMaxRedeem")
          .withArgs(d.keeper.address, balance + 1n, balance)
    );
  });

  it("test_redeem_revertsOnZeroShares", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.lp).redeem(0n, d.lp.address, d.lp.address)).to.be.revertedWithCustomError(
          d.vault,
          "ZeroShares"
        )
    );
  });
});

describe("BackstopVault shares", () => {
  it("test_transfer_movesSharesThatTheRecipientCanRedeem", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    const shares = 10n ** 15n;
    await expect(d.vault.connect(d.keeper).transfer(d.stranger.address, shares))
      .to.emit(d.vault, "Transfer")
      .withArgs(d.keeper.address, d.stranger.address, shares);
    const assets = await d.vault.previewRedeem(shares);
    await d.vault.connect(d.stranger).redeem(shares, d.stranger.address, d.stranger.address);
    expect(await d.usdc.balanceOf(d.stranger.address)).to.equal(assets);
  });

  it("test_transferFrom_spendsTheShareAllowance", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    await d.vault.connect(d.keeper).approve(d.bob.address, 100n);
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.bob).transferFrom(d.keeper.address, d.bob.address, 101n))
          .to.be.revertedWithCustomError(d.vault, "ERC20InsufficientAllowance")
          .withArgs(d.bob.address, 100n, 101n)
    );
    await d.vault.connect(d.bob).transferFrom(d.keeper.address, d.bob.address, 60n);
    expect(await d.vault.allowance(d.keeper.address, d.bob.address)).to.equal(40n);
    expect(await d.vault.balanceOf(d.bob.address)).to.equal(60n);
  });
});

describe("BackstopVault while the engine is paused", () => {
  async function deployPaused() {
    const d = await deployTwoLps();
    await d.engine.pause();
    return d;
  }

  it("test_maxDeposit_isUnlimitedWhileOpen", async () => {
    const d = await networkHelpers.loadFixture(deployTwoLps);
    expect(await d.vault.maxDeposit(d.stranger.address)).to.equal(MaxUint256);
    expect(await d.vault.maxMint(d.stranger.address)).to.equal(MaxUint256);
  });

  it("test_maxDeposit_isZeroWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployPaused);
    expect(await d.vault.maxDeposit(d.keeper.address)).to.equal(0n);
    expect(await d.vault.maxMint(d.keeper.address)).to.equal(0n);
  });

  it("test_deposit_revertsWithTheEnginesEnforcedPause", async () => {
    const d = await networkHelpers.loadFixture(deployPaused);
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.keeper).deposit(tokens(1000), d.keeper.address)).to.be.revertedWithCustomError(
          d.engine,
          "EnforcedPause"
        )
    );
  });

  it("test_mint_revertsWithTheEnginesEnforcedPause", async () => {
    const d = await networkHelpers.loadFixture(deployPaused);
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.keeper).mint(10n ** 18n, d.keeper.address)).to.be.revertedWithCustomError(
          d.engine,
          "EnforcedPause"
        )
    );
  });

  it("test_withdraw_worksWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployPaused);
    const before = await d.usdc.balanceOf(d.keeper.address);
    await d.vault.connect(d.keeper).withdraw(tokens(1000), d.keeper.address, d.keeper.address);
    expect((await d.usdc.balanceOf(d.keeper.address)) - before).to.equal(tokens(1000));
  });

  it("test_redeem_worksWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployPaused);
    const shares = await d.vault.balanceOf(d.keeper.address);
    const assets = await d.vault.previewRedeem(shares);
    await expect(d.vault.connect(d.keeper).redeem(shares, d.keeper.address, d.keeper.address))
      .to.emit(d.vault, "Withdraw")
      .withArgs(d.keeper.address, d.keeper.address, d.keeper.address, assets, shares);
    expect(await d.vault.maxWithdraw(d.lp.address)).to.be.greaterThan(0n);
  });
});

describe("BackstopVault with non-positive equity", () => {
  /** A $100k vault short a 24 ETH long after ETH went from $4,000 to $9,000: traders' profit exceeds the vault. */
  async function deployUnderwater() {
    const d = await deployProtocol();
    for (const s of [d.lp, d.alice, d.keeper]) {
      await d.usdc.mint(s.address, tokens(1_000_000));
      await d.usdc.connect(s).approve(d.vault.getAddress(), MaxUint256);
      await d.usdc.connect(s).approve(d.engine.getAddress(), MaxUint256);
    }
    await d.vault.connect(d.lp).deposit(tokens(100_000), d.lp.address);
    await d.engine.connect(d.alice).deposit(tokens(50_000));
    await d.engine.connect(d.alice).trade(ETH, w(24), w(10_000), anyPrice(1n), []);
    await setPrice(d.ethFeed, 9000);
    await d.engine.poke(ETH);
    return d;
  }

  it("test_maxDeposit_isZeroWhenSharesExistAndEquityIsNotPositive", async () => {
    const d = await networkHelpers.loadFixture(deployUnderwater);
    expect(await d.engine.vaultEquityWad()).to.be.lessThan(0n);
    expect(await d.vault.totalAssets()).to.equal(0n);
    expect(await d.vault.maxDeposit(d.keeper.address)).to.equal(0n);
    expect(await d.vault.maxMint(d.keeper.address)).to.equal(0n);
  });

  it("test_deposit_revertsWhenSharesExistAndEquityIsNotPositive", async () => {
    const d = await networkHelpers.loadFixture(deployUnderwater);
    const equity = await d.engine.vaultEquityWad();
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.keeper).deposit(tokens(1000), d.keeper.address))
          .to.be.revertedWithCustomError(d.vault, "VaultEquityNotPositive")
          .withArgs(equity)
    );
  });

  it("test_mint_revertsWhenSharesExistAndEquityIsNotPositive", async () => {
    const d = await networkHelpers.loadFixture(deployUnderwater);
    const equity = await d.engine.vaultEquityWad();
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.keeper).mint(10n ** 18n, d.keeper.address))
          .to.be.revertedWithCustomError(d.vault, "VaultEquityNotPositive")
          .withArgs(equity)
    );
  });
});

describe("BackstopVault over a fee-on-transfer token", () => {
  async function deployOverFeeToken() {
    const base = await deployProtocol();
    const [admin] = await ethers.getSigners();
    const token = await new FeeOnTransferToken__factory(admin).deploy();
    const engine = await deployEngine(admin, await token.getAddress(), await base.registry.getAddress());
    const vault = await new BackstopVault__factory(admin).deploy(token.getAddress(), engine.getAddress());
    await engine.setVault(vault.getAddress());
    await token.mint(base.lp.address, tokens(10_000));
    await token.connect(base.lp).approve(vault.getAddress(), MaxUint256);
    return { ...base, token, engine, vault };
  }

  it("test_deposit_rejectsAFeeOnTransferToken", async () => {
    const d = await networkHelpers.loadFixture(deployOverFeeToken);
    const amount = tokens(1000);
    await expectUnchanged(
      () => vaultState({ vault: d.vault, engine: d.engine, usdc: d.token }, [d.lp]),
      () =>
        expect(d.vault.connect(d.lp).deposit(amount, d.lp.address))
          .to.be.revertedWithCustomError(d.vault, "TransferAmountMismatch")
          .withArgs(amount, amount - amount / 100n)
    );
  });

  it("test_mint_rejectsAFeeOnTransferToken", async () => {
    const d = await networkHelpers.loadFixture(deployOverFeeToken);
    const shares = 10n ** 15n;
    const assets = await d.vault.previewMint(shares);
    await expectUnchanged(
      () => vaultState({ vault: d.vault, engine: d.engine, usdc: d.token }, [d.lp]),
      () =>
        expect(d.vault.connect(d.lp).mint(shares, d.lp.address))
          .to.be.revertedWithCustomError(d.vault, "TransferAmountMismatch")
          .withArgs(assets, assets - assets / 100n)
    );
  });
});
