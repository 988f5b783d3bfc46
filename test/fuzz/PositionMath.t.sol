// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {FixedPointMath} from "../../contracts/libraries/FixedPointMath.sol";
import {PositionMathHarness} from "../utils/PositionMathHarness.sol";

/// @notice The per-position formulas of DESIGN "Positions" against exact arithmetic. Values "·36" are exact
/// products in 36 decimals (WAD × WAD), so a rounding of one wei in WAD is 1e18 there.
contract PositionMathFuzzTest is Test {
    int256 internal constant SWAD = 1e18;
    uint256 internal constant MMR_WAD = 9e15;

    uint256 internal constant SIZE_MIN = 1e12; // 1e-6 units
    uint256 internal constant SIZE_MAX = 1e27; // 1e9 units
    int256 internal constant PRICE_MAX = 1e30; // $1e12 per unit
    int256 internal constant FUNDING_MAX = 1e28;

    PositionMathHarness internal h;

    function setUp() public {
        h = new PositionMathHarness();
    }

    /* HELPERS */

    /// @dev A position at any leverage from about 0.001x up: J positive, margin at most 1,000× the entry notional.
    function _boundPosition(uint256 sizeRaw, bool isLong, uint256 marginRaw, int256 jRaw)
        internal
        pure
        returns (int256 s, uint256 m, int256 j)
    {
        uint256 sizeAbs = bound(sizeRaw, SIZE_MIN, SIZE_MAX);
        s = isLong ? int256(sizeAbs) : -int256(sizeAbs);
        j = bound(jRaw, 1e6, PRICE_MAX);
        m = bound(marginRaw, 1, FixedPointMath.max(1, sizeAbs * uint256(j) / 1e15));
    }

    function _abs(int256 x) internal pure returns (int256) {
        return x >= 0 ? x : -x;
    }

    /// @dev m·1e18 + s·(P − F − J): the exact equity in 36 decimals.
    function _equity36(int256 s, uint256 m, int256 j, int256 f, int256 p) internal pure returns (int256) {
        return int256(m) * SWAD + s * (p - f - j);
    }

    /// @dev |s|·(P − F − K) for longs, |s|·(K + F − P) for shorts, exact in 36 decimals.
    function _kEquity36(int256 s, int256 k, int256 f, int256 p) internal pure returns (int256) {
        return s > 0 ? s * (p - f - k) : -s * (k + f - p);
    }

    /* EQUITY AND K */

    function test_fuzz_equity_roundsDownByLessThanOneWei(
        uint256 sizeRaw,
        bool isLong,
        uint256 marginRaw,
        int256 jRaw,
        int256 fRaw,
        uint256 priceRaw
    ) public view {
        (int256 s, uint256 m, int256 j) = _boundPosition(sizeRaw, isLong, marginRaw, jRaw);
        int256 f = bound(fRaw, -FUNDING_MAX, FUNDING_MAX);
        uint256 p = bound(priceRaw, 1, uint256(PRICE_MAX));

        int256 equityWad = h.equity(s, m, j, f, p);
        int256 exact = _equity36(s, m, j, f, int256(p));

        assertLe(equityWad * SWAD, exact, "equity rounded up");
        assertGt((equityWad + 1) * SWAD, exact, "equity more than one wei below exact");
    }

    function test_fuzz_equity_equalsTheKFormUpToTheRoundingOfK(
        uint256 sizeRaw,
        bool isLong,
        uint256 marginRaw,
        int256 jRaw,
        int256 fRaw,
        uint256 priceRaw
    ) public view {
        (int256 s, uint256 m, int256 j) = _boundPosition(sizeRaw, isLong, marginRaw, jRaw);
        int256 f = bound(fRaw, -FUNDING_MAX, FUNDING_MAX);
        int256 p = int256(bound(priceRaw, 1, uint256(PRICE_MAX)));

        int256 k = h.k(s, m, j);
        int256 exact = _equity36(s, m, j, f, p);
        int256 viaK = _kEquity36(s, k, f, p);

        // K = J ∓ ⌊m·1e18/|s|⌋: the K form drops (m·1e18 mod |s|), never more, and never credits the trader.
        assertLe(viaK, exact, "K form above the exact equity");
        assertLt(exact - viaK, _abs(s), "K form off by more than the rounding of m/|s|");
        assertEq(exact - viaK, int256(m) * SWAD % _abs(s), "K form off by other than m*1e18 mod |s|");
    }

    function test_fuzz_bankruptcyPrice_isKPlusFundingWhereEquityReachesZero(
        uint256 sizeRaw,
        bool isLong,
        uint256 marginRaw,
        int256 jRaw,
        int256 fRaw
    ) public view {
        (int256 s, uint256 m, int256 j) = _boundPosition(sizeRaw, isLong, marginRaw, jRaw);
        int256 f = bound(fRaw, -FUNDING_MAX, FUNDING_MAX);

        int256 bankruptcy = h.bankruptcyPrice(s, m, j, f);
        int256 exact = _equity36(s, m, j, f, bankruptcy);

        assertEq(bankruptcy - f, h.k(s, m, j), "bankruptcy price is not K + F");
        // K errs towards liquidation: at the bankruptcy price what is left is the rounding dust, never a deficit.
        assertGe(exact, 0, "negative equity at the bankruptcy price");
        assertLt(exact, _abs(s), "equity at the bankruptcy price above the rounding of K");
    }

    /// @dev The engine's pro-rata slice: margin m·q/|s| rounded down, J kept. The remainder keeps the dust, so its
    /// margin per unit can only grow: K moves towards safety (down for longs, up for shorts), by at most
    /// ⌈1e18/|s'|⌉ wei: one wei when the remainder holds at least one unit, more for smaller remainders.
    function test_fuzz_k_proRataSliceMovesKOnlyByTheMarginDust(
        uint256 sizeRaw,
        bool isLong,
        uint256 marginRaw,
        int256 jRaw,
        uint256 closeRaw
    ) public view {
        (int256 s, uint256 m, int256 j) = _boundPosition(sizeRaw, isLong, marginRaw, jRaw);
        uint256 sizeAbs = uint256(_abs(s));
        uint256 q = bound(closeRaw, 1, sizeAbs - 1);

        uint256 sliceMargin = FixedPointMath.mulDivDown(m, q, sizeAbs);
        uint256 remainderMargin = m - sliceMargin;
        uint256 remainderAbs = sizeAbs - q;
        int256 remainder = isLong ? int256(remainderAbs) : -int256(remainderAbs);

        int256 kBefore = h.k(s, m, j);
        int256 kAfter = h.k(remainder, remainderMargin, j);
        int256 maxMove = int256((1e18 + remainderAbs - 1) / remainderAbs);

        if (isLong) {
            assertLe(kAfter, kBefore, "long K moved towards liquidation");
            assertLe(kBefore - kAfter, maxMove, "long K moved by more than the dust");
        } else {
            assertGe(kAfter, kBefore, "short K moved towards liquidation");
            assertLe(kAfter - kBefore, maxMove, "short K moved by more than the dust");
        }
        // The dust stays in the remainder: m'·|s| ≥ m·|s'|, by less than one wei of margin.
        assertGe(remainderMargin * sizeAbs, m * remainderAbs, "remainder lost margin to the slice");
        assertLt(remainderMargin * sizeAbs - m * remainderAbs, sizeAbs, "remainder kept more than the dust");
    }

    /* INCREASE */

    function test_fuzz_increasedJ_isTheSizeWeightedAverageRoundedAgainstTheTrader(
        uint256 sizeRaw,
        bool isLong,
        int256 jRaw,
        uint256 addedRaw,
        uint256 fillRaw,
        int256 fRaw
    ) public view {
        (int256 s,, int256 j) = _boundPosition(sizeRaw, isLong, 1, jRaw);
        uint256 added = bound(addedRaw, SIZE_MIN, SIZE_MAX);
        uint256 fill = bound(fillRaw, 1, uint256(PRICE_MAX));
        int256 f = bound(fRaw, -FUNDING_MAX, FUNDING_MAX);

        int256 newJ = h.increasedJ(s, j, added, fill, f);
        int256 weighted = _abs(s) * j + int256(added) * (int256(fill) - f);
        int256 total = _abs(s) + int256(added);

        if (isLong) {
            assertGe(newJ * total, weighted, "long J rounded in the trader's favour");
            assertLt((newJ - 1) * total, weighted, "long J more than one wei above the average");
        } else {
            assertLe(newJ * total, weighted, "short J rounded in the trader's favour");
            assertGt((newJ + 1) * total, weighted, "short J more than one wei below the average");
        }
    }

    /// @dev With J' the exact average, s'·(fill − F − J') = s·(fill − F − J): the increase moves no value. The
    /// rounding of J' may only take from the trader, less than one wei of price per unit.
    function test_fuzz_increasedJ_keepsEquityAtTheFillPriceUpToRoundingAgainstTheTrader(
        uint256 sizeRaw,
        bool isLong,
        uint256 marginRaw,
        int256 jRaw,
        uint256 addedRaw,
        uint256 fillRaw,
        int256 fRaw
    ) public view {
        (int256 s, uint256 m, int256 j) = _boundPosition(sizeRaw, isLong, marginRaw, jRaw);
        uint256 added = bound(addedRaw, SIZE_MIN, SIZE_MAX);
        int256 fill = int256(bound(fillRaw, 1, uint256(PRICE_MAX)));
        int256 f = bound(fRaw, -FUNDING_MAX, FUNDING_MAX);

        int256 newJ = h.increasedJ(s, j, added, uint256(fill), f);
        int256 newS = isLong ? s + int256(added) : s - int256(added);
        int256 before = _equity36(s, m, j, f, fill);
        int256 afterIncrease = _equity36(newS, m, newJ, f, fill);

        assertLe(afterIncrease, before, "the increase credited the trader");
        assertLt(before - afterIncrease, _abs(newS), "the increase took more than the rounding of J");
    }

    /* LIQUIDATION */

    /// @dev At the liquidation price the exact equity is MMR·|s|·P, above it by less than the rounding of K
    /// (|s| in 36 decimals) plus that of the price (|s|·(1 ∓ MMR)). Compared in 54 decimals.
    function test_fuzz_liquidationPrice_equityThereIsMaintenanceMargin(
        uint256 sizeRaw,
        bool isLong,
        uint256 marginRaw,
        int256 jRaw,
        int256 fRaw,
        uint256 mmrRaw
    ) public view {
        uint256 sizeAbs = bound(sizeRaw, SIZE_MIN, 1e25);
        int256 s = isLong ? int256(sizeAbs) : -int256(sizeAbs);
        int256 j = bound(jRaw, 1e6, 1e24);
        // Margin at most the entry notional (leverage ≥ 1x) keeps the products below 2^255.
        uint256 m = bound(marginRaw, 1, FixedPointMath.max(1, sizeAbs * uint256(j) / 1e18));
        int256 f = bound(fRaw, -1e22, 1e22);
        uint256 mmr = bound(mmrRaw, 1, 5e17);

        int256 liquidation = h.liquidationPrice(s, m, j, f, mmr);
        int256 surplus54 = _equity36(s, m, j, f, liquidation) * SWAD - int256(mmr * sizeAbs) * liquidation;

        assertGe(surplus54, 0, "equity below maintenance margin at the liquidation price");
        int256 maxSurplus = int256(sizeAbs) * (isLong ? 2e18 - int256(mmr) : 2e18 + int256(mmr));
        assertLt(surplus54, maxSurplus, "equity above maintenance margin by more than the rounding");
    }

    function test_fuzz_isLiquidatable_isMonotoneInPrice(
        uint256 sizeRaw,
        bool isLong,
        uint256 marginRaw,
        int256 jRaw,
        int256 fRaw,
        uint256 priceRaw,
        uint256 gapRaw
    ) public view {
        LiquidationCase memory c = _boundLiquidationCase(sizeRaw, isLong, marginRaw, jRaw, fRaw);
        // Prices around the liquidation price, where the answer flips.
        int256 liquidation = h.liquidationPrice(c.s, c.m, c.j, c.f, MMR_WAD);
        uint256 center = liquidation > 1e6 ? uint256(liquidation) : uint256(c.j);
        uint256 low = bound(priceRaw, center - center / 100, center + center / 100);
        uint256 high = low + bound(gapRaw, 0, center / 50);

        bool atLow = h.isLiquidatable(c.s, c.m, c.j, c.f, low, MMR_WAD);
        bool atHigh = h.isLiquidatable(c.s, c.m, c.j, c.f, high, MMR_WAD);

        if (isLong) assertTrue(!atHigh || atLow, "long liquidatable at a higher price but not at a lower one");
        else assertTrue(!atLow || atHigh, "short liquidatable at a lower price but not at a higher one");
    }

    struct LiquidationCase {
        int256 s;
        uint256 m;
        int256 j;
        int256 f;
    }

    function _boundLiquidationCase(uint256 sizeRaw, bool isLong, uint256 marginRaw, int256 jRaw, int256 fRaw)
        internal
        pure
        returns (LiquidationCase memory c)
    {
        uint256 sizeAbs = bound(sizeRaw, SIZE_MIN, 1e25);
        c.s = isLong ? int256(sizeAbs) : -int256(sizeAbs);
        c.j = bound(jRaw, 1e18, 1e24);
        c.m = bound(marginRaw, 1, FixedPointMath.max(1, sizeAbs * uint256(c.j) / 1e18));
        c.f = bound(fRaw, -1e17, 1e17);
    }

    /// @dev A long of 0.3178 units at 53.83 margin: liquidatable at P but not one wei lower, because the
    /// equity rounds down and the requirement rounds up by steps that do not line up at sub-unit sizes.
    /// DESIGN: liquidatable ⟺ K > P·(1 − MMR) − F, which is monotone in P. Found by exhaustive search near the
    /// liquidation price; fails until isLiquidatable compares K (or the exact equity) with one threshold.
    function test_isLiquidatable_isMonotoneInPriceAtTheRoundingBoundary() public view {
        int256 s = 317_793_961_729_011_917;
        uint256 m = 53_825_119_473_253_792_165;
        int256 j = 3_307_330_251_340_923_579_275;
        uint256 p = 3_166_457_245_778_929_600_378;

        bool atP = h.isLiquidatable(s, m, j, 0, p, MMR_WAD);
        bool belowP = h.isLiquidatable(s, m, j, 0, p - 1, MMR_WAD);

        assertTrue(!atP || belowP, "long liquidatable at P but not at P - 1 wei");
    }

    /// @dev DESIGN: ordered by K, the liquidatable positions of a side are always a prefix. Positions are built
    /// around the threshold K* = P·(1 ∓ MMR) − F so that both answers occur; for every pair, the one with the
    /// riskier K must be liquidatable whenever the other is.
    function test_fuzz_isLiquidatable_liquidatableSetIsAPrefixWhenOrderedByK(
        bool isLong,
        uint256 priceRaw,
        int256 fRaw,
        uint256[4] memory sizeRaw,
        uint256[4] memory distanceRaw,
        int256[4] memory kOffsetRaw
    ) public view {
        uint256 p = bound(priceRaw, 1e18, 1e24);
        int256 f = bound(fRaw, -int256(p / 10), int256(p / 10));
        int256 threshold =
            (isLong ? int256(p * (1e18 - MMR_WAD)) : int256(p * (1e18 + MMR_WAD))) / SWAD - f;

        int256[4] memory k;
        bool[4] memory liquidatable;
        for (uint256 i; i < 4; ++i) {
            int256 targetK = threshold + bound(kOffsetRaw[i], -int256(p / 1000), int256(p / 1000));
            (k[i], liquidatable[i]) = _positionAroundK(isLong, targetK, sizeRaw[i], distanceRaw[i], f, p);
        }

        for (uint256 a; a < 4; ++a) {
            for (uint256 b; b < 4; ++b) {
                bool aRiskier = isLong ? k[a] > k[b] : k[a] < k[b];
                if (aRiskier && liquidatable[b]) assertTrue(liquidatable[a], "liquidatable set is not a prefix by K");
            }
        }
    }

    /// @dev A position whose K is about `targetK`: J one margin-per-unit away from it, on the profitable side.
    function _positionAroundK(bool isLong, int256 targetK, uint256 sizeRaw, uint256 distanceRaw, int256 f, uint256 p)
        internal
        view
        returns (int256 k, bool liquidatable)
    {
        uint256 sizeAbs = bound(sizeRaw, 1e15, 1e24);
        int256 s = isLong ? int256(sizeAbs) : -int256(sizeAbs);
        int256 distance = int256(bound(distanceRaw, 1, p / 2));
        int256 j = isLong ? targetK + distance : targetK - distance;
        uint256 m = uint256(distance) * sizeAbs / 1e18;
        k = h.k(s, m, j);
        liquidatable = h.isLiquidatable(s, m, j, f, p, MMR_WAD);
    }

    /// @dev Two longs at P: B (0.3178 units) has K one wei below A (1,000 units), so A comes first in the K
    /// order, yet B is liquidatable and A is not. B's exact equity is 0.88 wei above maintenance; the rounding of
    /// equity and requirement (up to 3 wei, i.e. 9.4 wei per unit for B) flags it, while A's own rounding is
    /// spread over 1,000 units. Fails until isLiquidatable is evaluated on K.
    function test_isLiquidatable_liquidatableSetIsAPrefixByKAtTheRoundingBoundary() public view {
        uint256 p = 3_166_457_245_778_929_600_378;
        int256 sB = 317_793_961_729_011_917;
        uint256 mB = 53_825_119_473_253_792_165;
        int256 jB = 3_307_330_251_340_923_579_275;
        int256 sA = 1_000e18;
        uint256 mA = 5_000_000e18;
        int256 jA = 8_137_959_130_566_919_233_973;

        assertGt(h.k(sA, mA, jA), h.k(sB, mB, jB), "A is not ahead of B in the K order");
        bool liquidatableB = h.isLiquidatable(sB, mB, jB, 0, p, MMR_WAD);
        bool liquidatableA = h.isLiquidatable(sA, mA, jA, 0, p, MMR_WAD);

        assertTrue(!liquidatableB || liquidatableA, "B liquidatable behind a healthy A in the K order");
    }

    /* FILL PRICE */

    function test_fuzz_fillPrice_roundsAgainstTheTrader(
        uint256 priceRaw,
        int256 skewRaw,
        int256 deltaRaw,
        uint256 scaleRaw
    ) public view {
        uint256 scale = bound(scaleRaw, 1e18, 1e36);
        uint256 p = bound(priceRaw, 4, uint256(PRICE_MAX));
        // Impact below 75% keeps the fill positive.
        int256 skew = bound(skewRaw, -int256(scale / 4), int256(scale / 4));
        int256 delta = bound(deltaRaw, -int256(scale / 4), int256(scale / 4));
        if (delta == 0) delta = 1;

        uint256 fill = h.fillPrice(p, skew, delta, scale);
        // fill = P·(1 + (2·skew + Δ)/(2·scale)); exact value × 2·scale:
        int256 twoScale = 2 * int256(scale);
        int256 exact = int256(p) * twoScale + int256(p) * (2 * skew + delta);

        if (delta > 0) {
            assertGe(int256(fill) * twoScale, exact, "buy filled below the exact price");
            assertLt((int256(fill) - 1) * twoScale, exact, "buy filled more than one wei above");
        } else {
            assertLe(int256(fill) * twoScale, exact, "sell filled above the exact price");
            assertGt((int256(fill) + 1) * twoScale, exact, "sell filled more than one wei below");
        }
    }

    function test_fuzz_fillPrice_skewReducingTradeBeatsTheOracle(
        uint256 priceRaw,
        uint256 skewRaw,
        uint256 deltaRaw,
        uint256 scaleRaw,
        bool skewIsLong
    ) public view {
        uint256 scale = bound(scaleRaw, 1e18, 1e36);
        uint256 p = bound(priceRaw, 4, uint256(PRICE_MAX));
        uint256 skewAbs = bound(skewRaw, 1, scale / 4);
        // Opposite side, strictly less than twice the skew: |skew after| < |skew before|.
        uint256 deltaAbs = skewAbs == 1 ? 1 : bound(deltaRaw, 1, 2 * skewAbs - 1);
        int256 skew = skewIsLong ? int256(skewAbs) : -int256(skewAbs);
        int256 delta = skewIsLong ? -int256(deltaAbs) : int256(deltaAbs);

        uint256 fill = h.fillPrice(p, skew, delta, scale);
        // The impact's magnitude is P·|2·skew + Δ|/(2·scale); at one wei or more the improvement is strict.
        bool impactReachesOneWei = p * (2 * skewAbs - deltaAbs) >= 2 * scale;

        if (skewIsLong) {
            assertGe(fill, p, "sell into a long skew filled below the oracle");
            if (impactReachesOneWei) assertGt(fill, p, "sell into a long skew got no improvement");
        } else {
            assertLe(fill, p, "buy into a short skew filled above the oracle");
            if (impactReachesOneWei) assertLt(fill, p, "buy into a short skew got no improvement");
        }
    }

    function test_fuzz_fillPrice_skewIncreasingTradePaysTheImpact(
        uint256 priceRaw,
        uint256 skewRaw,
        uint256 deltaRaw,
        uint256 scaleRaw,
        bool isBuy
    ) public view {
        uint256 scale = bound(scaleRaw, 1e18, 1e36);
        uint256 p = bound(priceRaw, 4, uint256(PRICE_MAX));
        int256 skewAbs = int256(bound(skewRaw, 0, scale / 4));
        int256 deltaAbs = int256(bound(deltaRaw, 1, scale / 4));
        // Same side as the skew (or no skew): the trade widens it.
        int256 skew = isBuy ? skewAbs : -skewAbs;
        int256 delta = isBuy ? deltaAbs : -deltaAbs;

        uint256 fill = h.fillPrice(p, skew, delta, scale);

        if (isBuy) assertGt(fill, p, "buy widening the skew filled at or below the oracle");
        else assertLt(fill, p, "sell widening the skew filled at or above the oracle");
    }

    /* LEVERAGE AND TIERS */

    function test_fuzz_chosenLeverage_roundsUp(
        uint256 sizeRaw,
        bool isLong,
        uint256 marginRaw,
        int256 jRaw,
        int256 f0Raw
    ) public view {
        (int256 s, uint256 m, int256 j) = _boundPosition(sizeRaw, isLong, marginRaw, jRaw);
        int256 f0 = bound(f0Raw, -(j - 1), FUNDING_MAX);
        uint256 entry = uint256(j + f0);

        uint256 leverage = h.chosenLeverage(s, m, j, f0);
        uint256 exact = entry * uint256(_abs(s));

        assertGe(leverage * m, exact, "chosen leverage rounded down");
        assertLt((leverage - 1) * m, exact, "chosen leverage more than one wei above");
    }

    function test_fuzz_tierOf_countsTheBoundsExceededStrictly(uint256 leverageRaw, uint32[4] memory gapsRaw)
        public
        view
    {
        uint32[4] memory bounds;
        uint32 previous = 10_000;
        for (uint256 i; i < 4; ++i) {
            previous += uint32(bound(gapsRaw[i], 1, 2_000_000));
            bounds[i] = previous;
        }
        uint256 leverage = bound(leverageRaw, 0, 2 * uint256(previous) * 1e14);

        uint8 expected;
        for (uint256 i; i < 4; ++i) {
            if (leverage > uint256(bounds[i]) * 1e14) ++expected;
        }

        assertEq(h.tierOf(leverage, bounds), expected);
    }

    /// @dev A position whose chosen leverage is exactly a bound (E·|s|/m = bound with E = J + F0) stays in the
    /// tier below it; one wei less margin puts it in the tier above.
    function test_fuzz_tierOf_exactBoundStaysInTheLowerTier(
        uint256 boundIndexRaw,
        uint256 entryRaw,
        uint256 unitsRaw,
        int256 f0Raw,
        bool isLong
    ) public view {
        uint32[4] memory bounds = _presetBounds();
        uint256 i = bound(boundIndexRaw, 0, 3);
        uint256 boundWad = uint256(bounds[i]) * 1e14;
        uint256 entry = bound(entryRaw, 1e18, 1e24);
        uint256 units = bound(unitsRaw, 1, 1e6);
        int256 f0 = bound(f0Raw, -1e17, 1e17);
        // E·|s|/m = entry·(units·bound)/(entry·units) = bound, exactly.
        int256 s = isLong ? int256(units * boundWad) : -int256(units * boundWad);
        uint256 m = entry * units;
        int256 j = int256(entry) - f0;

        assertEq(h.chosenLeverage(s, m, j, f0), boundWad, "leverage is not exactly the bound");
        assertEq(h.tierOf(h.chosenLeverage(s, m, j, f0), bounds), i, "exact bound not in the lower tier");
        assertEq(h.tierOf(h.chosenLeverage(s, m - 1, j, f0), bounds), i + 1, "above the bound not in the next tier");
    }

    function test_tierOf_presetBoundsPlaceExactLeveragesBelowAndAboveTheTop() public view {
        uint32[4] memory bounds = _presetBounds();

        assertEq(h.tierOf(1e18, bounds), 0, "1x");
        assertEq(h.tierOf(3e18, bounds), 0, "exactly 3x is exempt");
        assertEq(h.tierOf(3e18 + 1, bounds), 1, "just above 3x");
        assertEq(h.tierOf(10e18, bounds), 1, "exactly 10x is in the 3-10x tier");
        assertEq(h.tierOf(10e18 + 1, bounds), 2, "just above 10x");
        assertEq(h.tierOf(20e18, bounds), 2, "exactly 20x");
        assertEq(h.tierOf(40e18, bounds), 3, "exactly 40x");
        assertEq(h.tierOf(40e18 + 1, bounds), 4, "just above the top bound");
        assertEq(h.tierOf(1000e18, bounds), 4, "far above the top bound");
        assertEq(h.tierOf(h.chosenLeverage(1e18, 0, 4000e18, 0), bounds), 4, "no margin is the top tier");
    }

    function _presetBounds() internal pure returns (uint32[4] memory) {
        return [uint32(30_000), 100_000, 200_000, 400_000];
    }
}
