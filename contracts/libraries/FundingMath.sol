// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title FundingMath
/// @notice Skew-based funding, accrued per second into a market's cumulative index F (funding per unit of
/// size, in price units; longs pay shorts when it rises):
///     rate per day = maxFundingRatePerDay × clamp(skew / skewScale, −1, 1)
///     ΔF = P × rate per day × elapsed / 86,400
/// @dev Divisions truncate towards zero (Solidity's `/`), in this order; the SDK mirrors it to the wei.
library FundingMath {
    int256 internal constant SWAD = 1e18;
    int256 internal constant SECONDS_PER_DAY = 86_400;

    /// @notice clamp(skew / skewScale, −1, 1) as a signed WAD fraction.
    function skewRatio(int256 skewWad, uint256 skewScaleWad) internal pure returns (int256 ratioWad) {
        ratioWad = (skewWad * SWAD) / int256(skewScaleWad);
        if (ratioWad > SWAD) ratioWad = SWAD;
        if (ratioWad < -SWAD) ratioWad = -SWAD;
    }

    /// @notice The funding rate per day at the given skew, as a signed WAD fraction of price.
    function ratePerDay(int256 skewWad, uint256 skewScaleWad, uint256 maxRatePerDayWad)
        internal
        pure
        returns (int256)
    {
        return (int256(maxRatePerDayWad) * skewRatio(skewWad, skewScaleWad)) / SWAD;
    }

    /// @notice The change of the funding index over `elapsed` seconds at constant skew and price.
    function indexDelta(
        int256 skewWad,
        uint256 skewScaleWad,
        uint256 maxRatePerDayWad,
        uint256 priceWad,
        uint256 elapsed
    ) internal pure returns (int256) {
        int256 rate = ratePerDay(skewWad, skewScaleWad, maxRatePerDayWad);
        return (int256(priceWad) * rate * int256(elapsed)) / (SWAD * SECONDS_PER_DAY);
    }
}
