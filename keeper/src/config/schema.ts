/**
 * The keeper's configuration: one zod schema that turns the raw strings (flags over environment over defaults, see
 * fields.ts) into one frozen, typed {@link KeeperConfig}. Validation runs before any network call and reports every
 * problem at once, one line each; no message ever contains a private key.
 */
import { z } from "zod";
import type { Address, Hex } from "viem";

import type { RawConfig } from "./fields.ts";
import { Secret } from "./secret.ts";

/** Gas and transaction policy. */
export type GasPolicy = {
  /** Ceiling on maxFeePerGas (first submissions and replacements), wei; undefined = none. */
  readonly maxFeePerGasWei: bigint | undefined;
  /** Priority fee of a first submission, wei; undefined = the node's suggestion. */
  readonly priorityFeeWei: bigint | undefined;
  /** How long a transaction may stay unmined before it is replaced, ms. */
  readonly replacementWaitMs: number;
  /** Fee increase per replacement, percent. */
  readonly feeBumpPercent: number;
  /** Replacements of one transaction before it is left alone. */
  readonly maxReplacements: number;
  /** Per-transaction gas cap; undefined = probe the node. */
  readonly maxTxGas: bigint | undefined;
  /** Gas assumed per liquidated position before any estimate has measured it. */
  readonly gasPerPosition: bigint;
};

/** Which optional duties the keeper performs besides liquidating. */
export type Duties = {
  /** Mirror the on-chain ADL lists. */
  readonly adlMirror: boolean;
  /** Poke markets whose cached price is older than their latest oracle round. */
  readonly poke: boolean;
  /** Apply due ADL tier drops. */
  readonly tierDrops: boolean;
  /** Trigger vault-solvency ADL when its condition holds. */
  readonly solvencyAdl: boolean;
};

/** Where the protocol is. */
export type DeploymentConfig = {
  /** PerpEngine (the whole engine surface is at this address). */
  readonly engine: Address;
  /** PerpLens (paged ADL-list walks, hints). */
  readonly lens: Address;
  /** First block to read events from: the deployment block. */
  readonly fromBlock: bigint;
};

/** The validated configuration. */
export type KeeperConfig = {
  /** JSON-RPC endpoints; the first is used while it answers, the others are fallbacks. */
  readonly rpcUrls: readonly string[];
  /** The protocol's addresses and deployment block. */
  readonly deployment: DeploymentConfig;
  /** Market ids to keep, or "all" listed markets. */
  readonly markets: readonly bigint[] | "all";
  /** Signer keys; never logged (see {@link Secret}). */
  readonly signerKeys: readonly Secret<Hex>[];
  /** Block polling interval, ms. */
  readonly pollIntervalMs: number;
  /** Most positions per liquidateBatch transaction. */
  readonly batchSize: number;
  /** Blocks per eth_getLogs request. */
  readonly logChunkBlocks: number;
  /** Deepest reorganisation undone in place. */
  readonly reorgDepth: number;
  /** Gas and transaction policy. */
  readonly gas: GasPolicy;
  /** The metrics and health server. */
  readonly metrics: { readonly host: string; readonly port: number };
  /** Health thresholds. */
  readonly health: { readonly maxAgeSeconds: number; readonly minSignerBalanceWei: bigint };
  /** Optional duties. */
  readonly duties: Duties;
  /** pino log level. */
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace";
};

/** Thrown when the configuration is invalid; `problems` holds one readable line per problem. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** One line per problem, e.g. "--batch-size (KEEPER_BATCH_SIZE): must be a whole number ≥ 1, got 'x'". */
  readonly problems: readonly string[];

  /** @param problems - One readable line per problem. */
  constructor(problems: readonly string[]) {
    super(`invalid keeper configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

/** Raw config after files were read: the deployment file's addresses and the keys file's lines are merged in. */
export type ResolvedRawConfig = RawConfig & {
  /** Engine address found in the deployment file. */
  readonly deploymentEngine?: string;
  /** Lens address found in the deployment file. */
  readonly deploymentLens?: string;
  /** Deployment block found in the Ignition journal. */
  readonly deploymentBlock?: string;
};

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const KEY = /^(0x)?[0-9a-fA-F]{64}$/;
const GWEI = 10n ** 9n;
const ETHER = 10n ** 18n;

const shown = (value: string): string => `'${value.length > 80 ? `${value.slice(0, 77)}...` : value}'`;

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.string().transform((value, ctx) => {
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}, got ${shown(value)}` });
      return z.NEVER;
    }
    return n;
  });

