import { expect } from "chai";
import {
  ETH,
  TOKEN_TO_WAD,
  anyPrice,
  deployFunded,
  networkHelpers,
  setPrice,
  tokens,
  w,
} from "../../helpers/fixture.js";
import type { System } from "../../helpers/fixture.js";
import { ceilDiv, expectUnchanged, vaultState } from "../../helpers/state.js";

const WAD = 10n ** 18n;
const max = (a: bigint, b: bigint) => (a > b ? a : b);

const state = (d: System) => vaultState(d, [d.lp, d.keeper, d.alice, d.bob]);

/** The engine's withdrawal limits, recomputed from its public ledger. */
async function limits(d: System) {
  const pc = await d.registry.protocolConfig();
  const equity = await d.engine.vaultEquityWad();
  const cash = await d.engine.vaultCashWad();
  const profit = await d.engine.tradersProfitWad();
  const floor = max(pc.floorAbsoluteUsdWad, ceilDiv((await d.engine.totalNotionalWad()) * pc.floorRatioWad, WAD));
  // The equity left must stay at or above the floor and strictly above profit / stop ratio.
  const byProfit = profit === 0n ? 0n : ceilDiv(profit * WAD, pc.withdrawStopRatioWad) + 1n;
  const byFloorAndProfit = equity - max(floor, byProfit);
  const withdrawableWad = byFloorAndProfit < cash ? byFloorAndProfit : cash;
  return { equity, cash, profit, floor, byProfit, stop: pc.withdrawStopRatioWad, withdrawableWad };
}

type Binding = "floor" | "profit" | "cash";

/** The engine error a withdrawal of `assets` (token units) runs into, with its exact arguments. */
async function expectedError(d: System, binding: Binding, assets: bigint): Promise<[string, unknown[]]> {
  const l = await limits(d);
  const equityAfter = l.equity - assets * TOKEN_TO_WAD;
  if (binding === "floor") return ["VaultWithdrawalBelowFloor", [equityAfter, l.floor]];
  if (binding === "profit") return ["VaultWithdrawalProfitStop", [l.profit, equityAfter, l.stop]];
  return ["VaultCashInsufficient", [l.cash, assets * TOKEN_TO_WAD]];
}

/** Only the $10k absolute floor holds the LP back: nobody trades. */
async function deployIdle() {
  return deployFunded();
}

/** A hedged book (1000 ETH long against 1000 ETH short): the floor is 5% of $8M gross = $400k. */
async function deployHedged() {
  const d = await deployFunded();
  await d.engine.connect(d.alice).trade(ETH, w(1000), w(60_000), anyPrice(1n), []);
  await d.engine.connect(d.bob).trade(ETH, -w(1000), w(60_000), anyPrice(-1n), []);
  return d;
}

/**
 * A 1000 ETH long up 10% (≈ $399k of profit, counting the $0.80 entry impact): the withdrawal stop needs
 * equity after > $1.6M, well above the $220k floor.
 */
async function deployTradersInProfit() {
  const d = await deployFunded();
  await d.engine.connect(d.alice).trade(ETH, w(1000), w(60_000), anyPrice(1n), []);
  await setPrice(d.ethFeed, 4400);
  await d.engine.poke(ETH);
  return d;
}

/**
 * A 1000 ETH long down 5% with $300k of margin: the vault's equity is its cash plus the trader's ≈ $200.8k
 * unrealised loss, the floor 5% of $3.8M = $190k, so the cash on hand is the tighter limit.
 */
async function deployTradersInLoss() {
  const d = await deployFunded();
  await d.engine.connect(d.alice).deposit(tokens(300_000));
  await d.engine.connect(d.alice).trade(ETH, w(1000), w(300_000), anyPrice(1n), []);
  await setPrice(d.ethFeed, 3800);
  await d.engine.poke(ETH);
  return d;
}

const scenarios: [string, () => Promise<System>, Binding][] = [
  ["theAbsoluteFloor", deployIdle, "floor"],
  ["theOpenInterestFloor", deployHedged, "floor"],
  ["theProfitStop", deployTradersInProfit, "profit"],
  ["theVaultCash", deployTradersInLoss, "cash"],
];

