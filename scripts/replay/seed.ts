/**
 * Funds the system before a replay: the LP's vault deposit and insurance donation, then the traders (mint,
 * approve, deposit, open), many per block, with list hints from an off-chain copy of the tier lists. The
 * market's own checks decide what opens: a trade that reverts is left out, and the report counts what the
 * chain shows.
 */
import {
  backstopVaultAbi,
  collateralTokenAbi,
  fillPrice,
  marketRegistryAbi,
  perpEngineAbi,
  tierOf,
  type AdlTier,
} from "@open-waterfall/sdk";
import { decodeEventLog, maxUint256, parseGwei, type Account, type Hash } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { ChainConnection } from "./chain.ts";
import type { Deployment } from "./deploy.ts";
import { ListModel } from "./hints.ts";
import type { Miner } from "./miner.ts";
import type { TraderPlan } from "./population.ts";
import { TOKEN_TO_WAD, WAD, usdToTokenUnits, usdToWad } from "./units.ts";

/** Gas limits the set-up gives its own transactions (above what they use, within the per-transaction cap). */
const GAS = { mint: 150_000n, approve: 100_000n, deposit: 250_000n, trade: 1_500_000n, lp: 800_000n };
/** Fees for the replay's own transactions; the base fee is reset to 1 gwei before every block. */
export const FEES = { maxFeePerGas: parseGwei("50"), maxPriorityFeePerGas: parseGwei("1") } as const;
/** Ether given to every account the replay uses. */
export const ETHER_PER_ACCOUNT = 10n ** 24n;

/** A market the population opens on, with what the hints need. */
export type SeedMarket = {
  marketId: bigint;
  tradingFeeWad: bigint;
  tierBoundsX1e4: readonly [number, number, number, number];
};

/** A trader as seeded. */
export type SeededTrader = TraderPlan & { account: Account; accountId: number };

/** Parameters of {@link seedTraders}. */
export type SeedTradersParameters = {
  conn: ChainConnection;
  miner: Miner;
  d: Deployment;
  markets: SeedMarket[];
  plans: TraderPlan[];
  /** Called after every mined batch with the number of trades sent so far. */
  onProgress?: (done: number, total: number) => void;
};

/** Sends the LP's vault deposit and insurance donation, and mines them. */
export async function seedLp(p: {
  conn: ChainConnection;
  miner: Miner;
  d: Deployment;
  lp: Account;
  vaultUsd: number;
  insuranceUsd: number;
}): Promise<void> {
  const { conn, d, lp } = p;
  await conn.setBalance(lp.address, ETHER_PER_ACCOUNT);
  const w = conn.wallet(lp);
  const vaultTokens = usdToTokenUnits(p.vaultUsd);
  const insuranceTokens = usdToTokenUnits(p.insuranceUsd);
  let nonce = await conn.publicClient.getTransactionCount({ address: lp.address, blockTag: "pending" });
  const send = (write: Parameters<typeof w.writeContract>[0]) => w.writeContract({ ...write, nonce: nonce++, ...FEES } as never) as Promise<Hash>;
  const hashes: Hash[] = [];
  hashes.push(await send({ address: d.usdc, abi: collateralTokenAbi, functionName: "mint", args: [lp.address, vaultTokens + insuranceTokens], gas: GAS.mint } as never));
  hashes.push(await send({ address: d.usdc, abi: collateralTokenAbi, functionName: "approve", args: [d.vault, maxUint256], gas: GAS.approve } as never));
  hashes.push(await send({ address: d.usdc, abi: collateralTokenAbi, functionName: "approve", args: [d.engine, maxUint256], gas: GAS.approve } as never));
  if (vaultTokens > 0n) hashes.push(await send({ address: d.vault, abi: backstopVaultAbi, functionName: "deposit", args: [vaultTokens, lp.address], gas: GAS.lp } as never));
  if (insuranceTokens > 0n) hashes.push(await send({ address: d.engine, abi: perpEngineAbi, functionName: "donateInsurance", args: [insuranceTokens], gas: GAS.lp } as never));
  await p.miner.mineUntilEmpty();
  await expectSuccess(conn, hashes, "LP funding");
}

/**
 * After the traders have opened: the LP redeems every share the vault lets go (down to the solvency floor or
 * the profit stop). Returns the assets withdrawn, in token units.
 */
