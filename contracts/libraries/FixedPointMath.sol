// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title FixedPointMath
/// @notice 18-decimal fixed point ("WAD") arithmetic. Every function names its rounding direction so each
/// call site can choose the one that favours the protocol's solvency.
/// @dev Signed variants round towards negative infinity ("Down") or positive infinity ("Up"), never towards
/// zero, so a rounding against the trader stays against the trader whatever the sign of the value.
library FixedPointMath {
    uint256 internal constant WAD = 1e18;
    int256 internal constant SWAD = 1e18;

    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return _mulDiv(x, y, d, false);
    }

    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return _mulDiv(x, y, d, true);
    }

    function wMulDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return _mulDiv(x, y, WAD, false);
    }

    function wMulUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return _mulDiv(x, y, WAD, true);
    }

    function wDivDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return _mulDiv(x, WAD, y, false);
    }

    function wDivUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return _mulDiv(x, WAD, y, true);
    }

    /// @dev x · y / d, exact before rounding. When the product fits in 256 bits (every amount the protocol
    /// handles) it divides directly; otherwise OpenZeppelin's 512-bit mulDiv gives the same result. A zero d
    /// panics (0x12) on both paths.
    function _mulDiv(uint256 x, uint256 y, uint256 d, bool up) private pure returns (uint256) {
        unchecked {
            uint256 p = x * y;
            if (x == 0 || p / x == y) {
                uint256 q = p / d;
                return up && p % d != 0 ? q + 1 : q;
            }
        }
        return Math.mulDiv(x, y, d, up ? Math.Rounding.Ceil : Math.Rounding.Floor);
    }

    /// @notice Signed x / d rounded towards negative infinity (d > 0).
    function divDown(int256 x, int256 d) internal pure returns (int256 q) {
        q = x / d;
        if (x % d != 0 && x < 0) q -= 1;
    }

    /// @notice Signed x / d rounded towards positive infinity (d > 0).
    function divUp(int256 x, int256 d) internal pure returns (int256 q) {
        q = x / d;
        if (x % d != 0 && x > 0) q += 1;
    }

    /// @notice Signed (x · y) / WAD rounded towards negative infinity. The product must fit in int256.
    function sMulDown(int256 x, int256 y) internal pure returns (int256) {
        return divDown(x * y, SWAD);
    }

    /// @notice Signed (x · y) / WAD rounded towards positive infinity. The product must fit in int256.
    function sMulUp(int256 x, int256 y) internal pure returns (int256) {
        return divUp(x * y, SWAD);
    }

    function abs(int256 x) internal pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }

    function min(int256 a, int256 b) internal pure returns (int256) {
        return a < b ? a : b;
    }

    function max(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a : b;
    }

    function minU(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
