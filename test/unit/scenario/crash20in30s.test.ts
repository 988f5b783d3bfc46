/**
 * The scenario that motivated the design: the market falls 20% within 30 seconds, in four oracle rounds, on a
 * book of highly leveraged longs and profitable shorts, with the vault near its limit. After every round the
 * keeper pokes the market and liquidates every liquidatable position and any remainder left in liquidation (up
 * to twenty calls in each block), until nothing is left to liquidate. Each call's waterfall is checked against
 * the state it started from: the insurance fund pays first (up to its balance and daily cap), then the vault's
 * equity down to its floor, then ADL haircuts on the short side's order (tiers from the highest, most profitable
 * first, never skipping a profitable head, no haircut above the counterparty's profit), then bad debt; and after
 * every round the invariants hold (conservation, list order and membership, counters).
 */
import { expect } from "chai";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import { PositionSpawner__factory } from "../../../types/ethers-contracts/index.js";
import {
  ETH,
  TOKEN_TO_WAD,
  WAD,
  deployFunded,
  disableFunding,
  ethers,
  networkHelpers,
  tokens,
  w,
} from "../../helpers/fixture.js";
import { eventNames, eventsOf, isLiquidatableAt, kWad, maxOf, mined, minOf, wMulDown } from "../../helpers/engine.js";
import { nextUtcDay } from "../../helpers/state.js";
import { setProtocol } from "../../helpers/liquidation.js";

const ROUNDS = 4;
const ROUND_SECONDS = 10;
const MOVE_PER_ROUND = 0.05;
/** Liquidation calls the keeper puts into one block. */
const CALLS_PER_BLOCK = 20;
const FEED_DECIMALS = 8n;

/** Spawns `count` positions of `sizeWad` with `marginWad` from fresh accounts (PositionSpawner, 30 per call). */
async function spawn(
  d: Awaited<ReturnType<typeof deployFunded>>,
  a: { sizeWad: bigint; marginWad: bigint; tier: number; count: number }
) {
  const spawner = await new PositionSpawner__factory(d.admin).deploy();
  const tokensEach = a.marginWad / TOKEN_TO_WAD + tokens(20);
  await d.usdc.mint(await spawner.getAddress(), tokensEach * BigInt(a.count));
  for (let left = a.count; left > 0; left -= 30) {
    const n = Math.min(30, left);
    await (await spawner.spawn(await d.engine.getAddress(), ETH, a.sizeWad, a.marginWad, tokensEach, a.tier, n)).wait();
  }
}

/**
 * 180 longs of 5 ETH ($20k) at $4,000: 60 at about 45x (tier 4), 30 at 25x (tier 3), 30 at 12x (tier 2), 30 at 7x
 * and 30 at 5.5x (tier 1), so that each −5% round makes some of them liquidatable; 120 shorts of 8 ETH at about
 * 15x (tier 2), who profit from the fall and make the vault net long 60 ETH. The LP then withdraws all it may
 * but $20,000, and the absolute floor is set to the floor of that moment (5% of the open interest), so that the
 * vault stays near its limit however much open interest the crash closes.
 */
async function deployCrashBook() {
  const d = await deployFunded();
  await disableFunding(d);
  await spawn(d, { sizeWad: w(5), marginWad: w(445), tier: 4, count: 60 });
  await spawn(d, { sizeWad: w(5), marginWad: w(810), tier: 3, count: 30 });
  await spawn(d, { sizeWad: w(5), marginWad: w(1_680), tier: 2, count: 30 });
  await spawn(d, { sizeWad: w(5), marginWad: w(2_870), tier: 1, count: 30 });
  await spawn(d, { sizeWad: w(5), marginWad: w(3_650), tier: 1, count: 30 });
  await spawn(d, { sizeWad: -w(8), marginWad: w(2_140), tier: 2, count: 120 });
  const max = await d.vault.maxWithdraw(d.lp.address);
  await d.vault.connect(d.lp).withdraw(max - tokens(20_000), d.lp.address, d.lp.address);
  await setProtocol(d, { floorAbsoluteUsdWad: await d.engine.solvencyFloorWad() });
  const accounts: string[] = [];
  for (let id = 1n; id <= (await d.engine.accountCount()); id++) {
    accounts.push(await d.engine.accountOf(id));
    const p = await d.engine.positionById(ETH, id);
    if (p.sizeWad !== 0n) expect(p.tier, "no exempt position in the book").to.not.equal(0n);
  }
  return { ...d, accounts };
}