export async function withdrawLpToFloor(p: { conn: ChainConnection; miner: Miner; d: Deployment; lp: Account }): Promise<bigint> {
  const { conn, d, lp } = p;
  const shares = await conn.publicClient.readContract({ address: d.vault, abi: backstopVaultAbi, functionName: "maxRedeem", args: [lp.address] });
  if (shares === 0n) return 0n;
  const before = await conn.publicClient.readContract({ address: d.usdc, abi: collateralTokenAbi, functionName: "balanceOf", args: [lp.address] });
  const hash = await conn.wallet(lp).writeContract({
    address: d.vault,
    abi: backstopVaultAbi,
    functionName: "redeem",
    args: [shares, lp.address, lp.address],
    gas: GAS.lp,
    ...FEES,
  });
  await p.miner.mineUntilEmpty();
  await expectSuccess(conn, [hash], "LP withdrawal to the floor");
  const after = await conn.publicClient.readContract({ address: d.usdc, abi: collateralTokenAbi, functionName: "balanceOf", args: [lp.address] });
  return after - before;
}

async function expectSuccess(conn: ChainConnection, hashes: Hash[], what: string): Promise<void> {
  for (const hash of hashes) {
    const r = await conn.publicClient.getTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`${what}: transaction ${hash} reverted`);
  }
}

const toWad = (x: number, decimals = 6): bigint => (BigInt(Math.round(x * 10 ** decimals)) * WAD) / 10n ** BigInt(decimals);

/** The order's size and the margin it posts (fee included), from the plan and the price. */
export function orderOf(plan: TraderPlan, priceWad: bigint, tradingFeeWad: bigint): { sizeWad: bigint; marginWad: bigint } {
  const notionalWad = usdToWad(plan.notionalUsd.toFixed(2));
  const absSize = (notionalWad * WAD) / priceWad;
  const marginAfterFee = (notionalWad * WAD) / toWad(plan.leverage);
  // The fee on the fill (price impact included) plus 1% headroom, so the margin left is the chosen one.
  const feeWad = (((notionalWad * tradingFeeWad) / WAD) * 101n) / 100n;
  return { sizeWad: plan.isLong ? absSize : -absSize, marginWad: marginAfterFee + feeWad };
}

/** Tiers whose bounds lie within 2% of the chosen leverage: the predicted one first. */
function candidateTiers(leverageWad: bigint, bounds: readonly [number, number, number, number]): number[] {
  const tiers = new Set<number>();
  for (const f of [1000n, 980n, 1020n]) tiers.add(tierOf({ leverageWad: (leverageWad * f) / 1000n, tierBoundsX1e4: bounds }) as AdlTier);
  return [...tiers].filter((t) => t !== 0);
}

/**
 * Seeds the traders: ether, then mint/approve/deposit for all (as many per block as fit), then the trades in
 * batches whose hints come from the lists as of the previous batch.
 * @returns The traders with their accounts and account ids; `opened` counts the trades the chain accepted.
 */
