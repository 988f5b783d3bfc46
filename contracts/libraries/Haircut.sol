// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMath} from "./FixedPointMath.sol";

/// @title Haircut
/// @notice The minimal-socialisation price of an ADL round: the fills q_i (sizes) of profitable counterparties
/// with profit per unit π_i > 0 must cover a deficit U. With G = Σ q_i·π_i: if U ≥ G every haircut is its
/// whole profit (h_i = π_i, the rest of U is bad debt); otherwise the uniform level x with
/// Σ q_i·min(x, π_i) = U (water-filling) gives h_i = min(x, π_i). So the haircuts exactly cover U, nobody
/// loses principal (h_i ≤ π_i), and with no deficit every fill is at the oracle price.
/// @dev At most the ADL fill budget of fills (e.g. 16), so sorting them in memory is a few lines over a few
/// items. The level rounds up and each haircut is capped at the fill's own profit (rounded down); the dust above
/// U goes to the insurance fund, and a shortfall of a few wei from the capped fills' rounding is made up by the
/// most profitable fills.
library Haircut {
    using FixedPointMath for uint256;

    /// @param sizesWad q_i, the fills' sizes.
    /// @param profitsPerUnitWad π_i, each > 0.
    /// @param deficitWad U.
    /// @return levelWad x, the haircut per unit of the least profitable fills that are not capped
    /// (type(uint256).max when every fill is capped at its profit).
    /// @return haircutsWad q_i·min(x, π_i) per fill, in USD, never above the fill's profit q_i·π_i (rounded down).
    /// @return totalWad Σ haircuts.
    function waterFill(uint256[] memory sizesWad, uint256[] memory profitsPerUnitWad, uint256 deficitWad)
        internal
        pure
        returns (uint256 levelWad, uint256[] memory haircutsWad, uint256 totalWad)
    {
        uint256 n = sizesWad.length;
        haircutsWad = new uint256[](n);
        if (n == 0 || deficitWad == 0) return (0, haircutsWad, 0);

        uint256[] memory order = _sortByProfit(profitsPerUnitWad);
        levelWad = type(uint256).max;
        // Walk up the fills by profit: below level π_k, the fills before k are capped and the rest pay π_k.
        uint256 cappedUsd; // Σ q_i·π_i over capped fills (exact, 36 decimals)
        uint256 sizeAbove; // Σ q_i over fills not capped yet
        for (uint256 i; i < n; ++i) sizeAbove += sizesWad[i];
        uint256 deficitScaled = deficitWad * FixedPointMath.WAD;
        for (uint256 k; k < n; ++k) {
            uint256 idx = order[k];
            uint256 costAtLevel = cappedUsd + profitsPerUnitWad[idx] * sizeAbove;
            if (costAtLevel >= deficitScaled) {
                levelWad = (deficitScaled - cappedUsd).mulDivUp(1, sizeAbove);
                break;
            }
            cappedUsd += profitsPerUnitWad[idx] * sizesWad[idx];
            sizeAbove -= sizesWad[idx];
        }
        for (uint256 i; i < n; ++i) {
            uint256 profitUsd = sizesWad[i].wMulDown(profitsPerUnitWad[i]);
            uint256 cut = levelWad == type(uint256).max ? profitUsd : sizesWad[i].wMulUp(levelWad);
            if (cut > profitUsd) cut = profitUsd;
            haircutsWad[i] = cut;
            totalWad += cut;
        }
        if (totalWad < deficitWad) {
            totalWad = _makeUpShortfall(sizesWad, profitsPerUnitWad, order, haircutsWad, deficitWad, totalWad);
        }
    }

    /// @dev Capped fills pay their profit rounded down, so the sum can fall a few wei short of the deficit: the
    /// most profitable fills make it up, each within its own profit, so the haircuts cover the deficit exactly.
    function _makeUpShortfall(
        uint256[] memory sizesWad,
        uint256[] memory profitsPerUnitWad,
        uint256[] memory order,
        uint256[] memory haircutsWad,
        uint256 deficitWad,
        uint256 totalWad
    ) private pure returns (uint256) {
        for (uint256 k = order.length; k > 0 && totalWad < deficitWad; --k) {
            uint256 idx = order[k - 1];
            uint256 room = sizesWad[idx].wMulDown(profitsPerUnitWad[idx]) - haircutsWad[idx];
            uint256 add = room < deficitWad - totalWad ? room : deficitWad - totalWad;
            haircutsWad[idx] += add;
            totalWad += add;
        }
        return totalWad;
    }

    /// @dev Indices of `values` in ascending order (insertion sort: n is the small fill budget).
    function _sortByProfit(uint256[] memory values) private pure returns (uint256[] memory order) {
        uint256 n = values.length;
        order = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 j = i;
            while (j > 0 && values[order[j - 1]] > values[i]) {
                order[j] = order[j - 1];
                --j;
            }
            order[j] = i;
        }
    }
}
