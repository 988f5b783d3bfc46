// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {FundingMath} from "../../contracts/libraries/FundingMath.sol";

/// @notice Funding rate and index: clamped, signed like the skew, and additive over time up to truncation.
contract FundingMathFuzzTest is Test {
    uint256 internal constant SCALE_MIN = 1e18;
    uint256 internal constant SCALE_MAX = 1e36;
    uint256 internal constant MAX_RATE = 1e17; // RiskBounds.MAX_FUNDING_RATE_PER_DAY
    int256 internal constant SKEW_MAX = 1e50;
    uint256 internal constant ELAPSED_MAX = 3650 days;

    function _sign(int256 x) internal pure returns (int256) {
        return x > 0 ? int256(1) : x < 0 ? int256(-1) : int256(0);
    }

    function test_fuzz_ratePerDay_clampsAtTheMaximumBeyondTheSkewScale(
        uint256 skewRaw,
        uint256 scaleRaw,
        uint256 maxRaw,
        bool isLong
    ) public pure {
        uint256 scale = bound(scaleRaw, SCALE_MIN, SCALE_MAX);
        uint256 maxRate = bound(maxRaw, 0, MAX_RATE);
        int256 skewAbs = int256(bound(skewRaw, scale, uint256(SKEW_MAX)));
        int256 skew = isLong ? skewAbs : -skewAbs;

        int256 rate = FundingMath.ratePerDay(skew, scale, maxRate);

        assertEq(rate, isLong ? int256(maxRate) : -int256(maxRate));
    }

    function test_fuzz_ratePerDay_signFollowsTheSkewAndNeverExceedsTheMaximum(
        int256 skewRaw,
        uint256 scaleRaw,
        uint256 maxRaw
    ) public pure {
        uint256 scale = bound(scaleRaw, SCALE_MIN, SCALE_MAX);
        uint256 maxRate = bound(maxRaw, 0, MAX_RATE);
        int256 skew = bound(skewRaw, -SKEW_MAX, SKEW_MAX);

        int256 rate = FundingMath.ratePerDay(skew, scale, maxRate);

        assertTrue(_sign(rate) == _sign(skew) || rate == 0, "rate against the skew");
        assertLe(rate, int256(maxRate), "rate above the maximum");
        assertGe(rate, -int256(maxRate), "rate below minus the maximum");
    }

    function test_fuzz_ratePerDay_isMonotoneInTheSkew(int256 skewRaw, int256 stepRaw, uint256 scaleRaw, uint256 maxRaw)
        public
        pure
    {
        uint256 scale = bound(scaleRaw, SCALE_MIN, SCALE_MAX);
        uint256 maxRate = bound(maxRaw, 0, MAX_RATE);
        int256 skew = bound(skewRaw, -SKEW_MAX, SKEW_MAX);
        int256 higher = skew + bound(stepRaw, 0, SKEW_MAX);

        assertLe(FundingMath.ratePerDay(skew, scale, maxRate), FundingMath.ratePerDay(higher, scale, maxRate));
    }

    function test_fuzz_indexDelta_signFollowsTheSkew(
        int256 skewRaw,
        uint256 scaleRaw,
        uint256 maxRaw,
        uint256 priceRaw,
        uint256 elapsedRaw
    ) public pure {
        uint256 scale = bound(scaleRaw, SCALE_MIN, SCALE_MAX);
        int256 skew = bound(skewRaw, -SKEW_MAX, SKEW_MAX);
        uint256 maxRate = bound(maxRaw, 0, MAX_RATE);
        uint256 price = bound(priceRaw, 1, 1e30);
        uint256 elapsed = bound(elapsedRaw, 0, ELAPSED_MAX);

        int256 delta = FundingMath.indexDelta(skew, scale, maxRate, price, elapsed);

        // Longs pay (the index rises) when the skew is long.
        assertTrue(_sign(delta) == _sign(skew) || delta == 0, "index moves against the skew");
        if (elapsed == 0) assertEq(delta, 0, "index moved without time");
    }

    /// @dev Each piece truncates towards zero, so splitting an interval loses at most one wei of index, always
    /// towards zero: |whole| − |pieces| ∈ {0, 1}.
    function test_fuzz_indexDelta_isAdditiveOverSplitIntervalsUpToTruncation(
        int256 skewRaw,
        uint256 scaleRaw,
        uint256 maxRaw,
        uint256 priceRaw,
        uint256 firstRaw,
        uint256 secondRaw
    ) public pure {
        uint256 scale = bound(scaleRaw, SCALE_MIN, SCALE_MAX);
        int256 skew = bound(skewRaw, -SKEW_MAX, SKEW_MAX);
        uint256 maxRate = bound(maxRaw, 0, MAX_RATE);
        uint256 price = bound(priceRaw, 1, 1e30);
        uint256 first = bound(firstRaw, 0, ELAPSED_MAX);
        uint256 second = bound(secondRaw, 0, ELAPSED_MAX);

        int256 whole = FundingMath.indexDelta(skew, scale, maxRate, price, first + second);
        int256 pieces = FundingMath.indexDelta(skew, scale, maxRate, price, first)
            + FundingMath.indexDelta(skew, scale, maxRate, price, second);

        int256 lost = skew >= 0 ? whole - pieces : pieces - whole;
        assertGe(lost, 0, "splitting moved the index away from zero");
        assertLe(lost, 1, "splitting lost more than one wei of index");
    }

    /// @dev The exact index change is P·rate·elapsed/86,400 with the rate already truncated; the result is its
    /// truncation towards zero.
    function test_fuzz_indexDelta_truncatesTheExactAccrual(
        int256 skewRaw,
        uint256 scaleRaw,
        uint256 maxRaw,
        uint256 priceRaw,
        uint256 elapsedRaw
    ) public pure {
        uint256 scale = bound(scaleRaw, SCALE_MIN, SCALE_MAX);
        int256 skew = bound(skewRaw, -SKEW_MAX, SKEW_MAX);
        uint256 maxRate = bound(maxRaw, 0, MAX_RATE);
        uint256 price = bound(priceRaw, 1, 1e30);
        uint256 elapsed = bound(elapsedRaw, 0, ELAPSED_MAX);

        int256 rate = FundingMath.ratePerDay(skew, scale, maxRate);
        int256 delta = FundingMath.indexDelta(skew, scale, maxRate, price, elapsed);
        int256 exactTimesDay = int256(price) * rate * int256(elapsed);
        int256 day = 1e18 * 86_400;

        int256 magnitude = delta >= 0 ? delta : -delta;
        int256 exactMagnitude = exactTimesDay >= 0 ? exactTimesDay : -exactTimesDay;
        assertLe(magnitude * day, exactMagnitude, "index accrued more than the exact amount");
        assertGt((magnitude + 1) * day, exactMagnitude, "index accrued one wei or more below the exact amount");
    }
}
