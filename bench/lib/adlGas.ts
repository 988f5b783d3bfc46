/**
 * Gas of the ADL-list and liquidation paths, with hints computed as the SDK would (the tail of the list for
 * an opening at a rising fill price): a trade re-inserting into a tier list of 10 and of 10,000 positions,
 * the same with a hint 10 positions off, a single liquidation, a batch of 50, and the marginal gas of one more
 * ADL counterparty. Lists are filled by PositionSpawner (one fresh account per position, many per block).
 */
import type { NetworkConnection } from "hardhat/types/network";
import ProtocolModule from "../../ignition/modules/Protocol.js";
import {
  IPerpEngine__factory,
  MarketRegistry__factory,
  MockAggregator__factory,
  MockUSDC__factory,
  PositionSpawner__factory,
  BackstopVault__factory,
} from "../../types/ethers-contracts/index.js";

export type AdlGas = {
  insertAt10: number;
  insertAt10000: number;
  insertStaleHint10: number;
  liquidate: number;
  liquidateBatch50PerPosition: number;
  adlPerCounterparty: number;
};

const ETH = 1n;
const BTC = 2n;

/** A 50x ETH long gapped through its bankruptcy price and liquidated, then a day passes (the feed answers anew). */
async function liquidateEarlierDeficit(
  { ethers, networkHelpers }: NetworkConnection<"generic">,
  d: {
    engine: ReturnType<typeof IPerpEngine__factory.connect>;
    ethFeed: ReturnType<typeof MockAggregator__factory.connect>;
    keeper: Awaited<ReturnType<NetworkConnection<"generic">["ethers"]["getSigners"]>>[number];
    trader: Awaited<ReturnType<NetworkConnection<"generic">["ethers"]["getSigners"]>>[number];
  },
) {
  const wad = (n: string) => ethers.parseUnits(n, 18);
  await d.engine.connect(d.trader).trade(ETH, wad("1"), wad("82"), ethers.MaxUint256, []);
  await d.ethFeed.setPrice(3880n * 10n ** 8n);
  await d.engine.connect(d.keeper).liquidate(d.trader.address, ETH);
  if ((await d.engine.insuranceUsedTodayWad(ETH)) === 0n) throw new Error("the earlier liquidation drew no insurance");
  await networkHelpers.time.increase(86_400);
  await d.ethFeed.setPrice(4000n * 10n ** 8n);
}

