import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { describe, test } from "node:test";

import { createLogger } from "../log.ts";
import { fieldName, loadConfig, mergeRawConfig } from "./load.ts";
import { ConfigError } from "./schema.ts";
import { Secret } from "./secret.ts";

const KEY_A = `0x${"a1".repeat(32)}`;
const KEY_B = `0x${"b2".repeat(32)}`;
const ENGINE = `0x${"11".repeat(20)}`;
const LENS = `0x${"22".repeat(20)}`;

const goodEnv = {
  KEEPER_RPC_URLS: "http://127.0.0.1:8545",
  KEEPER_ENGINE_ADDRESS: ENGINE,
  KEEPER_LENS_ADDRESS: LENS,
  KEEPER_PRIVATE_KEYS: KEY_A,
};

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail("expected the config to be rejected");
}

describe("loadConfig", () => {
  test("test_loadConfig_appliesDefaults", () => {
    const config = loadConfig({ env: goodEnv });
    assert.deepEqual(config.rpcUrls, ["http://127.0.0.1:8545"]);
    assert.equal(config.deployment.engine, ENGINE);
    assert.equal(config.deployment.fromBlock, 0n);
    assert.equal(config.markets, "all");
    assert.equal(config.batchSize, 200);
    assert.equal(config.metrics.host, "127.0.0.1");
    assert.equal(config.gas.feeBumpPercent, 25);
    assert.equal(config.gas.maxTxGas, undefined);
    assert.deepEqual(config.duties, { adlMirror: true, poke: true, tierDrops: true, solvencyAdl: true });
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.gas));
  });

  test("test_loadConfig_flagsOverrideTheEnvironment", () => {
    const config = loadConfig({
      env: { ...goodEnv, KEEPER_BATCH_SIZE: "50", KEEPER_MARKETS: "1" },
      flags: { batchSize: "75", markets: "2,1,2", maxFeeGwei: "1.5", poke: "off" },
    });
    assert.equal(config.batchSize, 75);
    assert.deepEqual(config.markets, [2n, 1n]);
    assert.equal(config.gas.maxFeePerGasWei, 1_500_000_000n);
    assert.equal(config.duties.poke, false);
  });

  test("test_loadConfig_ignoresKeysGivenAsFlags", () => {
    // Keys come from the environment or a file only: a flag would show in the process list.
    const raw = mergeRawConfig({ env: {}, flags: { privateKeys: KEY_A } });
    assert.equal(raw.privateKeys, undefined);
  });

  test("test_loadConfig_readsKeysFromAFile", () => {
    const dir = mkdtempSync(join(tmpdir(), "keeper-keys-"));
    const file = join(dir, "keys");
    writeFileSync(file, `# keeper signers\n${KEY_A}\n${KEY_B.slice(2)}\n\n`);
    const { KEEPER_PRIVATE_KEYS: _, ...env } = goodEnv;
    const config = loadConfig({ env: { ...env, KEEPER_KEYS_FILE: file } });
    assert.deepEqual(config.signerKeys.map((k) => k.reveal()), [KEY_A, KEY_B]);
  });

  test("test_loadConfig_readsAnIgnitionDeployment", () => {
    const dir = mkdtempSync(join(tmpdir(), "keeper-deployment-"));
    const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
    writeFileSync(
      join(dir, "deployed_addresses.json"),
      JSON.stringify({
        "Protocol#PerpEngine": address(1),
        "Protocol#PerpLens": address(2),
        "Protocol#MarketRegistry": address(3),
        "Protocol#BackstopVault": address(4),
        "Protocol#MockUSDC": address(5),
      })
    );
    writeFileSync(join(dir, "journal.jsonl"), `${JSON.stringify({ type: "TRANSACTION_CONFIRM", receipt: { blockNumber: 7 } })}\n`);
    const { KEEPER_ENGINE_ADDRESS: _e, KEEPER_LENS_ADDRESS: _l, ...env } = goodEnv;
    const config = loadConfig({ env: { ...env, KEEPER_DEPLOYMENT: dir } });
    assert.equal(config.deployment.engine.toLowerCase(), address(1));
    assert.equal(config.deployment.lens.toLowerCase(), address(2));
    assert.equal(config.deployment.fromBlock, 7n);
  });

  test("test_loadConfig_reportsEveryProblemOncePerLine", () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: { KEEPER_BATCH_SIZE: "0", KEEPER_METRICS_PORT: "70000", KEEPER_LOG_LEVEL: "loud", KEEPER_POKE: "maybe" },
        flags: { rpcUrls: "ftp://node", feeBumpPercent: "5" },
      })
    );
    assert.deepEqual(
      [...problems].sort(),
      [
        `${fieldName("engineAddress")}: is required (or give ${fieldName("deployment")})`,
        `${fieldName("lensAddress")}: is required (or give ${fieldName("deployment")})`,
        `${fieldName("privateKeys")}: at least one signer key is required (or give ${fieldName("keysFile")})`,
        `${fieldName("rpcUrls")}: URL 1 is not an http(s) URL`,
        `${fieldName("batchSize")}: must be a whole number from 1 to 10000, got '0'`,
        `${fieldName("feeBumpPercent")}: must be a whole number from 10 to 1000, got '5'`,
        `${fieldName("metricsPort")}: must be a whole number from 0 to 65535, got '70000'`,
        `${fieldName("poke")}: must be on or off, got 'maybe'`,
        `${fieldName("logLevel")}: must be one of fatal, error, warn, info, debug, trace, got 'loud'`,
      ].sort()
    );
  });

  test("test_loadConfig_neverEchoesAMalformedKey", () => {
    const almost = `0x${"c3".repeat(31)}zz`;
    const problems = problemsOf(() => loadConfig({ env: { ...goodEnv, KEEPER_PRIVATE_KEYS: `${KEY_A},${almost}` } }));
    assert.deepEqual(problems, [`${fieldName("privateKeys")}: key 2 is not a 32-byte hex private key`]);
    assert.ok(!problems.join("\n").includes("c3c3"));
  });

  test("test_loadConfig_rejectsAMissingKeysFileWithoutReadingAnythingElse", () => {
    const { KEEPER_PRIVATE_KEYS: _, ...env } = goodEnv;
    const problems = problemsOf(() => loadConfig({ env: { ...env, KEEPER_KEYS_FILE: "/nonexistent/keys" } }));
    assert.ok(problems.some((p) => p.startsWith(`${fieldName("keysFile")}: cannot read '/nonexistent/keys' (ENOENT)`)), problems.join("\n"));
  });
});

describe("secrets", () => {
  test("test_Secret_isRedactedInEveryRendering", () => {
    const secret = new Secret(KEY_A);
    for (const text of [String(secret), `${secret}`, JSON.stringify({ secret }), inspect(secret), inspect({ nested: [secret] })]) {
      assert.ok(!text.includes("a1a1"), text);
      assert.ok(text.includes("[redacted]"), text);
    }
    assert.equal(secret.reveal(), KEY_A);
  });

  test("test_logger_neverPrintsTheConfigsKeys", () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger({ level: "info", destination });
    const config = loadConfig({ env: { ...goodEnv, KEEPER_PRIVATE_KEYS: `${KEY_A},${KEY_B}` } });
    logger.info({ config }, "config");
    logger.info({ privateKey: KEY_A, wallet: { privateKey: KEY_B } }, "careless");
    const text = lines.join("");
    assert.ok(!text.includes("a1a1") && !text.includes("b2b2"), text);
    assert.match(text, /\[redacted\]/);
  });
});
