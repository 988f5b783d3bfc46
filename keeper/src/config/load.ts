/**
 * Builds the keeper's config from command-line flags, environment variables and defaults (in that order of
 * precedence), reads the files they name (deployment addresses, the Ignition journal for the deployment block,
 * the keys file), then validates everything at once with the schema.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

import { FIELDS, type RawConfig, type RawConfigKey } from "./fields.ts";
import { ConfigError, type KeeperConfig, parseConfig, type ResolvedRawConfig } from "./schema.ts";

/** Parameters of {@link loadConfig}. */
export type LoadConfigParameters = {
  /** Values given as flags (commander's parsed options, keyed like the raw config). */
  flags?: RawConfig;
  /** The environment (process.env). */
  env?: Readonly<Record<string, string | undefined>>;
};

/**
 * How a field is named in messages: its flag and its variable, e.g. "--batch-size (KEEPER_BATCH_SIZE)".
 *
 * @param key - A raw-config key.
 * @returns The operator-facing name.
 */
export function fieldName(key: string): string {
  const spec = FIELDS.find((f) => f.key === key);
  if (spec === undefined) return key;
  const flag = spec.flag?.split(" ")[0];
  return flag === undefined ? spec.env : `${flag} (${spec.env})`;
}

/**
 * Merges flags over environment over defaults into the raw config (strings only, nothing validated yet).
 *
 * @param parameters - {@link LoadConfigParameters}
 * @returns The raw config.
 */
export function mergeRawConfig({ flags = {}, env = {} }: LoadConfigParameters): RawConfig {
  const raw: RawConfig = {};
  for (const field of FIELDS) {
    const fromFlag = field.flag === undefined ? undefined : flags[field.key];
    const fromEnv = env[field.env];
    const value = fromFlag ?? (fromEnv === undefined || fromEnv === "" ? undefined : fromEnv) ?? field.defaultValue;
    if (value !== undefined) raw[field.key] = value;
  }
  return raw;
}

type DeploymentFile = { engine?: string; lens?: string; block?: string };

/** Reads addresses from Ignition's deployed_addresses.json ("Protocol#PerpEngine") or a plain {engine, lens} file. */
function readDeploymentFile(path: string): DeploymentFile {
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (typeof parsed !== "object" || parsed === null) throw new Error("is not a JSON object");
  const entries = Object.entries(parsed as Record<string, unknown>);
  const find = (suffix: string, plain: string): string | undefined => {
    const hit = entries.find(([key]) => key === plain || key.endsWith(`#${suffix}`));
    return typeof hit?.[1] === "string" ? hit[1] : undefined;
  };
  const blockEntry = entries.find(([key]) => key === "deploymentBlock" || key === "fromBlock");
  const block = blockEntry === undefined ? readJournalBlock(path) : String(blockEntry[1]);
  const out: DeploymentFile = {};
  const engine = find("PerpEngine", "engine");
  const lens = find("PerpLens", "lens");
  if (engine !== undefined) out.engine = engine;
  if (lens !== undefined) out.lens = lens;
  if (block !== undefined) out.block = block;
  return out;
}

/**
 * The earliest block of the deployment, from the Ignition journal beside deployed_addresses.json: every
 * confirmed transaction of the deployment records its receipt's block number. Events before it cannot exist.
 */
function readJournalBlock(addressesPath: string): string | undefined {
  const journal = join(dirname(addressesPath), "journal.jsonl");
  if (!existsSync(journal)) return undefined;
  let earliest: bigint | undefined;
  for (const line of readFileSync(journal, "utf8").split("\n")) {
    const match = /"blockNumber":\s*"?(\d+)"?/.exec(line);
    if (match?.[1] === undefined) continue;
    const block = BigInt(match[1]);
    if (earliest === undefined || block < earliest) earliest = block;
  }
  return earliest?.toString();
}

/**
 * Resolves the files named by a raw config: merges the deployment file's addresses and the keys file's keys in,
 * and turns unreadable files into config problems.
 *
 * @param raw - The merged raw config.
 * @returns The raw config with the files' contents, and the problems met reading them.
 */
export function resolveFiles(raw: RawConfig): { resolved: ResolvedRawConfig; problems: string[] } {
  const problems: string[] = [];
  const resolved: Record<string, string> = { ...(raw as Record<string, string>) };
  if (raw.deployment !== undefined) {
    try {
      const file = readDeploymentFile(raw.deployment);
      if (file.engine !== undefined) resolved.deploymentEngine = file.engine;
      if (file.lens !== undefined) resolved.deploymentLens = file.lens;
      if (file.block !== undefined) resolved.deploymentBlock = file.block;
      if (file.engine === undefined && raw.engineAddress === undefined) {
        problems.push(`${fieldName("deployment")}: names no PerpEngine address`);
      }
      if (file.lens === undefined && raw.lensAddress === undefined) {
        problems.push(`${fieldName("deployment")}: names no PerpLens address`);
      }
    } catch (error) {
      problems.push(`${fieldName("deployment")}: cannot read '${raw.deployment}': ${(error as Error).message}`);
    }
  }
  if (raw.keysFile !== undefined) {
    if (raw.privateKeys !== undefined) {
      problems.push(`${fieldName("keysFile")}: give the keys either in a file or in ${fieldName("privateKeys")}, not both`);
    } else {
      try {
        resolved.privateKeys = readFileSync(raw.keysFile, "utf8");
      } catch (error) {
        // The path is the operator's; the error code says why without quoting the file's content.
        problems.push(`${fieldName("keysFile")}: cannot read '${raw.keysFile}' (${(error as NodeJS.ErrnoException).code ?? "error"})`);
      }
    }
  }
  return { resolved: resolved as ResolvedRawConfig, problems };
}

/**
 * Loads and validates the whole config: flags over environment over defaults, files read, one schema.
 *
 * @param parameters - {@link LoadConfigParameters}
 * @returns The frozen config.
 * @throws {ConfigError} With one line per problem (never a secret's value).
 */
export function loadConfig(parameters: LoadConfigParameters): KeeperConfig {
  const { resolved, problems } = resolveFiles(mergeRawConfig(parameters));
  try {
    const config = parseConfig(resolved, fieldName);
    if (problems.length > 0) throw new ConfigError(problems);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError([...problems, ...error.problems]);
    throw error;
  }
}

/** The keys of fields that may be given as flags. */
export const FLAG_KEYS: readonly RawConfigKey[] = FIELDS.filter((f) => f.flag !== undefined).map((f) => f.key);
