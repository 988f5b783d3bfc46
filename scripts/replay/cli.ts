/**
 * `npm run scenario -- --prices <csv> [flags]` and `npm start` (the same with the default AVAX crash and the
 * report files under reports/). Exit codes: 0 every invariant held, 1 an invariant failed, 2 bad input.
 */
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { PriceFileError } from "./prices.ts";
import { runScenario, type ScenarioOptions } from "./run.ts";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
/** The crash `npm start` replays. */
export const DEFAULT_PRICES = join(ROOT, "data", "prices", "avax-2025-10-10-1s.csv");

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
const percent = (value: string) => {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) < 0.01 || Number(value) > 5) {
    throw new InvalidArgumentError("the deviation must be a percentage from 0.01 to 5 (the registry's bounds)");
  }
  return Number(value);
};
const url = (value: string) => {
  if (!/^https?:\/\/[^\s/]+/.test(value)) throw new InvalidArgumentError("--rpc must be an http(s) URL, e.g. http://127.0.0.1:8545");
  return value;
};

/** Builds the command line; `start` sets the defaults of `npm start`. */
export function buildCommand(start: boolean): Command {
  const cmd = new Command(start ? "start" : "scenario")
    .description("Replays a real crash price path against the protocol on a local chain, with the project's keeper, and reports what the waterfall did.")
    .addOption(new Option("--prices <csv>", "price file: header timestamp,price (unix seconds, USD)").default(start ? DEFAULT_PRICES : undefined))
    .option("--rpc <url>", "a running Hardhat node or anvil instead of the in-process network", url)
    .option("--traders <n>", "number of traders", integer("--traders", 1, 20_000), 500)
    .option("--seed <n>", "seed of the trader population", integer("--seed", 0, 2 ** 31 - 1), 1)
    .option("--insurance <usd>", "starting insurance fund", amount("--insurance"), 20_000)
    .option("--vault <usd>", "starting vault deposit (default $5M per 500 traders)", amount("--vault"))
    .option("--lp-withdraw-to-floor", "after the traders open, the LP withdraws down to the vault's solvency floor", false)
    .addOption(new Option("--feed <mode>", "chainlink: a round on deviation or heartbeat; raw: every row").choices(["chainlink", "raw"]).default("chainlink"))
    .option("--deviation <percent>", "the feed's deviation threshold; also sets the market's risk parameters at DESIGN's bounds", percent)
    .option("--heartbeat <seconds>", "the feed's heartbeat", integer("--heartbeat", 60, 172_800), 3600)
    .option("--out <json>", "write the JSON report here")
    .option("--html <file>", "write the HTML report here (and the main chart as .svg beside it)")
    .option("--no-progress", "no progress bars")
    .option("--verbose", "show the keeper's logs on stderr (level info; KEEPER_LOG_LEVEL sets another)", false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  return cmd;
}

/** Parses argv into scenario options (throws CommanderError on bad flags). */
export function parseOptions(argv: string[], start: boolean): ScenarioOptions {
  const cmd = buildCommand(start);
  cmd.parse(argv, { from: "user" });
  const o = cmd.opts();
  if (!o.prices) throw new CommanderError(2, "scenario.missingPrices", "error: --prices <csv> is required");
  const stem = basename(String(o.prices)).replace(/\.csv$/i, "");
  return {
    prices: String(o.prices),
    rpc: o.rpc,
    traders: o.traders,
    seed: o.seed,
    insuranceUsd: o.insurance,
    vaultUsd: o.vault,
    lpWithdrawToFloor: Boolean(o.lpWithdrawToFloor),
    feed: o.feed,
    deviationPercent: o.deviation,
    heartbeatSec: o.heartbeat,
    out: o.out ?? (start ? join("reports", `${stem}.json`) : undefined),
    html: o.html ?? (start ? join("reports", `${stem}.html`) : undefined),
    progress: Boolean(o.progress),
    verbose: Boolean(o.verbose),
  };
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], start: boolean): Promise<number> {
  let options: ScenarioOptions;
  try {
    options = parseOptions(argv, start);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      if (error.code === "scenario.missingPrices") process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  try {
    const r = await runScenario(options);
    process.stdout.write(`\n${r.table}\n\n`);
    process.stdout.write(`run time ${r.seconds.toFixed(1)} s, blocks ${r.blocks.from}..${r.blocks.to}\n`);
    if (options.out) process.stdout.write(`JSON report: ${options.out}\n`);
    if (options.html) process.stdout.write(`HTML report: ${options.html}\n`);
    for (const f of r.failures) process.stderr.write(`invariant failure: ${f}\n`);
    return Object.values(r.invariants).every(Boolean) ? 0 : 1;
  } catch (error) {
    if (error instanceof PriceFileError) {
      process.stderr.write(`error: bad price file: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("cli.ts")) {
  const start = process.argv.includes("--start-defaults");
  const argv = process.argv.slice(2).filter((a) => a !== "--start-defaults");
  main(argv, start).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      process.exit(3);
    },
  );
}
