import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseDevnetOptions } from "./cli.ts";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");

test("devnet_defaults", () => {
  const o = parseDevnetOptions([]);
  assert.equal(o.port, 8545);
  assert.equal(o.deploymentId, "devnet");
  assert.equal(o.accounts, 5);
  assert.equal(o.prices, undefined);
  assert.equal(o.keeperLogLevel, undefined);
});

for (const [args, message] of [
  [["--port", "0"], /--port must be a whole number from 1 to 65535/],
  [["--port", "http"], /--port must be a whole number/],
  [["--interval", "5"], /--interval must be a whole number from 100/],
  [["--vault", "-1"], /error: option '--vault <usd>' argument missing|--vault must be a non-negative number of USD/],
  [["--deployment-id", "../x"], /--deployment-id may hold only letters, digits/],
  [["--nope"], /unknown option '--nope'/],
] as const) {
  test(`devnet_rejectsABadFlag_${args.join("_")}`, () => {
    // Exit code 2 and a message, before any node is started.
    const r = spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", "--import", "./scripts/replay/register.ts", "scripts/devnet/cli.ts", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /starting a Hardhat node/);
  });
}

test("devnet_rejectsAMalformedPriceFile_beforeStartingANode", () => {
  const r = spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", "--import", "./scripts/replay/register.ts", "scripts/devnet/cli.ts", "--prices", "/nonexistent/prices.csv"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /bad price file/);
});
