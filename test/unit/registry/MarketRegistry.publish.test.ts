import { expect } from "chai";
import { AbiCoder, ZeroAddress } from "ethers";
import {
  ETH,
  BTC,
  deployEngine,
  deployFunded,
  deployProtocol,
  ethers,
  networkHelpers,
  w,
} from "../../helpers/fixture.js";
import { expectUnchanged, marketInput, plain, protocolInput, registryState } from "../../helpers/state.js";
import { tradingFeeWad } from "../../helpers/engine.js";
import { MarketRegistry__factory } from "../../../types/ethers-contracts/index.js";

// abi.encode(MarketParams): MarketConfig (18 fields, then uint32[4]), ProtocolConfig, sequencer feed and grace.
const MARKET_CONFIG =
  "tuple(address,uint8,uint32,bool,uint64,uint64,uint64,uint64,uint64,uint64,uint64,uint64,uint128,uint128,uint128,uint128,int128,int128,uint32[4])";
const PROTOCOL_CONFIG =
  "tuple(uint64,uint64,uint64,uint64,uint128,uint128,uint64,uint64,uint64,uint64,uint64,uint32,uint16,uint16,uint32,uint96)";
const MARKET_PARAMS = `tuple(${MARKET_CONFIG},${PROTOCOL_CONFIG},address,uint32)`;

type Deployed = Awaited<ReturnType<typeof deployProtocol>>;

/** The blob's bytes after its STOP prefix, decoded as MarketParams. */
async function readBlob(pointer: string) {
  const code = await ethers.provider.getCode(pointer);
  expect(code.slice(0, 4)).to.equal("0x00");
  const [params] = AbiCoder.defaultAbiCoder().decode([MARKET_PARAMS], "0x" + code.slice(4));
  return params;
}

/** What the registry's views say the blob must hold. */
async function expectedParams(d: Deployed, marketId: bigint) {
  return [
    [...(await d.registry.marketConfig(marketId))],
    [...(await d.registry.protocolConfig())],
    await d.registry.sequencerFeed(),
    await d.registry.sequencerGracePeriod(),
  ];
}

/** A registry with ETH-USD listed and no engine bound, and an engine deployed over it. */
async function deployUnbound() {
  const d = await deployProtocol();
  const registry = await new MarketRegistry__factory(d.admin).deploy(d.admin.address, protocolInput());
  await registry.listMarket(await d.registry.symbolOf(ETH), marketInput(await d.ethFeed.getAddress(), 8));
  const engine = await deployEngine(d.admin, await d.usdc.getAddress(), await registry.getAddress());
  return { ...d, fresh: registry, freshEngine: engine };
}

describe("MarketRegistry.bindEngine", () => {
  it("test_bindEngine_publishesEveryListedMarketToTheEngine", async () => {
    const d = await networkHelpers.loadFixture(deployUnbound);
    expect(await d.fresh.paramsOf(ETH)).to.equal(ZeroAddress);
    const tx = await d.fresh.bindEngine(await d.freshEngine.getAddress());
    await expect(tx).to.emit(d.fresh, "EngineBound").withArgs(await d.freshEngine.getAddress());
    const pointer = await d.fresh.paramsOf(ETH);
    expect(pointer).to.not.equal(ZeroAddress);
    await expect(tx).to.emit(d.fresh, "MarketParamsPublished").withArgs(ETH, pointer);
    await expect(tx).to.emit(d.freshEngine, "MarketParamsSet").withArgs(ETH, pointer);
    expect(await d.freshEngine.marketParamsOf(ETH)).to.equal(pointer);
    expect(await d.fresh.engine()).to.equal(await d.freshEngine.getAddress());
  });

  it("test_bindEngine_revertsForAStrangerAndKeepsState", async () => {
    const d = await networkHelpers.loadFixture(deployUnbound);
    await expectUnchanged(
      () => registryState(d.fresh),
      () =>
        expect(d.fresh.connect(d.stranger).bindEngine(d.freshEngine.getAddress())).to.be.revertedWithCustomError(
          d.fresh,
          "AccessControlUnauthorizedAccount",
        ),
    );
  });

  it("test_bindEngine_revertsForAnEngineOfAnotherRegistry", async () => {
    const d = await networkHelpers.loadFixture(deployUnbound);
    await expectUnchanged(
      () => registryState(d.fresh),
      () =>
        expect(d.fresh.bindEngine(d.engine.getAddress()))
          .to.be.revertedWithCustomError(d.fresh, "EngineRegistryMismatch")
          .withArgs(d.engine.getAddress(), d.registry.getAddress()),
    );
  });

  it("test_bindEngine_revertsForTheZeroAddress", async () => {
    const d = await networkHelpers.loadFixture(deployUnbound);
    await expectUnchanged(
      () => registryState(d.fresh),
      () => expect(d.fresh.bindEngine(ZeroAddress)).to.be.revertedWithCustomError(d.fresh, "ZeroAddress"),
    );
  });

  it("test_bindEngine_revertsWhenAlreadyBound", async () => {
    const d = await networkHelpers.loadFixture(deployProtocol);
    await expectUnchanged(
      () => registryState(d.registry),
      () =>
        expect(d.registry.bindEngine(d.engine.getAddress()))
          .to.be.revertedWithCustomError(d.registry, "EngineAlreadyBound")
          .withArgs(d.engine.getAddress()),
    );
  });

  it("test_unboundEngine_knowsNoMarket", async () => {
    const d = await networkHelpers.loadFixture(deployUnbound);
    await d.usdc.mint(d.alice.address, 10n ** 12n);
    await d.usdc.connect(d.alice).approve(d.freshEngine.getAddress(), 10n ** 12n);
    await d.freshEngine.connect(d.alice).deposit(10n ** 10n);
    await expect(d.freshEngine.connect(d.alice).trade(ETH, w(1), w(1000), w(5000), []))
      .to.be.revertedWithCustomError(d.fresh, "MarketNotListed")
      .withArgs(ETH);
  });
});

