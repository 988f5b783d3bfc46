/**
 * The scenario that motivated the design: the market falls 20% within 30 seconds, in four oracle rounds, on a
 * book of highly leveraged longs and profitable shorts, with the vault near its limit. After every round the
 * keeper liquidates every liquidatable position (in batches, continuing remainders); the insurance fund pays
 * first, then the vault down to its floor, ADL takes the rest in order, and nothing is lost silently.
 */
import { expect } from "chai";
import type { Log } from "ethers";
import { PositionSpawner__factory } from "../../../types/ethers-contracts/index.js";
import { ETH, deployFunded, ethers, networkHelpers, setPrice, tokens, w } from "../../helpers/fixture.js";

const WAD = 10n ** 18n;

async function deployBook() {
  const d = await deployFunded();
  const c = await d.registry.marketConfig(ETH);
  await d.registry.setFundingParams(ETH, c.skewScaleWad, 0n);
  const spawner = await new PositionSpawner__factory(d.admin).deploy();
  await d.usdc.mint(await spawner.getAddress(), tokens(100_000_000));
  const engineAddress = await d.engine.getAddress();
  // 60 longs of 5 ETH ($20k) at ~45x (tier 4), 30 longs of 5 ETH at ~25x (tier 3).
  await (await spawner.spawn(engineAddress, ETH, w(5), w(445), tokens(460), 4, 30)).wait();
  await (await spawner.spawn(engineAddress, ETH, w(5), w(445), tokens(460), 4, 30)).wait();
  await (await spawner.spawn(engineAddress, ETH, w(5), w(810), tokens(830), 3, 30)).wait();
  // 60 shorts of 8 ETH ($32k) at ~15x (tier 2): they profit from the fall, and make the vault net long.
  await (await spawner.spawn(engineAddress, ETH, -w(8), w(2_140), tokens(2_160), 2, 30)).wait();
  await (await spawner.spawn(engineAddress, ETH, -w(8), w(2_140), tokens(2_160), 2, 30)).wait();
  // The LP withdraws down near the floor: the vault is near its limit.
  const max = await d.vault.maxWithdraw(d.lp.address);
  await d.vault.connect(d.lp).withdraw(max - tokens(20_000), d.lp.address, d.lp.address);
  const accounts: string[] = [];
  for (let id = 1n; id <= (await d.engine.accountCount()); id++) accounts.push(await d.engine.accountOf(id));
  return { ...d, accounts, provider: ethers.provider };
}

type Book = Awaited<ReturnType<typeof deployBook>>;

async function liquidatable(d: Book): Promise<string[]> {
  const mmr = (await d.registry.marketConfig(ETH)).mmrWad;
  const [price] = await d.engine.markPrice(ETH);
  const f = await d.engine.currentFundingIndex(ETH);
  const out: string[] = [];
  for (const a of d.accounts) {
    const p = await d.engine.positionOf(a, ETH);
    if (p.sizeWad === 0n) continue;
    const size = BigInt(p.sizeWad);
    const abs = size < 0n ? -size : size;
    const perUnit = (BigInt(p.marginWad) * WAD) / abs;
    const k = size > 0n ? BigInt(p.jWad) - perUnit : BigInt(p.jWad) + perUnit;
    const buffer = (price * mmr + WAD - 1n) / WAD;
    const liq = size > 0n ? k > price - buffer - f : k < price + buffer - f;
    if (liq || p.inLiquidation) out.push(a);
  }
  return out;
}

