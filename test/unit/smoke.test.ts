import { expect } from "chai";
import { deployFunded, networkHelpers, w, ETH, anyPrice } from "../helpers/fixture.js";

describe("smoke", () => {
  it("deploys", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    expect(await d.registry.marketCount()).to.equal(2n);
  });
});

describe("smoke trade", () => {
  it("opens and closes", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const size = w("10");
    await d.engine.connect(d.alice).trade(ETH, size, w("5000"), anyPrice(size));
    const p = await d.engine.positionOf(d.alice.address, ETH);
    expect(p.sizeWad).to.equal(size);
    await d.engine.connect(d.alice).closePosition(ETH, 0n);
    expect((await d.engine.positionOf(d.alice.address, ETH)).sizeWad).to.equal(0n);
  });
});
