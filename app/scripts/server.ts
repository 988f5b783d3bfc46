/**
 * Starts the app's Vite server (dev or preview) on 127.0.0.1 as a child process group, waits until it answers,
 * and stops the whole group (also when this process exits).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { freePort } from "@open-waterfall/sdk/testing";

/** The app package's directory. */
export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const VITE_BIN = join(dirname(require.resolve("vite/package.json")), "bin", "vite.js");

/** A running app server. */
export type AppServer = {
  readonly url: string;
  readonly port: number;
  /** Stops the server's process group and waits for it. Safe to call twice. */
  stop(): Promise<void>;
};

const live = new Set<ChildProcess>();
let hooked = false;
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
function installExitHook(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    for (const child of live) killGroup(child, "SIGKILL");
  });
}

/**
 * Builds the app (`vite build`), synchronously.
 *
 * @throws {Error} With Vite's output when the build fails.
 */
export function buildApp(): void {
  const result = spawnSync(process.execPath, [VITE_BIN, "build", "--logLevel", "warn"], { cwd: APP_DIR, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
}

/** Parameters of {@link startAppServer}. */
export type StartAppServerParameters = {
  /** "dev" (hot reload) or "preview" (serves `dist/`, build first). */
  mode: "dev" | "preview";
  /** The deployment config file to serve at `/deployment.json`. */
  configFile: string;
  /** Port (a free one when omitted). */
  port?: number;
  /** How long to wait for it to answer (default 60 s). */
  startTimeoutMs?: number;
};

/**
 * Starts the server.
 *
 * @param parameters - {@link StartAppServerParameters}
 */
export async function startAppServer(parameters: StartAppServerParameters): Promise<AppServer> {
  installExitHook();
  const port = parameters.port ?? (await freePort());
  const args = parameters.mode === "dev" ? [VITE_BIN, "--host", "127.0.0.1", "--port", `${port}`, "--strictPort"] : [VITE_BIN, "preview", "--host", "127.0.0.1", "--port", `${port}`, "--strictPort"];
  const child = spawn(process.execPath, args, {
    cwd: APP_DIR,
    env: { ...process.env, APP_DEPLOYMENT_FILE: parameters.configFile },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let output = "";
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4_000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 3_000);
    await exited;
    clearTimeout(timer);
    live.delete(child);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (parameters.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/deployment.json`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the app server did not answer at ${url} in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, stop };
}