describe("MarketRegistry parameter blobs", () => {
  it("test_blob_holdsTheMarketsProtocolAndSequencerParameters", async () => {
    const d = await networkHelpers.loadFixture(deployProtocol);
    for (const id of [ETH, BTC]) {
      const pointer = await d.registry.paramsOf(id);
      expect(await d.engine.marketParamsOf(id)).to.equal(pointer);
      expect(plain(await readBlob(pointer))).to.deep.equal(plain(await expectedParams(d, id)));
    }
  });

  it("test_setter_publishesANewBlobTheEngineUsesAtOnce", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const before = await d.registry.paramsOf(ETH);
    const btcBefore = await d.registry.paramsOf(BTC);
    const c = await d.registry.marketConfig(ETH);
    const tx = await d.registry.setFees(ETH, c.tradingFeeWad * 2n, c.liquidationFeeExtraWad);
    const after = await d.registry.paramsOf(ETH);
    expect(after).to.not.equal(before);
    await expect(tx).to.emit(d.engine, "MarketParamsSet").withArgs(ETH, after);
    expect(await d.registry.paramsOf(BTC)).to.equal(btcBefore);
    const blob = await readBlob(after);
    expect(blob[0][6]).to.equal(c.tradingFeeWad * 2n);

    // The next trade pays the new fee.
    const trade = await (await d.engine.connect(d.alice).trade(ETH, w(1), w(1000), w(5000), [])).wait();
    const traded = trade!.logs.map((l) => d.engine.interface.parseLog(l)).find((e) => e?.name === "Traded")!;
    const [, , , , fill, fee] = traded.args;
    expect(fee).to.equal(tradingFeeWad({ sizeAbsWad: w(1), fillPriceWad: fill, feeRateWad: c.tradingFeeWad * 2n }));
  });

  it("test_protocolAndSequencerChanges_republishEveryMarket", async () => {
    const d = await networkHelpers.loadFixture(deployProtocol);
    const before = [await d.registry.paramsOf(ETH), await d.registry.paramsOf(BTC)];
    await d.registry.setProtocolConfig(protocolInput({ tierDropDelay: 7200n }));
    const afterProtocol = [await d.registry.paramsOf(ETH), await d.registry.paramsOf(BTC)];
    expect(afterProtocol[0]).to.not.equal(before[0]);
    expect(afterProtocol[1]).to.not.equal(before[1]);
    expect((await readBlob(afterProtocol[1]))[1][11]).to.equal(7200n);

    await d.registry.setSequencerFeed(d.keeper.address, 600);
    for (const id of [ETH, BTC]) {
      const blob = await readBlob(await d.registry.paramsOf(id));
      expect([blob[2], blob[3]]).to.deep.equal([d.keeper.address, 600n]);
    }
  });

  it("test_setMarketParams_revertsForAnyoneButTheRegistryAndKeepsState", async () => {
    const d = await networkHelpers.loadFixture(deployProtocol);
    const pointer = await d.engine.marketParamsOf(ETH);
    await expect(d.engine.connect(d.admin).setMarketParams(ETH, 1n))
      .to.be.revertedWithCustomError(d.engine, "NotRegistry")
      .withArgs(d.admin.address);
    expect(await d.engine.marketParamsOf(ETH)).to.equal(pointer);
  });
});
