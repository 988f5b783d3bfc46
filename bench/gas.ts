/**
 * `npm run bench:gas`: gas of the core actions and of the ADL-list and liquidation paths on Hardhat's
 * in-process network, written to bench/results/gas.json. Gas is deterministic, so the core figures are also
 * asserted as ceilings in the tests. LIST_SIZE (default 10,000) sets the long list of the insertion benchmark.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { network } from "hardhat";
import { measureAdlGas } from "./lib/adlGas.js";
import { measureCoreGas } from "./lib/coreGas.js";

const listSize = Number(process.env.LIST_SIZE ?? 10_000);
const core = await measureCoreGas(await network.create());
console.table(core);
let lastShown = -1;
const adl = await measureAdlGas(await network.create(), listSize, (done, total) => {
  // A live counter on a terminal, a line per tenth otherwise (CI logs).
  if (process.stdout.isTTY) process.stdout.write(`\rfilling tier lists: ${done}/${total}   ${done === total ? "\n" : ""}`);
  else if (Math.floor((10 * done) / total) !== lastShown || done === total) {
    lastShown = Math.floor((10 * done) / total);
    console.log(`filling tier lists: ${done}/${total}`);
  }
});
console.table(adl);

const path = "bench/results/gas.json";
mkdirSync("bench/results", { recursive: true });
const previous = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as { gas?: Record<string, number> }) : {};
const targets = {
  open: 180_000,
  increase: 130_000,
  close: 110_000,
  liquidate: 160_000,
  liquidateBatch50PerPosition: 60_000,
  adlPerCounterparty: 75_000,
};
const gas: Record<string, number> = { ...(previous.gas ?? {}), ...core, ...adl };
const result = {
  network: "hardhat in-process (EDR), osaka",
  solc: "0.8.28, optimizer 200 runs, IR pipeline for the deployed contracts (legacy for mocks)",
  note: "gas units per transaction, warm state; insertAt10000 uses a tier list of LIST_SIZE positions",
  listSize,
  gas,
  insertRatio10000over10: Number((adl.insertAt10000 / adl.insertAt10).toFixed(4)),
  targets,
  meetsTargets: Object.fromEntries(Object.entries(targets).map(([k, v]) => [k, gas[k] <= v])),
};
writeFileSync(path, JSON.stringify(result, null, 2) + "\n");
console.log(`written to ${path}`);
