/**
 * The liquidation planner: which positions to liquidate first and how to pack them into transactions.
 *
 * Order: remainders left in liquidation first (their owners are locked out and each continuation re-runs the
 * waterfall at the then price), then the rest by depth below maintenance (the shortfall as a fraction of notional,
 * deepest first), ties by notional (largest first). Positions go into `liquidateBatch` calls per market (the contract
 * call is per market), as many calls as the block's gas limit holds: a batch is full at the configured size, the
 * per-transaction gas cap, or the ADL fill budget one call shares (positions past bankruptcy need fills; they are
 * spread over the batches so that none runs out and skips the rest). What the block cannot hold waits for the next
 * block, still riskiest first. The batches are then dealt to the signers round-robin (each signer's with consecutive
 * nonces) and sent at once.
 */
import type { Address } from "viem";
import { equity, notionalUp, requiredMargin, WAD } from "@open-waterfall/sdk";

import type { TrackedPosition } from "../state/positionBook.ts";

/** A position chosen for liquidation, with the numbers that ranked it. */
export type Candidate = {
  /** The position. */
  readonly position: TrackedPosition;
  /** Equity at the price it was judged at, WAD (negative when bankrupt). */
  readonly equityWad: bigint;
  /** Maintenance requirement at that price, WAD. */
  readonly maintenanceWad: bigint;
  /** Notional at that price, WAD. */
  readonly notionalWad: bigint;
  /** (maintenance − equity) / notional, WAD: how far below maintenance, as a fraction of its size. */
  readonly depthWad: bigint;
};

/** A market's prices and parameters as of the scan. */
export type MarketSnapshot = {
  /** The market. */
  readonly marketId: bigint;
  /** Oracle price, WAD. */
  readonly priceWad: bigint;
  /** Funding index accrued to now, WAD. */
  readonly fundingIndexWad: bigint;
  /** Maintenance margin ratio, WAD. */
  readonly mmrWad: bigint;
};

/**
 * Values a position at a market snapshot.
 *
 * @param position - The position.
 * @param market - The market's price, funding and MMR.
 * @returns The candidate with its depth below maintenance.
 */
export function assess(position: TrackedPosition, market: MarketSnapshot): Candidate {
  const { sizeWad, marginWad, jWad } = position;
  const equityWad = equity({ sizeWad, marginWad, jWad, fundingIndexWad: market.fundingIndexWad, priceWad: market.priceWad });
  const maintenanceWad = requiredMargin({ sizeWad, priceWad: market.priceWad, ratioWad: market.mmrWad });
  const notionalWad = notionalUp({ sizeWad, priceWad: market.priceWad });
  const depthWad = notionalWad === 0n ? 0n : ((maintenanceWad - equityWad) * WAD) / notionalWad;
  return { position, equityWad, maintenanceWad, notionalWad, depthWad };
}

/**
 * Sorts candidates riskiest first: in-liquidation remainders, then deepest below maintenance, then largest notional,
 * then by account (a deterministic order, so two runs plan alike).
 *
 * @param candidates - Any candidates.
 * @returns A new, sorted array.
 */
