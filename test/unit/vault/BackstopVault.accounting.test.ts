import { expect } from "chai";
import {
  ETH,
  BTC,
  TOKEN_TO_WAD,
  WAD,
  anyPrice,
  deployFunded,
  disableFunding,
  networkHelpers,
  setPrice,
  tokens,
  w,
} from "../../helpers/fixture.js";
import { ceilDiv, signedDivUp } from "../../helpers/state.js";
import type { System } from "../../helpers/fixture.js";

// OpenZeppelin's virtual shares: 10^decimalsOffset, with one virtual asset unit.
const VIRTUAL_SHARES = 10n ** 6n;
const LP_FEE = 10n ** 15n;

/** The vault's share arithmetic and fee, written out independently of the contract. */
function vaultMath(totalSupply: bigint, totalAssets: bigint, fee: bigint) {
  const s = totalSupply + VIRTUAL_SHARES;
  const a = totalAssets + 1n;
  const feeOnTotal = (x: bigint) => ceilDiv(x * fee, fee + WAD);
  const feeOnRaw = (x: bigint) => ceilDiv(x * fee, WAD);
  return {
    previewDeposit: (x: bigint) => ((x - feeOnTotal(x)) * s) / a,
    previewMint: (sh: bigint) => {
      const x = ceilDiv(sh * a, s);
      return x + feeOnRaw(x);
    },
    previewWithdraw: (x: bigint) => ceilDiv((x + feeOnRaw(x)) * s, a),
    previewRedeem: (sh: bigint) => {
      const x = (sh * a) / s;
      return x - feeOnTotal(x);
    },
    // Exact rational values (no intermediate rounding), floored or ceiled once: the EIP-4626 reference points.
    exactDepositFloor: (x: bigint) => (x * WAD * s) / ((WAD + fee) * a),
    exactMintCeil: (sh: bigint) => ceilDiv(sh * a * (WAD + fee), s * WAD),
    exactWithdrawCeil: (x: bigint) => ceilDiv(x * (WAD + fee) * s, WAD * a),
    exactRedeemFloor: (sh: bigint) => (sh * a * WAD) / (s * (WAD + fee)),
  };
}

/** Traders' net PnL per market as the engine caches it, from the stored aggregates (rounded up, per side). */
async function cachedTraderPnl(engine: System["engine"], marketIds: bigint[]): Promise<bigint> {
  let total = 0n;
  for (const id of marketIds) {
    const m = await engine.marketState(id);
    const net = m.lastPriceWad - m.fundingIndexWad;
    total += signedDivUp(m.longSizeWad * net - m.longJSum, WAD) + signedDivUp(m.shortJSum - m.shortSizeWad * net, WAD);
  }
  return total;
}

/** deployFunded, then alice holds a 100 ETH long (the vault is net short) with funding switched off. */
async function deployWithLong() {
  const d = await deployFunded();
  await disableFunding(d);
  await d.engine.connect(d.alice).trade(ETH, w(100), w(20_000), anyPrice(1n), []);
  return d;
}

describe("BackstopVault metadata", () => {
  it("test_asset_isTheEngineCollateral", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    expect(await d.vault.asset()).to.equal(await d.usdc.getAddress());
    expect(await d.engine.collateral()).to.equal(await d.usdc.getAddress());
    expect(await d.vault.engine()).to.equal(await d.engine.getAddress());
  });

  it("test_decimals_areAssetDecimalsPlusTheOffset", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    expect(await d.usdc.decimals()).to.equal(6n);
    expect(await d.vault.decimals()).to.equal(12n);
    expect(await d.vault.name()).to.equal("Backstop Vault Share");
    expect(await d.vault.symbol()).to.equal("bvUSD");
  });

  it("test_lpFeeWad_isTheRegistrysEffectiveFee", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    expect(await d.vault.lpFeeWad()).to.equal(LP_FEE);
    const btc = await d.registry.marketConfig(BTC);
    await d.registry.setOracle(BTC, btc.feed, btc.heartbeat, 4n * 10n ** 15n, btc.minAnswer, btc.maxAnswer);
    expect(await d.vault.lpFeeWad()).to.equal(4n * 10n ** 15n);
  });
});

