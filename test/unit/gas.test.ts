import { expect } from "chai";
import { network } from "hardhat";
import { measureCoreGas, type CoreGas } from "../../bench/lib/coreGas.js";

/**
 * Gas is deterministic, so regressions fail here rather than in a benchmark nobody reads. Ceilings sit a
 * little above the measured figures in bench/results/gas.json (open, increase and removeMargin include the
 * ADL-list insertion, close its removal, decrease and close the profit-scaling check, decrease the first
 * write of the day's realised profit for vesting, withdraw the vesting check); lower them when an
 * optimisation lands.
 */
const CEILINGS: CoreGas = {
  deposit: 54_000,
  withdraw: 48_000,
  open: 231_000,
  increase: 199_000,
  decrease: 198_000,
  close: 175_000,
  addMargin: 75_000,
  removeMargin: 155_000,
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
