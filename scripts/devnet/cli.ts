/**
 * `npm run devnet -- [--port <n>] [--prices <csv>] [flags]`: starts the devnet, prints what a wallet user needs
 * and stays up until SIGINT (Ctrl-C) or SIGTERM, then stops everything it started. Exit codes: 0 stopped
 * cleanly, 2 bad input, 3 the devnet could not start.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { PriceFileError } from "../replay/prices.ts";
import { startDevnet, type DevnetOptions } from "./devnet.ts";

const integer = (name: string, min: number, max: number) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
};
const amount = (name: string) => (value: string) => {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new InvalidArgumentError(`${name} must be a non-negative number of USD`);
  return Number(value);
};

/** Parses argv into devnet options (throws CommanderError on bad flags). */
export function parseDevnetOptions(argv: string[]): DevnetOptions {
  const cmd = new Command("devnet")
    .description("A local Hardhat node with the protocol deployed and seeded, the keeper and a price feeder running.")
    .option("--port <n>", "port on 127.0.0.1", integer("--port", 1, 65_535), 8545)
    .option("--deployment-id <id>", "Ignition deployment id: files under ignition/deployments/<id>", "devnet")
    .option("--prices <csv>", "drive ETH-USD from this price file (timestamp,price), one row per step; a random walk otherwise")
    .option("--traders <n>", "traders with open positions", integer("--traders", 0, 500), 6)
    .option("--seed <n>", "seed of the traders and the random walk", integer("--seed", 0, 2 ** 31 - 1), 1)
    .option("--vault <usd>", "backstop vault deposit", amount("--vault"), 2_000_000)
    .option("--insurance <usd>", "insurance fund", amount("--insurance"), 50_000)
    .option("--accounts <n>", "test accounts that get tokens (printed with their keys)", integer("--accounts", 1, 20), 5)
    .option("--account-usd <usd>", "mock USDC per test account", amount("--account-usd"), 100_000)
    .option("--interval <ms>", "milliseconds between price steps and keeper passes", integer("--interval", 100, 600_000), 2_000)
    .option("--verbose", "show the keeper's logs on stderr (level info; KEEPER_LOG_LEVEL sets another)", false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  cmd.parse(argv, { from: "user" });
  const o = cmd.opts();
  if (!/^[A-Za-z0-9_-]+$/.test(o.deploymentId)) {
    process.stderr.write(`error: --deployment-id may hold only letters, digits, "-" and "_"\n`);
    throw new CommanderError(2, "devnet.badDeploymentId", "bad deployment id");
  }
  return {
    port: o.port,
    deploymentId: o.deploymentId,
    prices: o.prices,
    traders: o.traders,
    seed: o.seed,
    vaultUsd: o.vault,
    insuranceUsd: o.insurance,
    accounts: o.accounts,
    accountUsd: o.accountUsd,
    intervalMs: o.interval,
    keeperLogLevel: o.verbose ? (process.env.KEEPER_LOG_LEVEL ?? "info") : undefined,
  };
}

/** Runs the devnet until a signal; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let options: DevnetOptions;
  try {
    options = parseDevnetOptions(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.code === "commander.helpDisplayed" ? 0 : 2;
    throw error;
  }
  process.stderr.write(`starting a Hardhat node on 127.0.0.1:${options.port} and deploying…\n`);
  let devnet;
  try {
    devnet = await startDevnet(options);
  } catch (error) {
    if (error instanceof PriceFileError) {
      process.stderr.write(`error: bad price file: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`error: the devnet could not start: ${(error as Error).message}\n`);
    return 3;
  }
  process.stdout.write(`${devnet.banner}\n`);
  const running = devnet;
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`\n${signal}: stopping the feeder, the keeper and the node…\n`);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  await running.stop();
  process.stderr.write("stopped\n");
  return 0;
}

if (process.argv[1]?.endsWith("devnet/cli.ts")) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      process.exit(3);
    },
  );
}