export async function measureAdlGas(
  connection: NetworkConnection<"generic">,
  listSize = 10_000,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<AdlGas> {
  const { ethers, ignition, networkHelpers } = connection;
  const [admin, lp, trader, keeper, whale, victim, earlier] = await ethers.getSigners();
  const d = await ignition.deploy(ProtocolModule);
  const engine = IPerpEngine__factory.connect(await d.engine.getAddress(), admin);
  const registry = MarketRegistry__factory.connect(await d.registry.getAddress(), admin);
  const usdc = MockUSDC__factory.connect(await d.usdc.getAddress(), admin);
  const vault = BackstopVault__factory.connect(await d.vault.getAddress(), admin);
  const ethFeed = MockAggregator__factory.connect(await d.feedETHUSD.getAddress(), admin);
  const btcFeed = MockAggregator__factory.connect(await d.feedBTCUSD.getAddress(), admin);
  const spawner = await new PositionSpawner__factory(admin).deploy();
  const wad = (n: string) => ethers.parseUnits(n, 18);
  const units = (n: number) => BigInt(n) * 10n ** 6n;
  const gasOf = async (tx: Promise<{ wait: () => Promise<{ gasUsed: bigint } | null> }>) =>
    Number((await (await tx).wait())!.gasUsed);

  for (const who of [lp, trader, keeper, whale, victim, earlier]) {
    await usdc.mint(who.address, units(1_000_000_000));
    await usdc.connect(who).approve(await engine.getAddress(), ethers.MaxUint256);
    await usdc.connect(who).approve(await vault.getAddress(), ethers.MaxUint256);
    await engine.connect(who).deposit(units(10_000_000));
  }
  await vault.connect(lp).deposit(units(200_000_000), lp.address);
  for (const market of [ETH, BTC]) {
    await registry.setLimits(market, wad("1000000000000"), wad("1000"), wad("2"), wad("5000"));
  }
  await usdc.mint(await spawner.getAddress(), units(1_000_000_000));

  // Tier 1 (3–10x) long lists: 10 positions in ETH, `listSize` in BTC, each about $2,000 at 5x.
  const spawn = async (market: bigint, size: bigint, margin: bigint, tier: number, count: number, perTx = 40) => {
    for (let done = 0; done < count; done += perTx) {
      const n = Math.min(perTx, count - done);
      await (await spawner.spawn(await engine.getAddress(), market, size, margin, units(Number(margin / 10n ** 18n) + 10), tier, n)).wait();
      onProgress(done + n, count);
    }
  };
  await spawn(ETH, wad("0.5"), wad("410"), 1, 10);
  await spawn(BTC, wad("0.02"), wad("480"), 1, listSize);

  const tailHint = async (market: bigint) => [(await engine.listEnds(market, true, 1)).tail];
  const t = engine.connect(trader);
  const insertAt10 = await gasOf(t.trade(ETH, wad("0.5"), wad("410"), ethers.MaxUint256, await tailHint(ETH)));
  const insertAt10000 = await gasOf(t.trade(BTC, wad("0.02"), wad("480"), ethers.MaxUint256, await tailHint(BTC)));

  // A hint 10 positions before the tail: the insertion walks 10 steps.
  let stale = (await engine.listEnds(BTC, true, 1)).tail;
  for (let i = 0; i < 10; i++) stale = (await engine.positionById(BTC, stale)).prevId;
  const insertStaleHint10 = await gasOf(engine.connect(whale).trade(BTC, wad("0.02"), wad("480"), ethers.MaxUint256, [stale]));

  // The market has paid a deficit from the insurance fund before (on an earlier day), as any live market has:
  // the measured liquidation then updates the fund's daily usage instead of writing it for the first time
  // (a first-ever draw in a market costs 17,100 gas more).
  await liquidateEarlierDeficit(connection, { engine, ethFeed, keeper, trader: earlier });

  // Single liquidation: a 50x ETH long, the price falls 3%, the vault takes it over (reducing its exposure).
  await engine.connect(victim).trade(ETH, wad("10"), wad("820"), ethers.MaxUint256, []);
  const snapshot = await networkHelpers.takeSnapshot();
  await ethFeed.setPrice(3880n * 10n ** 8n);
  const liquidate = await gasOf(engine.connect(keeper).liquidate(victim.address, ETH));
  await snapshot.restore();

  // Batch: 50 BTC longs at ~50x (tier 4), then a 3% fall.
  await btcFeed.setPrice(117000n * 10n ** 8n);
  const before = Number(await engine.accountCount());
  await spawn(BTC, wad("0.02"), wad("47"), 4, 50, 25);
  const victims: string[] = [];
  for (let id = before + 1; id <= before + 50; id++) victims.push(await engine.accountOf(id));
  await btcFeed.setPrice(113490n * 10n ** 8n);
  const batchGas = await gasOf(engine.connect(keeper).liquidateBatch(BTC, victims));
  await snapshot.restore();

  // ADL: traders net short in ETH (the vault long) through an exempt 2.5x whale; the exposure cap is then set
  // to zero, so a liquidated long cannot be taken over (it would grow the vault's long) and is filled against
  // n profitable tier-2 shorts; compare n = 1 and n = 9.
  const adlGas = async (n: number) => {
    const s = await networkHelpers.takeSnapshot();
    await ethFeed.setPrice(4000n * 10n ** 8n);
    await engine.connect(whale).trade(ETH, -wad("2000"), wad("3200000"), 0n, []);
    await engine.connect(victim).trade(ETH, wad("9"), wad("740"), ethers.MaxUint256, []);
    const each = wad("9") / BigInt(n);
    const margin = (each * 4000n) / 15n; // 15x: tier 2
    await spawn(ETH, -each, margin, 2, n, n);
    await registry.setLimits(ETH, wad("1000000000000"), wad("1000"), 0n, wad("5000"));
    await ethFeed.setPrice(3880n * 10n ** 8n);
    const gas = await gasOf(engine.connect(keeper).liquidate(victim.address, ETH));
    await s.restore();
    return gas;
  };
  const one = await adlGas(1);
  const nine = await adlGas(9);

  return {
    insertAt10,
    insertAt10000,
    insertStaleHint10,
    liquidate,
    liquidateBatch50PerPosition: Math.round(batchGas / 50),
    adlPerCounterparty: Math.round((nine - one) / 8),
  };
}
