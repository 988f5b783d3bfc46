/**
 * The protocol's logs, fetched with `eth_getLogs` over block ranges in chunks (never with filters, which
 * nodes drop) and decoded with the generated ABIs into one typed union: each log names its `source`
 * contract and its `eventName`, and `args` is typed by both.
 */
import {
  decodeEventLog,
  encodeEventTopics,
  type Address,
  type DecodeEventLogReturnType,
  type ContractEventName,
  type Hex,
  type PublicClient,
  type Transport,
  type Chain,
} from "viem";

import { backstopVaultAbi, marketRegistryAbi, mockAggregatorAbi, perpEngineAbi } from "../abi/generated.ts";
import type { ProtocolDeployment } from "../deployment/deployment.ts";
import { InvalidInputError } from "../errors/base.ts";
import { toSdkError } from "../errors/normalize.ts";

/** Each log source and its ABI. */
const SOURCE_ABIS = {
  engine: perpEngineAbi,
  vault: backstopVaultAbi,
  registry: marketRegistryAbi,
  feed: mockAggregatorAbi,
} as const;

/** The contracts logs come from: the engine (with its modules), the vault, the registry and the price feeds. */
export type LogSource = keyof typeof SOURCE_ABIS;

type SourceAbi<S extends LogSource> = (typeof SOURCE_ABIS)[S];

/** Where a log sits on the chain. */
export type LogPosition = {
  /** The contract that emitted it. */
  readonly address: Address;
  /** Its block. */
  readonly blockNumber: bigint;
  /** Its block's hash (a reorg changes it). */
  readonly blockHash: Hex;
  /** Its index in the block. */
  readonly logIndex: number;
  /** Its transaction. */
  readonly transactionHash: Hex;
  /** Its transaction's index in the block. */
  readonly transactionIndex: number;
};

type LogOf<S extends LogSource> = {
  [N in ContractEventName<SourceAbi<S>>]: LogPosition & {
    /** The emitting contract's role. */
    readonly source: S;
    /** The event's name. */
    readonly eventName: N;
    /** The event's arguments by name, typed from the ABI. */
    readonly args: DecodeEventLogReturnType<SourceAbi<S>, N, [Hex, ...Hex[]], Hex, true>["args"];
  };
}[ContractEventName<SourceAbi<S>>];

/** Any decoded protocol log. Narrow by `eventName` (and `source` for the role events both engine and registry emit). */
export type AnyProtocolLog = LogOf<"engine"> | LogOf<"vault"> | LogOf<"registry"> | LogOf<"feed">;

/** The name of any event the protocol's contracts emit. */
export type ProtocolEventName = AnyProtocolLog["eventName"];

/** The decoded logs of the named events. */
export type ProtocolLog<E extends ProtocolEventName = ProtocolEventName> = Extract<AnyProtocolLog, { eventName: E }>;

/** Typed streams: the events each one carries. */
export const PROTOCOL_STREAMS = {
  /** Every fill of a trade. */
  trades: ["Traded"],
  /** Liquidation calls, the deficits they leave and the positions a batch skipped. */
  liquidations: ["Liquidated", "DeficitPaid", "LiquidationSkipped"],
  /** Every ADL fill, with its haircut. */
  adlFills: ["AdlFill"],
  /** Deficits left to the vault beyond its floor. */
  badDebt: ["BadDebt"],
  /** New rounds of the price feeds. */
  oracleRounds: ["AnswerUpdated"],
} as const satisfies Record<string, readonly ProtocolEventName[]>;

/** The name of a typed stream. */
export type ProtocolStream = keyof typeof PROTOCOL_STREAMS;

/** Any viem public client. */
export type AnyPublicClient = PublicClient<Transport, Chain | undefined>;

/** Which contracts and events to read. */
export type LogSelection<E extends ProtocolEventName = ProtocolEventName> = {
  /** The protocol's addresses. */
  deployment: ProtocolDeployment;
  /** Only these events (all when omitted). */
  events?: readonly E[] | undefined;
  /** The feeds whose rounds to read; the deployment's feeds when omitted. */
  feeds?: readonly Address[] | undefined;
};