describe("BackstopVault withdrawal limits", () => {
  it("test_limits_scenariosBindWhereIntended", async () => {
    const idle = await limits(await networkHelpers.loadFixture(deployIdle));
    expect(idle.floor).to.equal(w(10_000));
    expect(idle.withdrawableWad).to.equal(idle.equity - w(10_000));

    const hedged = await limits(await networkHelpers.loadFixture(deployHedged));
    expect(hedged.floor).to.be.within(w(400_000), w(400_001));
    expect(hedged.byProfit).to.be.lessThan(hedged.floor);
    expect(hedged.withdrawableWad).to.equal(hedged.equity - hedged.floor);

    const profit = await limits(await networkHelpers.loadFixture(deployTradersInProfit));
    expect(profit.profit).to.be.within(w(399_000), w(399_300));
    expect(profit.byProfit).to.be.greaterThan(profit.floor);
    expect(profit.withdrawableWad).to.equal(profit.equity - profit.byProfit);
    expect(profit.withdrawableWad).to.be.lessThan(profit.cash);

    const loss = await limits(await networkHelpers.loadFixture(deployTradersInLoss));
    expect(loss.profit).to.equal(0n);
    expect(loss.equity - loss.floor).to.be.greaterThan(loss.cash);
    expect(loss.withdrawableWad).to.equal(loss.cash);
  });

  for (const [label, fixture, binding] of scenarios) {
    describe(`bound by ${label}`, () => {
      it("test_maxWithdraw_isWhatTheEngineCanPayNow", async () => {
        const d = await networkHelpers.loadFixture(fixture);
        const l = await limits(d);
        expect(await d.engine.vaultWithdrawableWad()).to.equal(l.withdrawableWad);
        const maxAssets = await d.vault.maxWithdraw(d.lp.address);
        expect(maxAssets).to.equal(l.withdrawableWad / TOKEN_TO_WAD);
        // The LP's own shares would cover more: the engine's limit is the binding one.
        expect(await d.vault.previewRedeem(await d.vault.balanceOf(d.lp.address))).to.be.greaterThan(maxAssets);
      });

      it("test_withdraw_exactlyTheMaxSucceedsOneUnitMoreReverts", async () => {
        const d = await networkHelpers.loadFixture(fixture);
        const maxAssets = await d.vault.maxWithdraw(d.lp.address);
        const [error, args] = await expectedError(d, binding, maxAssets + 1n);
        await expectUnchanged(
          () => state(d),
          () =>
            expect(d.vault.connect(d.lp).withdraw(maxAssets + 1n, d.lp.address, d.lp.address))
              .to.be.revertedWithCustomError(d.engine, error)
              .withArgs(...args)
        );

        const shares = await d.vault.previewWithdraw(maxAssets);
        await expect(d.vault.connect(d.lp).withdraw(maxAssets, d.lp.address, d.lp.address))
          .to.emit(d.vault, "Withdraw")
          .withArgs(d.lp.address, d.lp.address, d.lp.address, maxAssets, shares);
        expect(await d.vault.maxWithdraw(d.lp.address)).to.equal(0n);
      });

      it("test_redeem_exactlyTheMaxSucceedsOneShareMoreReverts", async () => {
        const d = await networkHelpers.loadFixture(fixture);
        const maxShares = await d.vault.maxRedeem(d.lp.address);
        // EIP-4626: the largest redemption that does not revert. A share is worth ~1e-6 of an asset unit, so
        // redemptions reach every asset amount and the largest one pays exactly maxWithdraw.
        expect(await d.vault.previewRedeem(maxShares)).to.equal(await d.vault.maxWithdraw(d.lp.address));
        const overAssets = await d.vault.previewRedeem(maxShares + 1n);
        const [error, args] = await expectedError(d, binding, overAssets);
        await expectUnchanged(
          () => state(d),
          () =>
            expect(d.vault.connect(d.lp).redeem(maxShares + 1n, d.lp.address, d.lp.address))
              .to.be.revertedWithCustomError(d.engine, error)
              .withArgs(...args)
        );

        const assets = await d.vault.previewRedeem(maxShares);
        await expect(d.vault.connect(d.lp).redeem(maxShares, d.lp.address, d.lp.address))
          .to.emit(d.vault, "Withdraw")
          .withArgs(d.lp.address, d.lp.address, d.lp.address, assets, maxShares);
      });

      it("test_withdraw_farBeyondTheLimitRevertsWithTheSameReason", async () => {
        const d = await networkHelpers.loadFixture(fixture);
        const maxAssets = await d.vault.maxWithdraw(d.lp.address);
        // Halfway between the engine's limit and what the LP's shares are worth.
        const own = await d.vault.previewRedeem(await d.vault.balanceOf(d.lp.address));
        const more = (maxAssets + own) / 2n;
        expect(more).to.be.greaterThan(maxAssets + 1n);
        const [error, args] = await expectedError(d, binding, more);
        await expectUnchanged(
          () => state(d),
          () =>
            expect(d.vault.connect(d.lp).withdraw(more, d.lp.address, d.lp.address))
              .to.be.revertedWithCustomError(d.engine, error)
              .withArgs(...args)
        );
      });
    });
  }

  describe("bound by the owner's shares", () => {
    async function deploySmallLp() {
      const d = await deployTradersInProfit();
      await d.vault.connect(d.keeper).deposit(tokens(1000), d.keeper.address);
      return d;
    }

    it("test_maxWithdraw_isTheOwnersNetAssetsWhenSmaller", async () => {
      const d = await networkHelpers.loadFixture(deploySmallLp);
      const own = await d.vault.previewRedeem(await d.vault.balanceOf(d.keeper.address));
      expect(await d.vault.maxWithdraw(d.keeper.address)).to.equal(own);
      expect(await d.vault.maxRedeem(d.keeper.address)).to.equal(await d.vault.balanceOf(d.keeper.address));
    });

    it("test_withdraw_exactlyTheOwnersMaxSucceedsOneUnitMoreReverts", async () => {
      const d = await networkHelpers.loadFixture(deploySmallLp);
      const maxAssets = await d.vault.maxWithdraw(d.keeper.address);
      await expectUnchanged(
        () => state(d),
        () =>
          expect(d.vault.connect(d.keeper).withdraw(maxAssets + 1n, d.keeper.address, d.keeper.address))
            .to.be.revertedWithCustomError(d.vault, "ERC4626ExceededMaxWithdraw")
            .withArgs(d.keeper.address, maxAssets + 1n, maxAssets)
      );
      await d.vault.connect(d.keeper).withdraw(maxAssets, d.keeper.address, d.keeper.address);
      // Rounding leaves at most dust shares behind, worth nothing after the fee.
      expect(await d.vault.maxWithdraw(d.keeper.address)).to.equal(0n);
    });

    it("test_redeem_allTheOwnersSharesSucceeds", async () => {
      const d = await networkHelpers.loadFixture(deploySmallLp);
      const shares = await d.vault.maxRedeem(d.keeper.address);
      const assets = await d.vault.previewRedeem(shares);
      await expect(d.vault.connect(d.keeper).redeem(shares, d.keeper.address, d.keeper.address))
        .to.emit(d.vault, "Withdraw")
        .withArgs(d.keeper.address, d.keeper.address, d.keeper.address, assets, shares);
      expect(await d.vault.balanceOf(d.keeper.address)).to.equal(0n);
    });
  });

  it("test_maxWithdraw_isZeroAtTheProfitStop", async () => {
    const d = await networkHelpers.loadFixture(deployTradersInProfit);
    // ETH to $8,000: the long's ≈ $4M profit dwarfs a quarter of the vault's ≈ $1M equity.
    await setPrice(d.ethFeed, 8000);
    await d.engine.poke(ETH);
    expect(await d.engine.vaultWithdrawableWad()).to.equal(0n);
    expect(await d.vault.maxWithdraw(d.lp.address)).to.equal(0n);
    expect(await d.vault.maxRedeem(d.lp.address)).to.equal(0n);
    const [error, args] = await expectedError(d, "profit", 1n);
    await expectUnchanged(
      () => state(d),
      () =>
        expect(d.vault.connect(d.lp).withdraw(1n, d.lp.address, d.lp.address))
          .to.be.revertedWithCustomError(d.engine, error)
          .withArgs(...args)
    );
  });
});
