/**
 * Waiting in tests on something outside the test's control (a node, a child process, a watcher, a keeper):
 * polling a condition with a deadline rather than sleeping a fixed time, so a loaded machine slows the test
 * down instead of failing it.
 */

/** Parameters of {@link waitFor} beyond the condition. */
export type WaitForParameters = {
  /** How long to keep polling before giving up (default 30 s). */
  timeoutMs?: number;
  /** The pause between two checks (default 100 ms). */
  intervalMs?: number;
};

/** Thrown by {@link waitFor} when its condition did not hold before the deadline. */
export class WaitTimeoutError extends Error {
  override readonly name = "WaitTimeoutError";
  /** What was waited for, as the caller named it. */
  readonly what: string;
  /** The deadline that passed. */
  readonly timeoutMs: number;

  constructor(what: string, timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`);
    this.what = what;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Resolves once `check` holds; checks at once, then every `intervalMs` until `timeoutMs` has passed, when it
 * throws {@link WaitTimeoutError} naming `what`. A check that throws ends the wait with its error.
 *
 * @param what - What is waited for, for the timeout's message ("the watcher to catch up").
 * @param check - The condition, sync or async.
 */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 100 }: WaitForParameters = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() >= deadline) throw new WaitTimeoutError(what, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
