// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPerpEngine, Position} from "../interfaces/IPerpEngine.sol";
import {MarketConfig} from "../interfaces/IMarketRegistry.sol";
import {FixedPointMath} from "../libraries/FixedPointMath.sol";
import {PositionMath} from "../libraries/PositionMath.sol";
import {TierList} from "../libraries/TierList.sol";

/// @title PerpLens
/// @notice Read-only views for frontends, the SDK and keepers: a position's derived numbers, paged walks of the
/// ADL tier lists (from which the SDK computes a position's ADL standing) and approximate insertion hints by
/// sampling (Liquity's HintHelpers idea). The core never calls it; nothing here walks a whole list in one call.
contract PerpLens {
    using FixedPointMath for uint256;
    using FixedPointMath for int256;

    /// @notice A position with everything users look at, at the mark price and funding accrued to now.
    struct PositionView {
        uint32 accountId;
        int256 sizeWad;
        uint256 marginWad;
        int256 jWad;
        int256 f0Wad;
        /// @notice E = J + F0, the funding-adjusted entry shown to users.
        int256 entryWad;
        uint8 tier;
        uint8 pendingTier;
        uint32 pendingTierSince;
        bool inLiquidation;
        uint256 markPriceWad;
        int256 fundingIndexWad;
        int256 equityWad;
        /// @notice K = J ∓ m/|s|: the keeper's liquidation order.
        int256 kWad;
        int256 bankruptcyPriceWad;
        int256 liquidationPriceWad;
        /// @notice |s|·P / equity (type(uint256).max when equity ≤ 0).
        uint256 effectiveLeverageWad;
        /// @notice E·|s|/m, the leverage the ADL tier is based on.
        uint256 chosenLeverageWad;
        /// @notice Profit per unit at the mark price (no fee, no impact): the ADL order's key.
        int256 profitPerUnitWad;
    }

    IPerpEngine public immutable engine;

    constructor(IPerpEngine engine_) {
        engine = engine_;
    }

    /// @notice The derived numbers of a position (all zero but the ids when there is none).
    function positionView(address account, uint256 marketId) external view returns (PositionView memory v) {
        v.accountId = engine.accountIdOf(account);
        Position memory p = engine.positionById(marketId, v.accountId);
        v.sizeWad = p.sizeWad;
        v.marginWad = p.marginWad;
        v.jWad = p.jWad;
        v.f0Wad = p.f0Wad;
        v.entryWad = int256(p.jWad) + p.f0Wad;
        v.tier = p.tier;
        v.pendingTier = p.pendingTier;
        v.pendingTierSince = p.pendingTierSince;
        v.inLiquidation = p.inLiquidation;
        (v.markPriceWad,) = engine.markPrice(marketId);
        v.fundingIndexWad = engine.currentFundingIndex(marketId);
        if (p.sizeWad == 0) return v;
        MarketConfig memory c = engine.registry().marketConfig(marketId);
        v.equityWad = PositionMath.equity(p.sizeWad, p.marginWad, p.jWad, v.fundingIndexWad, v.markPriceWad);
        v.kWad = PositionMath.k(p.sizeWad, p.marginWad, p.jWad);
        v.bankruptcyPriceWad = v.kWad + v.fundingIndexWad;
        v.liquidationPriceWad = PositionMath.liquidationPrice(p.sizeWad, p.marginWad, p.jWad, v.fundingIndexWad, c.mmrWad);
        uint256 notional = PositionMath.notionalUp(p.sizeWad, v.markPriceWad);
        v.effectiveLeverageWad = v.equityWad > 0 ? notional.wDivUp(uint256(v.equityWad)) : type(uint256).max;
        v.chosenLeverageWad = PositionMath.chosenLeverage(p.sizeWad, p.marginWad, p.jWad, p.f0Wad);
        int256 netPrice = int256(v.markPriceWad) - v.fundingIndexWad;
        v.profitPerUnitWad = p.sizeWad > 0 ? netPrice - p.jWad : p.jWad - netPrice;
    }

    /// @notice One page of a tier list, head first.
    /// @param cursor The id to start from (0 = the head).
    /// @param maxCount Page size.
    /// @return ids The page's account ids.
    /// @return positions Their positions.
    /// @return nextCursor Where the next page starts (0 when the list ends).
    function walkList(uint256 marketId, bool isLong, uint8 tier, uint32 cursor, uint256 maxCount)
        external
        view
        returns (uint32[] memory ids, Position[] memory positions, uint32 nextCursor)
    {
        (uint32 head,, uint32 length) = engine.listEnds(marketId, isLong, tier);
        uint256 n = maxCount < length ? maxCount : length;
        ids = new uint32[](n);
        positions = new Position[](n);
        uint32 id = cursor == 0 ? head : cursor;
        uint256 count;
        while (id != 0 && count < n) {
            Position memory p = engine.positionById(marketId, id);
            ids[count] = id;
            positions[count] = p;
            ++count;
            id = p.nextId;
        }
        assembly ("memory-safe") {
            mstore(ids, count)
            mstore(positions, count)
        }
        nextCursor = id;
    }

    /// @notice An approximate predecessor for inserting a position with break-even `jWad` into a tier list, by
    /// sampling `numTrials` random account ids: the member closest to the insertion point from the head side.
    /// With numTrials ≈ k·√(list length) the hint is within a few steps of the exact place with high
    /// probability; the insertion then walks the rest. Returns 0 (the head) when no sample precedes it.
    /// @return hintId The suggested predecessor.
    /// @return latestRandomSeed Pass it back to continue sampling.
    function approxHint(
        uint256 marketId,
        bool isLong,
        uint8 tier,
        int256 jWad,
        uint256 numTrials,
        uint256 inputRandomSeed
    ) external view returns (uint32 hintId, uint256 latestRandomSeed) {
        uint32 accounts = engine.accountCount();
        latestRandomSeed = inputRandomSeed;
        int256 bestJ;
        bool found;
        for (uint256 i; i < numTrials && accounts != 0; ++i) {
            latestRandomSeed = uint256(keccak256(abi.encode(latestRandomSeed)));
            uint32 id = uint32(latestRandomSeed % accounts) + 1;
            Position memory p = engine.positionById(marketId, id);
            if (p.sizeWad == 0 || (p.sizeWad > 0) != isLong || p.tier != tier) continue;
            // An insertion goes behind every member with J at or before `jWad`: those are its predecessors.
            if (!TierList.precedesNew(isLong, p.jWad, jWad)) continue;
            if (!found || TierList.precedesNew(isLong, bestJ, p.jWad)) {
                bestJ = p.jWad;
                hintId = id;
                found = true;
            }
        }
    }
}
