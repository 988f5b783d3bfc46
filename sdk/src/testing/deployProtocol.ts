/**
 * Deploys the whole protocol onto a running node with the project's Ignition module
 * (`ignition/modules/Protocol.ts`: mock USDC, mock feeds, ETH-USD id 1 and BTC-USD id 2).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";

import { readIgnitionDeployment, type ProtocolDeployment } from "../deployment/deployment.ts";
import { LocalNodeError } from "./errors.ts";
import { hardhatCli } from "./localNode.ts";
import { spawnManaged } from "./processes.ts";
import { findProjectRoot } from "./projectRoot.ts";

/** Parameters of {@link deployProtocol}. */
export type DeployProtocolParameters = {
  /** The node's JSON-RPC URL (passed to Hardhat's `local` network as LOCAL_RPC_URL). */
  rpcUrl: string;
  /** The Hardhat project; found upwards from the working directory when omitted. */
  projectRoot?: string;
  /** Ignition's deployment id: its files go to `ignition/deployments/<deploymentId>`. Use a fresh id per node. */
  deploymentId: string;
  /** The module to deploy, relative to the project (default `ignition/modules/Protocol.ts`). */
  modulePath?: string;
  /** Delete Ignition's files once read (default false, like a plain Ignition deploy). */
  cleanup?: boolean;
};

/** A deployment made by {@link deployProtocol}. */
export type LocalDeployment = ProtocolDeployment & {
  /** Where Ignition wrote its files (gone when `cleanup` was set). */
  readonly deploymentDir: string;
  /** The local feeds by market symbol. */
  readonly feedsBySymbol: Readonly<{ "ETH-USD": `0x${string}`; "BTC-USD": `0x${string}` }>;
};

/**
 * Runs `hardhat ignition deploy <module> --network local --deployment-id <id>` against `rpcUrl` and reads the
 * addresses back.
 *
 * @param parameters - {@link DeployProtocolParameters}
 * @returns The typed deployment, with its first block.
 * @throws {LocalNodeError} When Ignition fails (its output is in the message).
 * @example
 * const node = await startLocalNode({ kind: "hardhat" });
 * const deployment = await deployProtocol({ rpcUrl: node.rpcUrl, deploymentId: `local-${node.port}`, cleanup: true });
 */
export async function deployProtocol(parameters: DeployProtocolParameters): Promise<LocalDeployment> {
  const projectRoot = parameters.projectRoot ?? findProjectRoot(process.cwd());
  if (!/^[A-Za-z0-9_-]+$/.test(parameters.deploymentId)) {
    throw new LocalNodeError({
      kind: "ignition",
      details: `deploymentId may hold only letters, digits, "-" and "_", got ${JSON.stringify(parameters.deploymentId)}`,
    });
  }
  const modulePath = parameters.modulePath ?? join("ignition", "modules", "Protocol.ts");
  const deploymentDir = join(projectRoot, "ignition", "deployments", parameters.deploymentId);
  const managed = spawnManaged(
    process.execPath,
    [hardhatCli(projectRoot), "ignition", "deploy", modulePath, "--network", "local", "--deployment-id", parameters.deploymentId],
    { cwd: projectRoot, env: { ...process.env, LOCAL_RPC_URL: parameters.rpcUrl }, background: false }
  );
  const code = await managed.exited;
  if (code !== 0) {
    throw new LocalNodeError({ kind: "ignition", details: `deploy exited with ${code}; output:\n${managed.output()}` });
  }
  const deployment = await readIgnitionDeployment(deploymentDir);
  if (parameters.cleanup === true) rmSync(deploymentDir, { recursive: true, force: true });
  const eth = deployment.feeds["ETHUSD"];
  const btc = deployment.feeds["BTCUSD"];
  if (eth === undefined || btc === undefined) {
    throw new LocalNodeError({ kind: "ignition", details: "the module deployed no ETH-USD and BTC-USD feeds" });
  }
  return Object.freeze({ ...deployment, deploymentDir, feedsBySymbol: Object.freeze({ "ETH-USD": eth, "BTC-USD": btc }) });
}
