import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
const KEY = `0x${"d4".repeat(32)}`;

/** Runs the CLI as an operator would, with only the given environment. */
function run(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--experimental-strip-types", "--no-warnings", CLI, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("perp-keeper CLI", () => {
  test("test_cli_badConfigExitsWithCode2AndOneLinePerProblem", async () => {
    const { code, stdout, stderr } = await run(["--batch-size", "many", "--rpc-url", "ftp://node"], { KEEPER_PRIVATE_KEYS: `${KEY},0x12` });
    assert.equal(code, 2);
    assert.equal(stdout, "");
    const problems = stderr.split("\n").filter((line) => line.startsWith("  - "));
    assert.deepEqual(problems.sort(), [
      "  - --batch-size (KEEPER_BATCH_SIZE): must be a whole number from 1 to 10000, got 'many'",
      "  - --engine-address (KEEPER_ENGINE_ADDRESS): is required (or give --deployment (KEEPER_DEPLOYMENT))",
      "  - --lens-address (KEEPER_LENS_ADDRESS): is required (or give --deployment (KEEPER_DEPLOYMENT))",
      "  - --rpc-url (KEEPER_RPC_URLS): URL 1 is not an http(s) URL",
      "  - KEEPER_PRIVATE_KEYS: key 2 is not a 32-byte hex private key",
    ]);
    assert.match(stderr, /invalid configuration \(5 problems\)/);
    assert.ok(!stderr.includes("d4d4"), "the valid key is not echoed either");
  });

  test("test_cli_unknownFlagExitsWithCode2", async () => {
    const { code, stderr } = await run(["--no-such-flag"], {});
    assert.equal(code, 2);
    assert.match(stderr, /unknown option '--no-such-flag'/);
  });

  test("test_cli_printConfigRedactsTheKeys", async () => {
    const { code, stdout, stderr } = await run(["--print-config", "--engine-address", `0x${"11".repeat(20)}`, "--lens-address", `0x${"22".repeat(20)}`], {
      KEEPER_RPC_URLS: "http://127.0.0.1:1",
      KEEPER_PRIVATE_KEYS: KEY,
    });
    assert.equal(code, 0, stderr);
    const printed = JSON.parse(stdout) as { signerKeys: string[]; metrics: { host: string } };
    assert.deepEqual(printed.signerKeys, ["[redacted]"]);
    assert.equal(printed.metrics.host, "127.0.0.1");
    assert.ok(!stdout.includes("d4d4") && !stderr.includes("d4d4"));
  });

  test("test_cli_helpListsEveryOptionWithItsVariable", async () => {
    const { code, stdout } = await run(["--help"], {});
    assert.equal(code, 0);
    for (const variable of ["KEEPER_RPC_URLS", "KEEPER_BATCH_SIZE", "KEEPER_REPLACEMENT_WAIT_MS", "KEEPER_METRICS_PORT", "KEEPER_HEALTH_MAX_AGE_SECONDS"]) {
      assert.match(stdout, new RegExp(variable));
    }
  });
});