describe("crash: −20% in 30 seconds on a leveraged book", () => {
  it("liquidates every liquidatable position, pays deficits in the waterfall's order and loses nothing silently", async () => {
    const d = await networkHelpers.loadFixture(deployBook);
    const logs: Log[] = [];
    const start = BigInt(await networkHelpers.time.latest());
    let price = 4_000;
    // Four rounds of −5%, ten seconds apart: the last one lands 30 seconds after the first.
    for (let round = 0; round < 4; round++) {
      price = Math.round(4_000 * (1 - 0.05 * (round + 1)));
      await networkHelpers.time.setNextBlockTimestamp(start + 1n + BigInt(10 * round));
      await setPrice(d.ethFeed, price);
      // The keeper clears the round: batches of 25 sent together into the next block, then continuations of
      // remainders in the following blocks, until nothing is liquidatable.
      for (let pass = 0; pass < 20; pass++) {
        const targets = await liquidatable(d);
        if (targets.length === 0) break;
        await d.provider.send("evm_setAutomine", [false]);
        const sent = [];
        for (let i = 0; i < targets.length; i += 25) {
          sent.push(await d.engine.connect(d.keeper).liquidateBatch(ETH, targets.slice(i, i + 25)));
        }
        await d.provider.send("evm_mine", []);
        await d.provider.send("evm_setAutomine", [true]);
        for (const tx of sent) logs.push(...(await tx.wait())!.logs);
      }
      expect(await liquidatable(d), `round ${round}`).to.deep.equal([]);
    }
    expect(price).to.equal(3_200);
    expect(await d.engine.positionsInLiquidation()).to.equal(0n);

    const events = logs
      .map((l) => {
        try {
          return d.engine.interface.parseLog(l);
        } catch {
          return null;
        }
      })
      .filter((e) => e !== null);
    const byName = (name: string) => events.filter((e) => e!.name === name).map((e) => e!.args);
    const liquidations = byName("Liquidated");
    const deficits = byName("DeficitPaid");
    const fills = byName("AdlFill");
    const badDebts = byName("BadDebt");
    expect(liquidations.length).to.be.greaterThan(50);

    // Every deficit is paid by a named balance, to the wei, in the waterfall's order: the vault only after the
    // insurance fund could pay no more, haircuts only after the vault reached its floor.
    let insurancePaid = 0n;
    let haircutPaid = 0n;
    let badDebt = 0n;
    for (const dp of deficits) {
      const [, , deficit, insurance, vault, haircut, bad] = dp.toArray() as bigint[];
      expect(insurance + vault + haircut + bad, "deficit fully attributed").to.equal(deficit);
      insurancePaid += insurance;
      haircutPaid += haircut;
      badDebt += bad;
    }
    expect(insurancePaid, "the insurance fund paid first").to.be.greaterThan(0n);
    // ADL hits the leveraged winners: every fill is a profitable short, never more haircut than its profit.
    let haircutInFills = 0n;
    for (const f of fills) {
      const [, , , size, , fillPrice, haircut] = f.toArray() as bigint[];
      expect(size, "shorts are bought back").to.be.greaterThan(0n);
      expect(fillPrice).to.be.at.least(0n);
      haircutInFills += haircut;
    }
    // Haircuts are exactly the deficits they cover, plus dust that went to the insurance fund.
    expect(haircutInFills).to.be.at.least(haircutPaid);
    expect(haircutInFills - haircutPaid).to.be.at.most(BigInt(fills.length) * 2n + 100n);
    expect(await d.engine.badDebtWad(ETH)).to.equal(badDebt);
    expect(badDebts.reduce((s, b) => s + (b.toArray()[2] as bigint), 0n)).to.equal(badDebt);

    // Conservation: the engine's tokens equal every ledger.
    let free = 0n;
    let margins = 0n;
    for (const a of [...d.accounts, d.keeper.address, d.lp.address, d.admin.address]) {
      free += await d.engine.freeCollateralWad(a);
      margins += BigInt((await d.engine.positionOf(a, ETH)).marginWad);
    }
    const ledgers =
      free +
      margins +
      (await d.engine.insuranceFundWad()) +
      (await d.engine.vaultCashWad()) +
      (await d.engine.treasuryWad());
    expect((await d.usdc.balanceOf(await d.engine.getAddress())) * 10n ** 12n).to.equal(ledgers);

    // Every tier list is still sorted and consistent.
    for (const isLong of [true, false]) {
      for (let tier = 1; tier <= 4; tier++) {
        const [ids, positions] = await d.lens.walkList(ETH, isLong, tier, 0, 500);
        const [, , size] = await d.engine.listEnds(ETH, isLong, tier);
        expect(BigInt(ids.length)).to.equal(size);
        for (let i = 1; i < positions.length; i++) {
          const a = positions[i - 1];
          const b = positions[i];
          const ordered = isLong ? a.jWad <= b.jWad : a.jWad >= b.jWad;
          expect(ordered, `list ${isLong ? "long" : "short"} tier ${tier} sorted`).to.equal(true);
        }
      }
    }
    console.log(
      `      ${liquidations.length} liquidation calls, ${fills.length} ADL fills, insurance paid ${ethers.formatUnits(insurancePaid, 18)}, haircuts ${ethers.formatUnits(haircutPaid, 18)}, bad debt ${ethers.formatUnits(badDebt, 18)}`,
    );
  });
});