const bigWhole = (min: bigint) =>
  z.string().transform((value, ctx) => {
    if (!/^\d+$/.test(value.trim()) || BigInt(value.trim()) < min) {
      ctx.addIssue({ code: "custom", message: `must be a whole number ≥ ${min}, got ${shown(value)}` });
      return z.NEVER;
    }
    return BigInt(value.trim());
  });

/** A decimal amount (e.g. "1.5") scaled by `unit`, rounded down to a whole number of the smaller unit. */
const decimalUnits = (unit: bigint, unitName: string) =>
  z.string().transform((value, ctx) => {
    const match = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
    const decimals = unit.toString().length - 1;
    if (!match || (match[2]?.length ?? 0) > decimals) {
      ctx.addIssue({ code: "custom", message: `must be a non-negative amount of ${unitName}, got ${shown(value)}` });
      return z.NEVER;
    }
    const fraction = (match[2] ?? "").padEnd(decimals, "0");
    return BigInt(match[1] ?? "0") * unit + BigInt(fraction === "" ? "0" : fraction);
  });

const onOff = z.string().transform((value, ctx) => {
  const v = value.trim().toLowerCase();
  if (["on", "true", "1", "yes"].includes(v)) return true;
  if (["off", "false", "0", "no"].includes(v)) return false;
  ctx.addIssue({ code: "custom", message: `must be on or off, got ${shown(value)}` });
  return z.NEVER;
});

const address = z
  .string()
  .refine((value) => ADDRESS.test(value.trim()), { error: (issue) => `must be a 0x-prefixed 20-byte address, got ${shown(String(issue.input))}` })
  .transform((value) => value.trim() as Address);

const rpcUrls = z.string().transform((value, ctx) => {
  const urls = value
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "");
  if (urls.length === 0) {
    ctx.addIssue({ code: "custom", message: "must name at least one JSON-RPC URL" });
    return z.NEVER;
  }
  for (const url of urls) {
    let protocol = "";
    try {
      protocol = new URL(url).protocol;
    } catch {
      protocol = "";
    }
    if (!["http:", "https:"].includes(protocol)) {
      // The URL may embed an API key: name its position, not its text.
      ctx.addIssue({ code: "custom", message: `URL ${urls.indexOf(url) + 1} is not an http(s) URL` });
    }
  }
  return urls;
});

const markets = z.string().transform((value, ctx): readonly bigint[] | "all" => {
  if (value.trim().toLowerCase() === "all") return "all";
  const parts = value.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^[1-9]\d*$/.test(p))) {
    ctx.addIssue({ code: "custom", message: `must be 'all' or market ids (whole numbers ≥ 1) separated by commas, got ${shown(value)}` });
    return z.NEVER;
  }
  return [...new Set(parts)].map((p) => BigInt(p));
});

const privateKeys = z.string().transform((value, ctx) => {
  // A keys file may hold comments ("# ...") and blank lines; keys are separated by commas or whitespace.
  const keys = value
    .split("\n")
    .map((line) => line.replace(/#.*$/, ""))
    .join("\n")
    .split(/[\s,]+/)
    .filter((k) => k !== "");
  if (keys.length === 0) {
    ctx.addIssue({ code: "custom", message: "holds no key" });
    return z.NEVER;
  }
  const bad = keys.flatMap((key, i) => (KEY.test(key) ? [] : [i + 1]));
  if (bad.length > 0) {
    // Never echo the text: a malformed key may still be most of a real one.
    ctx.addIssue({ code: "custom", message: `key ${bad.join(", ")} is not a 32-byte hex private key` });
    return z.NEVER;
  }
  const unique = [...new Set(keys.map((k) => (k.startsWith("0x") ? k : `0x${k}`).toLowerCase()))];
  return unique.map((k) => new Secret(k as Hex));
});

const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace"], {
  error: (issue) => `must be one of fatal, error, warn, info, debug, trace, got ${shown(String(issue.input))}`,
});

const optional = <T extends z.ZodType>(schema: T) => schema.optional();