type Book = Awaited<ReturnType<typeof deployCrashBook>>;

/** The book's accounts are the engine's ids 1..n, in order. */
const accountOf = (d: Book, id: bigint): string => d.accounts[Number(id) - 1];

interface Open {
  account: string;
  id: bigint;
  sizeWad: bigint;
  marginWad: bigint;
  jWad: bigint;
  tier: bigint;
  inLiquidation: boolean;
}

/** Every open position of the book, account by account. */
async function openPositions(d: Book): Promise<Open[]> {
  const out: Open[] = [];
  for (const [i, account] of d.accounts.entries()) {
    const id = BigInt(i + 1);
    const p = await d.engine.positionById(ETH, id);
    if (p.sizeWad !== 0n) out.push(openOf(account, id, p));
  }
  return out;
}

/**
 * Every listed position, read from the tier lists in eight calls: the whole book, since none of its positions is
 * exempt (expectInvariants checks that every open position is in its list).
 */
async function listedPositions(d: Book): Promise<Open[]> {
  const out: Open[] = [];
  for (const isLong of [true, false]) {
    for (let tier = 1; tier <= 4; tier++) {
      const [ids, positions] = await d.lens.walkList(ETH, isLong, tier, 0, 1_000);
      positions.forEach((p, i) => out.push(openOf(accountOf(d, ids[i]), ids[i], p)));
    }
  }
  return out;
}

const openOf = (
  account: string,
  id: bigint,
  p: { sizeWad: bigint; marginWad: bigint; jWad: bigint; tier: bigint; inLiquidation: boolean }
): Open => ({
  account,
  id,
  sizeWad: p.sizeWad,
  marginWad: p.marginWad,
  jWad: p.jWad,
  tier: p.tier,
  inLiquidation: p.inLiquidation,
});

/**
 * The keeper's targets, from the contract's parameters: the oracle price the engine reads, the funding index
 * accrued to now and the market's MMR; a position is liquidatable when its K is beyond the threshold (DESIGN
 * "Liquidation trigger"), or already in liquidation. Most underwater first (the K order).
 */
async function liquidatable(d: Book): Promise<Open[]> {
  const [priceWad] = await d.registry.readPrice(ETH);
  const fundingIndexWad = await d.engine.currentFundingIndex(ETH);
  const { mmrWad } = await d.registry.marketConfig(ETH);
  const due = (await listedPositions(d)).filter(
    (p) => p.inLiquidation || isLiquidatableAt(p, { priceWad, fundingIndexWad, mmrWad })
  );
  return due.sort((a, b) => {
    if (a.sizeWad > 0n !== b.sizeWad > 0n) return a.sizeWad > 0n ? -1 : 1;
    const [ka, kb] = [kWad(a), kWad(b)];
    if (ka === kb) return 0;
    return a.sizeWad > 0n ? (ka > kb ? -1 : 1) : ka < kb ? -1 : 1;
  });
}

/** One ADL candidate: the profitable heads of a side's tiers, highest tier first, in list order. */
interface Candidate {
  account: string;
  sizeWad: bigint;
  profitPerUnitWad: bigint;
}

/**
 * The ADL walk (DESIGN "The ADL order"): each tier from its head until the first position without profit, as far
 * as a slice of `neededWad` and one call's fill budget can reach.
 */
async function adlWalk(d: Book, counterLong: boolean, priceWad: bigint, neededWad: bigint): Promise<Candidate[]> {
  const netPrice = priceWad - (await d.engine.currentFundingIndex(ETH));
  const budget = Number((await d.registry.protocolConfig()).adlFillBudget);
  const out: Candidate[] = [];
  let covered = 0n;
  for (let tier = 4; tier >= 1 && covered < neededWad && out.length < budget; tier--) {
    let cursor = 0n;
    walking: do {
      const [ids, positions, next] = await d.lens.walkList(ETH, counterLong, tier, cursor, 4);
      for (let i = 0; i < ids.length && covered < neededWad && out.length < budget; i++) {
        const p = positions[i];
        const profit = counterLong ? netPrice - p.jWad : p.jWad - netPrice;
        if (profit <= 0n) break walking;
        const sizeWad = maxOf(p.sizeWad, -p.sizeWad);
        out.push({ account: accountOf(d, ids[i]), sizeWad, profitPerUnitWad: profit });
        covered += sizeWad;
      }
      cursor = next;
    } while (cursor !== 0n && covered < neededWad && out.length < budget);
  }
  return out;
}

