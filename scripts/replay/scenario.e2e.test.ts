/**
 * The scenario end to end on 300 real rows of the AVAX crash (the −42% minute): once on the in-process
 * network through runScenario, then through the CLI against anvil and a Hardhat node started here; each JSON report is checked
 * against the chain's events (chain-check.ts).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startLocalNode, type LocalNode } from "@open-waterfall/sdk/testing";
import { createPublicClient, http, type PublicClient } from "viem";
import { checkReportAgainstChain, type ReportJson } from "./chain-check.ts";
import { runScenario } from "./run.ts";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const FIXTURE = join(ROOT, "scripts", "replay", "fixtures", "avax-crash-300.csv");
const TRADERS = 40;

describe("scenario end to end", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "replay-e2e-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("in-process: the JSON report agrees with the chain's events", async () => {
    const out = join(dir, "in-process.json");
    const html = join(dir, "in-process.html");
    let problems: string[] | undefined;
    const result = await runScenario({
      prices: FIXTURE,
      traders: TRADERS,
      seed: 7,
      insuranceUsd: 20_000,
      lpWithdrawToFloor: false,
      feed: "chainlink",
      heartbeatSec: 3600,
      out,
      html,
      progress: false,
      inspect: async (conn) => {
        const json = JSON.parse(await readFile(out, "utf8")) as ReportJson;
        problems = await checkReportAgainstChain(conn.publicClient as unknown as PublicClient, json);
      },
    });
    assert.deepEqual(problems, []);
    assert.ok(result.figures.liquidations > 0, "the −42% minute liquidates somebody");
    assert.ok(result.figures.peakLiquidatable >= 1);
    assert.match(await readFile(html, "utf8"), /<svg/);
    assert.match(await readFile(html.replace(/\.html$/, ".svg"), "utf8"), /^(<\?xml[^>]*>\s*)?<svg/);
  });

  for (const kind of ["anvil", "hardhat"] as const) describe(`against ${kind === "anvil" ? "anvil" : "a Hardhat node"} started here`, () => {
    let node: LocalNode;
    before(async () => {
      node = await startLocalNode({ kind, projectRoot: ROOT });
    });
    after(async () => {
      await node?.stop();
    });

    it("the CLI with --rpc: exit 0 and a report that agrees with the chain's events", async () => {
      const out = join(dir, `${kind}.json`);
      const child = spawn(
        process.execPath,
        [
          "--experimental-strip-types",
          "--no-warnings",
          "--import",
          "./scripts/replay/register.ts",
          "scripts/replay/cli.ts",
          "--prices",
          FIXTURE,
          "--rpc",
          node.rpcUrl,
          "--traders",
          String(TRADERS),
          "--seed",
          "7",
          "--out",
          out,
          "--no-progress",
        ],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      let output = "";
      child.stdout.on("data", (b: Buffer) => (output += b.toString()));
      child.stderr.on("data", (b: Buffer) => (output += b.toString()));
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      assert.equal(code, 0, output);
      assert.match(output, /liquidations/);
      const json = JSON.parse(await readFile(out, "utf8")) as ReportJson & { parameters: { node: string } };
      assert.equal(json.parameters.node, node.rpcUrl);
      const pc = createPublicClient({ transport: http(node.rpcUrl) }) as PublicClient;
      assert.deepEqual(await checkReportAgainstChain(pc, json), []);
      assert.ok(json.liquidations > 0);
    });
  });
});
