import { expect } from "chai";
import { Signature, TypedDataEncoder, ZeroAddress } from "ethers";
import type { Signer } from "ethers";
import { deployProtocol, ethers, networkHelpers, tokens } from "../../helpers/fixture.js";
import { expectUnchanged } from "../../helpers/state.js";
import { FeeOnTransferToken__factory, MockAggregator__factory } from "../../../types/ethers-contracts/index.js";
import type { MockUSDC } from "../../../types/ethers-contracts/index.js";

async function deployMocks() {
  const s = await deployProtocol();
  const [admin] = await ethers.getSigners();
  const feed = await new MockAggregator__factory(admin).deploy(8, "ETH / USD", 4000n * 10n ** 8n);
  const emptyFeed = await new MockAggregator__factory(admin).deploy(0, "sequencer", 0n);
  const feeToken = await new FeeOnTransferToken__factory(admin).deploy();
  return { ...s, feed, emptyFeed, feeToken };
}

describe("MockAggregator", () => {
  it("test_constructor_publishesTheInitialAnswerAsRoundOne", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    const receipt = await d.feed.deploymentTransaction()?.wait();
    const block = await ethers.provider.getBlock(receipt?.blockNumber ?? 0);
    const t = BigInt(block?.timestamp ?? 0);
    await expect(d.feed.deploymentTransaction())
      .to.emit(d.feed, "AnswerUpdated")
      .withArgs(4000n * 10n ** 8n, 1n, t);
    expect(await d.feed.latestRound()).to.equal(1n);
    expect(await d.feed.latestRoundData()).to.deep.equal([1n, 4000n * 10n ** 8n, t, t, 1n]);
  });

  it("test_constructor_withZeroAnswerPublishesNoRound", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    expect(await d.emptyFeed.latestRound()).to.equal(0n);
    expect(await d.emptyFeed.latestRoundData()).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
  });

  it("test_metadata_decimalsDescriptionVersion", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    expect(await d.feed.decimals()).to.equal(8n);
    expect(await d.feed.description()).to.equal("ETH / USD");
    expect(await d.feed.version()).to.equal(4n);
    expect(await d.emptyFeed.decimals()).to.equal(0n);
  });

  it("test_setPrice_publishesANewRoundAtTheBlockTime", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    const t = BigInt(await networkHelpers.time.latest()) + 100n;
    await networkHelpers.time.setNextBlockTimestamp(t);
    await expect(d.feed.setPrice(-5n)).to.emit(d.feed, "AnswerUpdated").withArgs(-5n, 2n, t);
    expect(await d.feed.latestRound()).to.equal(2n);
    expect(await d.feed.latestRoundData()).to.deep.equal([2n, -5n, t, t, 2n]);
  });

  it("test_setRound_publishesArbitraryFields", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    await expect(d.feed.setRound(123n, 7n, 9n, 1n)).to.emit(d.feed, "AnswerUpdated").withArgs(123n, 2n, 9n);
    expect(await d.feed.latestRoundData()).to.deep.equal([2n, 123n, 7n, 9n, 1n]);
  });

  it("test_getRoundData_returnsHistoricAndEmptyRounds", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    const first = await d.feed.latestRoundData();
    await d.feed.setPrice(4100n * 10n ** 8n);
    await d.feed.setRound(1n, 2n, 3n, 0n);
    expect(await d.feed.getRoundData(1n)).to.deep.equal(first);
    const second = await d.feed.getRoundData(2n);
    expect([second[0], second[1], second[4]]).to.deep.equal([2n, 4100n * 10n ** 8n, 2n]);
    expect(second[2]).to.equal(second[3]);
    expect(await d.feed.getRoundData(3n)).to.deep.equal([3n, 1n, 2n, 3n, 0n]);
    expect(await d.feed.getRoundData(99n)).to.deep.equal([99n, 0n, 0n, 0n, 0n]);
  });
});

