/**
 * Child processes started by the testing helpers, each in its own process group, killed with the whole
 * group on `stop()` and, as a last resort, when this process exits or is interrupted: a failed test never
 * leaves a node behind.
 */
import { spawn, type ChildProcess } from "node:child_process";

const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", () => {
    for (const child of live) killGroup(child, "SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = (): void => {
      for (const child of live) killGroup(child, "SIGKILL");
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** A child process in its own group, with the tail of its output kept for error messages. */
export type ManagedProcess = {
  /** The child. */
  readonly child: ChildProcess;
  /** The last few KiB of stdout and stderr, interleaved. */
  output(): string;
  /** Resolves with the exit code (or null when killed by a signal) once the child has exited. */
  readonly exited: Promise<number | null>;
  /** Kills the whole group (SIGTERM, then SIGKILL after `graceMs`) and waits for the exit. */
  stop(graceMs?: number): Promise<void>;
};

const OUTPUT_TAIL_CHARS = 8_000;

/**
 * Spawns `command` in a new process group, registered for cleanup on exit. A `background` child (a node)
 * does not keep the event loop alive: a test that forgets to stop it still ends, and the exit hook kills
 * the group; a foreground child (a deploy that is awaited) does.
 */
export function spawnManaged(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; background: boolean }
): ManagedProcess {
  installExitHooks();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let tail = "";
  const append = (chunk: Buffer): void => {
    tail = (tail + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<number | null>((resolve) => {
    child.once("error", (error) => {
      append(Buffer.from(`\n${error.message}\n`));
      live.delete(child);
      resolve(null);
    });
    child.once("exit", (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  if (options.background) {
    child.unref();
    (child.stdout as { unref?: () => void } | null)?.unref?.();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
  }
  return {
    child,
    output: () => tail,
    exited,
    async stop(graceMs = 5_000) {
      if (!live.has(child)) return;
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
