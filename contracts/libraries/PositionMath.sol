// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMath} from "./FixedPointMath.sol";

/// @title PositionMath
/// @notice The per-position formulas of DESIGN "Positions", on a signed size s (long > 0), margin m,
/// break-even J and the market's cumulative funding index F, at oracle price P:
///     equity = m + s·(P − F − J)
///     K = J − m/|s| (long), J + m/|s| (short): the bankruptcy price is K + F
///     profit per unit π = P − F − J (long), J + F − P (short)
/// K and J change only when the owner trades or moves margin, never with the price or with time.
/// @dev Rounding: values that favour the trader round against them (equity down, K towards liquidation,
/// chosen leverage up).
library PositionMath {
    using FixedPointMath for uint256;
    using FixedPointMath for int256;

    int256 internal constant SWAD = 1e18;
    uint256 internal constant X1E4_TO_WAD = 1e14;

    /// @notice s·(P − F − J): unrealised PnL including accrued funding and the entry's price impact, rounded down.
    function pnl(int256 sizeWad, int256 jWad, int256 fundingIndexWad, uint256 priceWad)
        internal
        pure
        returns (int256)
    {
        return sizeWad.sMulDown(int256(priceWad) - fundingIndexWad - jWad);
    }

    /// @notice m + s·(P − F − J), rounded down.
    function equity(int256 sizeWad, uint256 marginWad, int256 jWad, int256 fundingIndexWad, uint256 priceWad)
        internal
        pure
        returns (int256)
    {
        return int256(marginWad) + pnl(sizeWad, jWad, fundingIndexWad, priceWad);
    }

    /// @notice |s|·P rounded up (used for requirements) .
    function notionalUp(int256 sizeWad, uint256 priceWad) internal pure returns (uint256) {
        return sizeWad.abs().wMulUp(priceWad);
    }

    /// @notice |s|·P rounded down (used for caps the trader must stay under and minimum sizes).
    function notionalDown(int256 sizeWad, uint256 priceWad) internal pure returns (uint256) {
        return sizeWad.abs().wMulDown(priceWad);
    }

    /// @notice ratio·|s|·P rounded up: the margin a position needs at that ratio.
    function requiredMargin(int256 sizeWad, uint256 priceWad, uint256 ratioWad) internal pure returns (uint256) {
        return notionalUp(sizeWad, priceWad).wMulUp(ratioWad);
    }

    /// @notice K = J ∓ m/|s|, with m/|s| rounded down so that K errs towards liquidation.
    function k(int256 sizeWad, uint256 marginWad, int256 jWad) internal pure returns (int256) {
        int256 marginPerUnit = int256(marginWad.wDivDown(sizeWad.abs()));
        return sizeWad > 0 ? jWad - marginPerUnit : jWad + marginPerUnit;
    }

    /// @notice Bankruptcy price K + F: where equity reaches zero.
    function bankruptcyPrice(int256 sizeWad, uint256 marginWad, int256 jWad, int256 fundingIndexWad)
        internal
        pure
        returns (int256)
    {
        return k(sizeWad, marginWad, jWad) + fundingIndexWad;
    }

    /// @notice The oracle price at which equity equals maintenance margin: (K + F)/(1 − MMR) for longs,
    /// (K + F)/(1 + MMR) for shorts, rounded towards liquidation (up for longs, down for shorts).
    function liquidationPrice(
        int256 sizeWad,
        uint256 marginWad,
        int256 jWad,
        int256 fundingIndexWad,
        uint256 mmrWad
    ) internal pure returns (int256) {
        int256 bankruptcy = bankruptcyPrice(sizeWad, marginWad, jWad, fundingIndexWad);
        if (sizeWad > 0) return (bankruptcy * SWAD).divUp(SWAD - int256(mmrWad));
        return (bankruptcy * SWAD).divDown(SWAD + int256(mmrWad));
    }

    /// @notice The K beyond which a side is liquidatable at price P: P·(1 − MMR) − F for longs (rounded down),
    /// P·(1 + MMR) − F for shorts (rounded up), both rounding towards liquidation.
    function liquidationThresholdK(bool isLong, uint256 priceWad, int256 fundingIndexWad, uint256 mmrWad)
        internal
        pure
        returns (int256)
    {
        int256 buffer = int256(priceWad.wMulUp(mmrWad));
        return isLong ? int256(priceWad) - buffer - fundingIndexWad : int256(priceWad) + buffer - fundingIndexWad;
    }

    /// @notice Liquidatable when equity at P (no fee, no impact) < MMR·|s|·P, that is longs with
    /// K > P·(1 − MMR) − F and shorts with K < P·(1 + MMR) − F.
    /// @dev Decided on K, not on a rounded equity against a rounded requirement: so the liquidatable positions of
    /// a side are exactly a prefix of the K order and the set only grows as the price moves against the side.
    /// K and the threshold both round towards liquidation, by at most a wei each against the exact condition.
    function isLiquidatable(
        int256 sizeWad,
        uint256 marginWad,
        int256 jWad,
        int256 fundingIndexWad,
        uint256 priceWad,
        uint256 mmrWad
    ) internal pure returns (bool) {
        bool isLong = sizeWad > 0;
        int256 threshold = liquidationThresholdK(isLong, priceWad, fundingIndexWad, mmrWad);
        int256 kWad = k(sizeWad, marginWad, jWad);
        return isLong ? kWad > threshold : kWad < threshold;
    }

    /// @notice The leverage the owner chose, E·|s|/m with E = J + F0, rounded up (a higher tier is the safe
    /// side). A position without margin has unbounded leverage.
    function chosenLeverage(int256 sizeWad, uint256 marginWad, int256 jWad, int256 f0Wad)
        internal
        pure
        returns (uint256)
    {
        int256 entry = jWad + f0Wad;
        if (marginWad == 0) return type(uint256).max;
        if (entry <= 0) return 0;
        return uint256(entry).mulDivUp(sizeWad.abs(), marginWad);
    }

    /// @notice The ADL tier of a chosen leverage: the number of bounds it exceeds strictly. 0 is exempt.
    /// @dev The bounds ascend strictly (the registry enforces it), so the count is the first bound not exceeded.
    function tierOf(uint256 leverageWad, uint32[4] memory boundsX1e4) internal pure returns (uint8) {
        unchecked {
            // A uint32 bound times 1e14 cannot overflow.
            for (uint256 i; i < 4; ++i) {
                if (leverageWad <= uint256(boundsX1e4[i]) * X1E4_TO_WAD) return uint8(i);
            }
            return 4;
        }
    }

    /// @notice Fill price with skew impact: P·(1 + (skew before + skew after)/2/skewScale), rounded against
    /// the trader (up for a buy, down for a sell). Trades that reduce the skew get a better price.
    /// @return fillWad The fill price; zero when the impact would push it to zero or below.
    function fillPrice(uint256 priceWad, int256 skewBeforeWad, int256 sizeDeltaWad, uint256 skewScaleWad)
        internal
        pure
        returns (uint256 fillWad)
    {
        int256 numerator = int256(priceWad) * (2 * skewBeforeWad + sizeDeltaWad);
        int256 denominator = 2 * int256(skewScaleWad);
        int256 impact = sizeDeltaWad > 0 ? numerator.divUp(denominator) : numerator.divDown(denominator);
        int256 fill = int256(priceWad) + impact;
        return fill > 0 ? uint256(fill) : 0;
    }

    /// @notice The break-even after an increase: the size-weighted average of the old J and (fill − F),
    /// rounded up for longs and down for shorts (against the trader).
    function increasedJ(int256 sizeWad, int256 jWad, uint256 addedSizeWad, uint256 fillWad, int256 fundingIndexWad)
        internal
        pure
        returns (int256)
    {
        uint256 oldSize = sizeWad.abs();
        int256 weighted = int256(oldSize) * jWad + int256(addedSizeWad) * (int256(fillWad) - fundingIndexWad);
        int256 total = int256(oldSize + addedSizeWad);
        return sizeWad > 0 ? weighted.divUp(total) : weighted.divDown(total);
    }

    /// @notice fee = |Δs|·fill·rate, rounded up.
    function fee(uint256 sizeAbsWad, uint256 fillWad, uint256 rateWad) internal pure returns (uint256) {
        return sizeAbsWad.wMulUp(fillWad).wMulUp(rateWad);
    }
}
