import { expect } from "chai";
import { TOKEN_TO_WAD, deployFunded, networkHelpers, tokens, w } from "../../helpers/fixture.js";
import {
  captureState,
  deployFeeOnTransferEngine,
  expectRevertWithoutChange,
  scopeOf,
  signPermit,
} from "../../helpers/engine.js";

describe("PerpEngine.deposit", () => {
  it("test_deposit_creditsTokenAmountTimesTenToTheTwelve", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const engineAddress = await d.engine.getAddress();
    const before = await captureState(scopeOf(d));
    // 1234.567891 USDC is 1234567891 token units: every one of them must arrive, scaled by exactly 1e12.
    const amount = 1_234_567_891n;
    await expect(d.engine.connect(d.alice).deposit(amount))
      .to.emit(d.engine, "Deposited")
      .withArgs(d.alice.address, amount);
    expect(await d.engine.freeCollateralWad(d.alice.address)).to.equal(
      before.freeCollateralWad[0] + 1_234_567_891_000_000_000_000n
    );
    expect(await d.usdc.balanceOf(d.alice.address)).to.equal(before.tokenBalances[0] - amount);
    expect(await d.usdc.balanceOf(engineAddress)).to.equal(before.engineTokenBalance + amount);
    expect(await d.engine.vaultCashWad()).to.equal(before.vaultCashWad);
  });

  it("test_deposit_revertsOnZeroAmount", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).deposit(0n),
      contract: d.engine,
      error: "ZeroAmount",
    });
  });

  it("test_deposit_revertsWhenPaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.pause();
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).deposit(tokens(1)),
      contract: d.engine,
      error: "EnforcedPause",
    });
  });

  it("test_deposit_revertsOnFeeOnTransferToken", async () => {
    const d = await networkHelpers.loadFixture(deployFeeOnTransferEngine);
    const scope = { engine: d.feeEngine, token: d.feeToken, accounts: [d.alice.address] };
    // The token burns 1% in flight: 1000 sent, 990 received.
    await expectRevertWithoutChange({
      scope,
      action: () => d.feeEngine.connect(d.alice).deposit(tokens(1000)),
      contract: d.feeEngine,
      error: "TransferAmountMismatch",
      args: [tokens(1000), tokens(990)],
    });
  });
});

