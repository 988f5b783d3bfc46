import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const dir = mkdtempSync(join(tmpdir(), "replay-cli-"));

/** Runs the scenario CLI as `npm run scenario` does (without the build step). */
function cli(args: string[]) {
  const r = spawnSync(
    process.execPath,
    ["--experimental-strip-types", "--no-warnings", "--import", "./scripts/replay/register.ts", "scripts/replay/cli.ts", ...args],
    { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
  );
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

const csv = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

for (const [name, text, message] of [
  ["no-header.csv", "100,1\n101,2\n", /no-header\.csv:1: expected the header "timestamp,price"/],
  ["nan.csv", "timestamp,price\n100,1\n101,x\n", /nan\.csv:3: price "x" is not a number/],
  ["zero.csv", "timestamp,price\n100,1\n101,0\n", /zero\.csv:3: price "0" is not positive/],
  ["unsorted.csv", "timestamp,price\n100,1\n99,2\n", /unsorted\.csv:3: timestamp 99 is before/],
  ["dup.csv", "timestamp,price\n100,1\n100,2\n", /dup\.csv:3: duplicate timestamp 100/],
] as const) {
  test(`scenario_rejectsAMalformedPriceFile_${name}`, () => {
    const out = join(dir, `${name}.json`);
    const r = cli(["--prices", csv(name, text), "--out", out, "--no-progress"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, message);
    // Rejected before anything ran: no report.
    assert.equal(existsSync(out), false);
  });
}

for (const [args, message] of [
  [["--traders", "abc"], /--traders must be a whole number/],
  [["--traders", "0"], /--traders must be a whole number from 1/],
  [["--feed", "twap"], /Allowed choices are chainlink, raw/],
  [["--deviation", "9"], /deviation must be a percentage from 0.01 to 5/],
  [["--insurance", "-5"], /--insurance must be a non-negative number/],
  [["--rpc", "localhost"], /--rpc must be an http\(s\) URL/],
  [["--bogus"], /unknown option '--bogus'/],
  [[], /--prices <csv> is required/],
] as const) {
  test(`scenario_rejectsBadFlags_${args.join("_") || "none"}`, () => {
    const withPrices = args.length && args[0] !== "--bogus" ? ["--prices", "data/prices/avax-2025-10-10-1s.csv", ...args] : [...args];
    const r = cli(withPrices);
    assert.equal(r.code, 2);
    assert.match(r.stderr, message);
  });
}

test("scenario_keeperLogsQuietUnlessVerbose", async () => {
  const { parseOptions } = await import("./cli.ts");
  assert.equal(parseOptions(["--prices", "x.csv"], false).verbose, false);
  assert.equal(parseOptions(["--prices", "x.csv", "--verbose"], false).verbose, true);
});
