/**
 * Gas of the core trader actions in a realistic warm state: the system deployed by the Ignition module, the
 * vault funded, the market already holding positions of other traders, and the measuring trader holding free
 * collateral from an earlier deposit (so no measurement pays for a first-ever storage write it would not pay
 * in production). Shared by `npm run bench:gas` and the gas-ceiling test.
 */
import type { NetworkConnection } from "hardhat/types/network";
import ProtocolModule from "../../ignition/modules/Protocol.js";
import {
  BackstopVault__factory,
  MockUSDC__factory,
  IPerpEngine__factory,
} from "../../types/ethers-contracts/index.js";

export type CoreGas = Record<
  "deposit" | "withdraw" | "open" | "increase" | "decrease" | "close" | "addMargin" | "removeMargin",
  number
>;

export async function measureCoreGas(connection: NetworkConnection<"generic">): Promise<CoreGas> {
  const { ethers, ignition } = connection;
  const signers = await ethers.getSigners();
  const [admin, lp, trader] = signers;
  const crowd = signers.slice(3, 13);
  const d = await ignition.deploy(ProtocolModule);
  const engine = IPerpEngine__factory.connect(await d.engine.getAddress(), admin);
  const vault = BackstopVault__factory.connect(await d.vault.getAddress(), admin);
  const usdc = MockUSDC__factory.connect(await d.usdc.getAddress(), admin);
  const units = (n: number) => BigInt(n) * 10n ** 6n;
  const wad = (n: string) => ethers.parseUnits(n, 18);
  const ETH = 1n;

  for (const who of [lp, trader, ...crowd]) {
    await usdc.mint(who.address, units(10_000_000));
    await usdc.connect(who).approve(await engine.getAddress(), ethers.MaxUint256);
    await usdc.connect(who).approve(await vault.getAddress(), ethers.MaxUint256);
  }
  await vault.connect(lp).deposit(units(5_000_000), lp.address);
  // Other traders already hold both sides of the market.
  for (const [i, who] of crowd.entries()) {
    await engine.connect(who).deposit(units(50_000));
    const size = wad(String(1 + i)) * (i % 2 === 0 ? 1n : -1n);
    await engine.connect(who).trade(ETH, size, wad("2000"), size > 0n ? ethers.MaxUint256 : 0n, []);
  }
  await engine.connect(trader).deposit(units(100_000));

  const gasOf = async (tx: Promise<{ wait: () => Promise<{ gasUsed: bigint } | null> }>) => {
    const receipt = await (await tx).wait();
    if (receipt === null) throw new Error("transaction dropped");
    return Number(receipt.gasUsed);
  };
  const t = engine.connect(trader);
  return {
    deposit: await gasOf(t.deposit(units(10_000))),
    withdraw: await gasOf(t.withdraw(units(5_000))),
    open: await gasOf(t.trade(ETH, wad("5"), wad("2000"), ethers.MaxUint256, [])),
    increase: await gasOf(t.trade(ETH, wad("2"), wad("1000"), ethers.MaxUint256, [])),
    addMargin: await gasOf(t.addMargin(ETH, wad("500"))),
    removeMargin: await gasOf(t.removeMargin(ETH, wad("400"), [])),
    decrease: await gasOf(t.trade(ETH, wad("-3"), 0n, 0n, [])),
    close: await gasOf(t.closePosition(ETH, 0n)),
  };
}
