/**
 * The keeper's pino root logger: JSON lines, one child per component (`logger.child({ component: "executor" })`).
 * Any field named like a key or a secret is censored, as a second line of defence behind {@link Secret}.
 */
import { pino, type DestinationStream, type Logger } from "pino";

/** The logger type the keeper takes (pino's). */
export type KeeperLogger = Logger;

/** Paths censored in every log line, whatever object they sit in. */
export const REDACTED_PATHS: readonly string[] = [
  "privateKey",
  "privateKeys",
  "signerKeys",
  "*.privateKey",
  "*.privateKeys",
  "*.signerKeys",
  "*.*.privateKey",
  "config.signerKeys",
];

/**
 * Creates the root logger.
 *
 * @param options.level - pino level.
 * @param options.destination - Where lines go (default: stdout).
 * @returns The logger.
 */
export function createLogger(options: { level: string; destination?: DestinationStream }): KeeperLogger {
  return pino(
    {
      level: options.level,
      base: { name: "perp-keeper" },
      redact: { paths: [...REDACTED_PATHS], censor: "[redacted]" },
      // bigint is not JSON: print it as a decimal string.
      formatters: { log: (object) => JSON.parse(JSON.stringify(object, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Record<string, unknown> },
    },
    options.destination
  );
}
