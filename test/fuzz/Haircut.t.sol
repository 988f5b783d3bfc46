// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {Haircut} from "../../contracts/libraries/Haircut.sol";

/// @notice Water-filling haircuts: cover the deficit, never above a fill's profit, one level for all.
contract HaircutTest is Test {
    uint256 internal constant WAD = 1e18;

    function _fills(uint256 seed, uint256 n) internal pure returns (uint256[] memory q, uint256[] memory pi) {
        q = new uint256[](n);
        pi = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            q[i] = bound(r, 1e15, 1e24); // 0.001 to 1M units
            pi[i] = bound(r >> 96, 1, 1e23); // up to $100k of profit per unit
        }
    }

    function test_waterFill_noDeficitMeansNoHaircut() public pure {
        (uint256[] memory q, uint256[] memory pi) = _fills(1, 4);
        (, uint256[] memory h, uint256 total) = Haircut.waterFill(q, pi, 0);
        assertEq(total, 0);
        for (uint256 i; i < 4; ++i) assertEq(h[i], 0);
    }

    function test_waterFill_capRoundingShortfallIsMadeUpByAnUncappedFill() public pure {
        // Sizes 1.5, 0.5 and 1 units at 1, 1 and 10 wei of profit per unit; deficit 4 wei. The level caps the first
        // two (their profits round down to 1 and 0 wei); the third makes up the rest: 1 + 0 + 3 = 4.
        uint256[] memory q = new uint256[](3);
        uint256[] memory pi = new uint256[](3);
        (q[0], q[1], q[2]) = (1.5e18, 0.5e18, 1e18);
        (pi[0], pi[1], pi[2]) = (1, 1, 10);
        (, uint256[] memory h, uint256 total) = Haircut.waterFill(q, pi, 4);
        assertEq(total, 4);
        assertEq(h[0], 1);
        assertEq(h[1], 0);
        assertEq(h[2], 3);
    }

    function test_waterFill_workedExample() public pure {
        // Profits per unit 1, 2, 10 on 10 units each; U = 50. Level x: 10·1 + 20·x = 50 → x = 2 (fill 0 capped at 1,
        // fills 1 and 2 at 2 each): haircuts 10, 20, 20.
        uint256[] memory q = new uint256[](3);
        uint256[] memory pi = new uint256[](3);
        (q[0], q[1], q[2]) = (10 * WAD, 10 * WAD, 10 * WAD);
        (pi[0], pi[1], pi[2]) = (10 * WAD, 1 * WAD, 2 * WAD);
        (uint256 level, uint256[] memory h, uint256 total) = Haircut.waterFill(q, pi, 50 * WAD);
        assertEq(level, 2 * WAD);
        assertEq(h[0], 20 * WAD);
        assertEq(h[1], 10 * WAD);
        assertEq(h[2], 20 * WAD);
        assertEq(total, 50 * WAD);
    }

    function test_waterFill_deficitAboveAllProfitTakesAllProfit() public pure {
        uint256[] memory q = new uint256[](2);
        uint256[] memory pi = new uint256[](2);
        (q[0], q[1]) = (3 * WAD, 5 * WAD);
        (pi[0], pi[1]) = (7 * WAD, 1 * WAD);
        (uint256 level, uint256[] memory h, uint256 total) = Haircut.waterFill(q, pi, 1000 * WAD);
        assertEq(level, type(uint256).max);
        assertEq(h[0], 21 * WAD);
        assertEq(h[1], 5 * WAD);
        assertEq(total, 26 * WAD);
    }

    function test_fuzz_waterFill_coversTheDeficitWithoutTouchingPrincipal(uint256 seed, uint256 n, uint256 deficit)
        public
        pure
    {
        n = bound(n, 1, 16);
        (uint256[] memory q, uint256[] memory pi) = _fills(seed, n);
        uint256 profitTotal;
        uint256 sizeTotal;
        for (uint256 i; i < n; ++i) {
            profitTotal += q[i] * pi[i] / WAD;
            sizeTotal += q[i];
        }
        deficit = bound(deficit, 1, profitTotal * 2 + 1);
        (uint256 level, uint256[] memory h, uint256 total) = Haircut.waterFill(q, pi, deficit);

        uint256 sum;
        for (uint256 i; i < n; ++i) {
            uint256 profit = q[i] * pi[i] / WAD;
            assertLe(h[i], profit, "no haircut above the fill's profit");
            // One level for everyone: a fill below the level gives all its profit, the others the level.
            if (level != type(uint256).max && pi[i] > level) {
                assertGe(h[i], q[i] * level / WAD, "uncapped fills pay the level");
            } else {
                assertEq(h[i], profit, "capped fills give their whole profit");
            }
            sum += h[i];
        }
        assertEq(sum, total);
        if (deficit >= profitTotal) {
            assertEq(total, profitTotal, "everything taken, the rest is bad debt");
        } else {
            assertGe(total, deficit, "covers the deficit exactly");
            assertLe(total, deficit + n + sizeTotal / WAD + 1, "and no more than rounding dust");
        }
    }
}
