/**
 * A log poller over `eth_getLogs` that survives a flaky node: it reads confirmed block ranges in order,
 * delivers each range's logs once, advances only after the consumer took them, retries failed requests with
 * exponential back-off, and checks the hash of the last processed block before every step so a reorg of a
 * few blocks is rewound and reported (`onReorg`) instead of leaving stale events behind.
 */
import type { Hex } from "viem";

import { InvalidInputError, SdkError } from "../errors/base.ts";
import { toSdkError } from "../errors/normalize.ts";
import {
  compileSelection,
  fetchLogRange,
  PROTOCOL_STREAMS,
  type AnyPublicClient,
  type LogSelection,
  type ProtocolEventName,
  type ProtocolLog,
  type ProtocolStream,
} from "./logs.ts";

/** The block range a delivery covers: every block in it has been read. */
export type LogRange = {
  /** First block of the range (inclusive). */
  readonly fromBlock: bigint;
  /** Last block of the range (inclusive): persist it and restart with `fromBlock = toBlock + 1n`. */
  readonly toBlock: bigint;
};

/** What {@link WatchProtocolEventsParameters.onError} is told. */
export type WatchErrorContext = {
  /** Consecutive failures so far (1 on the first). */
  readonly attempt: number;
  /** When the watcher tries again. */
  readonly retryInMs: number;
};

/** Parameters of {@link watchProtocolEvents}. */
export type WatchProtocolEventsParameters<E extends ProtocolEventName = ProtocolEventName> = LogSelection<E> & {
  /** The client to poll with. */
  client: AnyPublicClient;
  /** First block to read (inclusive): the last processed block + 1 when resuming; the deployment's first block when omitted. */
  fromBlock?: bigint;
  /** Time between polls once caught up, in ms (default 1000). */
  pollingIntervalMs?: number;
  /** Most blocks per `eth_getLogs` request (default 2000n); halved for a retry after a refusal. */
  chunkSize?: bigint;
  /** Blocks to stay behind the head (default 0n): a block is read once it has this many successors. */
  confirmations?: bigint;
  /** How many processed block hashes to remember for finding where a reorg forked (default 64). */
  reorgDepth?: number;
  /** First back-off delay after a failure, in ms (default 250); it doubles per failure. */
  retryBaseMs?: number;
  /** Longest back-off delay, in ms (default 30 000). */
  retryMaxMs?: number;
  /** Called once per processed range, in order, with its logs in chain order (possibly none). The watcher
   * waits for it; if it throws, the same range is delivered again after the back-off. */
  onLogs: (logs: ProtocolLog<E>[], range: LogRange) => void | Promise<void>;
  /** Called for every failure; the watcher keeps going (from where it was) after `retryInMs`. */
  onError?: (error: SdkError, context: WatchErrorContext) => void;
  /** Called when a reorg replaced blocks already delivered: forget everything from `fromBlock` on; those blocks
   * are delivered again as they now are. */
  onReorg?: (fromBlock: bigint) => void | Promise<void>;
  /** Stops the watcher when aborted. */
  signal?: AbortSignal;
};

/** A running watcher. */
export type ProtocolEventWatcher = {
  /** Stops polling and resolves once the current step has finished (no delivery happens after). */
  stop(): Promise<void>;
  /** Resolves when the watcher has stopped. */
  readonly done: Promise<void>;
  /** The next block the watcher will read. */
  nextBlock(): bigint;
};

type Checkpoint = { number: bigint; hash: Hex };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function positiveInteger(parameter: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new InvalidInputError({ parameter, reason: `must be a non-negative integer, got ${value}` });
  return value;
}

/**
 * Polls the protocol's logs from `fromBlock` on and hands them over range by range, with no duplicate and no
 * gap, across RPC failures (exponential back-off) and short reorgs (rewound, reported through `onReorg`).
 *
 * @param parameters - {@link WatchProtocolEventsParameters}
 * @returns The watcher; stop it with `stop()` or the abort signal.
 * @throws {InvalidInputError} At once, for an unknown event, a chunk below 1 or negative timings.
 * @example
 * const watcher = watchProtocolEvents({
 *   client, deployment, fromBlock: lastProcessed + 1n, events: ["Traded", "Liquidated"],
 *   onLogs: async (logs, range) => { await store(logs); await saveCursor(range.toBlock); },
 * });
 */