export async function seedTraders(p: SeedTradersParameters): Promise<{ traders: SeededTrader[]; opened: number; failed: number }> {
  const { conn, miner, d } = p;
  const pc = conn.publicClient;
  const markets = new Map(p.markets.map((m) => [m.marketId, m]));
  const prices = new Map<bigint, bigint>();
  for (const m of p.markets) {
    const [priceWad] = await pc.readContract({ address: d.engine, abi: perpEngineAbi, functionName: "markPrice", args: [m.marketId] });
    prices.set(m.marketId, priceWad);
  }
  const traders = p.plans.map((plan) => ({ ...plan, account: privateKeyToAccount(plan.privateKey), accountId: 0 }));
  const orders = traders.map((t) => orderOf(t, prices.get(t.marketId)!, markets.get(t.marketId)!.tradingFeeWad));

  // Phase 1: ether, tokens, approval, deposit. Fresh keys, so nonces start at 0.
  const perBlock = Number(conn.blockGasLimit / (GAS.mint + GAS.approve + GAS.deposit)) - 1;
  for (let start = 0; start < traders.length; start += perBlock) {
    const chunk = traders.slice(start, start + perBlock);
    await Promise.all(
      chunk.map(async (t, i) => {
        const tokens = orders[start + i].marginWad / TOKEN_TO_WAD + 2n;
        await conn.setBalance(t.account.address, ETHER_PER_ACCOUNT);
        const w = conn.wallet(t.account);
        await w.writeContract({ address: d.usdc, abi: collateralTokenAbi, functionName: "mint", args: [t.account.address, tokens], gas: GAS.mint, nonce: 0, ...FEES });
        await w.writeContract({ address: d.usdc, abi: collateralTokenAbi, functionName: "approve", args: [d.engine, maxUint256], gas: GAS.approve, nonce: 1, ...FEES });
        await w.writeContract({ address: d.engine, abi: perpEngineAbi, functionName: "deposit", args: [tokens], gas: GAS.deposit, nonce: 2, ...FEES });
      }),
    );
    await miner.mineUntilEmpty();
  }
  for (let start = 0; start < traders.length; start += 64) {
    await Promise.all(
      traders.slice(start, start + 64).map(async (t) => {
        t.accountId = await pc.readContract({ address: d.engine, abi: perpEngineAbi, functionName: "accountIdOf", args: [t.account.address] });
      }),
    );
  }
  const byAddress = new Map(traders.map((t) => [t.account.address.toLowerCase(), t]));

  // Phase 2: the trades, a block's worth at a time.
  const model = new ListModel();
  const tradesPerBlock = Math.max(1, Number(conn.blockGasLimit / GAS.trade) - 1);
  let opened = 0;
  let failed = 0;
  for (let start = 0; start < traders.length; start += tradesPerBlock) {
    const chunk = traders.slice(start, start + tradesPerBlock);
    const skew = new Map<bigint, bigint>();
    const funding = new Map<bigint, bigint>();
    const skewScale = new Map<bigint, bigint>();
    for (const m of p.markets) {
      const s = await pc.readContract({ address: d.engine, abi: perpEngineAbi, functionName: "marketState", args: [m.marketId] });
      skew.set(m.marketId, BigInt(s.longSizeWad) - BigInt(s.shortSizeWad));
      funding.set(m.marketId, await pc.readContract({ address: d.engine, abi: perpEngineAbi, functionName: "currentFundingIndex", args: [m.marketId] }));
      const c = await pc.readContract({ address: d.registry, abi: marketRegistryAbi, functionName: "marketConfig", args: [m.marketId] });
      skewScale.set(m.marketId, BigInt(c.skewScaleWad));
    }
    const hashes = await Promise.all(
      chunk.map(async (t, i) => {
        const { sizeWad, marginWad } = orders[start + i];
        const m = markets.get(t.marketId)!;
        const priceWad = prices.get(t.marketId)!;
        const skewBefore = skew.get(t.marketId)!;
        skew.set(t.marketId, skewBefore + sizeWad);
        const fill = fillPrice({ priceWad, skewBeforeWad: skewBefore, sizeDeltaWad: sizeWad, skewScaleWad: skewScale.get(t.marketId)! });
        const jWad = fill - funding.get(t.marketId)!;
        const leverageWad = toWad(t.leverage);
        const hints = model.hints(t.marketId, sizeWad > 0n, candidateTiers(leverageWad, m.tierBoundsX1e4), jWad);
        return conn.wallet(t.account).writeContract({
          address: d.engine,
          abi: perpEngineAbi,
          functionName: "trade",
          args: [t.marketId, sizeWad, marginWad, sizeWad > 0n ? maxUint256 : 0n, hints],
          gas: GAS.trade,
          nonce: 3,
          ...FEES,
        });
      }),
    );
    await miner.mineUntilEmpty();
    for (const hash of hashes) {
      const r = await pc.getTransactionReceipt({ hash });
      if (r.status !== "success") {
        failed++;
        continue;
      }
      opened++;
      for (const log of r.logs) {
        if (log.address.toLowerCase() !== d.engine.toLowerCase()) continue;
        try {
          const ev = decodeEventLog({ abi: perpEngineAbi, data: log.data, topics: log.topics });
          if (ev.eventName !== "PositionUpdated") continue;
          const t = byAddress.get(ev.args.account.toLowerCase());
          if (!t) continue;
          model.update(ev.args.marketId, t.accountId, ev.args.sizeWad, ev.args.jWad, ev.args.tier);
        } catch {
          // Not an engine event this ABI knows (none expected); nothing to model.
        }
      }
    }
    p.onProgress?.(Math.min(start + tradesPerBlock, traders.length), traders.length);
  }
  return { traders, opened, failed };
}
