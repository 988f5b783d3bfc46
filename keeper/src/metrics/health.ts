/**
 * The keeper's health: it is unhealthy when it has not reached the chain head for longer than a threshold (a hung
 * loop, a dead RPC, a filter that stopped), or when a signer can no longer pay for gas. A supervisor restarts it.
 */
import type { HealthReport } from "./server.ts";

/** Parameters of {@link assessHealth}. */
export type AssessHealthParameters = {
  /** Wall-clock ms of the last time the keeper reached the head; undefined before the first sync. */
  lastSyncAtMs: number | undefined;
  /** The last block processed. */
  lastProcessedBlock: bigint | undefined;
  /** Now, wall-clock ms. */
  nowMs: number;
  /** Threshold, seconds. */
  maxAgeSeconds: number;
  /** Each signer's balance, wei (address → balance); missing entries are not judged. */
  signerBalancesWei: ReadonlyMap<string, bigint>;
  /** Minimum balance, wei. */
  minSignerBalanceWei: bigint;
};

/**
 * Judges the keeper's health.
 *
 * @param parameters - {@link AssessHealthParameters}
 * @returns The report /health serves.
 */
export function assessHealth({
  lastSyncAtMs,
  lastProcessedBlock,
  nowMs,
  maxAgeSeconds,
  signerBalancesWei,
  minSignerBalanceWei,
}: AssessHealthParameters): HealthReport {
  const problems: string[] = [];
  const secondsSinceSync = lastSyncAtMs === undefined ? undefined : Math.max(0, (nowMs - lastSyncAtMs) / 1000);
  if (secondsSinceSync === undefined) problems.push("has not reached the chain head yet");
  else if (secondsSinceSync > maxAgeSeconds) {
    problems.push(`last reached the chain head ${secondsSinceSync.toFixed(1)} s ago (threshold ${maxAgeSeconds} s)`);
  }
  for (const [signer, balance] of signerBalancesWei) {
    if (balance < minSignerBalanceWei) problems.push(`signer ${signer} holds ${balance} wei, below ${minSignerBalanceWei}`);
  }
  return {
    healthy: problems.length === 0,
    problems,
    lastProcessedBlock: lastProcessedBlock?.toString(),
    secondsSinceSync,
  };
}
