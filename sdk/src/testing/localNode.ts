/**
 * Local JSON-RPC nodes for tests and demos: a Hardhat node or anvil, started from their own binaries (never
 * through npx, whose wrapper would survive a kill), bound to 127.0.0.1 on a free port.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

import { spawnManaged, type ManagedProcess } from "./processes.ts";
import { findProjectRoot } from "./projectRoot.ts";
import { LocalNodeError } from "./errors.ts";

/** Which node to run. */
export type LocalNodeKind = "hardhat" | "anvil";

/** Parameters of {@link startLocalNode}. */
export type StartLocalNodeParameters = {
  /** `hardhat` (Hardhat's EDR node, `hardhat node`) or `anvil` (`@foundry-rs/anvil`). */
  kind: LocalNodeKind;
  /** Port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** The Hardhat project (where `hardhat.config.ts` and node_modules live); found upwards from the working
   * directory when omitted. */
  projectRoot?: string;
  /** How long to wait for the node to answer, in milliseconds (default 120 000). */
  startTimeoutMs?: number;
};

/** A running local node. */
export type LocalNode = {
  /** Which node it is. */
  readonly kind: LocalNodeKind;
  /** `http://127.0.0.1:<port>`. */
  readonly rpcUrl: string;
  /** The chain id it reports. */
  readonly chainId: number;
  /** The port it listens on. */
  readonly port: number;
  /** The node process's id (the leader of its process group). */
  readonly pid: number;
  /** Stops the node (its whole process group) and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
};

/** A port the OS reports free on 127.0.0.1 now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The entry point of Hardhat's CLI, run with this Node binary. */
export function hardhatCli(projectRoot: string): string {
  const require = createRequire(join(projectRoot, "package.json"));
  return join(dirname(require.resolve("hardhat/package.json")), "dist", "src", "cli.js");
}

/** anvil's native binary from the platform package `@foundry-rs/anvil` installs beside it. */
function anvilBinary(projectRoot: string): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const require = createRequire(join(projectRoot, "package.json"));
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve(`${platformPackage}/package.json`));
  } catch {
    throw new LocalNodeError({ kind: "anvil", details: `${platformPackage} is not installed (npm i -D @foundry-rs/anvil)` });
  }
  const binary = join(packageDir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
  if (!existsSync(binary)) throw new LocalNodeError({ kind: "anvil", details: `no binary at ${binary}` });
  return binary;
}

async function rpcChainId(rpcUrl: string): Promise<number | undefined> {
  try {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { result?: string };
    return body.result === undefined ? undefined : Number(BigInt(body.result));
  } catch {
    return undefined;
  }
}

async function launch(
  kind: LocalNodeKind,
  port: number,
  projectRoot: string,
  startTimeoutMs: number
): Promise<{ process: ManagedProcess; chainId: number } | { exited: string }> {
  const rpcUrl = `http://127.0.0.1:${port}`;
  const managed =
    kind === "hardhat"
      ? spawnManaged(process.execPath, [hardhatCli(projectRoot), "node", "--hostname", "127.0.0.1", "--port", String(port)], {
          cwd: projectRoot,
          background: true,
        })
      : spawnManaged(anvilBinary(projectRoot), ["--host", "127.0.0.1", "--port", String(port)], { cwd: projectRoot, background: true });
  let exited = false;
  void managed.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (exited) return { exited: managed.output() };
    const chainId = await rpcChainId(rpcUrl);
    if (chainId !== undefined) {
      // Another process may hold the port: the node we started must still be running.
      if (exited) return { exited: managed.output() };
      return { process: managed, chainId };
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  await managed.stop();
  throw new LocalNodeError({
    kind,
    details: `no answer on ${rpcUrl} within ${startTimeoutMs} ms; output:\n${managed.output()}`,
  });
}

/**
 * Starts a local node on 127.0.0.1 and waits until it answers JSON-RPC. The node runs in its own process
 * group; `stop()` kills the group, and so does this process's exit, so a failing test leaves nothing behind.
 *
 * @param parameters - {@link StartLocalNodeParameters}
 * @returns The running node.
 * @throws {LocalNodeError} When the binary is missing or the node does not come up.
 * @example
 * const node = await startLocalNode({ kind: "anvil" });
 * try {
 *   // … use node.rpcUrl …
 * } finally {
 *   await node.stop();
 * }
 */
export async function startLocalNode(parameters: StartLocalNodeParameters): Promise<LocalNode> {
  const { kind } = parameters;
  if (kind !== "hardhat" && kind !== "anvil") {
    throw new LocalNodeError({ kind: String(kind), details: 'kind must be "hardhat" or "anvil"' });
  }
  if (parameters.port !== undefined && (!Number.isInteger(parameters.port) || parameters.port < 1 || parameters.port > 65_535)) {
    throw new LocalNodeError({ kind, details: `port must be an integer in 1..65535, got ${parameters.port}` });
  }
  const projectRoot = parameters.projectRoot ?? findProjectRoot(process.cwd());
  const startTimeoutMs = parameters.startTimeoutMs ?? 120_000;
  // A free port can be taken between the probe and the node's bind: retry on a fresh one then.
  const attempts = parameters.port === undefined ? 3 : 1;
  let lastOutput = "";
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = parameters.port ?? (await freePort());
    const result = await launch(kind, port, projectRoot, startTimeoutMs);
    if ("exited" in result) {
      lastOutput = result.exited;
      continue;
    }
    const managed = result.process;
    return {
      kind,
      rpcUrl: `http://127.0.0.1:${port}`,
      chainId: result.chainId,
      port,
      pid: managed.child.pid ?? 0,
      stop: () => managed.stop(),
    };
  }
  throw new LocalNodeError({ kind, details: `the node exited before answering; output:\n${lastOutput}` });
}
