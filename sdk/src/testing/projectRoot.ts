import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

import { LocalNodeError } from "./errors.ts";

/**
 * The nearest directory at or above `from` holding a Hardhat config: where nodes and Ignition run.
 *
 * @throws {LocalNodeError} When there is none.
 */
export function findProjectRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, "hardhat.config.ts")) || existsSync(join(dir, "hardhat.config.js"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new LocalNodeError({ kind: "hardhat", details: `no hardhat.config.ts at or above ${from}; pass projectRoot` });
    }
    dir = parent;
  }
}
