/**
 * `npm run bench:gas`: gas of the core actions on Hardhat's in-process network, written to
 * bench/results/gas.json. Gas is deterministic, so these figures are also asserted as ceilings in the tests.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { network } from "hardhat";
import { measureCoreGas } from "./lib/coreGas.js";

const connection = await network.create();
const core = await measureCoreGas(connection);
const path = "bench/results/gas.json";
mkdirSync("bench/results", { recursive: true });
const previous = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as { gas?: Record<string, number> }) : {};
const result = {
  network: "hardhat in-process (EDR), osaka",
  solc: "0.8.28, optimizer 200 runs",
  note: "gas units per transaction, warm state: market already holding other traders' positions",
  gas: { ...(previous.gas ?? {}), ...core },
};
writeFileSync(path, JSON.stringify(result, null, 2) + "\n");
console.table(core);
console.log(`written to ${path}`);