export function rankCandidates(candidates: readonly Candidate[]): Candidate[] {
  return [...candidates].sort((a, b) => {
    if (a.position.inLiquidation !== b.position.inLiquidation) return a.position.inLiquidation ? -1 : 1;
    if (a.depthWad !== b.depthWad) return a.depthWad > b.depthWad ? -1 : 1;
    if (a.notionalWad !== b.notionalWad) return a.notionalWad > b.notionalWad ? -1 : 1;
    const ka = `${a.position.account.toLowerCase()}:${a.position.marketId}`;
    const kb = `${b.position.account.toLowerCase()}:${b.position.marketId}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** One planned liquidateBatch call. */
export type PlannedBatch = {
  /** The market. */
  readonly marketId: bigint;
  /** Its candidates, riskiest first. */
  readonly candidates: readonly Candidate[];
  /** Gas it is expected to use (per-position gas × count + the call's base). */
  readonly expectedGas: bigint;
  /** ADL fills its positions are expected to need (within the call's budget). */
  readonly expectedAdlFills: number;
};

/** Gas figures the packing uses. */
export type GasBudget = {
  /** The node's block gas limit. */
  readonly blockGasLimit: bigint;
  /** Most gas one transaction may use (Osaka: 2^24; else the block limit). */
  readonly txGasCap: bigint;
  /** Gas of one position in a batch, per market (measured; a default until then). */
  readonly gasPerPosition: (marketId: bigint) => bigint;
  /** Gas of a batch call besides its positions (intrinsic gas, loading the market, refreshing the cache). */
  readonly batchBaseGas: bigint;
  /** Share of the block the plan may fill, percent (the rest is left to everyone else). */
  readonly blockSharePercent: number;
};

/** ADL fills a batch may spend: one `liquidateBatch` call shares one budget across its positions. */
export type AdlBudget = {
  /** Fills one call may make (ProtocolConfig.adlFillBudget). */
  readonly fillsPerCall: number;
  /**
   * Fills a candidate is expected to need (0 for a position with equity left; the mirror's prediction for one past
   * bankruptcy). Values above the budget count as the whole budget: such a position goes alone in its batch.
   */
  readonly fillsOf: (candidate: Candidate) => number;
};

/** Parameters of {@link planBatches}. */
export type PlanBatchesParameters = {
  /** Candidates, already ranked by {@link rankCandidates}. */
  ranked: readonly Candidate[];
  /** Most positions per batch. */
  maxBatchSize: number;
  /** Gas figures. */
  gas: GasBudget;
  /** The ADL fill budget per call (default: none counted). */
  adl?: AdlBudget;
};

/** The plan: batches for this block, and the candidates left for the next. */
export type Plan = {
  /** Batches to send now, riskiest first. */
  readonly batches: readonly PlannedBatch[];
  /** Candidates that did not fit in this block. */
  readonly deferred: readonly Candidate[];
};

/** Thrown when planning parameters are out of range. */
export class PlanParameterError extends RangeError {
  override readonly name = "PlanParameterError";
}

/**
 * Packs ranked candidates into per-market batches, as many as the block's gas holds: each candidate goes into the
 * first open batch of its market that still has room (size, per-transaction gas cap, ADL fills), else opens a new
 * one while the block has gas for it. Batches come out in the order they were opened, so the first holds the
 * riskiest; positions expected to need ADL fills are spread so that no batch needs more than the call's budget,
 * and positions needing none fill the batches up to the gas cap.
 *
 * @param parameters - {@link PlanBatchesParameters}
 * @returns The batches for this block and what is deferred.
 * @throws {PlanParameterError} When the batch size or the ADL budget is below 1.
 */
export function planBatches({ ranked, maxBatchSize, gas, adl }: PlanBatchesParameters): Plan {
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new PlanParameterError(`maxBatchSize must be a whole number ≥ 1, got ${maxBatchSize}`);
  if (adl !== undefined && (!Number.isInteger(adl.fillsPerCall) || adl.fillsPerCall < 1)) {
    throw new PlanParameterError(`the ADL fill budget must be a whole number ≥ 1, got ${adl.fillsPerCall}`);
  }
  const blockBudget = (gas.blockGasLimit * BigInt(gas.blockSharePercent)) / 100n;
  const txBudget = gas.txGasCap < blockBudget ? gas.txGasCap : blockBudget;
  type Open = { marketId: bigint; candidates: Candidate[]; gas: bigint; fills: number };
  const batches: Open[] = [];
  const byMarket = new Map<bigint, Open[]>();
  const deferred: Candidate[] = [];
  let committedGas = 0n; // bases and positions of every batch so far

  for (const candidate of ranked) {
    const marketId = candidate.position.marketId;
    const perPosition = gas.gasPerPosition(marketId);
    const fills = adl === undefined ? 0 : Math.min(Math.max(0, Math.ceil(adl.fillsOf(candidate))), adl.fillsPerCall);
    const fillLimit = adl?.fillsPerCall ?? 0;
    if (gas.batchBaseGas + perPosition > txBudget) {
      deferred.push(candidate);
      continue;
    }
    const open = byMarket.get(marketId) ?? [];
    let batch = open.find((b) => b.candidates.length < maxBatchSize && b.gas + perPosition <= txBudget && b.fills + fills <= fillLimit);
    const added = perPosition + (batch === undefined ? gas.batchBaseGas : 0n);
    if (committedGas + added > blockBudget) {
      deferred.push(candidate);
      continue;
    }
    if (batch === undefined) {
      batch = { marketId, candidates: [], gas: gas.batchBaseGas, fills: 0 };
      open.push(batch);
      byMarket.set(marketId, open);
      batches.push(batch);
    }
    batch.candidates.push(candidate);
    batch.gas += perPosition;
    batch.fills += fills;
    committedGas += added;
  }
  return {
    batches: batches.map((b) => ({ marketId: b.marketId, candidates: b.candidates, expectedGas: b.gas, expectedAdlFills: b.fills })),
    deferred,
  };
}

/**
 * Deals batches to signers round-robin, riskiest batch to the first signer: each signer's batches go out with
 * consecutive nonces, all signers at once.
 *
 * @param batches - The planned batches, riskiest first.
 * @param signers - The signers' addresses.
 * @returns Per signer (same order), its batches.
 */
export function assignToSigners<T>(batches: readonly T[], signers: readonly Address[]): T[][] {
  const lanes: T[][] = signers.map(() => []);
  if (signers.length === 0) return lanes;
  batches.forEach((batch, i) => lanes[i % signers.length]?.push(batch));
  return lanes;
}
