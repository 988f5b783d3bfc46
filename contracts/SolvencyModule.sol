// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {EngineStorage} from "./EngineStorage.sol";
import {ISolvencyModule, Position, MarketState} from "./interfaces/IPerpEngine.sol";
import {MarketConfig} from "./interfaces/IMarketRegistry.sol";
import {PositionMath} from "./libraries/PositionMath.sol";
import {FundingMath} from "./libraries/FundingMath.sol";
import {TierList} from "./libraries/TierList.sol";
import {IMarketRegistry, ProtocolConfig} from "./interfaces/IMarketRegistry.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";

/// @title SolvencyModule
/// @notice Vault-solvency ADL: when one side's unrealised profit grows past the trigger ratio of the vault's
/// equity, anyone may close that side's ADL heads (highest tier first, most profit per unit first) at the oracle
/// price until the ratio is back under the target. Unlike GMX v2, whose keeper picks the victims, the victims
/// here are the order's head, checked on chain. Also the engine's derived views (mark price, funding index
/// accrued to now, equity, list ends). Runs by delegatecall on the engine's storage.
contract SolvencyModule is EngineStorage, ISolvencyModule {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;
    using FixedPointMath for uint256;
    using FixedPointMath for int256;

    /// @param collateral_ The engine's collateral token (the immutables must match the engine's).
    /// @param registry_ The engine's market registry.
    constructor(IERC20 collateral_, IMarketRegistry registry_) EngineStorage(collateral_, registry_) {}

    /// @inheritdoc ISolvencyModule
    function setMarketParams(uint256 marketId, uint24 nonce) external override {
        if (msg.sender != address(_registry)) revert NotRegistry(msg.sender);
        if (nonce == 0) revert ZeroAmount();
        _markets[marketId].paramsNonce = nonce;
        emit MarketParamsSet(marketId, _paramsPointer(marketId));
    }

    /// @inheritdoc ISolvencyModule
    function marketParamsOf(uint256 marketId) external view override returns (address) {
        return _paramsPointer(marketId);
    }

    /// @inheritdoc ISolvencyModule
    function pause() external override onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc ISolvencyModule
    function unpause() external override onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc ISolvencyModule
    function positionOf(address account, uint256 marketId) external view override returns (Position memory) {
        return _positions[marketId][_accounts[account].id];
    }

    /// @inheritdoc ISolvencyModule
    function accountOf(uint32 accountId) external view override returns (address) {
        return _accountOf[accountId];
    }

    /// @inheritdoc ISolvencyModule
    function marketState(uint256 marketId) external view override returns (MarketState memory s) {
        MarketStore storage m = _markets[marketId];
        (int256 longPnl, int256 shortPnl, uint256 notional) = _cached(m);
        s = MarketState(
            m.longSizeWad,
            m.shortSizeWad,
            m.longJSum,
            m.shortJSum,
            m.fundingIndexWad,
            m.lastUpdateTime,
            m.lastPriceWad,
            notional.toUint128(),
            longPnl.toInt128(),
            shortPnl.toInt128()
        );
    }

    /// @inheritdoc ISolvencyModule
    function vaultCashWad() external view override returns (int256) {
        return _vaultCashWad;
    }

    /// @inheritdoc ISolvencyModule
    function vaultEquityWad() external view override returns (int256) {
        return _vaultEquity();
    }

    /// @inheritdoc ISolvencyModule
    function insuranceFundWad() external view override returns (uint256) {
        return _insuranceFundWad;
    }

    /// @inheritdoc ISolvencyModule
    function treasuryWad() external view override returns (uint256) {
        return _treasuryWad;
    }

    /// @inheritdoc ISolvencyModule
    function applyTierDrop(address account, uint256 marketId, uint32[] calldata hints) external override nonReentrant {
        uint32 id = _accounts[account].id;
        Position memory p = _positions[marketId][id];
        if (p.pendingTierSince == 0) revert NoTierDropPending(account, marketId);
        Ctx memory ctx;
        ctx.marketId = marketId;
        ctx.protocol = _params(marketId).protocol;
        uint256 dueAt = uint256(p.pendingTierSince) + ctx.protocol.tierDropDelay;
        if (block.timestamp < dueAt) revert TierDropNotDue(dueAt);
        uint8 oldTier = p.tier;
        p.tier = p.pendingTier;
        p.pendingTier = 0;
        p.pendingTierSince = 0;
        _moveList(ctx, id, p, oldTier, hints);
        _emitPosition(marketId, account, p);
        emit TierDropApplied(account, marketId, p.tier, msg.sender);
    }

    /// @inheritdoc ISolvencyModule
    function poke(uint256 marketId) external override nonReentrant {
        Ctx memory ctx = _load(marketId);
        _refreshCache(ctx);
        emit MarketPoked(marketId, ctx.priceWad, ctx.fundingIndexWad);
    }

    /// @inheritdoc ISolvencyModule
    function donateInsurance(uint256 amountTokens) external override nonReentrant {
        _pullTokens(msg.sender, amountTokens);
        _insuranceFundWad += (amountTokens * TOKEN_TO_WAD).toUint128();
        emit InsuranceDonated(msg.sender, amountTokens);
    }

    /// @inheritdoc ISolvencyModule
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
        _treasuryWad -= uint120(amountWad);
        emit TreasuryWithdrawn(to, amountTokens);
        collateral.safeTransfer(to, amountTokens);
    }

    /// @inheritdoc ISolvencyModule
    function deleverageForSolvency(uint256 marketId, bool isLong)
        external
        override
        nonReentrant
        returns (uint256 closedWad)
    {
        Ctx memory ctx = _load(marketId);
        if (ctx.inGracePeriod) revert SequencerGracePeriod();
        ctx.profitScaleWad = _profitScaleAt(ctx);
        (uint256 profitBefore, int256 equity) = _sideProfitAndEquity(ctx, isLong);
        uint256 trigger = equity > 0 ? uint256(equity).wMulDown(ctx.protocol.adlTriggerRatioWad) : 0;
        if (profitBefore <= trigger) {
            revert SolvencyAdlNotTriggered(profitBefore, equity, ctx.protocol.adlTriggerRatioWad);
        }
        Walk memory w = Walk(_excessOverTarget(ctx, isLong, profitBefore, equity), ctx.protocol.adlFillBudget, 0);
        for (uint8 tier = 4; tier >= 1 && w.excess != 0 && w.budget != 0; --tier) {
            uint32 node = _lists[marketId][_listKey(isLong, tier)].head;
            while (node != 0 && w.excess != 0 && w.budget != 0) {
                node = _deleverageHead(ctx, isLong, node, w);
            }
        }
        closedWad = w.closedWad;
        uint256 reward = _payKeeper(ctx, closedWad);
        _refreshCache(ctx);
        (uint256 profitAfter,) = _sideProfitAndEquity(ctx, isLong);
        emit SolvencyAdl(marketId, isLong, msg.sender, closedWad, profitBefore, profitAfter, reward);
    }

    /// @dev Side profit above the target ratio. Realising profit at P leaves the vault's equity unchanged and lowers
    /// the side's profit one for one; the keeper's reward does lower the equity, so the target counts the largest
    /// reward this call could pay.
    function _excessOverTarget(Ctx memory ctx, bool isLong, uint256 sideProfit, int256 equity)
        internal
        view
        returns (uint256)
    {
        MarketStore storage m = _markets[ctx.marketId];
        int256 equityAfterReward = equity - int256(_reward(ctx, isLong ? m.longSizeWad : m.shortSizeWad));
        uint256 target =
            equityAfterReward > 0 ? uint256(equityAfterReward).wMulDown(ctx.protocol.adlTargetRatioWad) : 0;
        return sideProfit > target ? sideProfit - target : 0;
    }

    /// @dev What is left to close, in side profit, and of the fill budget.
    struct Walk {
        uint256 excess;
        uint256 budget;
        uint256 closedWad;
    }

    /// @dev Closes just enough of one head to bring the ratio to the target (sizes round down).
    /// @return next The following position in the list, or 0 to end this tier (a head without profit).
    function _deleverageHead(Ctx memory ctx, bool isLong, uint32 node, Walk memory w) internal returns (uint32 next) {
        Position memory p = _positions[ctx.marketId][node];
        next = p.nextId;
        int256 netPrice = int256(ctx.priceWad) - ctx.fundingIndexWad;
        int256 profit = isLong ? netPrice - p.jWad : p.jWad - netPrice;
        if (profit <= 0) return 0;
        // Rounded up: a partial close realises at least the excess (q·π ≥ excess, and excess is whole), so it
        // brings the side to or under the target and ends the walk; no wei-sized closes of later heads follow.
        uint256 q = FixedPointMath.minU(int256(p.sizeWad).abs(), w.excess.wDivUp(uint256(profit)));
        uint256 realised = _closeAtPrice(ctx, node, p, q, uint256(profit));
        w.excess = realised >= w.excess ? 0 : w.excess - realised;
        w.closedWad += q;
        --w.budget;
    }

    /// @inheritdoc ISolvencyModule
    function solvencyAdlStatus(uint256 marketId, bool isLong)
        external
        view
        override
        returns (uint256 sideProfitWad, int256 vaultEquityWad, bool triggered)
    {
        Ctx memory ctx;
        ctx.marketId = marketId;
        ctx.protocol = _registry.protocolConfig();
        (ctx.priceWad,) = markPrice(marketId);
        ctx.fundingIndexWad = currentFundingIndex(marketId);
        (ctx.cachedLongPnlWad, ctx.cachedShortPnlWad, ctx.cachedNotionalWad) = _cached(_markets[marketId]);
        (sideProfitWad, vaultEquityWad) = _sideProfitAndEquity(ctx, isLong);
        triggered = vaultEquityWad > 0
            ? sideProfitWad > uint256(vaultEquityWad).wMulDown(ctx.protocol.adlTriggerRatioWad)
            : sideProfitWad > 0;
    }

    /// @inheritdoc ISolvencyModule
    function positionById(uint256 marketId, uint32 accountId) external view override returns (Position memory) {
        return _positions[marketId][accountId];
    }

    /// @inheritdoc ISolvencyModule
    function listEnds(uint256 marketId, bool isLong, uint8 tier)
        external
        view
        override
        returns (uint32 head, uint32 tail, uint32 size)
    {
        TierList.Ends storage e = _lists[marketId][_listKey(isLong, tier)];
        return (e.head, e.tail, e.length);
    }

    /// @inheritdoc ISolvencyModule
    function markPrice(uint256 marketId) public view override returns (uint256 priceWad, bool fresh) {
        try _registry.readPrice(marketId) returns (uint256 p, bool, bool) {
            return (p, true);
        } catch {
            return (_markets[marketId].lastPriceWad, false);
        }
    }

    /// @inheritdoc ISolvencyModule
    function currentFundingIndex(uint256 marketId) public view override returns (int256) {
        MarketStore storage m = _markets[marketId];
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

    /// @inheritdoc ISolvencyModule
    function equityOf(address account, uint256 marketId) external view override returns (int256) {
        Position memory p = _positions[marketId][_accounts[account].id];
        (uint256 priceWad,) = markPrice(marketId);
        return PositionMath.equity(p.sizeWad, p.marginWad, p.jWad, currentFundingIndex(marketId), priceWad);
    }

    /// @inheritdoc ISolvencyModule
    function vaultWithdrawableWad() external view override returns (uint256) {
        if (_positionsInLiquidation != 0) return 0;
        ProtocolConfig memory pc = _registry.protocolConfig();
        int256 equity = _vaultEquity();
        // Equity after must stay ≥ floor and > profit / stopRatio.
        uint256 byProfit = uint256(_totalTraderProfitWad).wDivUp(pc.withdrawStopRatioWad);
        if (_totalTraderProfitWad != 0) byProfit += 1;
        int256 room = equity - int256(FixedPointMath.max(_floor(pc), byProfit));
        int256 cash = _vaultCashWad;
        if (room > cash) room = cash;
        return room > 0 ? uint256(room) : 0;
    }

    /// @inheritdoc ISolvencyModule
    function solvencyFloorWad() external view override returns (uint256) {
        return _floor(_registry.protocolConfig());
    }

    /// @inheritdoc ISolvencyModule
    function tradersProfitWad() external view override returns (uint256) {
        return _totalTraderProfitWad;
    }

    /// @inheritdoc ISolvencyModule
    function totalNotionalWad() external view override returns (uint256) {
        return _totalNotionalWad;
    }

    /// @inheritdoc ISolvencyModule
    function profitScaleWad() external view override returns (uint256) {
        uint256 scalingRatioWad = _registry.protocolConfig().scalingRatioWad;
        return _scaleFactor(_vaultEquity(), int256(uint256(_totalTraderProfitWad)), scalingRatioWad);
    }

    /// @inheritdoc ISolvencyModule
    function lockedProfitWad(address account) external view override returns (uint256) {
        return _lockedProfit(account);
    }

    /// @inheritdoc ISolvencyModule
    function profitWithheldWad(uint256 marketId) external view override returns (uint256) {
        return _losses[marketId].profitWithheldWad;
    }

    function _sideProfitAndEquity(Ctx memory ctx, bool isLong) internal view returns (uint256, int256) {
        (int256 longPnl, int256 shortPnl,) = _sidePnl(_markets[ctx.marketId], ctx.priceWad, ctx.fundingIndexWad);
        int256 side = isLong ? longPnl : shortPnl;
        return (side > 0 ? uint256(side) : 0, _vaultEquityAt(ctx));
    }

    /// @dev A forced pro-rata close of q units at P: no fee, no impact, no haircut (profit scaling still applies).
    function _closeAtPrice(Ctx memory ctx, uint32 id, Position memory p, uint256 q, uint256 profitPerUnit)
        internal
        returns (uint256 realised)
    {
        address owner = _accountOf[id];
        realised = q.wMulDown(profitPerUnit);
        uint256 paid = uint256(_payRealised(ctx, owner, int256(realised)));
        int256 closed = p.sizeWad > 0 ? -int256(q) : int256(q);
        p = _forceClose(ctx, id, p, owner, q, paid);
        emit SolvencyDeleveraged(owner, ctx.marketId, closed, ctx.priceWad, int256(paid));
        _emitPosition(ctx.marketId, owner, p);
    }

    function _reward(Ctx memory ctx, uint256 sizeWad) internal pure returns (uint256) {
        return FixedPointMath.max(
            ctx.protocol.keeperRewardFloorUsdWad, sizeWad.wMulUp(ctx.priceWad).wMulUp(ctx.protocol.keeperRewardRatioWad)
        );
    }

    /// @dev The vault pays the keeper, max(floor, fraction of the closed notional).
    function _payKeeper(Ctx memory ctx, uint256 closedWad) internal returns (uint256 reward) {
        if (closedWad == 0) return 0;
        reward = _reward(ctx, closedWad);
        _vaultCashWad -= reward.toInt256().toInt128();
        _credit(msg.sender, reward);
    }
}
