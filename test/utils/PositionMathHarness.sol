// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PositionMath} from "../../contracts/libraries/PositionMath.sol";

/// @title PositionMathHarness
/// @notice Exposes PositionMath's internal functions as external calls, so fuzz tests exercise the library as
/// compiled (an overflow reverts the call instead of being folded into the test's own arithmetic).
contract PositionMathHarness {
    function pnl(int256 sizeWad, int256 jWad, int256 fundingIndexWad, uint256 priceWad)
        external
        pure
        returns (int256)
    {
        return PositionMath.pnl(sizeWad, jWad, fundingIndexWad, priceWad);
    }

    function equity(int256 sizeWad, uint256 marginWad, int256 jWad, int256 fundingIndexWad, uint256 priceWad)
        external
        pure
        returns (int256)
    {
        return PositionMath.equity(sizeWad, marginWad, jWad, fundingIndexWad, priceWad);
    }

    function requiredMargin(int256 sizeWad, uint256 priceWad, uint256 ratioWad) external pure returns (uint256) {
        return PositionMath.requiredMargin(sizeWad, priceWad, ratioWad);
    }

    function k(int256 sizeWad, uint256 marginWad, int256 jWad) external pure returns (int256) {
        return PositionMath.k(sizeWad, marginWad, jWad);
    }

    function bankruptcyPrice(int256 sizeWad, uint256 marginWad, int256 jWad, int256 fundingIndexWad)
        external
        pure
        returns (int256)
    {
        return PositionMath.bankruptcyPrice(sizeWad, marginWad, jWad, fundingIndexWad);
    }

    function liquidationPrice(int256 sizeWad, uint256 marginWad, int256 jWad, int256 fundingIndexWad, uint256 mmrWad)
        external
        pure
        returns (int256)
    {
        return PositionMath.liquidationPrice(sizeWad, marginWad, jWad, fundingIndexWad, mmrWad);
    }

    function isLiquidatable(
        int256 sizeWad,
        uint256 marginWad,
        int256 jWad,
        int256 fundingIndexWad,
        uint256 priceWad,
        uint256 mmrWad
    ) external pure returns (bool) {
        return PositionMath.isLiquidatable(sizeWad, marginWad, jWad, fundingIndexWad, priceWad, mmrWad);
    }

    function chosenLeverage(int256 sizeWad, uint256 marginWad, int256 jWad, int256 f0Wad)
        external
        pure
        returns (uint256)
    {
        return PositionMath.chosenLeverage(sizeWad, marginWad, jWad, f0Wad);
    }

    function tierOf(uint256 leverageWad, uint32[4] memory boundsX1e4) external pure returns (uint8) {
        return PositionMath.tierOf(leverageWad, boundsX1e4);
    }

    function fillPrice(uint256 priceWad, int256 skewBeforeWad, int256 sizeDeltaWad, uint256 skewScaleWad)
        external
        pure
        returns (uint256)
    {
        return PositionMath.fillPrice(priceWad, skewBeforeWad, sizeDeltaWad, skewScaleWad);
    }

    function increasedJ(int256 sizeWad, int256 jWad, uint256 addedSizeWad, uint256 fillWad, int256 fundingIndexWad)
        external
        pure
        returns (int256)
    {
        return PositionMath.increasedJ(sizeWad, jWad, addedSizeWad, fillWad, fundingIndexWad);
    }

    function fee(uint256 sizeAbsWad, uint256 fillWad, uint256 rateWad) external pure returns (uint256) {
        return PositionMath.fee(sizeAbsWad, fillWad, rateWad);
    }
}