/** What the waterfall may draw on when a call starts: all of it read from the state the call runs on. */
interface Before {
  target: Open;
  priceWad: bigint;
  insuranceAvailWad: bigint;
  vaultRoomWad: bigint;
  walk: Candidate[];
}

async function stateBefore(d: Book, target: Open): Promise<Before> {
  const [priceWad] = await d.registry.readPrice(ETH);
  const cap = (await d.registry.marketConfig(ETH)).insuranceDailyCapUsdWad;
  const used = await d.engine.insuranceUsedTodayWad(ETH);
  const fund = await d.engine.insuranceFundWad();
  // The cache is at this round's price (the keeper poked first, and every liquidation refreshes it), so the
  // views are the equity and floor the call computes.
  const equity = await d.engine.vaultEquityWad();
  const floor = await d.engine.solvencyFloorWad();
  return {
    target,
    priceWad,
    insuranceAvailWad: minOf(cap - used, fund),
    vaultRoomWad: maxOf(0n, equity - BigInt(floor)),
    walk: await adlWalk(d, target.sizeWad < 0n, priceWad, maxOf(target.sizeWad, -target.sizeWad)),
  };
}

/** Totals over the whole crash, to show that every step of the waterfall was reached. */
interface Totals {
  liquidations: number;
  continuations: number;
  deficits: number;
  insuranceWad: bigint;
  vaultWad: bigint;
  haircutWad: bigint;
  badDebtWad: bigint;
  fills: number;
  badDebtEvents: bigint;
}

/** Checks one liquidation call's events against the state it started from. */
function expectWaterfall(d: Book, b: Before, receipt: ContractTransactionReceipt, totals: Totals) {
  const events = eventsOf(d, receipt, ["Liquidated", "DeficitPaid", "AdlFill", "BadDebt"]);
  const liquidated = events.filter((e) => e[0] === "Liquidated");
  expect(liquidated.length, "one slice per call").to.equal(1);
  // Liquidated(account, marketId, keeper, sizeClosed, price, equity, reward, fee, takenOver, adlSize, remaining)
  const l = liquidated[0];
  const [account, priceWad, sizeClosed, adlSize] = [l[1] as string, l[5] as bigint, l[4] as bigint, l[10] as bigint];
  expect([account, priceWad]).to.deep.equal([b.target.account, b.priceWad]);
  expect(sizeClosed > 0n).to.equal(b.target.sizeWad > 0n);
  totals.liquidations++;
  if (b.target.inLiquidation) totals.continuations++;

  // ADL in order: the walk's profitable heads, each filled whole but the last, never more than the slice needs.
  const fills = events.filter((e) => e[0] === "AdlFill");
  expect(fills.length).to.be.at.most(b.walk.length);
  let filled = 0n;
  let haircuts = 0n;
  let dustBound = 0n;
  let everyCapped = true;
  fills.forEach((f, i) => {
    // AdlFill(counterparty, marketId, liquidated, sizeClosed, price, fillPrice, haircut, tier)
    const [counterparty, delta, haircut] = [f[1] as string, f[4] as bigint, f[7] as bigint];
    const c = b.walk[i];
    const q = maxOf(delta, -delta);
    expect(counterparty, `fill ${i} is the next head of the ADL order`).to.equal(c.account);
    expect(q).to.equal(minOf(c.sizeWad, adlSize - filled));
    const profit = wMulDown(q, c.profitPerUnitWad);
    expect(haircut <= profit, "no haircut above the counterparty's profit on its slice").to.equal(true);
    if (haircut < profit) everyCapped = false;
    filled += q;
    haircuts += haircut;
    dustBound += q / WAD + 1n;
  });
  expect(filled).to.equal(adlSize);
  totals.fills += fills.length;

  const deficits = events.filter((e) => e[0] === "DeficitPaid");
  if (deficits.length === 0) {
    expect(haircuts).to.equal(0n);
    return;
  }
  expect(deficits.length).to.equal(1);
  // DeficitPaid(account, marketId, deficit, insurance, vault, haircut, badDebt)
  const [deficit, insurance, vault, haircut, bad] = deficits[0].slice(3) as bigint[];
  // The insurance fund first, as far as its balance and daily cap go; then the vault's equity down to its floor.
  expect(insurance, "the insurance fund pays first").to.equal(minOf(deficit, b.insuranceAvailWad));
  expect(vault, "then the vault, down to its floor").to.equal(minOf(deficit - insurance, b.vaultRoomWad));
  const unpaid = deficit - insurance - vault;
  expect(haircut).to.equal(haircuts);
  if (bad === 0n) {
    // The haircuts cover the rest; their rounding dust (to the insurance fund) is at most a wei per fill and unit.
    expect(haircut >= unpaid && haircut - unpaid <= dustBound).to.equal(true);
  } else {
    expect(bad).to.equal(unpaid - haircut);
    expect(everyCapped, "bad debt only once every haircut took the whole profit").to.equal(true);
    expect(events.filter((e) => e[0] === "BadDebt").map((e) => e[3])).to.deep.equal([bad]);
    totals.badDebtEvents += bad;
  }
  totals.deficits++;
  totals.insuranceWad += insurance;
  totals.vaultWad += vault;
  totals.haircutWad += haircut;
  totals.badDebtWad += bad;
}