/** Parameters of {@link getProtocolLogs}. */
export type GetProtocolLogsParameters<E extends ProtocolEventName = ProtocolEventName> = LogSelection<E> & {
  /** The client to read with. */
  client: AnyPublicClient;
  /** First block (inclusive); the deployment's first block when omitted. */
  fromBlock?: bigint;
  /** Last block (inclusive); the latest when omitted. */
  toBlock?: bigint;
  /** Blocks per `eth_getLogs` request (default 2000). */
  chunkSize?: bigint;
};

/** The addresses and topic filter of a selection, and a decoder for what comes back. */
export type CompiledSelection<E extends ProtocolEventName> = {
  readonly addresses: readonly Address[];
  readonly topic0: readonly Hex[] | undefined;
  decode(log: RawLog): ProtocolLog<E> | undefined;
};

/** A log as `eth_getLogs` returns it through viem (not yet decoded). */
export type RawLog = {
  address: Address;
  topics: readonly Hex[];
  data: Hex;
  blockNumber: bigint | null;
  blockHash: Hex | null;
  logIndex: number | null;
  transactionHash: Hex | null;
  transactionIndex: number | null;
};

const ALL_EVENT_NAMES: ReadonlySet<string> = new Set(
  Object.values(SOURCE_ABIS).flatMap((abi) => abi.filter((item) => item.type === "event").map((item) => item.name))
);

/**
 * Checks a selection and turns it into addresses, topics and a decoder.
 *
 * @throws {InvalidInputError} For an unknown event name.
 */
export function compileSelection<E extends ProtocolEventName>(selection: LogSelection<E>): CompiledSelection<E> {
  const { deployment } = selection;
  const feeds = selection.feeds ?? Object.values(deployment.feeds);
  const bySource = new Map<string, LogSource>();
  bySource.set(deployment.engine.toLowerCase(), "engine");
  bySource.set(deployment.vault.toLowerCase(), "vault");
  bySource.set(deployment.registry.toLowerCase(), "registry");
  for (const feed of feeds) bySource.set(feed.toLowerCase(), "feed");
  const wanted = selection.events === undefined ? undefined : new Set<string>(selection.events);
  if (wanted !== undefined) {
    if (wanted.size === 0) throw new InvalidInputError({ parameter: "events", reason: "the list is empty" });
    for (const name of wanted) {
      if (!ALL_EVENT_NAMES.has(name)) throw new InvalidInputError({ parameter: "events", reason: `unknown event ${JSON.stringify(name)}` });
    }
  }
  let topic0: Hex[] | undefined;
  if (wanted !== undefined) {
    const topics = new Set<Hex>();
    for (const abi of Object.values(SOURCE_ABIS)) {
      for (const item of abi) {
        if (item.type === "event" && wanted.has(item.name)) {
          topics.add(encodeEventTopics({ abi: [item], eventName: item.name } as never)[0] as Hex);
        }
      }
    }
    topic0 = [...topics];
  }
  // Only the sources that can emit a wanted event are asked.
  const addresses = [...bySource.entries()]
    .filter(([, source]) => wanted === undefined || SOURCE_ABIS[source].some((item) => item.type === "event" && wanted.has(item.name)))
    .map(([address]) => address as Address);
  return {
    addresses,
    topic0,
    decode(log) {
      const source = bySource.get(log.address.toLowerCase());
      if (source === undefined || log.blockNumber === null || log.blockHash === null || log.logIndex === null || log.transactionHash === null) {
        return undefined;
      }
      let decoded: { eventName: string; args: unknown };
      try {
        decoded = decodeEventLog({ abi: SOURCE_ABIS[source], topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true }) as never;
      } catch {
        return undefined; // an event outside the protocol's ABIs (e.g. from a feed proxy)
      }
      if (wanted !== undefined && !wanted.has(decoded.eventName)) return undefined;
      return {
        source,
        eventName: decoded.eventName,
        args: decoded.args,
        address: log.address,
        blockNumber: log.blockNumber,
        blockHash: log.blockHash,
        logIndex: log.logIndex,
        transactionHash: log.transactionHash,
        transactionIndex: log.transactionIndex ?? 0,
      } as unknown as ProtocolLog<E>;
    },
  };
}