export function watchProtocolEvents<E extends ProtocolEventName = ProtocolEventName>(
  parameters: WatchProtocolEventsParameters<E>
): ProtocolEventWatcher {
  const compiled = compileSelection(parameters);
  const { client, onLogs } = parameters;
  const pollingIntervalMs = positiveInteger("pollingIntervalMs", parameters.pollingIntervalMs ?? 1000);
  const retryBaseMs = positiveInteger("retryBaseMs", parameters.retryBaseMs ?? 250);
  const retryMaxMs = positiveInteger("retryMaxMs", parameters.retryMaxMs ?? 30_000);
  const reorgDepth = positiveInteger("reorgDepth", parameters.reorgDepth ?? 64);
  const maxChunk = parameters.chunkSize ?? 2000n;
  if (maxChunk < 1n) throw new InvalidInputError({ parameter: "chunkSize", reason: `must be at least 1, got ${maxChunk}` });
  const confirmations = parameters.confirmations ?? 0n;
  if (confirmations < 0n) throw new InvalidInputError({ parameter: "confirmations", reason: `must not be negative, got ${confirmations}` });
  const startBlock = parameters.fromBlock ?? parameters.deployment.deploymentBlock;
  if (startBlock < 0n) throw new InvalidInputError({ parameter: "fromBlock", reason: `must not be negative, got ${startBlock}` });

  const controller = new AbortController();
  const signal = controller.signal;
  if (parameters.signal !== undefined) {
    if (parameters.signal.aborted) controller.abort();
    else parameters.signal.addEventListener("abort", () => controller.abort(), { once: true });
  }

  let next = startBlock;
  let chunk = maxChunk;
  let failures = 0;
  const checkpoints: Checkpoint[] = [];

  async function blockHash(number: bigint): Promise<Hex | undefined> {
    const block = await client.getBlock({ blockNumber: number }).catch((error: unknown) => {
      // A block past the head (after a deep rewind) reads as missing on some nodes.
      const sdkError = toSdkError(error);
      if (/not found|could not be found/i.test(sdkError.message)) return undefined;
      throw sdkError;
    });
    return block?.hash ?? undefined;
  }

  /** Rewinds to the newest remembered block still on the chain; returns the first block to read again. */
  async function rewind(): Promise<bigint> {
    while (checkpoints.length > 0) {
      const last = checkpoints[checkpoints.length - 1] as Checkpoint;
      if ((await blockHash(last.number)) === last.hash) return last.number + 1n;
      checkpoints.pop();
    }
    // Nothing remembered is still canonical: go back as far as remembered history reached, or to the start.
    const back = next - BigInt(reorgDepth);
    return back > startBlock ? back : startBlock;
  }

  async function step(): Promise<"caughtUp" | "progress"> {
    const last = checkpoints[checkpoints.length - 1];
    if (last !== undefined && (await blockHash(last.number)) !== last.hash) {
      checkpoints.pop();
      const from = await rewind();
      next = from;
      await parameters.onReorg?.(from);
      return "progress";
    }
    const head = await client.getBlockNumber({ cacheTime: 0 });
    const safeHead = head - confirmations;
    if (next > safeHead) return "caughtUp";
    const to = next + chunk - 1n < safeHead ? next + chunk - 1n : safeHead;
    const endHash = await blockHash(to);
    if (endHash === undefined) return "caughtUp";
    const logs = await fetchLogRange(client, compiled, next, to);
    // A reorg between the two reads shows as a different hash at the range's end, or on its logs.
    const endHashAfter = await blockHash(to);
    if (endHashAfter !== endHash || logs.some((log) => log.blockNumber === to && log.blockHash !== endHash)) {
      throw new SdkError({ shortMessage: `block ${to} changed while its range was read (reorg); reading it again` });
    }
    if (signal.aborted) return "caughtUp";
    await onLogs(logs, { fromBlock: next, toBlock: to });
    checkpoints.push({ number: to, hash: endHash });
    if (checkpoints.length > reorgDepth) checkpoints.shift();
    next = to + 1n;
    return next > safeHead ? "caughtUp" : "progress";
  }

  async function run(): Promise<void> {
    while (!signal.aborted) {
      let outcome: "caughtUp" | "progress";
      try {
        outcome = await step();
        failures = 0;
        chunk = maxChunk;
      } catch (error) {
        failures += 1;
        const sdkError = toSdkError(error);
        // A node that refuses a wide range may accept a narrower one.
        if (sdkError.name === "RpcError" && chunk > 1n) chunk = chunk / 2n;
        const retryInMs = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(failures - 1, 30));
        parameters.onError?.(sdkError, { attempt: failures, retryInMs });
        await sleep(retryInMs, signal);
        continue;
      }
      if (outcome === "caughtUp") await sleep(pollingIntervalMs, signal);
    }
  }

  const done = run();
  return {
    async stop() {
      controller.abort();
      await done;
    },
    done,
    nextBlock: () => next,
  };
}

/** Parameters of the typed stream watchers: {@link WatchProtocolEventsParameters} without `events`. */
export type WatchStreamParameters<S extends ProtocolStream> = Omit<
  WatchProtocolEventsParameters<(typeof PROTOCOL_STREAMS)[S][number]>,
  "events"
>;

function watchStream<S extends ProtocolStream>(stream: S, parameters: WatchStreamParameters<S>): ProtocolEventWatcher {
  return watchProtocolEvents<(typeof PROTOCOL_STREAMS)[S][number]>({ ...parameters, events: PROTOCOL_STREAMS[stream] });
}

/**
 * Every trade fill (`Traded`), as {@link watchProtocolEvents} delivers them.
 *
 * @param parameters - {@link WatchStreamParameters}
 */
export function watchTrades(parameters: WatchStreamParameters<"trades">): ProtocolEventWatcher {
  return watchStream("trades", parameters);
}

/**
 * Liquidations (`Liquidated`), the deficits they leave (`DeficitPaid`) and the positions batches skip
 * (`LiquidationSkipped`).
 *
 * @param parameters - {@link WatchStreamParameters}
 */
export function watchLiquidations(parameters: WatchStreamParameters<"liquidations">): ProtocolEventWatcher {
  return watchStream("liquidations", parameters);
}

/**
 * Every ADL fill (`AdlFill`), with its haircut.
 *
 * @param parameters - {@link WatchStreamParameters}
 */
export function watchAdlFills(parameters: WatchStreamParameters<"adlFills">): ProtocolEventWatcher {
  return watchStream("adlFills", parameters);
}

/**
 * Bad debt left to the vault beyond its floor (`BadDebt`).
 *
 * @param parameters - {@link WatchStreamParameters}
 */
export function watchBadDebt(parameters: WatchStreamParameters<"badDebt">): ProtocolEventWatcher {
  return watchStream("badDebt", parameters);
}

/**
 * New oracle rounds (`AnswerUpdated`) of the deployment's feeds (or `feeds`).
 *
 * @param parameters - {@link WatchStreamParameters}
 */
export function watchOracleRounds(parameters: WatchStreamParameters<"oracleRounds">): ProtocolEventWatcher {
  return watchStream("oracleRounds", parameters);
}
