/**
 * `npm run app`: starts the project's devnet (scripts/devnet: Hardhat node, deploy, seed, keeper, price feeder) and
 * the app's dev server together, prints where to open it, and stops both on Ctrl-C.
 *
 * Environment: APP_PORT (default 5173), DEVNET_PORT (default 8545), FEED_INTERVAL_MS (default 2000; 0 turns the
 * feeder off, the keeper then runs every second).
 */
import { join } from "node:path";

import { startDevnet } from "../../scripts/devnet/devnet.ts";
import { APP_DIR, startAppServer } from "./server.ts";

function portFrom(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) throw new Error(`${name} must be a port number, got ${JSON.stringify(text)}`);
  return value;
}

const appPort = portFrom("APP_PORT", 5173);
const nodePort = portFrom("DEVNET_PORT", 8545);
const feedText = process.env["FEED_INTERVAL_MS"] ?? "2000";
const feedIntervalMs = Number(feedText);
if (!Number.isInteger(feedIntervalMs) || feedIntervalMs < 0 || (feedIntervalMs > 0 && feedIntervalMs < 100)) {
  throw new Error(`FEED_INTERVAL_MS must be 0 or a whole number of milliseconds from 100, got ${JSON.stringify(feedText)}`);
}

const appConfigFile = join(APP_DIR, "public", "deployment.json");
console.log("Starting the devnet (Hardhat node, deployment, seed positions, keeper)…");
const devnet = await startDevnet({
  port: nodePort,
  traders: 6,
  seed: 1,
  vaultUsd: 2_000_000,
  insuranceUsd: 50_000,
  accounts: 5,
  accountUsd: 100_000,
  intervalMs: feedIntervalMs > 0 ? feedIntervalMs : 1_000,
  feeder: feedIntervalMs > 0,
  appConfigFile,
  keeperLogLevel: "info",
});
const server = await startAppServer({ mode: "dev", configFile: appConfigFile, port: appPort }).catch(async (error: unknown) => {
  await devnet.stop();
  throw error;
});
console.log(`\n${devnet.banner.replace(/\nPress Ctrl-C to stop\.$/, "")}`);
console.log(`\nApp deployment config: ${appConfigFile}`);
console.log(`App: ${server.url}  (connect "Test account · Account 0" in the header)\n`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log("Stopping…");
  await server.stop();
  await devnet.stop();
  process.exit(0);
};
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