describe("MockUSDC", () => {
  /** An EIP-2612 permit for `owner`'s tokens, signed by `signer` (the owner itself unless a test forges one). */
  async function signPermit(
    usdc: MockUSDC,
    signer: Signer,
    owner: string,
    spender: string,
    value: bigint,
    deadline: bigint
  ) {
    const [, name, version, chainId, verifyingContract] = await usdc.eip712Domain();
    const signature = await signer.signTypedData(
      { name, version, chainId, verifyingContract },
      {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      },
      { owner, spender, value, nonce: await usdc.nonces(owner), deadline }
    );
    return Signature.from(signature);
  }

  const permitState = async (usdc: MockUSDC, owner: string, spender: string) => ({
    allowance: await usdc.allowance(owner, spender),
    nonce: await usdc.nonces(owner),
  });

  it("test_metadata_sixDecimals", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    expect(await d.usdc.decimals()).to.equal(6n);
    expect(await d.usdc.name()).to.equal("Mock USD Coin");
    expect(await d.usdc.symbol()).to.equal("USDC");
  });

  it("test_DOMAIN_SEPARATOR_matchesTheEip712Domain", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    const [, name, version, chainId, verifyingContract] = await d.usdc.eip712Domain();
    expect([name, version, verifyingContract]).to.deep.equal(["Mock USD Coin", "1", await d.usdc.getAddress()]);
    expect(await d.usdc.DOMAIN_SEPARATOR()).to.equal(
      TypedDataEncoder.hashDomain({ name, version, chainId, verifyingContract })
    );
  });

  it("test_mint_anyoneMintsToAnyone", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    await expect(d.usdc.connect(d.stranger).mint(d.alice.address, tokens(5)))
      .to.emit(d.usdc, "Transfer")
      .withArgs(ZeroAddress, d.alice.address, tokens(5));
    expect(await d.usdc.balanceOf(d.alice.address)).to.equal(tokens(5));
    expect(await d.usdc.totalSupply()).to.equal(tokens(5));
  });

  it("test_permit_setsTheAllowanceAndBumpsTheNonce", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
    const sig = await signPermit(d.usdc, d.alice, d.alice.address, d.bob.address, tokens(100), deadline);
    await expect(
      d.usdc.connect(d.stranger).permit(d.alice.address, d.bob.address, tokens(100), deadline, sig.v, sig.r, sig.s)
    )
      .to.emit(d.usdc, "Approval")
      .withArgs(d.alice.address, d.bob.address, tokens(100));
    expect(await permitState(d.usdc, d.alice.address, d.bob.address)).to.deep.equal({
      allowance: tokens(100),
      nonce: 1n,
    });
    await d.usdc.mint(d.alice.address, tokens(100));
    await d.usdc.connect(d.bob).transferFrom(d.alice.address, d.bob.address, tokens(100));
    expect(await d.usdc.balanceOf(d.bob.address)).to.equal(tokens(100));
  });

  it("test_permit_fundsAnEngineDepositWithoutApproval", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    await d.usdc.mint(d.alice.address, tokens(100));
    const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
    const sig = await signPermit(d.usdc, d.alice, d.alice.address, await d.engine.getAddress(), tokens(100), deadline);
    await d.engine.connect(d.alice).depositWithPermit(tokens(100), deadline, sig.v, sig.r, sig.s);
    expect(await d.engine.freeCollateralWad(d.alice.address)).to.equal(100n * 10n ** 18n);
    expect(await d.usdc.allowance(d.alice.address, d.engine.getAddress())).to.equal(0n);
  });

  it("test_permit_revertsOnReplay", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
    const sig = await signPermit(d.usdc, d.alice, d.alice.address, d.bob.address, tokens(100), deadline);
    await d.usdc.permit(d.alice.address, d.bob.address, tokens(100), deadline, sig.v, sig.r, sig.s);
    await expectUnchanged(
      () => permitState(d.usdc, d.alice.address, d.bob.address),
      () =>
        expect(
          d.usdc.permit(d.alice.address, d.bob.address, tokens(100), deadline, sig.v, sig.r, sig.s)
        ).to.be.revertedWithCustomError(d.usdc, "ERC2612InvalidSigner")
    );
  });

  it("test_permit_revertsAfterTheDeadline", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    const deadline = BigInt(await networkHelpers.time.latest()) + 10n;
    const sig = await signPermit(d.usdc, d.alice, d.alice.address, d.bob.address, tokens(100), deadline);
    await networkHelpers.time.increase(11);
    await expectUnchanged(
      () => permitState(d.usdc, d.alice.address, d.bob.address),
      () =>
        expect(d.usdc.permit(d.alice.address, d.bob.address, tokens(100), deadline, sig.v, sig.r, sig.s))
          .to.be.revertedWithCustomError(d.usdc, "ERC2612ExpiredSignature")
          .withArgs(deadline)
    );
  });

  it("test_permit_revertsWhenSignedBySomeoneElse", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
    // Carol signs a permit for alice's tokens: the recovered signer is carol, not the owner.
    const sig = await signPermit(d.usdc, d.carol, d.alice.address, d.bob.address, tokens(100), deadline);
    await expectUnchanged(
      () => permitState(d.usdc, d.alice.address, d.bob.address),
      () =>
        expect(d.usdc.permit(d.alice.address, d.bob.address, tokens(100), deadline, sig.v, sig.r, sig.s))
          .to.be.revertedWithCustomError(d.usdc, "ERC2612InvalidSigner")
          .withArgs(d.carol.address, d.alice.address)
    );
  });
});

