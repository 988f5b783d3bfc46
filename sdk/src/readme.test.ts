/**
 * Runs every TypeScript example in README.md, in order, against an anvil node with the protocol deployed (an
 * LP has funded the vault and the example account holds test USDC), so the documentation cannot rot.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bytesToHex } from "viem";

import { startEnv, type TestEnv } from "./_test/env.ts";
import { createPerpClient } from "./client/client.ts";

const sdkRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const runDir = join(sdkRoot, `.readme-run-${process.pid}`);
const blocks = [...readFileSync(join(sdkRoot, "README.md"), "utf8").matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
let env: TestEnv;

before(async () => {
  env = await startEnv("anvil");
  const trader = env.accounts[1]!;
  const lp = env.accounts[6]!;
  await env.mint(trader.address, 100_000_000000n);
  await env.mint(lp.address, 1_000_000_000000n);
  await createPerpClient({ publicClient: env.publicClient, walletClient: env.walletFor(lp), deployment: env.deployment }).lpDeposit({ assetsTokenUnits: 1_000_000_000000n });
  // Ignition's files, as a deployment directory the examples read.
  const dir = join(runDir, "deployment");
  mkdirSync(dir, { recursive: true });
  const d = env.deployment;
  writeFileSync(
    join(dir, "deployed_addresses.json"),
    JSON.stringify({
      "Protocol#PerpEngine": d.engine,
      "Protocol#MarketRegistry": d.registry,
      "Protocol#BackstopVault": d.vault,
      "Protocol#PerpLens": d.lens,
      "Protocol#MockUSDC": d.collateral,
      "Protocol#FeedETHUSD": d.feedsBySymbol["ETH-USD"],
      "Protocol#FeedBTCUSD": d.feedsBySymbol["BTC-USD"],
    })
  );
  process.env.RPC_URL = env.node.rpcUrl;
  process.env.DEPLOYMENT_DIR = dir;
  process.env.PRIVATE_KEY = bytesToHex(trader.getHdKey().privateKey!);
});
after(async () => {
  rmSync(runDir, { recursive: true, force: true });
  await env?.stop();
});

/** Runs one example as a module with the package's imports pointed at the sources; returns what it printed. */
async function run(index: number): Promise<string> {
  const code = (blocks[index] ?? "")
    .replaceAll('"@open-waterfall/sdk/testing"', JSON.stringify(pathToFileURL(join(sdkRoot, "src", "testing", "index.ts")).href))
    .replaceAll('"@open-waterfall/sdk"', JSON.stringify(pathToFileURL(join(sdkRoot, "src", "index.ts")).href));
  const file = join(runDir, `example-${index}.ts`);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(file, code);
  const printed: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => printed.push(args.map(String).join(" "));
  try {
    await import(pathToFileURL(file).href);
  } finally {
    console.log = original;
  }
  return printed.join("\n");
}

const expectations: [string, RegExp][] = [
  ["quick start", /^liquidation price \$\d+\.\d+, ADL light [0-5]\/5$/],
  ["deployments", /^true \[object Object\]$/],
  ["reads", /ETH-USD \$4000\.0[\s\S]*vault equity[\s\S]*long 1000000000000000000 entry \$4\d{3}\.\d+[\s\S]*ADL: rank/],
  ["preview", /^increase fill \$4\d{3}\.\d+ fee \d+\.\d+ USDC[\s\S]*new liquidation price \$\d+\.\d+ tier \d ADL light \d$/],
  ["margin, closing and withdrawing", /Traded, .*PositionUpdated/],
  ["vault", /^share price \d+$/],
  ["keepers", /PositionNotLiquidatable|NoPosition[\s\S]*SolvencyAdlNotTriggered[\s\S]*NoTierDropPending/],
  ["errors", /^position below initial margin: equity -?\d+\.\d+ USDC, required \d+\.\d+ USDC \d+$/],
  ["subscriptions", /oracle rounds so far: \d+[\s\S]*trade 0x70997970C51812dc3A010C7d01b50e0d17dc79C8[\s\S]*processed up to block \d+/],
  ["history, feed and display", /^ETH-USD rounds: \$\d[\d,]*\.\d{2}[\s\S]*\ninsurance fund over time: \$[\d,.]+( → \$[\d,.]+)+[\s\S]*\ntier 4: \d+ positions, head [\s\S]*\ntier 1: \d+ positions, head (0x[0-9a-fA-F]{40}|none)$/],
  ["math", /^\d+\n\d+\n\d+ \d$/],
  ["testing helpers", /^http:\/\/127\.0\.0\.1:\d+ 0x[0-9a-fA-F]{40} 0x[0-9a-fA-F]{40}$/],
];

test("test_readme_hasOneRunnableExamplePerSection", () => {
  assert.equal(blocks.length, expectations.length, "every TypeScript block of the README is run and checked below");
});

for (const [i, [section, pattern]] of expectations.entries()) {
  test(`test_readme_example_${section.replaceAll(/[^a-z]+/g, "_")}_runs`, async () => {
    const output = await run(i);
    assert.match(output, pattern, `README example "${section}" printed:\n${output}`);
  });
}