/**
 * The keeper's block: its calls are first rehearsed one per block on a snapshot, so that the state each call
 * starts from can be read and its waterfall checked; then the snapshot is restored and the same calls are mined
 * together in one block at `timestamp`, where each must emit exactly the events it emitted in the rehearsal.
 */
async function liquidateInOneBlock(d: Book, targets: Open[], timestamp: bigint, totals: Totals) {
  const snapshot: string = await ethers.provider.send("evm_snapshot", []);
  await ethers.provider.send("evm_setAutomine", [true]);
  const rehearsed: { events: unknown[][]; gasUsed: bigint }[] = [];
  for (const target of targets) {
    const b = await stateBefore(d, target);
    const receipt = await mined(d.engine.connect(d.keeper).liquidate(target.account, ETH));
    expectWaterfall(d, b, receipt, totals);
    rehearsed.push({ events: eventsOf(d, receipt, eventNames(d, receipt)), gasUsed: receipt.gasUsed });
  }
  await ethers.provider.send("evm_revert", [snapshot]);
  await ethers.provider.send("evm_setAutomine", [false]);
  const sent: ContractTransactionResponse[] = [];
  for (const [i, target] of targets.entries()) {
    // The rehearsal's gas (doubled for refunds) spares estimating each call on the growing pending block.
    const gasLimit = rehearsed[i].gasUsed * 2n;
    sent.push(await d.engine.connect(d.keeper).liquidate(target.account, ETH, { gasLimit }));
  }
  await ethers.provider.send("evm_mine", [Number(timestamp)]);
  for (const [i, tx] of sent.entries()) {
    const receipt = await mined(Promise.resolve(tx));
    expect(BigInt((await receipt.getBlock()).timestamp)).to.equal(timestamp);
    expect(eventsOf(d, receipt, eventNames(d, receipt)), "the block repeats the rehearsal").to.deep.equal(
      rehearsed[i].events
    );
  }
}

/** DESIGN "Invariants": conservation, and every tier list sorted by (J, insertion) holding exactly its positions. */
async function expectInvariants(d: Book) {
  let held = (await d.engine.insuranceFundWad()) + (await d.engine.vaultCashWad()) + (await d.engine.treasuryWad());
  for (const a of [...d.accounts, d.keeper.address, d.lp.address, d.admin.address]) {
    held += await d.engine.freeCollateralWad(a);
    held += (await d.engine.positionOf(a, ETH)).marginWad;
  }
  expect((await d.usdc.balanceOf(await d.engine.getAddress())) * TOKEN_TO_WAD, "conservation").to.equal(held);

  const listed = new Map<bigint, string>();
  for (const isLong of [true, false]) {
    for (let tier = 1; tier <= 4; tier++) {
      const [ids, positions] = await d.lens.walkList(ETH, isLong, tier, 0, 1_000);
      const [, , length] = (await d.engine.listEnds(ETH, isLong, tier)) as unknown as [bigint, bigint, bigint];
      expect(BigInt(ids.length)).to.equal(length);
      positions.forEach((p, i) => {
        expect(p.sizeWad > 0n, "listed on its side").to.equal(isLong);
        expect(p.tier).to.equal(BigInt(tier));
        expect(listed.has(ids[i]), "listed once").to.equal(false);
        listed.set(ids[i], `${isLong}/${tier}`);
        if (i === 0) return;
        const a = positions[i - 1];
        // Equal J keeps insertion order by construction (an insertion goes behind every equal J).
        const sorted = isLong ? a.jWad <= p.jWad : a.jWad >= p.jWad;
        expect(sorted, `list ${isLong ? "long" : "short"} ${tier} sorted`).to.equal(true);
      });
    }
  }
  for (const p of await openPositions(d)) {
    expect(listed.get(p.id), "every open non-exempt position is in its list").to.equal(
      p.tier === 0n ? undefined : `${p.sizeWad > 0n}/${p.tier}`
    );
  }
}

