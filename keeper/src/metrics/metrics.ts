/**
 * The keeper's Prometheus metrics (prom-client), named `keeper_<noun>_<unit>`. One {@link KeeperMetrics} per keeper,
 * registered in the registry it is given (a fresh one by default), so several keepers in one process do not clash.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Outcome of a liquidation attempt on one position. */
export type LiquidationOutcome = "sent" | "succeeded" | "failed" | "skipped";

/** The keeper's metrics. */
export type KeeperMetrics = {
  /** The registry they are registered in. */
  readonly registry: Registry;
  /** Open positions tracked, per market and side. */
  readonly positionsTracked: Gauge<"market" | "side">;
  /** Liquidatable positions found (in-liquidation remainders included) by the last scan, per market. */
  readonly liquidatableFound: Gauge<"market">;
  /** Positions by liquidation outcome: sent in a transaction, liquidated on chain, in a failed transaction, or
   * skipped (dropped because simulation showed another keeper had taken them, or skipped on chain). */
  readonly liquidations: Counter<"market" | "outcome">;
  /** Seconds from the oracle round (its updatedAt) to the keeper's transaction reaching the node. */
  readonly reactionSeconds: Histogram<"market">;
  /** Transactions by kind (liquidate, poke, tierDrop, solvencyAdl) and event (sent, replaced, mined, reverted, dropped). */
  readonly transactions: Counter<"kind" | "event">;
  /** The last block processed. */
  readonly lastProcessedBlock: Gauge;
  /** Unix time the keeper last reached the chain head. */
  readonly lastSyncTimestampSeconds: Gauge;
  /** RPC errors met, by the operation that failed. */
  readonly rpcErrors: Counter<"operation">;
  /** Each signer's native balance, ether. */
  readonly signerBalanceEther: Gauge<"signer">;
  /** Duration of one keeper tick (sync, scan and send). */
  readonly tickSeconds: Histogram;
};

/**
 * Creates and registers the keeper's metrics.
 *
 * @param registry - Where to register them (default: a new registry).
 * @returns The metrics.
 */
export function createMetrics(registry: Registry = new Registry()): KeeperMetrics {
  const registers = [registry];
  return {
    registry,
    positionsTracked: new Gauge({
      name: "keeper_positions_tracked",
      help: "Open positions tracked, per market and side",
      labelNames: ["market", "side"],
      registers,
    }),
    liquidatableFound: new Gauge({
      name: "keeper_liquidatable_positions",
      help: "Liquidatable positions (in-liquidation remainders included) found by the last scan",
      labelNames: ["market"],
      registers,
    }),
    liquidations: new Counter({
      name: "keeper_liquidations_total",
      help: "Positions by outcome: sent, succeeded (liquidated on chain), failed (transaction failed), skipped (taken by another keeper)",
      labelNames: ["market", "outcome"],
      registers,
    }),
    reactionSeconds: new Histogram({
      name: "keeper_reaction_seconds",
      help: "Seconds from the oracle round's updatedAt to the keeper's liquidation transaction reaching the node",
      labelNames: ["market"],
      buckets: [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120],
      registers,
    }),
    transactions: new Counter({
      name: "keeper_transactions_total",
      help: "Transactions by kind and event (sent, replaced, mined, reverted, dropped)",
      labelNames: ["kind", "event"],
      registers,
    }),
    lastProcessedBlock: new Gauge({
      name: "keeper_last_processed_block",
      help: "The last block whose events the keeper processed",
      registers,
    }),
    lastSyncTimestampSeconds: new Gauge({
      name: "keeper_last_sync_timestamp_seconds",
      help: "Unix time the keeper last reached the chain head",
      registers,
    }),
    rpcErrors: new Counter({
      name: "keeper_rpc_errors_total",
      help: "RPC errors, by the operation that failed",
      labelNames: ["operation"],
      registers,
    }),
    signerBalanceEther: new Gauge({
      name: "keeper_signer_balance_ether",
      help: "Native balance of each signer",
      labelNames: ["signer"],
      registers,
    }),
    tickSeconds: new Histogram({
      name: "keeper_tick_seconds",
      help: "Duration of one keeper tick: sync to the head, scan, send",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    }),
  };
}
