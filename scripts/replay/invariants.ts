/**
 * DESIGN's invariants, checked by reading the chain after a replay: every account and position the engine
 * knows, the tier lists walked page by page through PerpLens, and the liquidation events.
 */
import { collateralTokenAbi, marketRegistryAbi, perpEngineAbi, perpLensAbi } from "@open-waterfall/sdk";
import { parseEventLogs, type Address, type Log } from "viem";
import type { ChainConnection } from "./chain.ts";
import type { Deployment } from "./deploy.ts";
import { precedes } from "./hints.ts";
import { TOKEN_TO_WAD } from "./units.ts";

/** Each invariant's verdict. */
export type Invariants = { conservation: boolean; zeroSum: boolean; order: boolean; noHiddenLoss: boolean };

/** The verdicts and, for a failure, what was found. */
export type InvariantResult = { invariants: Invariants; failures: string[] };

/** Rounding dust a haircut may carry beyond what it covers (a millionth of a cent). */
const HAIRCUT_DUST_WAD = 10n ** 6n;

type Pos = { sizeWad: bigint; marginWad: bigint; jWad: bigint; tier: number; account: Address };

/** Reads the chain at `blockNumber` and checks every invariant. */
export async function checkInvariants(
  conn: ChainConnection,
  d: Deployment,
  blockNumber: bigint,
  /** Accounts that may hold free collateral without an account id (keepers paid rewards). */
  extraAccounts: Address[] = [],
): Promise<InvariantResult> {
  const pc = conn.publicClient;
  const failures: string[] = [];
  const engine = <T>(functionName: string, args: unknown[] = []): Promise<T> =>
    pc.readContract({ address: d.engine, abi: perpEngineAbi, functionName: functionName as never, args: args as never, blockNumber }) as Promise<T>;
  const marketCount = await pc.readContract({ address: d.registry, abi: marketRegistryAbi, functionName: "marketCount", blockNumber });
  const accountCount = await engine<number>("accountCount");
  const positions = new Map<string, Pos>();
  let ledgers = 0n;
  const ids = Array.from({ length: accountCount }, (_, i) => i + 1);
  for (let start = 0; start < ids.length; start += 64) {
    await Promise.all(
      ids.slice(start, start + 64).map(async (id) => {
        const account = await engine<Address>("accountOf", [id]);
        const free = await engine<bigint>("freeCollateralWad", [account]);
        ledgers += free;
        for (let m = 1n; m <= marketCount; m++) {
          const p = await engine<{ sizeWad: bigint; marginWad: bigint; jWad: bigint; tier: number }>("positionById", [m, id]);
          if (p.sizeWad === 0n) continue;
          ledgers += BigInt(p.marginWad);
          positions.set(`${m}:${id}`, { sizeWad: BigInt(p.sizeWad), marginWad: BigInt(p.marginWad), jWad: BigInt(p.jWad), tier: Number(p.tier), account });
        }
      }),
    );
  }

  const known = new Set<string>();
  for (const id of ids) known.add((await engine<Address>("accountOf", [id])).toLowerCase());
  for (const a of extraAccounts) if (!known.has(a.toLowerCase())) ledgers += await engine<bigint>("freeCollateralWad", [a]);

  // Conservation: the tokens the engine holds are exactly its ledgers.
  const held = await pc.readContract({ address: d.usdc, abi: collateralTokenAbi, functionName: "balanceOf", args: [d.engine], blockNumber });
  ledgers += (await engine<bigint>("insuranceFundWad")) + (await engine<bigint>("treasuryWad")) + (await engine<bigint>("vaultCashWad"));
  const conservation = held * TOKEN_TO_WAD === ledgers;
  if (!conservation) failures.push(`conservation: engine holds ${held * TOKEN_TO_WAD} wad, ledgers sum to ${ledgers}`);

  // Zero sum: each side's aggregates are the sums over its positions; vault equity = cash − traders' net PnL.
  let zeroSum = true;
  let unrealised = 0n;
  for (let m = 1n; m <= marketCount; m++) {
    const s = await engine<{ longSizeWad: bigint; shortSizeWad: bigint; longJSum: bigint; shortJSum: bigint; cachedLongPnlWad: bigint; cachedShortPnlWad: bigint }>("marketState", [m]);
    let longSize = 0n;
    let shortSize = 0n;
    let longJ = 0n;
    let shortJ = 0n;
    for (const [k, p] of positions) {
      if (!k.startsWith(`${m}:`)) continue;
      if (p.sizeWad > 0n) {
        longSize += p.sizeWad;
        longJ += p.sizeWad * p.jWad;
      } else {
        shortSize -= p.sizeWad;
        shortJ -= p.sizeWad * p.jWad;
      }
    }
    if (longSize !== BigInt(s.longSizeWad) || shortSize !== BigInt(s.shortSizeWad) || longJ !== BigInt(s.longJSum) || shortJ !== BigInt(s.shortJSum)) {
      zeroSum = false;
      failures.push(`zeroSum: market ${m} aggregates differ from the sum over its positions`);
    }
    unrealised += BigInt(s.cachedLongPnlWad) + BigInt(s.cachedShortPnlWad);
  }
  const equity = await engine<bigint>("vaultEquityWad");
  const cash = await engine<bigint>("vaultCashWad");
  if (equity !== cash - unrealised) {
    zeroSum = false;
    failures.push(`zeroSum: vault equity ${equity} is not cash ${cash} minus traders' net PnL ${unrealised}`);
  }

  const logs = (await pc.getLogs({ address: d.engine, fromBlock: 0n, toBlock: blockNumber })) as Log[];
  const events = parseEventLogs({ abi: perpEngineAbi, logs });

  // Order: every tier list is sorted by J and holds exactly the open positions of its side and stored tier.
  // Equal J keep insertion order (the contract stores no sequence number): the rank of a position is when it
  // last entered its list, rebuilt from PositionUpdated (a new position, or a change of J, side or tier).
  const entered = new Map<string, { rank: number; isLong: boolean; jWad: bigint; tier: number }>();
  let rank = 0;
  for (const e of events) {
    if (e.eventName !== "PositionUpdated") continue;
    const k = `${e.args.marketId}:${e.args.account.toLowerCase()}`;
    const { sizeWad, jWad, tier } = e.args;
    if (sizeWad === 0n || tier === 0) {
      entered.delete(k);
      continue;
    }
    const was = entered.get(k);
    if (was && was.isLong === sizeWad > 0n && was.jWad === jWad && was.tier === tier) continue;
    entered.set(k, { rank: ++rank, isLong: sizeWad > 0n, jWad, tier });
  }
  const rankOf = (m: bigint, p: Pos) => entered.get(`${m}:${p.account.toLowerCase()}`)?.rank ?? Number.MAX_SAFE_INTEGER;
  let order = true;
  const listed = new Set<string>();
  for (let m = 1n; m <= marketCount; m++) {
    for (const isLong of [true, false]) {
      for (let tier = 1; tier <= 4; tier++) {
        let cursor = 0;
        let prev: Pos | undefined;
        for (;;) {
          const [pageIds, page, next] = (await pc.readContract({ address: d.lens, abi: perpLensAbi, functionName: "walkList", args: [m, isLong, tier, cursor, 200n], blockNumber })) as readonly [readonly number[], readonly { sizeWad: bigint; jWad: bigint; tier: number }[], number];
          for (let i = 0; i < pageIds.length; i++) {
            const id = pageIds[i];
            const p = positions.get(`${m}:${id}`);
            if (!p || (p.sizeWad > 0n) !== isLong || p.tier !== tier) {
              order = false;
              failures.push(`order: account ${id} is in market ${m} ${isLong ? "long" : "short"} tier ${tier} without such a position`);
            } else if (prev && !precedes(isLong, prev.jWad, rankOf(m, prev), p.jWad, rankOf(m, p))) {
              order = false;
              failures.push(`order: account ${id} is out of order in market ${m} ${isLong ? "long" : "short"} tier ${tier}`);
            }
            if (p) prev = p;
            listed.add(`${m}:${id}`);
          }
          if (next === 0 || pageIds.length === 0) break;
          cursor = next;
        }
      }
    }
  }
  for (const [k, p] of positions) {
    if (p.tier !== 0 && !listed.has(k)) {
      order = false;
      failures.push(`order: position ${k} (tier ${p.tier}) is in no list`);
    }
    if (p.tier === 0 && listed.has(k)) order = false;
  }

  // No hidden loss: every deficit is split to the wei between insurance, vault, haircuts and bad debt; the
  // haircuts of each liquidation cover its ADL share; counters match their events.
  let noHiddenLoss = true;
  const haircutByTx = new Map<string, bigint>();
  for (const e of events) {
    if (e.eventName !== "AdlFill") continue;
    const k = `${e.transactionHash}:${e.args.liquidated.toLowerCase()}`;
    haircutByTx.set(k, (haircutByTx.get(k) ?? 0n) + e.args.haircutWad);
  }
  const badDebtEvents = new Map<bigint, bigint>();
  const withheldEvents = new Map<bigint, bigint>();
  for (const e of events) {
    if (e.eventName === "DeficitPaid") {
      const a = e.args;
      // Split to the wei, except that the haircut level rounds up: haircuts may exceed what was left unpaid by
      // dust, which goes to the insurance fund (LiquidationModule); then there is no bad debt.
      const paid = a.insuranceWad + a.vaultWad + a.haircutWad + a.badDebtWad;
      if (paid < a.deficitWad || paid - a.deficitWad > HAIRCUT_DUST_WAD || (paid > a.deficitWad && a.badDebtWad !== 0n)) {
        noHiddenLoss = false;
        failures.push(`noHiddenLoss: deficit of ${a.account} in tx ${e.transactionHash} is ${a.deficitWad}, its split sums to ${paid}`);
      }
      const fills = haircutByTx.get(`${e.transactionHash}:${a.account.toLowerCase()}`) ?? 0n;
      // Haircuts are water-filled with the level rounded up: they may exceed the ADL share by dust, never fall short.
      if (fills < a.haircutWad || fills - a.haircutWad > HAIRCUT_DUST_WAD) {
        noHiddenLoss = false;
        failures.push(`noHiddenLoss: ADL fills of ${a.account} in tx ${e.transactionHash} haircut ${fills}, the deficit's ADL share is ${a.haircutWad}`);
      }
    } else if (e.eventName === "BadDebt") {
      badDebtEvents.set(e.args.marketId, (badDebtEvents.get(e.args.marketId) ?? 0n) + e.args.amountWad);
    } else if (e.eventName === "ProfitScaled") {
      withheldEvents.set(e.args.marketId, (withheldEvents.get(e.args.marketId) ?? 0n) + e.args.withheldWad);
    }
  }
  for (let m = 1n; m <= marketCount; m++) {
    const counter = await engine<bigint>("badDebtWad", [m]);
    if (counter !== (badDebtEvents.get(m) ?? 0n)) {
      noHiddenLoss = false;
      failures.push(`noHiddenLoss: market ${m} bad-debt counter ${counter} differs from its BadDebt events ${badDebtEvents.get(m) ?? 0n}`);
    }
    const withheld = await engine<bigint>("profitWithheldWad", [m]);
    if (withheld !== (withheldEvents.get(m) ?? 0n)) {
      noHiddenLoss = false;
      failures.push(`noHiddenLoss: market ${m} scaling counter ${withheld} differs from its ProfitScaled events`);
    }
  }
  return { invariants: { conservation, zeroSum, order, noHiddenLoss }, failures };
}
