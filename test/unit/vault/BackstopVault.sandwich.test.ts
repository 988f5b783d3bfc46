import { expect } from "chai";
import { ETH, anyPrice, deployFunded, networkHelpers, setPrice, tokens, w } from "../../helpers/fixture.js";

const WAD = 10n ** 18n;

/**
 * The vault at its full exposure cap: $5M of LP equity against a 1250 ETH long at $4,000 ($5M of net
 * exposure, 1× the equity, the preset cap). The skew's impact moves the fill to $4,001, so the vault's equity
 * is $5M + $1,250 of impact + 60% of the $2,500.6 fee.
 */
async function deployAtExposureCap() {
  const d = await deployFunded();
  await d.engine.connect(d.alice).trade(ETH, w(1250), w(80_000), anyPrice(1n), []);
  return d;
}

describe("BackstopVault sandwich around a known oracle update", () => {
  it("test_sandwich_vaultIsAtItsFullExposureCap", async () => {
    const d = await networkHelpers.loadFixture(deployAtExposureCap);
    const m = await d.engine.marketState(ETH);
    const exposure = ((m.longSizeWad - m.shortSizeWad) * 4000n * WAD) / WAD;
    const equity = await d.engine.vaultEquityWad();
    // 99.9% of the cap or more, and 2 ETH more would breach it.
    expect((exposure * 1000n) / equity).to.be.at.least(999n);
    await expect(d.engine.connect(d.bob).trade(ETH, w(2), w(1_000), anyPrice(1n), [])).to.be.revertedWithCustomError(
      d.engine,
      "VaultExposureCapExceeded"
    );
  });

  // A small sandwich (the fee floor is tightest per dollar) and one as large as the vault itself.
  for (const deposit of [tokens(10_000), tokens(5_000_000)]) {
    it(`test_sandwich_depositBeforeADeviationMoveAndRedeemAfterLoses_${deposit / 10n ** 6n}`, async () => {
      const d = await networkHelpers.loadFixture(deployAtExposureCap);
      const attacker = d.keeper;
      const walletBefore = await d.usdc.balanceOf(attacker.address);
      const fee = await d.vault.lpFeeWad();
      const delta = (await d.registry.marketConfig(ETH)).deviationWad;
      expect([fee, delta]).to.deep.equal([10n ** 15n, 10n ** 15n]);

      // 1. Deposit just before the feed publishes −δ (the vault is short 1250 ETH: a fall is its gain).
      const equityBefore = await d.engine.vaultEquityWad();
      await d.vault.connect(attacker).deposit(deposit, attacker.address);
      const shares = await d.vault.balanceOf(attacker.address);
      const supply = await d.vault.totalSupply();

      // 2. The update: $4,000 → $3,996 (−0.1% = δ). The vault gains 1250 × $4 = $5,000 (plus seconds of funding).
      await setPrice(d.ethFeed, 3996);
      await d.engine.poke(ETH);
      const gainWad = (await d.engine.vaultEquityWad()) - equityBefore - deposit * 10n ** 12n;
      expect(gainWad).to.be.within(w(5_000), w(5_001));

      // 3. Redeem everything right after.
      const grossOut = await d.vault.convertToAssets(shares);
      await d.vault.connect(attacker).redeem(shares, attacker.address, attacker.address);
      const walletAfter = await d.usdc.balanceOf(attacker.address);

      // The numbers. Its slice of the gain is shares/supply × $5,000, at most D/(E + D) × δ × E < δ × D
      // ($10 for D = $10k, ≈ $2,497 for D = $5M). It pays f/(1 + f) × D going in ($9.99 / $4,995) and
      // f/(1 + f) of what it takes out going out (≈ the same again), and keeps its slice of its own entry fee.
      const gainShare = (gainWad * shares) / supply / 10n ** 12n;
      const feeIn = (deposit * fee + WAD + fee - 1n) / (WAD + fee);
      const ownFeeBack = (feeIn * shares) / supply;
      const feeOut = (grossOut * fee + WAD + fee - 1n) / (WAD + fee);
      expect(gainShare).to.be.lessThan((deposit * delta) / WAD);
      expect(feeIn + feeOut).to.be.greaterThan(gainShare + ownFeeBack);
      // It ends with fewer assets than it put in.
      const assetsOut = walletAfter - walletBefore + deposit;
      expect(assetsOut).to.be.lessThan(deposit);
      const loss = deposit - assetsOut;
      expect(loss - (feeIn - ownFeeBack - gainShare + feeOut)).to.be.within(-2n, 2n);
    });
  }
});
