/**
 * Sorting a node's answer to a transaction submission into what the keeper does next. Nodes word these differently
 * (geth, Hardhat, anvil, Erigon, Nethermind), so the match is on the well-known phrases, case-insensitive, anywhere
 * in the error's chain of causes.
 */
import { BaseError } from "viem";

/** What a submission error means for the keeper. */
export type SubmissionErrorKind =
  /** The nonce was already used: resynchronise it from the node. */
  | "nonceTooLow"
  /** The very same transaction is already in the node's pool: it counts as sent. */
  | "alreadyKnown"
  /** A transaction with this nonce is pending and the new one does not pay enough more to replace it. */
  | "replacementUnderpriced"
  /** The fee is below what the node accepts now (base fee, minimum). */
  | "feeTooLow"
  /** The node or the network failed (HTTP, timeout, socket): retry later. */
  | "transport"
  /** Anything else (insufficient funds, a revert, a bad request). */
  | "other";

const PATTERNS: readonly [SubmissionErrorKind, RegExp][] = [
  ["nonceTooLow", /nonce too low|nonce has already been used|nonce is too low|oldnonce|already been mined/i],
  ["alreadyKnown", /already known|already imported|known transaction|alreadyknown|transaction already exists|already in the mempool/i],
  ["replacementUnderpriced", /replacement transaction underpriced|replacement.{0,40}underpriced|replacement fee too low|could not replace existing tx/i],
  ["feeTooLow", /max ?fee ?per ?gas.{0,40}(less than|too low|lower than)|fee cap less than block base fee|transaction underpriced|is too low for the next block/i],
];

/** Every message in an error's cause chain, joined. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    if (current instanceof BaseError) parts.push(current.shortMessage, current.details ?? "");
    if (current instanceof Error) parts.push(current.message);
    else parts.push(String(current));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(" | ");
}

/**
 * Classifies a submission error.
 *
 * @param error - What sending threw.
 * @returns Its kind.
 */
export function classifySubmissionError(error: unknown): SubmissionErrorKind {
  const text = errorText(error);
  for (const [kind, pattern] of PATTERNS) if (pattern.test(text)) return kind;
  if (isTransportError(error)) return "transport";
  return "other";
}

/**
 * Whether an error came from reaching the node (HTTP status, timeout, refused connection, socket closed) rather
 * than from what the node answered.
 *
 * @param error - Any error.
 * @returns True for transport failures.
 */
export function isTransportError(error: unknown): boolean {
  if (error instanceof BaseError) {
    const transport = error.walk(
      (e) =>
        e instanceof BaseError &&
        ["HttpRequestError", "TimeoutError", "SocketClosedError", "WebSocketRequestError"].includes(e.name)
    );
    if (transport !== null && transport !== undefined) return true;
  }
  return /fetch failed|ECONNREFUSED|ECONNRESET|socket hang up|timed out|UND_ERR/i.test(errorText(error));
}