describe("crash: −20% in 30 seconds on a leveraged book", () => {
  it("test_crash_everyLiquidatablePositionIsLiquidatedAndEveryDeficitPaidInTheWaterfallsOrder", async function () {
    this.timeout(600_000);
    const d = await networkHelpers.loadFixture(deployCrashBook);
    const totals: Totals = {
      liquidations: 0,
      continuations: 0,
      deficits: 0,
      insuranceWad: 0n,
      vaultWad: 0n,
      haircutWad: 0n,
      badDebtWad: 0n,
      fills: 0,
      badDebtEvents: 0n,
    };
    // Mid-day (UTC), so that the insurance fund's daily cap does not reset during the crash. Every block below is
    // mined at a pinned time: four rounds ten seconds apart, the keeper's blocks one second apart in between.
    const start = BigInt(nextUtcDay(await networkHelpers.time.latest()) + 43_200);
    const startPrice = 4_000;
    await ethers.provider.send("evm_setAutomine", [false]);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const roundStart = start + BigInt(ROUND_SECONDS * round);
        const price = Math.round(startPrice * (1 - MOVE_PER_ROUND * (round + 1)));
        const sentRound = [
          await d.ethFeed.setPrice(BigInt(price) * 10n ** FEED_DECIMALS),
          await d.engine.connect(d.keeper).poke(ETH),
        ];
        await ethers.provider.send("evm_mine", [Number(roundStart)]);
        for (const tx of sentRound) await tx.wait();
        // Up to CALLS_PER_BLOCK calls a block, the most underwater first, until nothing is left to liquidate.
        for (let second = 1; ; second++) {
          const targets = (await liquidatable(d)).slice(0, CALLS_PER_BLOCK);
          if (targets.length === 0) break;
          expect(second, `round ${round} cleared within its ${ROUND_SECONDS} seconds`).to.be.lessThan(ROUND_SECONDS);
          await liquidateInOneBlock(d, targets, roundStart + BigInt(second), totals);
        }
        expect(await d.engine.positionsInLiquidation()).to.equal(0n);
        // The keeper's rule agrees with the engine: the next in line on each side (the most underwater healthy
        // position; the liquidatable set is a prefix of the K order) is refused as not liquidatable.
        const left = await listedPositions(d);
        for (const isLong of [true, false]) {
          const side = left.filter((p) => p.sizeWad > 0n === isLong);
          if (side.length === 0) continue;
          const next = side.reduce((a, b) => ((isLong ? kWad(b) > kWad(a) : kWad(b) < kWad(a)) ? b : a));
          const attempt = d.engine.connect(d.keeper).liquidate.staticCall(next.account, ETH);
          await expect(attempt).to.be.revertedWithCustomError(d.engine, "PositionNotLiquidatable");
        }
        await expectInvariants(d);
      }
    } finally {
      await ethers.provider.send("evm_setAutomine", [true]);
    }
    const last = await ethers.provider.getBlock("latest");
    expect(BigInt(last!.timestamp) - start).to.be.lessThan(BigInt(ROUNDS * ROUND_SECONDS));
    const [finalPrice] = await d.registry.readPrice(ETH);
    expect(finalPrice).to.equal(w(3_200));

    // Every step of the waterfall was reached, and nothing was lost silently.
    expect(totals.liquidations).to.be.greaterThan(50);
    expect(totals.insuranceWad, "the insurance fund paid").to.be.greaterThan(0n);
    expect(totals.vaultWad, "the vault paid").to.be.greaterThan(0n);
    expect(totals.haircutWad, "ADL haircuts paid").to.be.greaterThan(0n);
    expect(await d.engine.badDebtWad(ETH)).to.equal(totals.badDebtWad);
    expect(totals.badDebtEvents).to.equal(totals.badDebtWad);
    console.log(`      ${JSON.stringify(totals, (_, v) => (typeof v === "bigint" ? ethers.formatUnits(v, 18) : v))}`);
  });
});
