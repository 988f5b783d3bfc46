/**
 * The keeper, for in-process use: {@link createKeeper} wires the position book, the chain follower, the ADL mirror,
 * the planner and the transaction manager around caller-supplied viem clients. `tick()` does one round (sync to the
 * head, find what is liquidatable, send), `start()` runs rounds on every new block, `stop()` ends the loop.
 *
 * One round:
 * 1. Settle transactions sent earlier (receipts → metrics; replace the stuck ones).
 * 2. Sync the book to the head (events since the last block; reorganisations undone and re-read).
 * 3. Per market: price, funding, MMR → the K threshold per side → the liquidatable prefix of each K index, plus the
 *    remainders left in liquidation; minus positions already in one of our pending transactions.
 * 4. Rank riskiest first, pack into per-market batches under the per-transaction and block gas limits.
 * 5. Simulate each batch against the pending block: positions another keeper already took come back skipped and are
 *    dropped without sending (bisecting a batch that is partly taken). Estimate its gas, then send all batches at
 *    once, dealt across the signers.
 * 6. Other duties: vault-solvency ADL when its condition holds, due tier drops, pokes of markets whose cache is older
 *    than their oracle round.
 */
import {
  type Address,
  decodeEventLog,
  encodeFunctionData,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import type { Registry } from "prom-client";
import { defineDeployment, marketRegistryAbi, WAD, mockAggregatorAbi, perpEngineAbi, perpLensAbi, type ProtocolDeployment } from "@open-waterfall/sdk";

import { liquidationThresholdK } from "./index/kIndex.ts";
import type { KeeperConfig } from "./config/schema.ts";
import { createLogger, type KeeperLogger } from "./log.ts";
import { createMetrics, type KeeperMetrics } from "./metrics/metrics.ts";
import { assessHealth } from "./metrics/health.ts";
import type { HealthReport } from "./metrics/server.ts";
import { assess, assignToSigners, type Candidate, type MarketSnapshot, planBatches, rankCandidates } from "./planner/planner.ts";
import { AdlMirror, type PredictedFill } from "./state/adlMirror.ts";
import { engineEventReader } from "./state/engineEvents.ts";
import { PositionBook, positionId, type TrackedPosition } from "./state/positionBook.ts";
import { ChainFollower } from "./state/sync.ts";
import { probeTxGasCap } from "./executor/gasLimits.ts";
import { errorText, isTransportError } from "./executor/rpcErrors.ts";
import { type SentTx, type Settlement, type SignerClient, TransactionManager, type TxKind, type TxRequest } from "./executor/txManager.ts";

/** Parameters of {@link createKeeper}. */
export type CreateKeeperParameters = {
  /** The validated config (see loadConfig); its RPC URLs and keys are not used here: the clients are. */
  config: KeeperConfig;
  /** Reads, simulations, submissions of signed transactions. */
  publicClient: PublicClient;
  /** One wallet client per signer, each with its account (local accounts are signed in process). */
  walletClients: readonly SignerClient[];
  /** Logger (default: pino to stdout at the config's level). */
  logger?: KeeperLogger;
  /** Registry to register the metrics in (default: a new one). */
  metricsRegistry?: Registry;
};

/** One transaction sent by a tick. */
export type SentSummary = {
  /** What it does. */
  readonly kind: TxKind;
  /** Its hash. */
  readonly hash: Hex;
  /** The signer. */
  readonly signer: Address;
  /** Its nonce. */
  readonly nonce: number;
  /** The market, for market-specific calls. */
  readonly marketId: bigint | undefined;
  /** Positions it liquidates (liquidate) or whose tier it drops (tierDrop). */
  readonly accounts: readonly Address[];
  /** Gas limit. */
  readonly gas: bigint;
};

/** What one tick did. */
export type TickResult = {
  /** The head block processed. */
  readonly block: bigint;
  /** Liquidatable positions found (remainders in liquidation included, our pending ones excluded). */
  readonly liquidatable: number;
  /** Transactions sent, all kinds. */
  readonly sent: readonly SentSummary[];
  /** Positions dropped because simulation showed them already taken (or no longer liquidatable). */
  readonly dropped: readonly Address[];
  /** Positions that did not fit in this block's gas (sent by a later tick). */
  readonly deferred: number;
  /** Transactions settled during this tick. */
  readonly settled: readonly { readonly hash: Hex; readonly kind: TxKind; readonly status: Settlement["status"] }[];
  /** A reorganisation met while syncing: the first block undone. */
  readonly reorgFrom: bigint | undefined;
  /** Errors met (the tick went on where it could). */
  readonly errors: readonly string[];
};

/** The keeper. */
export type Keeper = {
  /** Runs the loop: a tick on every new block (polled at the config's interval). Resolves once started. */
  start(): Promise<void>;
  /** Stops the loop and waits for the running tick to end. */
  stop(): Promise<void>;
  /** One round: sync, find, send. Resolves once the transactions are in the node's pool (not mined). */
  tick(): Promise<TickResult>;
  /** The /health report. */
  health(): HealthReport;
  /** The metrics. */
  readonly metrics: KeeperMetrics;
  /** The signers' addresses. */
  readonly signers: readonly Address[];
  /** The positions tracked (read-only use). */
  readonly book: PositionBook;
  /** What ADL would fill now against a bankrupt position, from the mirrored lists (empty when the mirror is off). */
  predictAdl(position: TrackedPosition): PredictedFill[];
};

/** Gas of a batch call besides its positions: intrinsic gas, calldata head, loading the market, refreshing its cache. */
const BATCH_BASE_GAS = 90_000n;
/** Margin on a gas estimate: state can change between the estimate (pending block) and inclusion. */
const GAS_LIMIT_PERCENT = 130n;
/** Due tier drops applied per tick at most (they earn nothing; liquidations come first). */
const TIER_DROPS_PER_TICK = 20;
/** Longest wait between failed rounds. */
const MAX_BACKOFF_MS = 3_000;
/** ADL lists are read again at most this often (ms) when positions changed. */
const ADL_MIRROR_MIN_INTERVAL_MS = 5_000;

type MarketInfo = {
  readonly marketId: bigint;
  readonly feed: Address;
  readonly mmrWad: bigint;
};

type RoundInfo = { readonly roundId: bigint; readonly updatedAt: bigint };

/**
 * Creates a keeper around the given clients.
 *
 * @param parameters - {@link CreateKeeperParameters}
 * @returns The keeper, not started.
 * @example
 * const keeper = createKeeper({ config, publicClient, walletClients: [walletClient] });
 * const result = await keeper.tick(); // or: await keeper.start(); ... await keeper.stop();
 */
export function createKeeper(parameters: CreateKeeperParameters): Keeper {
  const { config, publicClient } = parameters;
  if (parameters.walletClients.length === 0) throw new RangeError("createKeeper needs at least one wallet client");
  const logger = parameters.logger ?? createLogger({ level: config.logLevel });
  const metrics = createMetrics(parameters.metricsRegistry);
  const engine = config.deployment.engine;
  const book = new PositionBook({ journalDepth: config.reorgDepth, markets: config.markets === "all" ? undefined : config.markets });
  const follower = new ChainFollower({
    client: publicClient,
    book,
    readEvents: engineEventReader({
      client: publicClient,
      deployment: () => {
        if (deployment === undefined) throw new Error("the keeper reads logs only after reading its deployment");
        return deployment;
      },
      chunkBlocks: config.logChunkBlocks,
    }),
    fromBlock: config.deployment.fromBlock,
    reorgDepth: config.reorgDepth,
    logger: logger.child({ component: "sync" }),
  });
  const mirror = new AdlMirror({ client: publicClient, lens: config.deployment.lens });
  const txs = new TransactionManager({
    publicClient,
    walletClients: parameters.walletClients,
    gas: config.gas,
    logger: logger.child({ component: "executor" }),
    metrics,
  });
  const signers = txs.signers;
  const log = logger.child({ component: "keeper" });

  let markets: MarketInfo[] | undefined;
  let registry: Address | undefined;
  let deployment: ProtocolDeployment | undefined;
  let txGasCap: bigint | undefined = config.gas.maxTxGas;
  const gasPerPosition = new Map<bigint, bigint>();
  /** Position id → hash of our pending transaction that handles it. */
  const inFlight = new Map<string, Hex>();
  /** Pending pokes / solvency calls by key, to send each at most once while pending. */
  const inFlightCalls = new Map<string, Hex>();
  /** What each of our transactions carries, by its first hash. */
  const carried = new Map<Hex, { kind: TxKind; marketId: bigint | undefined; accounts: Address[]; keys: string[] }>();
  const lastRoundReacted = new Map<bigint, bigint>();
  const adlDirty = new Set<bigint>();
  let adlRefreshedAtMs = 0;
  let lastSyncAtMs: number | undefined;
  const signerBalances = new Map<string, bigint>();

  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let tickChain: Promise<unknown> = Promise.resolve();

  const countRpcError = (operation: string, error: unknown) => {
    if (isTransportError(error) || /rpc|request|fetch/i.test(errorText(error))) metrics.rpcErrors.inc({ operation });
  };

  async function init(): Promise<MarketInfo[]> {
    if (deployment === undefined) {
      const [registryAddress, vault, collateral] = await Promise.all([
        publicClient.readContract({ address: engine, abi: perpEngineAbi, functionName: "registry" }),
        publicClient.readContract({ address: engine, abi: perpEngineAbi, functionName: "vault" }),
        publicClient.readContract({ address: engine, abi: perpEngineAbi, functionName: "collateral" }),
      ]);
      registry = registryAddress;
      deployment = defineDeployment({ engine, registry: registryAddress, vault, collateral, lens: config.deployment.lens, deploymentBlock: config.deployment.fromBlock });
    }
    registry ??= deployment.registry;
    const ids =
      config.markets === "all"
        ? Array.from({ length: Number(await publicClient.readContract({ address: registry, abi: marketRegistryAbi, functionName: "marketCount" })) }, (_, i) => BigInt(i + 1))
        : [...config.markets];
    const registryAddress = registry;
    markets = await Promise.all(
      ids.map(async (marketId) => {
        const c = await publicClient.readContract({ address: registryAddress, abi: marketRegistryAbi, functionName: "marketConfig", args: [marketId] });
        return { marketId, feed: c.feed, mmrWad: BigInt(c.mmrWad) };
      })
    );
    return markets;
  }

  async function readSnapshot(m: MarketInfo, blockNumber: bigint): Promise<MarketSnapshot & { round: RoundInfo }> {
    const [[priceWad], fundingIndexWad, config_, round] = await Promise.all([
      publicClient.readContract({ address: engine, abi: perpEngineAbi, functionName: "markPrice", args: [m.marketId], blockNumber }),
      publicClient.readContract({ address: engine, abi: perpEngineAbi, functionName: "currentFundingIndex", args: [m.marketId], blockNumber }),
      publicClient.readContract({ address: registry as Address, abi: marketRegistryAbi, functionName: "marketConfig", args: [m.marketId], blockNumber }),
      publicClient.readContract({ address: m.feed, abi: mockAggregatorAbi, functionName: "latestRoundData", blockNumber }),
    ]);
    return {
      marketId: m.marketId,
      priceWad,
      fundingIndexWad,
      mmrWad: BigInt(config_.mmrWad),
      round: { roundId: BigInt(round[0]), updatedAt: round[3] },
    };
  }

  function candidatesOf(snapshot: MarketSnapshot): Candidate[] {
    const found = new Map<string, TrackedPosition>();
    for (const side of ["long", "short"] as const) {
      const threshold = liquidationThresholdK({ side, priceWad: snapshot.priceWad, mmrWad: snapshot.mmrWad, fundingIndexWad: snapshot.fundingIndexWad });
      for (const entry of book.index(snapshot.marketId, side).liquidatable(threshold)) {
        const p = book.get(entry.id);
        if (p !== undefined) found.set(entry.id, p);
      }
    }
    for (const p of book.inLiquidation(snapshot.marketId)) found.set(positionId(p.account, p.marketId), p);
    return [...found.entries()].filter(([id]) => !inFlight.has(id)).map(([, p]) => assess(p, snapshot));
  }

  function perPositionGas(marketId: bigint): bigint {
    const measured = gasPerPosition.get(marketId) ?? config.gas.gasPerPosition;
    return (measured * GAS_LIMIT_PERCENT) / 100n;
  }

  async function simulateBatch(signer: Address, marketId: bigint, accounts: readonly Address[]): Promise<bigint> {
    const { result } = await publicClient.simulateContract({
      address: engine,
      abi: perpEngineAbi,
      functionName: "liquidateBatch",
      args: [marketId, [...accounts]],
      account: signer,
      blockTag: "pending",
      ...(txGasCap === undefined ? {} : { gas: txGasCap }),
    });
    return result;
  }

  /** Splits a batch into the positions simulation liquidates and those it skips (taken, or no longer liquidatable). */
  async function keepLiquidatable(signer: Address, marketId: bigint, accounts: readonly Address[]): Promise<{ keep: Address[]; drop: Address[] }> {
    if (accounts.length === 0) return { keep: [], drop: [] };
    const liquidated = await simulateBatch(signer, marketId, accounts);
    if (liquidated === BigInt(accounts.length)) return { keep: [...accounts], drop: [] };
    if (liquidated === 0n) return { keep: [], drop: [...accounts] };
    const half = Math.ceil(accounts.length / 2);
    const [a, b] = await Promise.all([
      keepLiquidatable(signer, marketId, accounts.slice(0, half)),
      keepLiquidatable(signer, marketId, accounts.slice(half)),
    ]);
    return { keep: [...a.keep, ...b.keep], drop: [...a.drop, ...b.drop] };
  }

  /** Estimates a call's gas against the pending block; undefined when it would revert. */
  async function estimate(signer: Address, data: Hex): Promise<bigint> {
    return publicClient.estimateGas({ account: signer, to: engine, data, blockTag: "pending", ...(txGasCap === undefined ? {} : { gas: txGasCap }) });
  }

  /** Prepares one batch: drops taken positions, estimates, splits if the estimate passes the cap. */
  async function prepareBatch(signer: Address, marketId: bigint, accounts: readonly Address[], dropped: Address[]): Promise<{ accounts: Address[]; request: TxRequest }[]> {
    const { keep, drop } = await keepLiquidatable(signer, marketId, accounts);
    dropped.push(...drop);
    if (drop.length > 0) {
      metrics.liquidations.inc({ market: marketId.toString(), outcome: "skipped" }, drop.length);
      log.info({ marketId, dropped: drop.length }, "positions already taken or no longer liquidatable: dropped without sending");
    }
    if (keep.length === 0) return [];
    const data = encodeFunctionData({ abi: perpEngineAbi, functionName: "liquidateBatch", args: [marketId, keep] });
    let gas: bigint;
    try {
      gas = await estimate(signer, data);
    } catch (error) {
      if (keep.length > 1 && /gas|cap|exceed/i.test(errorText(error))) return splitBatch(signer, marketId, keep, dropped);
      throw error;
    }
    const cap = txGasCap ?? gas * 2n;
    const limit = (gas * GAS_LIMIT_PERCENT) / 100n;
    if (limit > cap && keep.length > 1) return splitBatch(signer, marketId, keep, dropped);
    gasPerPosition.set(marketId, gas > BATCH_BASE_GAS ? (gas - BATCH_BASE_GAS) / BigInt(keep.length) : gas);
    return [{ accounts: keep, request: { to: engine, data, gas: limit > cap ? cap : limit, kind: "liquidate" } }];
  }

  async function splitBatch(signer: Address, marketId: bigint, accounts: Address[], dropped: Address[]) {
    const half = Math.ceil(accounts.length / 2);
    const parts = await Promise.all([prepareBatch(signer, marketId, accounts.slice(0, half), dropped), prepareBatch(signer, marketId, accounts.slice(half), dropped)]);
    return parts.flat();
  }

  function track(tx: SentTx, marketId: bigint | undefined, accounts: Address[], keys: string[]): SentSummary {
    carried.set(tx.hashes[0] ?? tx.hash, { kind: tx.request.kind, marketId, accounts, keys });
    for (const key of keys) (tx.request.kind === "liquidate" || tx.request.kind === "tierDrop" ? inFlight : inFlightCalls).set(key, tx.hash);
    return { kind: tx.request.kind, hash: tx.hash, signer: tx.signer, nonce: tx.nonce, marketId, accounts, gas: tx.request.gas };
  }

  function settle(settlement: Settlement): void {
    const first = settlement.tx.hashes[0] ?? settlement.tx.hash;
    const info = carried.get(first);
    carried.delete(first);
    if (info === undefined) return;
    for (const key of info.keys) {
      inFlight.delete(key);
      inFlightCalls.delete(key);
    }
    if (info.kind !== "liquidate" || info.marketId === undefined) return;
    const market = info.marketId.toString();
    if (settlement.status !== "mined" || settlement.receipt === undefined) {
      metrics.liquidations.inc({ market, outcome: "failed" }, info.accounts.length);
      log.warn({ hash: settlement.tx.hash, status: settlement.status, positions: info.accounts.length }, "liquidation transaction failed");
      return;
    }
    const { liquidated, skipped } = countOutcomes(settlement.receipt, settlement.tx.signer);
    if (liquidated > 0) metrics.liquidations.inc({ market, outcome: "succeeded" }, liquidated);
    if (skipped > 0) metrics.liquidations.inc({ market, outcome: "skipped" }, skipped);
  }

  /** Sends jobs dealt round-robin across the signers: each signer's in order, all signers at once. */
  async function sendAll(jobs: { marketId: bigint | undefined; accounts: Address[]; keys: string[]; request: TxRequest }[], errors: string[]): Promise<SentSummary[]> {
    const lanes = assignToSigners(jobs, signers);
    const sent: SentSummary[] = [];
    await Promise.all(
      signers.map(async (_, signerIndex) => {
        for (const job of lanes[signerIndex] ?? []) {
          try {
            const tx = await txs.send(signerIndex, job.request);
            sent.push(track(tx, job.marketId, job.accounts, job.keys));
          } catch (error) {
            countRpcError("send", error);
            errors.push(`send ${job.request.kind}: ${errorText(error).slice(0, 200)}`);
            log.error({ err: errorText(error).slice(0, 500), kind: job.request.kind }, "transaction not sent");
          }
        }
      })
    );
    return sent;
  }

  /** The ADL fills one liquidateBatch call may make (ProtocolConfig.adlFillBudget), read at a block. */
  async function adlFillBudget(blockNumber: bigint): Promise<number> {
    const protocol = await publicClient.readContract({ address: registry as Address, abi: marketRegistryAbi, functionName: "protocolConfig", blockNumber });
    return Number(protocol.adlFillBudget);
  }

  /**
   * Size the vault can take over from liquidated positions of each side now (as the contract's takeover capacity:
   * unlimited while its exposure does not grow, else up to its cap, a fraction of its equity), WAD.
   */
  async function takeoverCapacity(snapshot: MarketSnapshot, blockNumber: bigint): Promise<{ long: bigint; short: bigint }> {
    const [equity, state, marketConfig] = await Promise.all([
      publicClient.readContract({ address: engine, abi: perpEngineAbi, functionName: "vaultEquityWad", blockNumber }),
      publicClient.readContract({ address: engine, abi: perpEngineAbi, functionName: "marketState", args: [snapshot.marketId], blockNumber }),
      publicClient.readContract({ address: registry as Address, abi: marketRegistryAbi, functionName: "marketConfig", args: [snapshot.marketId], blockNumber }),
    ]);
    const skew = BigInt(state.longSizeWad) - BigInt(state.shortSizeWad);
    const skewAbs = skew < 0n ? -skew : skew;
    const capUnits = equity > 0n && snapshot.priceWad > 0n ? (((equity * BigInt(marketConfig.vaultExposureCapWad)) / WAD) * WAD) / snapshot.priceWad : 0n;
    const limit = skewAbs > capUnits ? skewAbs : capUnits;
    return { long: skew > 0n ? skewAbs + limit : limit - skewAbs, short: skew < 0n ? skewAbs + limit : limit - skewAbs };
  }

  /**
   * ADL fills each candidate is expected to need, taking the candidates in rank order per market and side: a
   * position past bankruptcy needs fills for its whole size (the deficit may be more than insurance and the vault
   * can pay, and then the vault takes nothing); any other needs them for the part the vault's remaining takeover
   * capacity does not cover. Fills come from the mirror, each position against the lists the earlier ones left, plus
   * one (a counterparty partly taken splits a fill in two); without a mirror, the whole budget (it goes alone).
   */
  function expectedAdlFills(ranked: readonly Candidate[], fillsPerCall: number, capacities: ReadonlyMap<bigint, { long: bigint; short: bigint }>): (candidate: Candidate) => number {
    const fills = new Map<Candidate, number>();
    const needing = new Map<bigint, { candidate: Candidate; sizeWad: bigint }[]>();
    const left = new Map<string, bigint>();
    for (const c of ranked) {
      const marketId = c.position.marketId;
      const isLong = c.position.sizeWad > 0n;
      const size = isLong ? c.position.sizeWad : -c.position.sizeWad;
      const key = `${marketId}:${isLong}`;
      const capacity = left.get(key) ?? (isLong ? capacities.get(marketId)?.long : capacities.get(marketId)?.short) ?? 0n;
      let adlSize: bigint;
      if (c.equityWad < 0n) adlSize = size;
      else if (size <= capacity) {
        left.set(key, capacity - size);
        continue;
      } else {
        adlSize = size - capacity;
        left.set(key, 0n);
      }
      needing.set(marketId, [...(needing.get(marketId) ?? []), { candidate: c, sizeWad: adlSize }]);
    }
    for (const [marketId, list] of needing) {
      const snapshot = lastSnapshots.get(marketId);
      if (!config.duties.adlMirror || mirror.refreshedAt(marketId) === undefined || snapshot === undefined) {
        for (const { candidate } of list) fills.set(candidate, fillsPerCall);
        continue;
      }
      const requests = list.map(({ candidate, sizeWad }) => ({ liquidatedIsLong: candidate.position.sizeWad > 0n, sizeWad }));
      mirror.predictSequence(marketId, requests, snapshot.priceWad - snapshot.fundingIndexWad).forEach((f, i) => {
        const entry = list[i];
        if (entry !== undefined) fills.set(entry.candidate, f.length + 1);
      });
    }
    return (candidate) => fills.get(candidate) ?? 0;
  }

  async function liquidations(snapshots: (MarketSnapshot & { round: RoundInfo })[], gasLimit: bigint, blockNumber: bigint, errors: string[]) {
    const candidates = snapshots.flatMap((s) => {
      const found = candidatesOf(s);
      metrics.liquidatableFound.set({ market: s.marketId.toString() }, found.length);
      return found;
    });
    if (candidates.length === 0) return { found: 0, sent: [] as SentSummary[], dropped: [] as Address[], deferred: 0 };
    const ranked = rankCandidates(candidates);
    const fillsPerCall = await adlFillBudget(blockNumber);
    const capacities = new Map(await Promise.all(snapshots.filter((s) => candidates.some((c) => c.position.marketId === s.marketId)).map(async (s) => [s.marketId, await takeoverCapacity(s, blockNumber)] as const)));
    const plan = planBatches({
      ranked,
      maxBatchSize: config.batchSize,
      gas: { blockGasLimit: gasLimit, txGasCap: txGasCap ?? gasLimit, gasPerPosition: perPositionGas, batchBaseGas: BATCH_BASE_GAS, blockSharePercent: 100 },
      adl: { fillsPerCall, fillsOf: expectedAdlFills(ranked, fillsPerCall, capacities) },
    });
    if (plan.batches.length > 1) {
      log.info({ batches: plan.batches.length, positions: candidates.length - plan.deferred.length, deferred: plan.deferred.length, adlFills: plan.batches.map((b) => b.expectedAdlFills) }, "liquidations split over several transactions for this block");
    }
    const dropped: Address[] = [];
    const prepared = await Promise.all(
      plan.batches.map(async (batch, i) => {
        const signer = signers[i % signers.length] as Address;
        try {
          const parts = await prepareBatch(signer, batch.marketId, batch.candidates.map((c) => c.position.account), dropped);
          return parts.map((part) => ({ ...part, marketId: batch.marketId }));
        } catch (error) {
          countRpcError("simulate", error);
          errors.push(`simulate market ${batch.marketId}: ${errorText(error).slice(0, 200)}`);
          log.error({ marketId: batch.marketId, err: errorText(error).slice(0, 500) }, "batch simulation failed");
          return [];
        }
      })
    );
    const jobs = prepared.flat().map((p) => ({ ...p, keys: p.accounts.map((a) => positionId(a, p.marketId)) }));
    for (const job of jobs) {
      const bankrupt = candidates.filter((c) => c.position.marketId === job.marketId && c.equityWad < 0n && job.accounts.includes(c.position.account));
      if (bankrupt.length > 0 && config.duties.adlMirror) {
        log.info({ marketId: job.marketId, bankrupt: bankrupt.length, adlFills: bankrupt.flatMap((c) => predict(c.position)).length }, "bankrupt positions: ADL may fill against the mirrored lists");
      }
    }
    const sent = await sendAll(jobs, errors);
    const nowSeconds = Date.now() / 1000;
    for (const s of sent) {
      metrics.liquidations.inc({ market: String(s.marketId), outcome: "sent" }, s.accounts.length);
      const snapshot = snapshots.find((x) => x.marketId === s.marketId);
      if (snapshot !== undefined && lastRoundReacted.get(snapshot.marketId) !== snapshot.round.roundId) {
        lastRoundReacted.set(snapshot.marketId, snapshot.round.roundId);
        metrics.reactionSeconds.observe({ market: String(s.marketId) }, Math.max(0, nowSeconds - Number(snapshot.round.updatedAt)));
      }
    }
    return { found: candidates.length, sent, dropped, deferred: plan.deferred.length };
  }

  async function solvencyAdl(blockNumber: bigint, errors: string[]): Promise<SentSummary[]> {
    const jobs: { marketId: bigint; accounts: Address[]; keys: string[]; request: TxRequest }[] = [];
    const sides = (markets ?? []).flatMap((m) => [true, false].map((isLong) => ({ marketId: m.marketId, isLong })));
    await Promise.all(
      sides.map(async ({ marketId, isLong }) => {
        const key = `solvency:${marketId}:${isLong}`;
        if (inFlightCalls.has(key)) return;
        try {
          const [, , triggered] = await publicClient.readContract({ address: engine, abi: perpEngineAbi, functionName: "solvencyAdlStatus", args: [marketId, isLong], blockNumber });
          if (!triggered) return;
          const data = encodeFunctionData({ abi: perpEngineAbi, functionName: "deleverageForSolvency", args: [marketId, isLong] });
          const gas = await estimate(signers[0] as Address, data);
          log.warn({ marketId, isLong }, "vault-solvency ADL condition holds: triggering it");
          jobs.push({ marketId, accounts: [], keys: [key], request: { to: engine, data, gas: capped((gas * GAS_LIMIT_PERCENT) / 100n), kind: "solvencyAdl" } });
        } catch (error) {
          countRpcError("solvencyAdl", error);
          errors.push(`solvency ADL market ${marketId}: ${errorText(error).slice(0, 200)}`);
        }
      })
    );
    return jobs.length === 0 ? [] : sendAll(jobs, errors);
  }

  function capped(gas: bigint): bigint {
    return txGasCap !== undefined && gas > txGasCap ? txGasCap : gas;
  }

  async function tierDrops(head: { number: bigint; timestamp: bigint }, errors: string[]): Promise<SentSummary[]> {
    const protocol = await publicClient.readContract({ address: registry as Address, abi: marketRegistryAbi, functionName: "protocolConfig", blockNumber: head.number });
    const due = book.dueTierDrops(head.timestamp, BigInt(protocol.tierDropDelay)).filter((p) => !inFlight.has(positionId(p.account, p.marketId)));
    const jobs: { marketId: bigint; accounts: Address[]; keys: string[]; request: TxRequest }[] = [];
    for (const p of due.slice(0, TIER_DROPS_PER_TICK)) {
      try {
        const isLong = p.sizeWad > 0n;
        let hint: number;
        if (config.duties.adlMirror && mirror.refreshedAt(p.marketId) !== undefined) {
          hint = mirror.hintFor(p.marketId, isLong, p.pendingTier, p.jWad);
        } else {
          const [approx] = await publicClient.readContract({ address: config.deployment.lens, abi: perpLensAbi, functionName: "approxHint", args: [p.marketId, isLong, p.pendingTier, p.jWad, 40n, head.number], blockNumber: head.number });
          hint = approx;
        }
        const data = encodeFunctionData({ abi: perpEngineAbi, functionName: "applyTierDrop", args: [p.account, p.marketId, [hint]] });
        const gas = await estimate(signers[0] as Address, data);
        jobs.push({ marketId: p.marketId, accounts: [p.account], keys: [positionId(p.account, p.marketId)], request: { to: engine, data, gas: capped((gas * GAS_LIMIT_PERCENT) / 100n), kind: "tierDrop" } });
      } catch (error) {
        // Applied by someone else meanwhile, or a stale mirror: the next round sees the new state.
        log.debug({ account: p.account, marketId: p.marketId, err: errorText(error).slice(0, 200) }, "tier drop not sent");
        if (isTransportError(error)) {
          countRpcError("tierDrop", error);
          errors.push(`tier drop: ${errorText(error).slice(0, 200)}`);
        }
      }
    }
    return jobs.length === 0 ? [] : sendAll(jobs, errors);
  }

  async function pokes(snapshots: (MarketSnapshot & { round: RoundInfo })[], touched: Set<bigint>, errors: string[]): Promise<SentSummary[]> {
    const jobs: { marketId: bigint; accounts: Address[]; keys: string[]; request: TxRequest }[] = [];
    for (const s of snapshots) {
      const key = `poke:${s.marketId}`;
      if (touched.has(s.marketId) || inFlightCalls.has(key)) continue;
      try {
        // Read at the pending block: another keeper's poke already in the pool counts.
        const state = await publicClient.readContract({ address: engine, abi: perpEngineAbi, functionName: "marketState", args: [s.marketId], blockTag: "pending" });
        if (BigInt(state.lastUpdateTime) >= s.round.updatedAt) continue;
        const data = encodeFunctionData({ abi: perpEngineAbi, functionName: "poke", args: [s.marketId] });
        const gas = await estimate(signers[0] as Address, data);
        jobs.push({ marketId: s.marketId, accounts: [], keys: [key], request: { to: engine, data, gas: capped((gas * GAS_LIMIT_PERCENT) / 100n), kind: "poke" } });
      } catch (error) {
        countRpcError("poke", error);
        errors.push(`poke market ${s.marketId}: ${errorText(error).slice(0, 200)}`);
      }
    }
    return jobs.length === 0 ? [] : sendAll(jobs, errors);
  }

  function predict(position: TrackedPosition): PredictedFill[] {
    const size = position.sizeWad < 0n ? -position.sizeWad : position.sizeWad;
    const snapshot = lastSnapshots.get(position.marketId);
    if (snapshot === undefined) return [];
    return mirror.predict(position.marketId, position.sizeWad > 0n, size, snapshot.priceWad - snapshot.fundingIndexWad);
  }
  const lastSnapshots = new Map<bigint, MarketSnapshot>();

  async function refreshMirror(blockNumber: bigint): Promise<void> {
    if (!config.duties.adlMirror || adlDirty.size === 0 || Date.now() - adlRefreshedAtMs < ADL_MIRROR_MIN_INTERVAL_MS) return;
    const dirty = [...adlDirty];
    adlDirty.clear();
    adlRefreshedAtMs = Date.now();
    await Promise.all(dirty.map((m) => mirror.refresh(m, blockNumber)));
  }

  async function refreshBalances(): Promise<void> {
    await Promise.all(
      signers.map(async (signer) => {
        const balance = await publicClient.getBalance({ address: signer });
        signerBalances.set(signer, balance);
        metrics.signerBalanceEther.set({ signer }, Number(balance) / 1e18);
      })
    );
  }

  async function runTick(): Promise<TickResult> {
    const endTimer = metrics.tickSeconds.startTimer();
    const errors: string[] = [];
    const settled: { hash: Hex; kind: TxKind; status: Settlement["status"] }[] = [];
    try {
      for (const s of await txs.poll()) {
        settle(s);
        settled.push({ hash: s.receipt?.transactionHash ?? s.tx.hash, kind: s.tx.request.kind, status: s.status });
      }
    } catch (error) {
      countRpcError("receipts", error);
      errors.push(`settle: ${errorText(error).slice(0, 200)}`);
    }
    let head: { number: bigint; hash: Hex; timestamp: bigint; gasLimit: bigint };
    let reorgFrom: bigint | undefined;
    try {
      const block = await publicClient.getBlock({ blockTag: "latest" });
      if (block.number === null || block.hash === null) throw new Error("the node returned a pending block as latest");
      head = { number: block.number, hash: block.hash, timestamp: block.timestamp, gasLimit: block.gasLimit };
      const marketList = markets ?? (await init());
      txGasCap ??= await probeTxGasCap(publicClient, head.gasLimit, signers[0] as Address);
      const sync = await follower.syncTo(head);
      reorgFrom = sync.reorgFrom;
      // Any position change may have moved the tier lists: read them again (at most every few seconds).
      if (sync.events > 0 || mirror.refreshedAt(marketList[0]?.marketId ?? 0n) === undefined) for (const m of marketList) adlDirty.add(m.marketId);
      lastSyncAtMs = Date.now();
      metrics.lastProcessedBlock.set(Number(head.number));
      metrics.lastSyncTimestampSeconds.set(lastSyncAtMs / 1000);
    } catch (error) {
      countRpcError("sync", error);
      endTimer();
      throw error;
    }
    for (const [id, hash] of inFlight) if (book.get(id) === undefined && !txs.pending().some((t) => t.hashes.includes(hash))) inFlight.delete(id);

    const snapshots = await Promise.all((markets ?? []).map((m) => readSnapshot(m, head.number)));
    for (const s of snapshots) lastSnapshots.set(s.marketId, s);
    const liq = await liquidations(snapshots, head.gasLimit, head.number, errors);
    const sent = [...liq.sent];
    if (config.duties.solvencyAdl) sent.push(...(await solvencyAdl(head.number, errors)));
    if (config.duties.tierDrops) {
      try {
        await refreshMirror(head.number);
      } catch (error) {
        countRpcError("adlMirror", error);
        errors.push(`ADL mirror: ${errorText(error).slice(0, 200)}`);
      }
      sent.push(...(await tierDrops(head, errors)));
    } else {
      await refreshMirror(head.number).catch((error: unknown) => errors.push(`ADL mirror: ${errorText(error).slice(0, 200)}`));
    }
    if (config.duties.poke) {
      const touched = new Set(liq.sent.map((s) => s.marketId).filter((m): m is bigint => m !== undefined));
      sent.push(...(await pokes(snapshots, touched, errors)));
    }
    for (const m of markets ?? []) {
      for (const side of ["long", "short"] as const) metrics.positionsTracked.set({ market: m.marketId.toString(), side }, book.index(m.marketId, side).size);
    }
    await refreshBalances().catch((error: unknown) => countRpcError("balance", error));
    endTimer();
    if (liq.found > 0 || sent.length > 0) {
      log.info({ block: head.number, liquidatable: liq.found, sent: sent.length, dropped: liq.dropped.length, deferred: liq.deferred }, "tick");
    }
    return { block: head.number, liquidatable: liq.found, sent, dropped: liq.dropped, deferred: liq.deferred, settled, reorgFrom, errors };
  }

  function tick(): Promise<TickResult> {
    const run = tickChain.then(runTick, runTick);
    tickChain = run.catch(() => undefined);
    return run;
  }

  async function runLoop(): Promise<void> {
    let lastBlock: bigint | undefined;
    let backoffMs = config.pollIntervalMs;
    while (running) {
      try {
        const blockNumber = await publicClient.getBlockNumber({ cacheTime: 0 });
        if (blockNumber !== lastBlock || txs.pending().length > 0) {
          await tick();
          lastBlock = blockNumber;
        } else {
          lastSyncAtMs = Date.now(); // at the head: nothing new
        }
        backoffMs = config.pollIntervalMs;
      } catch (error) {
        countRpcError("loop", error);
        log.error({ err: errorText(error).slice(0, 500), retryInMs: backoffMs }, "round failed; retrying");
        // Back off, but not for long: during a crash a keeper that waits is a keeper that misses the block.
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
      if (!running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoffMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    metrics,
    signers,
    book,
    predictAdl: predict,
    tick,
    health: () =>
      assessHealth({
        lastSyncAtMs,
        lastProcessedBlock: follower.lastProcessed,
        nowMs: Date.now(),
        maxAgeSeconds: config.health.maxAgeSeconds,
        signerBalancesWei: signerBalances,
        minSignerBalanceWei: config.health.minSignerBalanceWei,
      }),
    async start() {
      if (running) return;
      running = true;
      log.info({ signers, engine, fromBlock: config.deployment.fromBlock }, "keeper starting");
      loop = runLoop();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      await tickChain;
      loop = undefined;
      log.info("keeper stopped");
    },
  };
}

/**
 * Counts the positions a mined liquidation transaction liquidated (Liquidated events by this keeper) and skipped.
 *
 * @param receipt - The receipt.
 * @param keeper - The signer that sent it.
 * @returns The counts.
 */
export function countOutcomes(receipt: TransactionReceipt, keeper: Address): { liquidated: number; skipped: number } {
  let liquidated = 0;
  let skipped = 0;
  for (const entry of receipt.logs) {
    try {
      const decoded = decodeEventLog({ abi: perpEngineAbi, data: entry.data, topics: entry.topics });
      if (decoded.eventName === "Liquidated" && decoded.args.keeper.toLowerCase() === keeper.toLowerCase()) liquidated++;
      if (decoded.eventName === "LiquidationSkipped") skipped++;
    } catch {
      // Not an engine event (a token transfer): not ours to count.
    }
  }
  return { liquidated, skipped };
}
