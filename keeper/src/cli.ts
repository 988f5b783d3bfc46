#!/usr/bin/env node
/**
 * `perp-keeper`: the composition root. Parses flags and environment into the config (exit code 2 with one line per
 * problem when it is invalid), builds the logger, the viem clients and the keeper, serves /metrics and /health, runs
 * until SIGINT or SIGTERM, then stops cleanly.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { Command, CommanderError, Option } from "commander";
import { createPublicClient, createWalletClient, fallback, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { FIELDS, type RawConfig, type RawConfigKey } from "./config/fields.ts";
import { loadConfig } from "./config/load.ts";
import { ConfigError, type KeeperConfig } from "./config/schema.ts";
import { createKeeper } from "./keeper.ts";
import { createLogger } from "./log.ts";
import { startMetricsServer } from "./metrics/server.ts";

/** Exit code for an invalid configuration. */
export const EXIT_BAD_CONFIG = 2;

type Io = { stdout: (text: string) => void; stderr: (text: string) => void };

function buildProgram(io: Io): Command {
  const program = new Command("perp-keeper")
    .description("Liquidation keeper for the open-waterfall protocol. Every option also reads its environment variable.")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .option("--print-config", "print the validated config (keys redacted) and exit");
  for (const field of FIELDS) {
    if (field.flag === undefined) continue;
    const suffix = field.defaultValue === undefined ? "" : `, default ${field.defaultValue}`;
    program.addOption(new Option(field.flag, `${field.description} (env ${field.env}${suffix})`));
  }
  return program;
}

/** Commander's attribute name of each field's flag → the raw-config key. */
function flagsOf(options: Record<string, unknown>): RawConfig {
  const raw: RawConfig = {};
  for (const field of FIELDS) {
    if (field.flag === undefined) continue;
    const attribute = new Option(field.flag).attributeName();
    const value = options[attribute];
    if (typeof value === "string") raw[field.key as RawConfigKey] = value;
  }
  return raw;
}

/**
 * A printable copy of the config: bigints as strings, keys as `[redacted]` (they are {@link Secret}s).
 *
 * @param config - The config.
 * @returns JSON text.
 */
export function describeConfig(config: KeeperConfig): string {
  return JSON.stringify(config, (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value), 2);
}

/**
 * Parses the command line and the environment into a config, or reports why it cannot.
 *
 * @param argv - Arguments after the program name.
 * @param env - The environment.
 * @param io - Where to write.
 * @returns The config, or an exit code when the program should stop (help, version, bad config).
 */
export function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: Io): { config: KeeperConfig; print: boolean } | { exitCode: number } {
  const program = buildProgram(io);
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return { exitCode: error.code === "commander.helpDisplayed" || error.code === "commander.version" ? 0 : EXIT_BAD_CONFIG };
    }
    throw error;
  }
  const options = program.opts<Record<string, unknown>>();
  try {
    return { config: loadConfig({ flags: flagsOf(options), env }), print: options.printConfig === true };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`perp-keeper: invalid configuration (${error.problems.length} problem${error.problems.length === 1 ? "" : "s"}):\n`);
    for (const problem of error.problems) io.stderr(`  - ${problem}\n`);
    io.stderr("Run perp-keeper --help for every option.\n");
    return { exitCode: EXIT_BAD_CONFIG };
  }
}

/**
 * Runs the keeper until a signal.
 *
 * @param config - The validated config.
 * @returns Resolves when stopped.
 */
export async function runKeeper(config: KeeperConfig): Promise<void> {
  const logger = createLogger({ level: config.logLevel });
  const transport = fallback(config.rpcUrls.map((url) => http(url, { timeout: 10_000, retryCount: 2 })));
  const publicClient = createPublicClient({ transport, pollingInterval: config.pollIntervalMs }) as PublicClient;
  const walletClients = config.signerKeys.map((key) => createWalletClient({ account: privateKeyToAccount(key.reveal()), transport }));
  const keeper = createKeeper({ config, publicClient, walletClients, logger });
  const server = await startMetricsServer({ registry: keeper.metrics.registry, health: keeper.health, host: config.metrics.host, port: config.metrics.port });
  logger.info({ metrics: `http://${config.metrics.host}:${server.port}/metrics`, health: `http://${config.metrics.host}:${server.port}/health`, config: JSON.parse(describeConfig(config)) as unknown }, "serving metrics and health");
  await keeper.start();
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, "stopping");
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await keeper.stop();
  await server.close();
  logger.flush();
}

/**
 * The program.
 *
 * @param argv - Arguments after the program name.
 * @param env - The environment.
 * @returns The exit code.
 */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const io: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
  const parsed = parseCommandLine(argv, env, io);
  if ("exitCode" in parsed) return parsed.exitCode;
  if (parsed.print) {
    io.stdout(`${describeConfig(parsed.config)}\n`);
    return 0;
  }
  await runKeeper(parsed.config);
  return 0;
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  process.on("unhandledRejection", (reason) => {
    process.stderr.write(`perp-keeper: unhandled rejection: ${String(reason)}\n`);
    process.exit(1);
  });
  process.on("uncaughtException", (error) => {
    process.stderr.write(`perp-keeper: uncaught exception: ${error.stack ?? String(error)}\n`);
    process.exit(1);
  });
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`perp-keeper: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  );
}
