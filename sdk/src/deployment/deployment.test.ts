import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

import { DeploymentError } from "../errors/deployment.ts";
import { defineDeployment, parseIgnitionDeployment, readIgnitionDeployment } from "./deployment.ts";

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function deploymentDir(addresses: unknown, journal?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "sdk-deployment-"));
  dirs.push(dir);
  writeFileSync(join(dir, "deployed_addresses.json"), typeof addresses === "string" ? addresses : JSON.stringify(addresses));
  if (journal !== undefined) writeFileSync(join(dir, "journal.jsonl"), journal);
  return dir;
}

const A = (n: number): string => `0x${n.toString(16).padStart(40, "0")}`;
const LOCAL = {
  "Protocol#FeedBTCUSD": A(1),
  "Protocol#FeedETHUSD": A(2),
  "Protocol#MarketRegistry": A(3),
  "Protocol#MockUSDC": A(4),
  "Protocol#SolvencyModule": A(5),
  "Protocol#PerpEngine": A(6),
  "Protocol#BackstopVault": A(7),
  "Protocol#PerpLens": A(8),
};

test("test_readIgnitionDeployment_readsAddressesFeedsAndTheFirstJournaledBlock", async () => {
  const journal = [
    JSON.stringify({ type: "DEPLOYMENT_INITIALIZE", chainId: 31337 }),
    JSON.stringify({ futureId: "Protocol#MockUSDC", receipt: { blockNumber: 7 } }),
    JSON.stringify({ futureId: "Protocol#FeedBTCUSD", receipt: { blockNumber: 5 } }),
    "",
  ].join("\n");
  const d = await readIgnitionDeployment(deploymentDir(LOCAL, journal));
  assert.equal(d.engine, A(6));
  assert.equal(d.registry, A(3));
  assert.equal(d.vault, A(7));
  assert.equal(d.lens, A(8));
  assert.equal(d.collateral, A(4));
  assert.deepEqual(d.feeds, { BTCUSD: A(1), ETHUSD: A(2) });
  assert.equal(d.deploymentBlock, 5n);
});

test("test_readIgnitionDeployment_takesTheCollateralOfAProductionDeploymentFromOptions", async () => {
  const { ["Protocol#MockUSDC"]: _usdc, ["Protocol#FeedBTCUSD"]: _b, ["Protocol#FeedETHUSD"]: _e, ...rest } = LOCAL;
  const production = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k.replace("Protocol#", "ProductionProtocol#"), v]));
  const dir = deploymentDir(production);
  await assert.rejects(async () => await readIgnitionDeployment(dir), (e: unknown) => e instanceof DeploymentError && /collateral/.test(e.message));
  const d = await readIgnitionDeployment(dir, { collateral: A(9), deploymentBlock: 42n });
  assert.equal(d.collateral, A(9));
  assert.equal(d.deploymentBlock, 42n);
  assert.deepEqual(d.feeds, {});
});

test("test_readIgnitionDeployment_rejectsAMissingFileBadJsonAndBadAddresses", async () => {
  const empty = mkdtempSync(join(tmpdir(), "sdk-deployment-"));
  dirs.push(empty);
  await assert.rejects(async () => await readIgnitionDeployment(empty), (e: unknown) => e instanceof DeploymentError && /not found/.test(e.message));
  await assert.rejects(async () => await readIgnitionDeployment(deploymentDir("{not json")), (e: unknown) => e instanceof DeploymentError && /not valid JSON/.test(e.message));
  await assert.rejects(async () => await readIgnitionDeployment(deploymentDir([1, 2])), (e: unknown) => e instanceof DeploymentError && /expected an object/.test(e.message));
  await assert.rejects(
    async () => await readIgnitionDeployment(deploymentDir({ ...LOCAL, "Protocol#PerpEngine": "0x1234" })),
    (e: unknown) => e instanceof DeploymentError && /engine \(PerpEngine\) is not an address/.test(e.message)
  );
  const { ["Protocol#PerpLens"]: _lens, ...noLens } = LOCAL;
  await assert.rejects(async () => await readIgnitionDeployment(deploymentDir(noLens)), (e: unknown) => e instanceof DeploymentError && /no address for lens/.test(e.message));
});

test("test_defineDeployment_checksumsAddressesAndRejectsBadOnes", () => {
  const lower = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
  const d = defineDeployment({ engine: lower, registry: A(1), vault: A(2), lens: A(3), collateral: A(4), feeds: { ETHUSD: A(5) } });
  assert.equal(d.engine, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  assert.equal(d.deploymentBlock, 0n);
  assert.ok(Object.isFrozen(d));
  assert.throws(() => defineDeployment({ engine: "nope", registry: A(1), vault: A(2), lens: A(3), collateral: A(4) }), DeploymentError);
  assert.throws(
    () => defineDeployment({ engine: A(1), registry: A(1), vault: A(2), lens: A(3), collateral: A(4), deploymentBlock: -1n }),
    (e: unknown) => e instanceof DeploymentError && /negative/.test(e.message)
  );
  assert.throws(() => defineDeployment({ engine: A(1), registry: A(1), vault: A(2), lens: A(3), collateral: A(4), feeds: { X: "0x" } }), /feed X/);
});

test("test_parseIgnitionDeployment_worksOnTextWithoutTheFileSystem", () => {
  const d = parseIgnitionDeployment({ deployedAddresses: JSON.stringify(LOCAL), journal: JSON.stringify({ receipt: { blockNumber: "0x3" } }) });
  assert.equal(d.deploymentBlock, 3n);
  assert.equal(d.engine, A(6));
});

// The main entry point must load in a browser: only the lazily imported reader may touch Node built-ins.
test("test_mainEntry_importsNoNodeBuiltInsStatically", async () => {
  const { readFileSync } = await import("node:fs");
  const root = new URL("..", import.meta.url).pathname;
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    assert.doesNotMatch(text, /^import[^;]*from "node:/m, `${file} imports a Node built-in`);
    for (const match of text.matchAll(/from "(\.{1,2}\/[^"]+\.ts)"/g)) visit(new URL(match[1] ?? "", `file://${file}`).pathname);
  };
  visit(join(root, "index.ts"));
  assert.ok(seen.size > 5);
});
