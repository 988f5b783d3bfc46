/**
 * Builds the keeper's config from command-line flags, environment variables and defaults (in that order of
 * precedence), reads the files they name (deployment addresses, the Ignition journal for the deployment block,
 * the keys file), then validates everything at once with the schema.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

import { DeploymentError, parseIgnitionDeployment } from "@open-waterfall/sdk";

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

type DeploymentFile = { engine: string; lens: string; block: string };

/**
 * Reads a deployment written by Hardhat Ignition (the directory, or its deployed_addresses.json) with the SDK's
 * parser: the addresses, and the first block from the journal beside it.
 */
function readDeploymentFile(path: string): DeploymentFile {
  const dir = statSync(path).isDirectory() ? path : dirname(path);
  const addressesFile = join(dir, "deployed_addresses.json");
  const journalFile = join(dir, "journal.jsonl");
  const deployment = parseIgnitionDeployment({
    deployedAddresses: readFileSync(addressesFile, "utf8"),
    source: addressesFile,
    ...(existsSync(journalFile) ? { journal: readFileSync(journalFile, "utf8") } : {}),
  });
  return { engine: deployment.engine, lens: deployment.lens, block: deployment.deploymentBlock.toString() };
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
      resolved.deploymentEngine = file.engine;
      resolved.deploymentLens = file.lens;
      resolved.deploymentBlock = file.block;
    } catch (error) {
      const reason = error instanceof DeploymentError ? error.details : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
      problems.push(`${fieldName("deployment")}: cannot read '${raw.deployment}': ${reason}`);
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