describe("PerpEngine.depositWithPermit", () => {
  it("test_depositWithPermit_depositsWithoutPriorApproval", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const engineAddress = await d.engine.getAddress();
    await d.usdc.mint(d.stranger.address, tokens(500));
    expect(await d.usdc.allowance(d.stranger.address, engineAddress)).to.equal(0n);
    const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
    const sig = await signPermit({ d, owner: d.stranger, spender: engineAddress, valueTokens: tokens(500), deadline });

    await expect(d.engine.connect(d.stranger).depositWithPermit(tokens(500), deadline, sig.v, sig.r, sig.s))
      .to.emit(d.engine, "Deposited")
      .withArgs(d.stranger.address, tokens(500));
    expect(await d.engine.freeCollateralWad(d.stranger.address)).to.equal(w(500));
    expect(await d.usdc.balanceOf(d.stranger.address)).to.equal(0n);
    expect(await d.usdc.nonces(d.stranger.address)).to.equal(1n);
    expect(await d.usdc.allowance(d.stranger.address, engineAddress)).to.equal(0n);
  });

  it("test_depositWithPermit_succeedsWhenThePermitWasFrontRun", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const engineAddress = await d.engine.getAddress();
    await d.usdc.mint(d.stranger.address, tokens(500));
    const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
    const sig = await signPermit({ d, owner: d.stranger, spender: engineAddress, valueTokens: tokens(500), deadline });
    // Someone copies the permit from the mempool and submits it first: the allowance exists, the nonce is used.
    await d.usdc
      .connect(d.keeper)
      .permit(d.stranger.address, engineAddress, tokens(500), deadline, sig.v, sig.r, sig.s);
    expect(await d.usdc.allowance(d.stranger.address, engineAddress)).to.equal(tokens(500));

    await expect(d.engine.connect(d.stranger).depositWithPermit(tokens(500), deadline, sig.v, sig.r, sig.s))
      .to.emit(d.engine, "Deposited")
      .withArgs(d.stranger.address, tokens(500));
    expect(await d.engine.freeCollateralWad(d.stranger.address)).to.equal(w(500));
    expect(await d.usdc.allowance(d.stranger.address, engineAddress)).to.equal(0n);
  });

  it("test_depositWithPermit_revertsWithAnInvalidPermitAndNoAllowance", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const engineAddress = await d.engine.getAddress();
    await d.usdc.mint(d.stranger.address, tokens(500));
    const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
    // Signed for 100 but used for 500: the permit fails, and without allowance the transfer must fail too.
    const sig = await signPermit({ d, owner: d.stranger, spender: engineAddress, valueTokens: tokens(100), deadline });
    await expectRevertWithoutChange({
      scope: { ...scopeOf(d), accounts: [d.stranger.address] },
      action: () => d.engine.connect(d.stranger).depositWithPermit(tokens(500), deadline, sig.v, sig.r, sig.s),
      contract: d.usdc,
      error: "ERC20InsufficientAllowance",
      args: [engineAddress, 0n, tokens(500)],
    });
    expect(await d.usdc.nonces(d.stranger.address)).to.equal(0n);
  });

  it("test_depositWithPermit_revertsOnZeroAmount", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const engineAddress = await d.engine.getAddress();
    const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
    const sig = await signPermit({ d, owner: d.alice, spender: engineAddress, valueTokens: 0n, deadline });
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).depositWithPermit(0n, deadline, sig.v, sig.r, sig.s),
      contract: d.engine,
      error: "ZeroAmount",
    });
  });

  it("test_depositWithPermit_revertsWhenPaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const engineAddress = await d.engine.getAddress();
    await d.usdc.mint(d.stranger.address, tokens(500));
    const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
    const sig = await signPermit({ d, owner: d.stranger, spender: engineAddress, valueTokens: tokens(500), deadline });
    await d.engine.pause();
    await expectRevertWithoutChange({
      scope: { ...scopeOf(d), accounts: [d.stranger.address] },
      action: () => d.engine.connect(d.stranger).depositWithPermit(tokens(500), deadline, sig.v, sig.r, sig.s),
      contract: d.engine,
      error: "EnforcedPause",
    });
    expect(await d.usdc.nonces(d.stranger.address)).to.equal(0n);
  });
});

describe("PerpEngine.withdraw", () => {
  it("test_withdraw_debitsTokenAmountTimesTenToTheTwelve", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const engineAddress = await d.engine.getAddress();
    const before = await captureState(scopeOf(d));
    const amount = 1_000_001n; // 1.000001 USDC
    await expect(d.engine.connect(d.alice).withdraw(amount))
      .to.emit(d.engine, "Withdrawn")
      .withArgs(d.alice.address, d.alice.address, amount);
    expect(await d.engine.freeCollateralWad(d.alice.address)).to.equal(
      before.freeCollateralWad[0] - amount * TOKEN_TO_WAD
    );
    expect(await d.usdc.balanceOf(d.alice.address)).to.equal(before.tokenBalances[0] + amount);
    expect(await d.usdc.balanceOf(engineAddress)).to.equal(before.engineTokenBalance - amount);
  });

  it("test_withdraw_revertsOnZeroAmount", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).withdraw(0n),
      contract: d.engine,
      error: "ZeroAmount",
    });
  });

  it("test_withdraw_revertsAboveFreeCollateral", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    // One token unit more than the $100k deposited.
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.alice).withdraw(tokens(100_000) + 1n),
      contract: d.engine,
      error: "InsufficientFreeCollateral",
      args: [w(100_000), w("100000.000001")],
    });
  });

  it("test_withdraw_worksWhilePaused", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await d.engine.pause();
    await expect(d.engine.connect(d.alice).withdraw(tokens(100_000)))
      .to.emit(d.engine, "Withdrawn")
      .withArgs(d.alice.address, d.alice.address, tokens(100_000));
    expect(await d.engine.freeCollateralWad(d.alice.address)).to.equal(0n);
  });

  it("test_withdraw_cannotTakeAnotherAccountsCollateral", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    await expectRevertWithoutChange({
      scope: scopeOf(d),
      action: () => d.engine.connect(d.stranger).withdraw(1n),
      contract: d.engine,
      error: "InsufficientFreeCollateral",
      args: [0n, TOKEN_TO_WAD],
    });
  });
});