describe("FeeOnTransferToken", () => {
  it("test_metadata_sixDecimals", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    expect(await d.feeToken.decimals()).to.equal(6n);
    expect(await d.feeToken.name()).to.equal("Fee Token");
    expect(await d.feeToken.symbol()).to.equal("FEE");
  });

  it("test_mint_isNotTaxed", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    await d.feeToken.mint(d.alice.address, tokens(1000));
    expect(await d.feeToken.balanceOf(d.alice.address)).to.equal(tokens(1000));
    expect(await d.feeToken.totalSupply()).to.equal(tokens(1000));
  });

  it("test_transfer_burns1Percent", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    await d.feeToken.mint(d.alice.address, tokens(1000));
    await expect(d.feeToken.connect(d.alice).transfer(d.bob.address, tokens(500)))
      .to.emit(d.feeToken, "Transfer")
      .withArgs(d.alice.address, ZeroAddress, tokens(5))
      .and.to.emit(d.feeToken, "Transfer")
      .withArgs(d.alice.address, d.bob.address, tokens(495));
    expect(await d.feeToken.balanceOf(d.alice.address)).to.equal(tokens(500));
    expect(await d.feeToken.balanceOf(d.bob.address)).to.equal(tokens(495));
    expect(await d.feeToken.totalSupply()).to.equal(tokens(995));
  });

  it("test_transferFrom_burns1Percent", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    await d.feeToken.mint(d.alice.address, tokens(1000));
    await d.feeToken.connect(d.alice).approve(d.carol.address, tokens(1000));
    await d.feeToken.connect(d.carol).transferFrom(d.alice.address, d.bob.address, 12_345n);
    // 1% of 12,345 rounds down to 123.
    expect(await d.feeToken.balanceOf(d.bob.address)).to.equal(12_222n);
    expect(await d.feeToken.balanceOf(d.alice.address)).to.equal(tokens(1000) - 12_345n);
    expect(await d.feeToken.allowance(d.alice.address, d.carol.address)).to.equal(tokens(1000) - 12_345n);
  });

  it("test_transfer_below100UnitsBurnsNothing", async () => {
    const d = await networkHelpers.loadFixture(deployMocks);
    await d.feeToken.mint(d.alice.address, 99n);
    await d.feeToken.connect(d.alice).transfer(d.bob.address, 99n);
    expect(await d.feeToken.balanceOf(d.bob.address)).to.equal(99n);
    expect(await d.feeToken.totalSupply()).to.equal(99n);
  });
});
