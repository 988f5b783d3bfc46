import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, describe, test } from "node:test";
import { createPublicClient, http } from "viem";

import { collateralTokenAbi, marketRegistryAbi, perpEngineAbi } from "../abi/generated.ts";
import { deployProtocol, LocalNodeError, startLocalNode, type LocalNode } from "./index.ts";

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && isRunning(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !isRunning(pid);
}

describe("startLocalNode and deployProtocol", () => {
  const started: LocalNode[] = [];
  after(async () => {
    await Promise.all(started.map((node) => node.stop()));
  });

  for (const kind of ["hardhat", "anvil"] as const) {
    test(`test_startLocalNode_${kind}_deploysTheProtocolAndStopsWithoutLeftovers`, async () => {
      const node = await startLocalNode({ kind });
      started.push(node);
      assert.match(node.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(node.chainId, 31337);
      assert.ok(isRunning(node.pid));

      const deployment = await deployProtocol({ rpcUrl: node.rpcUrl, deploymentId: `sdk-node-test-${kind}-${node.port}`, cleanup: true });
      assert.equal(existsSync(deployment.deploymentDir), false, "cleanup removes Ignition's files");
      assert.ok(deployment.deploymentBlock >= 1n);
      const client = createPublicClient({ transport: http(node.rpcUrl) });
      const registry = await client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "registry" });
      assert.equal(registry, deployment.registry);
      assert.equal(await client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "vault" }), deployment.vault);
      assert.equal(await client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "collateral" }), deployment.collateral);
      assert.equal(await client.readContract({ address: deployment.collateral, abi: collateralTokenAbi, functionName: "decimals" }), 6);
      assert.equal(await client.readContract({ address: deployment.registry, abi: marketRegistryAbi, functionName: "marketCount" }), 2n);
      const eth = await client.readContract({ address: deployment.registry, abi: marketRegistryAbi, functionName: "marketConfig", args: [1n] });
      assert.equal(eth.feed, deployment.feedsBySymbol["ETH-USD"]);
      const firstBlock = await client.getBlock({ blockNumber: deployment.deploymentBlock, includeTransactions: true });
      assert.ok(firstBlock.transactions.length > 0, "the deployment block holds a deployment transaction");
      if (deployment.deploymentBlock > 0n) {
        const before = await client.getBlock({ blockNumber: deployment.deploymentBlock - 1n });
        assert.equal(before.transactions.length, 0, "nothing was deployed before the deployment block");
      }

      await node.stop();
      assert.ok(await waitGone(node.pid), "the node's process is gone after stop()");
      await node.stop();
    });
  }

  test("test_startLocalNode_rejectsABadKindOrPort", async () => {
    await assert.rejects(startLocalNode({ kind: "geth" as "anvil" }), (error: unknown) => error instanceof LocalNodeError && /kind must be/.test(error.message));
    await assert.rejects(startLocalNode({ kind: "anvil", port: 70_000 }), (error: unknown) => error instanceof LocalNodeError && /port must be/.test(error.message));
  });

  test("test_deployProtocol_rejectsADeploymentIdThatIsNotAName", async () => {
    await assert.rejects(
      deployProtocol({ rpcUrl: "http://127.0.0.1:1", deploymentId: "../escape" }),
      (error: unknown) => error instanceof LocalNodeError && /deploymentId/.test(error.message)
    );
  });

  test("test_deployProtocol_reportsIgnitionsOutputWhenTheNodeIsDown", async () => {
    const id = `sdk-node-test-down-${process.pid}`;
    await assert.rejects(deployProtocol({ rpcUrl: "http://127.0.0.1:9", deploymentId: id, cleanup: true }), (error: unknown) => error instanceof LocalNodeError && /deploy exited/.test(error.message));
  });
});
