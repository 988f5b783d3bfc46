import { createRequire } from "node:module";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

/** Solidity tests stay quick in CI; set FUZZ_RUNS / INVARIANT_RUNS to dig deeper locally. */
const fuzzRuns = Number(process.env.FUZZ_RUNS ?? 256);
const invariantRuns = Number(process.env.INVARIANT_RUNS ?? 64);
const invariantDepth = Number(process.env.INVARIANT_DEPTH ?? 64);

/** The legacy pipeline: quick to compile, used for the Solidity tests and the mocks. */
const legacy = {
  // The wasm build shipped by the `solc` npm package: compiles offline, no download.
  version: "0.8.28",
  path: require.resolve("solc/soljson.js"),
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
  },
};

/**
 * The deployed contracts compile through the IR pipeline: about 10,000 gas less per trade and liquidation and
 * smaller bytecode, at several times the compile time. Every artifact that is deployed (scripts, Ignition,
 * mocha and end-to-end tests, the benchmarks) is this build. The Solidity tests compile the same sources with
 * the legacy pipeline: through IR each of their jobs would recompile the engine for minutes.
 */
const deployed = ["PerpEngine", "LiquidationModule", "SolvencyModule", "MarketRegistry", "BackstopVault", "periphery/PerpLens"];
const viaIr = { ...legacy, settings: { ...legacy.settings, viaIR: true } };

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    compilers: [legacy],
    overrides: Object.fromEntries(deployed.map((name) => [`contracts/${name}.sol`, viaIr])),
    // Contracts and Solidity tests compile as separate jobs: one job holding both outgrows the wasm
    // compiler's memory once coverage instruments them.
    splitTestsCompilation: true,
    // Every file compiles in its own job: the engine, its modules and the Solidity tests together outgrow
    // the wasm compiler's memory in one job (it aborts). Slower from scratch, incremental afterwards.
    isolated: true,
  },
  paths: {
    tests: { solidity: "./test", mocha: "./test" },
  },
  test: {
    solidity: {
      fuzz: { runs: fuzzRuns, seed: "0x5eed" },
      invariant: { runs: invariantRuns, depth: invariantDepth, failOnRevert: true },
    },
  },
  typechain: { outDir: "types/ethers-contracts" },
  networks: {
    localhost: { type: "http", url: "http://127.0.0.1:8545" },
    // Any running JSON-RPC node (a Hardhat node or anvil on another port): LOCAL_RPC_URL=http://127.0.0.1:PORT.
    local: { type: "http", url: process.env.LOCAL_RPC_URL ?? "http://127.0.0.1:8545" },
  },
});
