/**
 * `npm run devnet`'s entry point end to end: start it on a free port, wait for the printout, check the chain it
 * describes (contracts, seeded vault and insurance, funded test accounts, moving prices, the SDK's deployment
 * file), send SIGINT and check that the devnet and its node are gone.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { backstopVaultAbi, collateralTokenAbi, mockAggregatorAbi, perpEngineAbi, readIgnitionDeployment } from "@open-waterfall/sdk";
import { freePort, waitFor } from "@open-waterfall/sdk/testing";
import { createPublicClient, http, type Address } from "viem";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("devnet", () => {
  let child: ChildProcess | undefined;
  let nodePid: number | undefined;
  const deploymentId = `devnet-test-${process.pid}`;
  after(async () => {
    // Never leave anything behind, also when an assertion failed half way.
    if (child && child.exitCode === null) child.kill("SIGKILL");
    if (nodePid && alive(nodePid)) process.kill(-nodePid, "SIGKILL");
    await rm(join(ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  });

  it("prints what a wallet needs, runs the keeper and the feeder, and stops everything on SIGINT", async () => {
    const port = await freePort();
    child = spawn(
      process.execPath,
      ["--experimental-strip-types", "--no-warnings", "--import", "./scripts/replay/register.ts", "scripts/devnet/cli.ts", "--port", String(port), "--deployment-id", deploymentId, "--traders", "4", "--interval", "300"],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
    await waitFor("the devnet's printout", () => out.includes("Press Ctrl-C") || child!.exitCode !== null, { timeoutMs: 240_000 });
    assert.equal(child.exitCode, null, `the devnet exited early:\n${out}\n${err}`);

    const rpcUrl = /RPC URL\s+(\S+)/.exec(out)?.[1];
    assert.equal(rpcUrl, `http://127.0.0.1:${port}`);
    assert.match(out, /Chain id\s+31337/);
    nodePid = Number(/Node process (\d+)/.exec(out)?.[1]);
    assert.ok(alive(nodePid));
    const engine = /PerpEngine\s+(0x[0-9a-fA-F]{40})/.exec(out)?.[1] as Address;
    const keys = [...out.matchAll(/\((\d+)\) (0x[0-9a-fA-F]{40})\s+(0x[0-9a-fA-F]{64})/g)];
    assert.equal(keys.length, 5);

    // The SDK reads the deployment the devnet wrote, and it is the one printed.
    const deployment = await readIgnitionDeployment(join(ROOT, "ignition", "deployments", deploymentId));
    assert.equal(deployment.engine, engine);

    const pc = createPublicClient({ transport: http(rpcUrl) });
    assert.equal(await pc.getChainId(), 31337);
    assert.notEqual(await pc.getCode({ address: engine }), undefined);
    assert.ok((await pc.readContract({ address: deployment.vault, abi: backstopVaultAbi, functionName: "totalAssets" })) > 0n);
    assert.ok((await pc.readContract({ address: engine, abi: perpEngineAbi, functionName: "insuranceFundWad" })) > 0n);
    const usdc = await pc.readContract({ address: deployment.collateral, abi: collateralTokenAbi, functionName: "balanceOf", args: [keys[0][2] as Address] });
    assert.equal(usdc, 100_000n * 10n ** 6n);
    const ethFeed = /ETH-USD feed\s+(0x[0-9a-fA-F]{40})/.exec(out)?.[1] as Address;
    const latestRound = () => pc.readContract({ address: ethFeed, abi: mockAggregatorAbi, functionName: "latestRound" });
    const roundBefore = await latestRound();
    // The feeder publishes a round every 300 ms.
    await waitFor("the feeder's next round", async () => (await latestRound()) > roundBefore);

    child.kill("SIGINT");
    assert.equal(await exited, 0, err);
    assert.match(err, /stopped/);
    await waitFor("the node to exit", () => !alive(nodePid!), { timeoutMs: 10_000 });
    await assert.rejects(pc.getBlockNumber(), "nothing answers on the port any more");
  });
});
