/**
 * The Solidity PositionMath harness (test/utils/PositionMathHarness.sol) as compiled bytecode: from the build's
 * test artifacts when present, otherwise compiled here with the solc-js the project pins (same settings).
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Abi, Hex } from "viem";

const HARNESS = "test/utils/PositionMathHarness.sol";

export function loadPositionMathHarness(projectRoot: string): { abi: Abi; bytecode: Hex; source: "artifact" | "solc" } {
  const artifact = join(projectRoot, "cache", "test-artifacts", HARNESS, "PositionMathHarness.json");
  if (existsSync(artifact)) {
    const parsed = JSON.parse(readFileSync(artifact, "utf8")) as { abi: Abi; bytecode: Hex };
    return { abi: parsed.abi, bytecode: parsed.bytecode, source: "artifact" };
  }
  const require = createRequire(join(projectRoot, "package.json"));
  const solc = require("solc") as { compile(input: string, options: { import(path: string): { contents: string } | { error: string } }): string };
  const input = {
    language: "Solidity",
    sources: { [HARNESS]: { content: readFileSync(join(projectRoot, HARNESS), "utf8") } },
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun", outputSelection: { [HARNESS]: { PositionMathHarness: ["abi", "evm.bytecode.object"] } } },
  };
  const findImports = (path: string): { contents: string } | { error: string } => {
    for (const candidate of [join(projectRoot, path), join(projectRoot, "node_modules", path)]) {
      if (existsSync(candidate)) return { contents: readFileSync(candidate, "utf8") };
    }
    return { error: `not found: ${path}` };
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const compiled = output.contracts[HARNESS]?.PositionMathHarness;
  if (compiled === undefined) throw new Error("the harness did not compile");
  return { abi: compiled.abi, bytecode: `0x${compiled.evm.bytecode.object}`, source: "solc" };
}
