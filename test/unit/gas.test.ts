import { expect } from "chai";
import { network } from "hardhat";
import { measureCoreGas, type CoreGas } from "../../bench/lib/coreGas.js";

/**
 * Gas is deterministic, so regressions fail here rather than in a benchmark nobody reads. Ceilings sit a
 * little above the measured figures in bench/results/gas.json; lower them when an optimisation lands.
 */
const CEILINGS: CoreGas = {
  deposit: 53_000,
  withdraw: 47_000,
  open: 215_000,
  increase: 186_000,
  decrease: 166_000,
  close: 158_000,
  addMargin: 71_000,
  removeMargin: 149_000,
};

// Coverage instruments the bytecode, so its gas figures mean nothing; `npm run coverage` sets COVERAGE=1.
const describeGas = process.env.COVERAGE === "1" ? describe.skip : describe;

describeGas("gas ceilings of the core actions", () => {
  it("every core action stays under its ceiling", async () => {
    const measured = await measureCoreGas(await network.create());
    for (const [action, ceiling] of Object.entries(CEILINGS) as [keyof CoreGas, number][]) {
      expect(measured[action], action).to.be.at.most(ceiling);
    }
  });
});