describe("BackstopVault.totalAssets", () => {
  it("test_totalAssets_isTheEngineEquityInTokenUnitsRoundedDown", async () => {
    const d = await networkHelpers.loadFixture(deployWithLong);
    // A size with 18 significant decimals leaves sub-unit dust in the fee split and the cached PnL.
    await d.engine.connect(d.bob).trade(ETH, w("1.123456789012345678"), w(1_000), anyPrice(1n), []);
    await setPrice(d.ethFeed, "4012.345678");
    await d.engine.poke(ETH);
    const equity = await d.engine.vaultEquityWad();
    expect(equity % TOKEN_TO_WAD).to.not.equal(0n);
    expect(await d.vault.totalAssets()).to.equal(equity / TOKEN_TO_WAD);
  });

  it("test_totalAssets_isZeroWhenEquityIsNegative", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    // The LP takes the vault down to $100k; a 24 ETH long (~$96k, under the 1× cap) then doubles and more.
    await d.vault.connect(d.lp).withdraw(tokens(4_900_000), d.lp.address, d.lp.address);
    const lpShares = await d.vault.balanceOf(d.lp.address);
    await d.engine.connect(d.alice).trade(ETH, w(24), w(10_000), anyPrice(1n), []);
    await setPrice(d.ethFeed, 9000);
    await d.engine.poke(ETH);
    expect(await d.engine.vaultEquityWad()).to.be.lessThan(0n);
    expect(await d.vault.totalAssets()).to.equal(0n);
    expect(await d.vault.convertToAssets(lpShares)).to.equal(0n);
  });

  it("test_totalAssets_neverRevertsWhenTheOracleIsStaleOrBroken", async () => {
    const d = await networkHelpers.loadFixture(deployWithLong);
    const equity = await d.engine.vaultEquityWad();
    await networkHelpers.time.increase(7200);
    await expect(d.registry.readPrice(ETH)).to.be.revertedWithCustomError(d.registry, "OraclePriceStale");
    await d.ethFeed.setPrice(-1n);
    await d.btcFeed.setPrice(0n);
    // Everything LPs read uses the engine's cache, never the oracle.
    expect(await d.vault.totalAssets()).to.equal(equity / TOKEN_TO_WAD);
    const shares = await d.vault.balanceOf(d.lp.address);
    expect(await d.vault.convertToAssets(shares)).to.be.greaterThan(0n);
    expect(await d.vault.convertToShares(tokens(1))).to.be.greaterThan(0n);
    expect(await d.vault.previewDeposit(tokens(1))).to.be.greaterThan(0n);
    expect(await d.vault.previewMint(10n ** 12n)).to.be.greaterThan(0n);
    expect(await d.vault.previewWithdraw(tokens(1))).to.be.greaterThan(0n);
    expect(await d.vault.previewRedeem(shares)).to.be.greaterThan(0n);
    expect(await d.vault.maxWithdraw(d.lp.address)).to.be.greaterThan(0n);
    expect(await d.vault.maxRedeem(d.lp.address)).to.be.greaterThan(0n);
    expect(await d.vault.maxDeposit(d.lp.address)).to.equal(2n ** 256n - 1n);
  });
});

describe("BackstopVault conversions", () => {
  it("test_convertToSharesAndAssets_areFeeFreeAndRoundDown", async () => {
    const d = await networkHelpers.loadFixture(deployWithLong);
    const supply = (await d.vault.totalSupply()) + VIRTUAL_SHARES;
    const assets = (await d.vault.totalAssets()) + 1n;
    for (const a of [1n, 1_234_567_891n, tokens(1_000_000)]) {
      expect(await d.vault.convertToShares(a)).to.equal((a * supply) / assets);
    }
    for (const sh of [1n, 10n ** 6n + 1n, 1_234_567_891_234_567n]) {
      expect(await d.vault.convertToAssets(sh)).to.equal((sh * assets) / supply);
    }
    // The fee shows only in the previews.
    expect(await d.vault.previewDeposit(tokens(1000))).to.be.lessThan(await d.vault.convertToShares(tokens(1000)));
  });
});

