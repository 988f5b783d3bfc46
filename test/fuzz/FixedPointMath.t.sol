// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test, stdError} from "forge-std/Test.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {FixedPointMath} from "../../contracts/libraries/FixedPointMath.sol";

/// @notice Rounding direction of every FixedPointMath primitive: each result is checked against the exact
/// rational value, computed where it fits in 256 bits.
contract FixedPointMathFuzzTest is Test {
    int256 internal constant SWAD = 1e18;
    /// @dev Keeps signed products inside int256 (2^120 · 2^120 < 2^255).
    int256 internal constant SIGNED_OPERAND_MAX = int256(1 << 120);

    function test_fuzz_mulDivDown_isTheFloorOfTheExactQuotient(uint256 x, uint256 y, uint256 d) public pure {
        x = bound(x, 0, type(uint128).max);
        y = bound(y, 0, type(uint128).max);
        d = bound(d, 1, type(uint256).max);

        uint256 down = FixedPointMath.mulDivDown(x, y, d);
        uint256 up = FixedPointMath.mulDivUp(x, y, d);

        // x·y fits, so the exact quotient lies in [down, down + 1) and up is its ceiling.
        assertLe(down * d, x * y, "down above exact");
        assertLt(x * y - down * d, d, "down more than one below exact");
        assertEq(up, x * y % d == 0 ? down : down + 1, "up is not the ceiling");
    }

    function test_fuzz_mulDivUp_exceedsDownOnlyByTheRemainder(uint256 x, uint256 y, uint256 d) public pure {
        // Full 256-bit operands; d ≥ x keeps the quotient ≤ y, so it fits.
        d = bound(d, x == 0 ? 1 : x, type(uint256).max);

        uint256 down = FixedPointMath.mulDivDown(x, y, d);
        uint256 up = FixedPointMath.mulDivUp(x, y, d);
        uint256 remainder = mulmod(x, y, d);

        assertEq(up - down, remainder == 0 ? 0 : 1, "down and up differ by more than the rounding");
        assertLe(down, y, "quotient above y although d >= x");
        // down·d + remainder = x·y modulo 2^256 (mulmod is exact over 512 bits).
        unchecked {
            assertEq(down * d + remainder, x * y, "down*d + remainder is not x*y");
        }
    }

    /// @dev The direct path (the product fits in 256 bits) and the 512-bit fallback give OpenZeppelin's result.
    function test_fuzz_mulDiv_matchesTheFullPrecisionMulDiv(uint256 x, uint256 y, uint256 d, bool wide) public pure {
        if (!wide) {
            x = bound(x, 0, type(uint128).max);
            y = bound(y, 0, type(uint128).max);
        }
        d = bound(d, x == 0 ? 1 : x, type(uint256).max); // the quotient fits
        assertEq(FixedPointMath.mulDivDown(x, y, d), Math.mulDiv(x, y, d), "down");
        assertEq(FixedPointMath.mulDivUp(x, y, d), Math.mulDiv(x, y, d, Math.Rounding.Ceil), "up");
    }

    function mulDivDownExternal(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return FixedPointMath.mulDivDown(x, y, d);
    }

    function test_fuzz_mulDiv_byZeroPanicsOnBothPaths(uint256 x, uint256 y) public {
        vm.expectRevert(stdError.divisionError);
        this.mulDivDownExternal(bound(x, 0, type(uint128).max), bound(y, 0, type(uint128).max), 0);
        vm.expectRevert(stdError.divisionError);
        this.mulDivDownExternal(bound(x, 1 << 200, type(uint256).max), bound(y, 1 << 200, type(uint256).max), 0);
    }

    function test_fuzz_wMulAndWDiv_roundAsNamed(uint256 x, uint256 y) public pure {
        x = bound(x, 0, type(uint128).max);
        y = bound(y, 1, type(uint128).max);

        assertEq(FixedPointMath.wMulDown(x, y), x * y / 1e18, "wMulDown");
        assertEq(FixedPointMath.wMulUp(x, y), (x * y + 1e18 - 1) / 1e18, "wMulUp");
        assertEq(FixedPointMath.wDivDown(x, y), x * 1e18 / y, "wDivDown");
        assertEq(FixedPointMath.wDivUp(x, y), (x * 1e18 + y - 1) / y, "wDivUp");
    }

    function test_fuzz_divDown_roundsTowardsNegativeInfinity(int256 x, int256 d) public pure {
        x = bound(x, -(int256(1) << 200), int256(1) << 200);
        d = bound(d, 1, int256(1) << 50);

        int256 q = FixedPointMath.divDown(x, d);

        assertLe(q * d, x, "divDown above the exact quotient");
        assertGt((q + 1) * d, x, "divDown more than one below the exact quotient");
    }

    function test_fuzz_divUp_roundsTowardsPositiveInfinity(int256 x, int256 d) public pure {
        x = bound(x, -(int256(1) << 200), int256(1) << 200);
        d = bound(d, 1, int256(1) << 50);

        int256 q = FixedPointMath.divUp(x, d);

        assertGe(q * d, x, "divUp below the exact quotient");
        assertLt((q - 1) * d, x, "divUp more than one above the exact quotient");
    }

    function test_fuzz_divDownAndDivUp_differOnlyWhenInexact(int256 x, int256 d) public pure {
        x = bound(x, type(int256).min + 1, type(int256).max);
        d = bound(d, 1, type(int256).max);

        int256 down = FixedPointMath.divDown(x, d);
        int256 up = FixedPointMath.divUp(x, d);

        assertEq(up - down, x % d == 0 ? int256(0) : int256(1), "down and up differ by more than the rounding");
    }

    function test_fuzz_sMulDown_bracketsTheExactProductWithSMulUp(int256 x, int256 y) public pure {
        x = bound(x, -SIGNED_OPERAND_MAX, SIGNED_OPERAND_MAX);
        y = bound(y, -SIGNED_OPERAND_MAX, SIGNED_OPERAND_MAX);

        int256 down = FixedPointMath.sMulDown(x, y);
        int256 up = FixedPointMath.sMulUp(x, y);
        int256 exact = x * y;

        assertLe(down * SWAD, exact, "sMulDown above the exact product");
        assertGt((down + 1) * SWAD, exact, "sMulDown more than one below");
        assertGe(up * SWAD, exact, "sMulUp below the exact product");
        assertLt((up - 1) * SWAD, exact, "sMulUp more than one above");
        assertEq(up - down, exact % SWAD == 0 ? int256(0) : int256(1), "down and up differ by more than one");
    }

    function test_fuzz_abs_isTheMagnitude(int256 x) public pure {
        x = bound(x, type(int256).min + 1, type(int256).max);

        uint256 a = FixedPointMath.abs(x);

        assertEq(int256(a), x >= 0 ? x : -x);
    }
}
