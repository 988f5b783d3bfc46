/**
 * `npm start`: a short, real session on Hardhat's in-process network. Deploys the system with the Ignition
 * module, an LP funds the backstop vault, two traders open opposite ETH-USD positions, the price rises 5% over
 * eight hours (funding accrues), both close, and a table shows balances and PnL.
 */
import { network } from "hardhat";
import ProtocolModule from "../ignition/modules/Protocol.js";
import {
  BackstopVault__factory,
  MockAggregator__factory,
  MockUSDC__factory,
  IPerpEngine__factory,
} from "../types/ethers-contracts/index.js";
import { amountString, table, usdString } from "./lib/format.js";

const ETH_MARKET = 1n;
const TOKEN_TO_WAD = 10n ** 12n;

const { ethers, ignition, networkHelpers } = await network.create();
const [admin, lp, alice, bob] = await ethers.getSigners();
const d = await ignition.deploy(ProtocolModule);
const engine = IPerpEngine__factory.connect(await d.engine.getAddress(), admin);
const vault = BackstopVault__factory.connect(await d.vault.getAddress(), admin);
const usdc = MockUSDC__factory.connect(await d.usdc.getAddress(), admin);
const feed = MockAggregator__factory.connect(await d.feedETHUSD.getAddress(), admin);
const usdcUnits = (n: number) => BigInt(n) * 10n ** 6n;
const wad = (n: string) => ethers.parseUnits(n, 18);

console.log("Deployed: engine %s, vault %s, registry %s\n", await engine.getAddress(), await vault.getAddress(), await d.registry.getAddress());

for (const who of [lp, alice, bob]) {
  await usdc.mint(who.address, usdcUnits(2_000_000));
  await usdc.connect(who).approve(await engine.getAddress(), ethers.MaxUint256);
  await usdc.connect(who).approve(await vault.getAddress(), ethers.MaxUint256);
}
await vault.connect(lp).deposit(usdcUnits(1_000_000), lp.address);
await engine.connect(alice).deposit(usdcUnits(20_000));
await engine.connect(bob).deposit(usdcUnits(20_000));
const sharePriceBefore = await vault.convertToAssets(10n ** 12n);

// Alice goes long 10 ETH at 8x, Bob short 6 ETH at 4x: the vault carries the net 4 ETH short.
await engine.connect(alice).trade(ETH_MARKET, wad("10"), wad("5000"), ethers.MaxUint256, []);
await engine.connect(bob).trade(ETH_MARKET, wad("-6"), wad("6000"), 0n, []);

async function positionRows() {
  const rows: string[][] = [];
  const [price] = await engine.markPrice(ETH_MARKET);
  const mmr = (await d.registry.marketConfig(ETH_MARKET)).mmrWad;
  for (const [name, who] of [["alice", alice], ["bob", bob]] as const) {
    const p = await engine.positionOf(who.address, ETH_MARKET);
    if (p.sizeWad === 0n) continue;
    const equity = await engine.equityOf(who.address, ETH_MARKET);
    const size = p.sizeWad;
    const absSize = size < 0n ? -size : size;
    const entry = BigInt(p.jWad) + BigInt(p.f0Wad);
    const marginPerUnit = (BigInt(p.marginWad) * 10n ** 18n) / absSize;
    const k = size > 0n ? BigInt(p.jWad) - marginPerUnit : BigInt(p.jWad) + marginPerUnit;
    const fundingIndex = await engine.currentFundingIndex(ETH_MARKET);
    const bankruptcy = k + fundingIndex;
    const liquidation = size > 0n ? (bankruptcy * 10n ** 18n) / (10n ** 18n - mmr) : (bankruptcy * 10n ** 18n) / (10n ** 18n + mmr);
    rows.push([
      name,
      size > 0n ? "long" : "short",
      amountString(absSize, 2),
      usdString(entry),
      usdString(price),
      usdString(BigInt(p.marginWad)),
      usdString(equity),
      usdString(equity - BigInt(p.marginWad)),
      usdString(liquidation),
      String(p.tier),
    ]);
  }
  return table(["trader", "side", "size ETH", "entry", "mark", "margin", "equity", "uPnL", "liq. price", "ADL tier"], rows);
}

console.log("Positions after opening (ETH-USD at $4,000):");
console.log(await positionRows(), "\n");

// Eight hours pass (funding accrues on the long skew), then the price rises 5%.
await networkHelpers.time.increase(8 * 3600);
await feed.setPrice(4200n * 10n ** 8n);
console.log("Eight hours later, ETH-USD at $4,200:");
console.log(await positionRows(), "\n");

await engine.connect(alice).closePosition(ETH_MARKET, 0n);
await engine.connect(bob).closePosition(ETH_MARKET, ethers.MaxUint256);

const summary: string[][] = [];
for (const [name, who] of [["alice", alice], ["bob", bob]] as const) {
  const free = await engine.freeCollateralWad(who.address);
  summary.push([name, usdString(20_000n * 10n ** 18n), usdString(free), usdString(free - 20_000n * 10n ** 18n)]);
}
console.log("After both close:");
console.log(table(["trader", "deposited", "free collateral", "net PnL (after fees)"], summary), "\n");

const sharePriceAfter = await vault.convertToAssets(10n ** 12n);
console.log(
  table(
    ["protocol balance", "value"],
    [
      ["vault equity", usdString(await engine.vaultEquityWad())],
      ["vault share price (USDC per share)", `${amountString(sharePriceBefore * TOKEN_TO_WAD, 6)} -> ${amountString(sharePriceAfter * TOKEN_TO_WAD, 6)}`],
      ["insurance fund", usdString(await engine.insuranceFundWad())],
      ["treasury", usdString(await engine.treasuryWad())],
    ],
  ),
);