/** Orders logs as the chain does: by block, then by index in the block. */
export function compareLogs(a: LogPosition, b: LogPosition): number {
  if (a.blockNumber !== b.blockNumber) return a.blockNumber < b.blockNumber ? -1 : 1;
  return a.logIndex - b.logIndex;
}

/**
 * One `eth_getLogs` request for a block range, decoded. Errors are thrown as SDK errors.
 *
 * @internal Used by {@link getProtocolLogs} and the watcher.
 */
export async function fetchLogRange<E extends ProtocolEventName>(
  client: AnyPublicClient,
  compiled: CompiledSelection<E>,
  fromBlock: bigint,
  toBlock: bigint
): Promise<ProtocolLog<E>[]> {
  let raw: RawLog[];
  try {
    raw = (await client.request({
      method: "eth_getLogs",
      params: [
        {
          address: compiled.addresses as Address[],
          fromBlock: `0x${fromBlock.toString(16)}`,
          toBlock: `0x${toBlock.toString(16)}`,
          ...(compiled.topic0 === undefined ? {} : { topics: [compiled.topic0 as Hex[]] }),
        },
      ],
    })).map((log) => ({
      address: log.address,
      topics: log.topics as Hex[],
      data: log.data,
      blockNumber: log.blockNumber === null ? null : BigInt(log.blockNumber),
      blockHash: log.blockHash,
      logIndex: log.logIndex === null ? null : Number(log.logIndex),
      transactionHash: log.transactionHash,
      transactionIndex: log.transactionIndex === null ? null : Number(log.transactionIndex),
    }));
  } catch (error) {
    throw toSdkError(error);
  }
  const out: ProtocolLog<E>[] = [];
  for (const log of raw) {
    const decoded = compiled.decode(log);
    if (decoded !== undefined) out.push(decoded);
  }
  return out.sort(compareLogs);
}

/**
 * The protocol's logs over a block range, in chain order, fetched in chunks of `chunkSize` blocks and decoded.
 *
 * @param parameters - {@link GetProtocolLogsParameters}
 * @returns The decoded logs, typed by the selected events.
 * @throws {InvalidInputError} For an empty or reversed range, a non-positive chunk or an unknown event.
 * @throws {RpcError} / {NetworkError} When the node refuses or cannot be reached.
 * @example
 * const trades = await getProtocolLogs({ client, deployment, events: ["Traded"] });
 * for (const t of trades) console.log(t.args.account, t.args.sizeDeltaWad);
 */
export async function getProtocolLogs<E extends ProtocolEventName = ProtocolEventName>(
  parameters: GetProtocolLogsParameters<E>
): Promise<ProtocolLog<E>[]> {
  const chunkSize = parameters.chunkSize ?? 2000n;
  if (chunkSize < 1n) throw new InvalidInputError({ parameter: "chunkSize", reason: `must be at least 1, got ${chunkSize}` });
  const compiled = compileSelection(parameters);
  const fromBlock = parameters.fromBlock ?? parameters.deployment.deploymentBlock;
  let toBlock = parameters.toBlock;
  if (toBlock === undefined) {
    try {
      toBlock = await parameters.client.getBlockNumber({ cacheTime: 0 });
    } catch (error) {
      throw toSdkError(error);
    }
  }
  if (fromBlock < 0n || toBlock < fromBlock) {
    throw new InvalidInputError({ parameter: "fromBlock/toBlock", reason: `empty range ${fromBlock}..${toBlock}` });
  }
  const out: ProtocolLog<E>[] = [];
  for (let start = fromBlock; start <= toBlock; start += chunkSize) {
    const end = start + chunkSize - 1n < toBlock ? start + chunkSize - 1n : toBlock;
    out.push(...(await fetchLogRange(parameters.client, compiled, start, end)));
  }
  return out;
}