/** The zod schema of the raw config (all strings) after files were read. */
export const rawConfigSchema = z.object({
  rpcUrls: rpcUrls.optional(),
  deployment: z.string().optional(),
  engineAddress: optional(address),
  lensAddress: optional(address),
  deploymentEngine: optional(address),
  deploymentLens: optional(address),
  fromBlock: optional(bigWhole(0n)),
  deploymentBlock: optional(bigWhole(0n)),
  markets,
  privateKeys: optional(privateKeys),
  keysFile: z.string().optional(),
  pollIntervalMs: wholeNumber(10, 3_600_000),
  batchSize: wholeNumber(1, 10_000),
  logChunkBlocks: wholeNumber(1, 1_000_000),
  reorgDepth: wholeNumber(1, 10_000),
  maxFeeGwei: optional(decimalUnits(GWEI, "gwei")),
  priorityFeeGwei: optional(decimalUnits(GWEI, "gwei")),
  replacementWaitMs: wholeNumber(100, 3_600_000),
  feeBumpPercent: wholeNumber(10, 1_000),
  maxReplacements: wholeNumber(0, 100),
  maxTxGas: optional(bigWhole(21_000n)),
  gasPerPosition: bigWhole(1n),
  metricsHost: z.string().min(1, { error: "must not be empty" }),
  metricsPort: wholeNumber(0, 65_535),
  healthMaxAgeSeconds: wholeNumber(1, 86_400),
  minSignerBalanceEth: decimalUnits(ETHER, "ether"),
  adlMirror: onOff,
  poke: onOff,
  tierDrops: onOff,
  solvencyAdl: onOff,
  logLevel,
});

/** Maps a raw-config key to how the operator writes it, for messages. */
export type FieldNamer = (key: string) => string;

/**
 * Validates a raw config into a {@link KeeperConfig}.
 *
 * @param raw - Strings from flags, environment and defaults, with the files' contents merged in.
 * @param nameOf - How to name a field in messages (flag and variable).
 * @returns The frozen config.
 * @throws {ConfigError} Listing every problem, one line each.
 */
export function parseConfig(raw: ResolvedRawConfig, nameOf: FieldNamer = (key) => key): KeeperConfig {
  const problems: string[] = [];
  // Presence first, from the raw strings, so a missing field is reported alongside malformed ones.
  if (raw.rpcUrls === undefined) problems.push(`${nameOf("rpcUrls")}: is required`);
  if (raw.engineAddress === undefined && raw.deploymentEngine === undefined) {
    problems.push(`${nameOf("engineAddress")}: is required (or give ${nameOf("deployment")})`);
  }
  if (raw.lensAddress === undefined && raw.deploymentLens === undefined) {
    problems.push(`${nameOf("lensAddress")}: is required (or give ${nameOf("deployment")})`);
  }
  if (raw.privateKeys === undefined) {
    problems.push(`${nameOf("privateKeys")}: at least one signer key is required (or give ${nameOf("keysFile")})`);
  }
  const result = rawConfigSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? "config");
      const message = issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message;
      problems.push(`${nameOf(key)}: ${message}`);
    }
    throw new ConfigError(problems);
  }
  const r = result.data;
  const engine = r.engineAddress ?? r.deploymentEngine;
  const lens = r.lensAddress ?? r.deploymentLens;
  if (r.maxFeeGwei !== undefined && r.priorityFeeGwei !== undefined && r.priorityFeeGwei > r.maxFeeGwei) {
    problems.push(`${nameOf("priorityFeeGwei")}: must not exceed ${nameOf("maxFeeGwei")}`);
  }
  if (problems.length > 0 || r.rpcUrls === undefined || engine === undefined || lens === undefined || r.privateKeys === undefined) {
    throw new ConfigError(problems);
  }
  const config: KeeperConfig = {
    rpcUrls: Object.freeze([...r.rpcUrls]),
    deployment: Object.freeze({ engine, lens, fromBlock: r.fromBlock ?? r.deploymentBlock ?? 0n }),
    markets: r.markets === "all" ? "all" : Object.freeze([...r.markets]),
    signerKeys: Object.freeze([...r.privateKeys]),
    pollIntervalMs: r.pollIntervalMs,
    batchSize: r.batchSize,
    logChunkBlocks: r.logChunkBlocks,
    reorgDepth: r.reorgDepth,
    gas: Object.freeze({
      maxFeePerGasWei: r.maxFeeGwei,
      priorityFeeWei: r.priorityFeeGwei,
      replacementWaitMs: r.replacementWaitMs,
      feeBumpPercent: r.feeBumpPercent,
      maxReplacements: r.maxReplacements,
      maxTxGas: r.maxTxGas,
      gasPerPosition: r.gasPerPosition,
    }),
    metrics: Object.freeze({ host: r.metricsHost, port: r.metricsPort }),
    health: Object.freeze({ maxAgeSeconds: r.healthMaxAgeSeconds, minSignerBalanceWei: r.minSignerBalanceEth }),
    duties: Object.freeze({ adlMirror: r.adlMirror, poke: r.poke, tierDrops: r.tierDrops, solvencyAdl: r.solvencyAdl }),
    logLevel: r.logLevel,
  };
  return Object.freeze(config);
}