describe("BackstopVault previews", () => {
  // Amounts chosen to hit the rounding: odd units, one unit, and a large round amount.
  const assetAmounts = [1n, 2n, 3n, 1_234_567_891n, tokens(1), tokens(999_999.999999), tokens(2_500_000)];
  const shareAmounts = [1n, 999_999n, 10n ** 6n, 10n ** 6n + 1n, 1_234_567_891_234_567n, 10n ** 18n];

  async function math(d: System) {
    return vaultMath(await d.vault.totalSupply(), await d.vault.totalAssets(), await d.vault.lpFeeWad());
  }

  for (const fixture of [deployFunded, deployWithLong]) {
    describe(`with ${fixture.name}`, () => {
      it("test_previewDeposit_chargesTheFeeOnTheTotalAndRoundsDown", async () => {
        const d = await networkHelpers.loadFixture(fixture);
        const m = await math(d);
        for (const a of assetAmounts) {
          const preview = await d.vault.previewDeposit(a);
          expect(preview).to.equal(m.previewDeposit(a));
          expect(preview).to.be.at.most(m.exactDepositFloor(a));
        }
      });

      it("test_previewMint_addsTheFeeAndRoundsUp", async () => {
        const d = await networkHelpers.loadFixture(fixture);
        const m = await math(d);
        for (const sh of shareAmounts) {
          const preview = await d.vault.previewMint(sh);
          expect(preview).to.equal(m.previewMint(sh));
          expect(preview).to.be.at.least(m.exactMintCeil(sh));
        }
      });

      it("test_previewWithdraw_addsTheFeeAndRoundsUp", async () => {
        const d = await networkHelpers.loadFixture(fixture);
        const m = await math(d);
        for (const a of assetAmounts) {
          const preview = await d.vault.previewWithdraw(a);
          expect(preview).to.equal(m.previewWithdraw(a));
          expect(preview).to.be.at.least(m.exactWithdrawCeil(a));
        }
      });

      it("test_previewRedeem_chargesTheFeeOnTheTotalAndRoundsDown", async () => {
        const d = await networkHelpers.loadFixture(fixture);
        const m = await math(d);
        for (const sh of shareAmounts) {
          const preview = await d.vault.previewRedeem(sh);
          expect(preview).to.equal(m.previewRedeem(sh));
          expect(preview).to.be.at.most(m.exactRedeemFloor(sh));
        }
      });

      it("test_previews_roundTripsNeverGainForTheUser", async () => {
        const d = await networkHelpers.loadFixture(fixture);
        for (const a of assetAmounts) {
          // Deposit then redeem the shares: at most what was put in, less both fees.
          expect(await d.vault.previewRedeem(await d.vault.previewDeposit(a))).to.be.lessThan(a);
          // Shares for a withdrawal cost more to mint than the withdrawal pays.
          expect(await d.vault.previewMint(await d.vault.previewWithdraw(a))).to.be.greaterThan(a);
        }
      });
    });
  }
});

describe("BackstopVault share price", () => {
  it("test_totalAssets_followsTradersUnrealisedPnl", async () => {
    const d = await networkHelpers.loadFixture(deployWithLong);
    const lpShares = await d.vault.balanceOf(d.lp.address);
    const cash = await d.engine.vaultCashWad();
    const equityBefore = await d.engine.vaultEquityWad();
    const valueBefore = await d.vault.convertToAssets(lpShares);
    expect(equityBefore).to.equal(cash - (await cachedTraderPnl(d.engine, [ETH, BTC])));

    // +$100 on a 100 ETH long the vault is short of: the vault's equity drops by $10,000 (± a wei of rounding).
    await setPrice(d.ethFeed, 4100);
    await d.engine.poke(ETH);
    const equityAfter = await d.engine.vaultEquityWad();
    expect(equityAfter).to.equal(cash - (await cachedTraderPnl(d.engine, [ETH, BTC])));
    expect(equityBefore - equityAfter - w(10_000)).to.be.within(-1n, 1n);
    expect(await d.vault.totalAssets()).to.equal(equityAfter / TOKEN_TO_WAD);
    expect(await d.vault.convertToAssets(lpShares)).to.be.lessThan(valueBefore);

    // And back up when the price falls below the entry.
    await setPrice(d.ethFeed, 3900);
    await d.engine.poke(ETH);
    expect((await d.engine.vaultEquityWad()) - equityAfter - w(20_000)).to.be.within(-1n, 1n);
    expect(await d.vault.convertToAssets(lpShares)).to.be.greaterThan(valueBefore);
  });

  it("test_totalAssets_includesFundingPaidByTheNetSide", async () => {
    const d = await networkHelpers.loadFixture(deployWithLong);
    // Full skew at 100 ETH and 10% a day: longs pay 4000 × 10% × 1h/24h ≈ $16.67 per ETH over an hour.
    await d.registry.setFundingParams(ETH, w(100), 10n ** 17n);
    const before = await d.engine.marketState(ETH);
    const equityBefore = await d.engine.vaultEquityWad();
    const cash = await d.engine.vaultCashWad();
    await networkHelpers.time.increase(3600);
    await setPrice(d.ethFeed, 4000);
    await d.engine.poke(ETH);
    const after = await d.engine.marketState(ETH);

    const elapsed = after.lastUpdateTime - before.lastUpdateTime;
    const expectedDelta = (4000n * WAD * 10n ** 17n * elapsed) / (WAD * 86_400n);
    expect(after.fundingIndexWad - before.fundingIndexWad).to.equal(expectedDelta);
    const equityAfter = await d.engine.vaultEquityWad();
    expect(await d.engine.vaultCashWad()).to.equal(cash);
    // Funding is not realised: the cash is unchanged, the equity (and so the share price) rises by S × ΔF.
    expect(equityAfter - equityBefore - 100n * expectedDelta).to.be.within(-1n, 1n);
    expect(equityAfter - equityBefore).to.be.greaterThan(w(1600));
    expect(await d.vault.totalAssets()).to.equal(equityAfter / TOKEN_TO_WAD);
  });
});
