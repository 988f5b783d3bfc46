// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {EngineStorage} from "./EngineStorage.sol";
import {ILiquidationModule, Position, MarketState} from "./interfaces/IPerpEngine.sol";
import {IMarketRegistry, MarketConfig, ProtocolConfig} from "./interfaces/IMarketRegistry.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {PositionMath} from "./libraries/PositionMath.sol";
import {FundingMath} from "./libraries/FundingMath.sol";
import {TierList} from "./libraries/TierList.sol";

/// @title LiquidationModule
/// @notice Liquidation, ADL and the keepers' calls, run by delegatecall from the engine on the engine's
/// storage (the engine's code would not fit 24 KiB with them). Never call this contract directly: its own
/// storage is empty and unused.
contract LiquidationModule is EngineStorage, ILiquidationModule {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;
    using FixedPointMath for uint256;
    using FixedPointMath for int256;

    /// @param collateral_ The engine's collateral token (the immutables must match the engine's).
    /// @param registry_ The engine's market registry.
    constructor(IERC20 collateral_, IMarketRegistry registry_) EngineStorage(collateral_, registry_) {}

    /// @inheritdoc ILiquidationModule
    function applyTierDrop(address account, uint256 marketId, uint32[] calldata hints) external override nonReentrant {
        uint32 id = _accountIdOf[account];
        Position memory p = _positions[marketId][id];
        if (p.pendingTierSince == 0) revert NoTierDropPending(account, marketId);
        Ctx memory ctx;
        ctx.marketId = marketId;
        ctx.protocol = _registry.protocolConfig();
        uint256 dueAt = uint256(p.pendingTierSince) + ctx.protocol.tierDropDelay;
        if (block.timestamp < dueAt) revert TierDropNotDue(dueAt);
        _unlist(marketId, id, p);
        p.tier = p.pendingTier;
        p.pendingTier = 0;
        p.pendingTierSince = 0;
        _storeAndList(ctx, id, p, hints);
        _emitPosition(marketId, account, p);
        emit TierDropApplied(account, marketId, p.tier, msg.sender);
    }

    /// @inheritdoc ILiquidationModule
    function poke(uint256 marketId) external override nonReentrant {
        Ctx memory ctx = _load(marketId);
        _refreshCache(ctx);
        emit MarketPoked(marketId, ctx.priceWad, ctx.fundingIndexWad);
    }

    /// @inheritdoc ILiquidationModule
    function donateInsurance(uint256 amountTokens) external override nonReentrant {
        _pullTokens(msg.sender, amountTokens);
        _insuranceFundWad += (amountTokens * TOKEN_TO_WAD).toUint128();
        emit InsuranceDonated(msg.sender, amountTokens);
    }

    /// @inheritdoc ILiquidationModule
    function withdrawTreasury(address to, uint256 amountTokens)
        external
        override
        nonReentrant
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (to == address(0)) revert ZeroAddress();
        if (amountTokens == 0) revert ZeroAmount();
        uint256 amountWad = amountTokens * TOKEN_TO_WAD;
        if (amountWad > _treasuryWad) revert InsufficientTreasury(_treasuryWad, amountWad);
        _treasuryWad -= uint128(amountWad);
        emit TreasuryWithdrawn(to, amountTokens);
        collateral.safeTransfer(to, amountTokens);
    }

    /// @inheritdoc ILiquidationModule
    function positionById(uint256 marketId, uint32 accountId) external view override returns (Position memory) {
        return _positions[marketId][accountId];
    }

    /// @inheritdoc ILiquidationModule
    function listEnds(uint256 marketId, bool isLong, uint8 tier)
        external
        view
        override
        returns (uint32 head, uint32 tail, uint32 length)
    {
        TierList.Ends storage e = _lists[marketId][_listKey(isLong, tier)];
        return (e.head, e.tail, e.length);
    }

    /// @inheritdoc ILiquidationModule
    function markPrice(uint256 marketId) public view override returns (uint256 priceWad, bool fresh) {
        try _registry.readPrice(marketId) returns (uint256 p, bool, bool) {
            return (p, true);
        } catch {
            return (_markets[marketId].lastPriceWad, false);
        }
    }

    /// @inheritdoc ILiquidationModule
    function currentFundingIndex(uint256 marketId) public view override returns (int256) {
        MarketState storage m = _markets[marketId];
        if (m.lastUpdateTime == 0) return m.fundingIndexWad;
        MarketConfig memory c = _registry.marketConfig(marketId);
        (uint256 priceWad,) = markPrice(marketId);
        return m.fundingIndexWad
            + FundingMath.indexDelta(
                int256(uint256(m.longSizeWad)) - int256(uint256(m.shortSizeWad)),
                c.skewScaleWad,
                c.maxFundingRatePerDayWad,
                priceWad,
                block.timestamp - m.lastUpdateTime
            );
    }

    /// @inheritdoc ILiquidationModule
    function equityOf(address account, uint256 marketId) external view override returns (int256) {
        Position memory p = _positions[marketId][_accountIdOf[account]];
        (uint256 priceWad,) = markPrice(marketId);
        return PositionMath.equity(p.sizeWad, p.marginWad, p.jWad, currentFundingIndex(marketId), priceWad);
    }
}
