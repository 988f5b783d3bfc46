// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {EngineStorage} from "./EngineStorage.sol";
import {ILiquidationModule, Position} from "./interfaces/IPerpEngine.sol";
import {IMarketRegistry, MarketConfig, ProtocolConfig} from "./interfaces/IMarketRegistry.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {PositionMath} from "./libraries/PositionMath.sol";
import {FundingMath} from "./libraries/FundingMath.sol";
import {TierList} from "./libraries/TierList.sol";
import {Haircut} from "./libraries/Haircut.sol";

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

    /// @notice The next module in the chain: selectors this module does not implement run there.
    address public immutable solvencyModule;

    /// @param collateral_ The engine's collateral token (the immutables must match the engine's).
    /// @param registry_ The engine's market registry.
    /// @param solvencyModule_ The SolvencyModule, deployed with the same collateral and registry.
    constructor(IERC20 collateral_, IMarketRegistry registry_, address solvencyModule_)
        EngineStorage(collateral_, registry_)
    {
        if (solvencyModule_ == address(0)) revert ZeroAddress();
        solvencyModule = solvencyModule_;
    }

    /// @notice Selectors this module does not implement run in the solvency module, still on the engine's
    /// storage (delegatecall preserves the context).
    fallback() external {
        _delegate(solvencyModule);
    }

    /* LIQUIDATION */

    /// @dev The ADL fills found for one liquidation: counterparties (ids), sizes and profit per unit at P.
    struct Fills {
        uint32[] ids;
        uint256[] sizesWad;
        uint256[] profitsWad;
        uint256 count;
        uint256 totalWad;
        /// @dev True when the walk ran out of profitable counterparties (not of budget).
        bool exhausted;
    }

    /// @dev One call's remaining ADL fill budget, shared by a batch.
    struct Budget {
        uint256 fillsLeft;
    }

    /// @dev The numbers of one liquidated slice.
    struct Slice {
        uint32 id;
        address account;
        bool isLong;
        uint256 sizeAbsWad;
        uint256 sliceWad;
        uint256 takeoverWad;
        uint256 marginWad;
        int256 equityWad;
        uint256 rewardWad;
        uint256 rewardFromEquityWad;
        uint256 feeWad;
        uint256 feeImpactWad;
        uint256 feeChargedWad;
        uint256 payoutWad;
        uint256 insuranceAvailWad;
        uint256 vaultAvailWad;
        /// @dev Size the vault takes beyond its capacity because no profitable counterparty was left.
        uint256 overrideWad;
    }

    /// @inheritdoc ILiquidationModule
    function liquidate(address account, uint256 marketId) external override nonReentrant returns (uint256) {
        Ctx memory ctx = _loadForLiquidation(marketId);
        uint32 id = _accounts[account].id;
        Position memory p = _positions[marketId][id];
        if (p.sizeWad == 0) revert NoPosition(account, marketId);
        if (!p.inLiquidation && !_isLiquidatable(ctx, p)) {
            revert PositionNotLiquidatable(
                account,
                marketId,
                PositionMath.equity(p.sizeWad, p.marginWad, p.jWad, ctx.fundingIndexWad, ctx.priceWad),
                PositionMath.requiredMargin(p.sizeWad, ctx.priceWad, ctx.config.mmrWad)
            );
        }
        Budget memory budget = Budget(ctx.protocol.adlFillBudget);
        uint256 remaining = _liquidate(ctx, account, id, p, budget);
        _refreshCache(ctx);
        return remaining;
    }

    /// @inheritdoc ILiquidationModule
    function liquidateBatch(uint256 marketId, address[] calldata accounts)
        external
        override
        nonReentrant
        returns (uint256 liquidated)
    {
        Ctx memory ctx = _loadForLiquidation(marketId);
        Budget memory budget = Budget(ctx.protocol.adlFillBudget);
        for (uint256 i; i < accounts.length; ++i) {
            address account = accounts[i];
            uint32 id = _accounts[account].id;
            Position memory p = _positions[marketId][id];
            if (p.sizeWad == 0) {
                emit LiquidationSkipped(account, marketId, NoPosition.selector);
            } else if (!p.inLiquidation && !_isLiquidatable(ctx, p)) {
                emit LiquidationSkipped(account, marketId, PositionNotLiquidatable.selector);
            } else if (_liquidate(ctx, account, id, p, budget) != type(uint256).max) {
                ++liquidated;
            } else {
                emit LiquidationSkipped(account, marketId, AdlBudgetSpent.selector);
            }
        }
        _refreshCache(ctx);
    }

    /// @inheritdoc ILiquidationModule
    function badDebtWad(uint256 marketId) external view override returns (uint256) {
        return _losses[marketId].badDebtWad;
    }

    /// @inheritdoc ILiquidationModule
    function positionsInLiquidation() external view override returns (uint256) {
        return _positionsInLiquidation;
    }

    /// @inheritdoc ILiquidationModule
    function insuranceUsedTodayWad(uint256 marketId) external view override returns (uint256) {
        MarketLosses storage l = _losses[marketId];
        return l.insuranceDay == block.timestamp / 1 days ? l.insuranceUsedWad : 0;
    }

    function _loadForLiquidation(uint256 marketId) internal returns (Ctx memory ctx) {
        ctx = _load(marketId);
        // After an L2 sequencer outage nobody could defend a position: liquidations wait out the grace period.
        if (ctx.inGracePeriod) revert SequencerGracePeriod();
        ctx.profitScaleWad = _profitScaleAt(ctx);
    }

    function _isLiquidatable(Ctx memory ctx, Position memory p) internal pure returns (bool) {
        return PositionMath.isLiquidatable(
            p.sizeWad, p.marginWad, p.jWad, ctx.fundingIndexWad, ctx.priceWad, ctx.config.mmrWad
        );
    }

    /// @dev Runs the waterfall on the slice of the position this call can finish.
    /// @return remaining Size left in liquidation, or type(uint256).max when nothing could be done (a batch
    /// whose ADL budget is spent before this position could take any fill).
    function _liquidate(Ctx memory ctx, address account, uint32 id, Position memory p, Budget memory budget)
        internal
        returns (uint256 remaining)
    {
        Slice memory sl = _sizeUp(ctx, account, id, p);
        Fills memory fills = _planSlice(ctx, sl, p, budget);
        if (sl.sliceWad == 0) return type(uint256).max;

        _settleSlice(ctx, sl, p);
        uint256 adlSize = sl.sliceWad - sl.takeoverWad;
        _payDeficit(ctx, sl, fills);
        remaining = _finishPosition(ctx, sl, p);
        emit Liquidated(
            account,
            ctx.marketId,
            msg.sender,
            sl.isLong ? int256(sl.sliceWad) : -int256(sl.sliceWad),
            ctx.priceWad,
            sl.equityWad,
            sl.rewardWad,
            sl.feeChargedWad,
            sl.takeoverWad,
            adlSize,
            remaining
        );
    }

    /// @dev The whole position's view of the waterfall: reward, vault takeover capacity and what the insurance
    /// fund and the vault's equity can still pay.
    function _sizeUp(Ctx memory ctx, address account, uint32 id, Position memory p)
        internal
        view
        returns (Slice memory sl)
    {
        sl.id = id;
        sl.account = account;
        sl.isLong = p.sizeWad > 0;
        sl.sizeAbsWad = uint256(int256(p.sizeWad).abs());
        uint256 notional = sl.sizeAbsWad.wMulUp(ctx.priceWad);
        sl.rewardWad = FixedPointMath.max(
            ctx.protocol.keeperRewardFloorUsdWad, notional.wMulUp(ctx.protocol.keeperRewardRatioWad)
        );
        MarketLosses storage l = _losses[ctx.marketId];
        uint256 usedToday = l.insuranceDay == block.timestamp / 1 days ? l.insuranceUsedWad : 0;
        uint256 capLeft = ctx.config.insuranceDailyCapUsdWad > usedToday ? ctx.config.insuranceDailyCapUsdWad - usedToday : 0;
        sl.insuranceAvailWad = FixedPointMath.minU(capLeft, _insuranceFundWad);
        int256 vaultEquity = _vaultEquityAt(ctx);
        uint256 floor = _floorAt(ctx);
        sl.vaultAvailWad = vaultEquity > int256(floor) ? uint256(vaultEquity) - floor : 0;
    }

    /// @dev Decides how much of the position this call liquidates: the vault takes over what its capacity
    /// allows (nothing when part of the deficit would stay unpaid), ADL fills the rest up to the budget; when
    /// the budget runs out with counterparties left, only the finished part is liquidated now.
    function _planSlice(Ctx memory ctx, Slice memory sl, Position memory p, Budget memory budget)
        internal
        view
        returns (Fills memory fills)
    {
        int256 equityWhole = PositionMath.equity(p.sizeWad, p.marginWad, p.jWad, ctx.fundingIndexWad, ctx.priceWad);
        uint256 deficitWhole = equityWhole < int256(sl.rewardWad) ? uint256(int256(sl.rewardWad) - equityWhole) : 0;
        bool unpaid = deficitWhole > sl.insuranceAvailWad + sl.vaultAvailWad;
        uint256 takeover = unpaid ? 0 : FixedPointMath.minU(sl.sizeAbsWad, _takeoverCapacity(ctx, sl.isLong));
        uint256 adlNeeded = sl.sizeAbsWad - takeover;
        fills = _collectFills(ctx, !sl.isLong, adlNeeded, budget);
        if (fills.totalWad < adlNeeded && !fills.exhausted) {
            sl.sliceWad = takeover + fills.totalWad;
            sl.takeoverWad = takeover;
        } else {
            // Nobody profitable is left for the rest: the vault takes it regardless of its limits.
            sl.sliceWad = sl.sizeAbsWad;
            sl.takeoverWad = sl.sizeAbsWad - fills.totalWad;
            sl.overrideWad = sl.takeoverWad - takeover;
        }
    }

    /// @dev Largest size the vault can take over on this side: unlimited while its net exposure does not grow,
    /// else up to its cap (a fraction of its equity).
    function _takeoverCapacity(Ctx memory ctx, bool isLong) internal view returns (uint256) {
        int256 skew = _skew(_markets[ctx.marketId]);
        int256 equity = _vaultEquityAt(ctx);
        uint256 capUnits = equity > 0 ? uint256(equity).wMulDown(ctx.config.vaultExposureCapWad).wDivDown(ctx.priceWad) : 0;
        uint256 skewAbs = skew.abs();
        uint256 limit = FixedPointMath.max(skewAbs, capUnits);
        // Taking a long away lowers the traders' skew; taking a short raises it.
        bool reducesFirst = isLong ? skew > 0 : skew < 0;
        return reducesFirst ? skewAbs + limit : limit - skewAbs;
    }

    /// @dev Walks the opposite side's ADL lists from the highest tier, most profitable first, stopping inside a
    /// tier at its first head without profit (never skipping), until the size is covered or the budget spent.
    function _collectFills(Ctx memory ctx, bool counterLong, uint256 neededWad, Budget memory budget)
        internal
        view
        returns (Fills memory fills)
    {
        uint256 cap = budget.fillsLeft;
        fills.ids = new uint32[](cap);
        fills.sizesWad = new uint256[](cap);
        fills.profitsWad = new uint256[](cap);
        mapping(uint32 => Position) storage positions = _positions[ctx.marketId];
        for (uint8 tier = 4; tier >= 1 && fills.totalWad < neededWad; --tier) {
            uint32 node = _lists[ctx.marketId][_listKey(counterLong, tier)].head;
            while (node != 0 && fills.totalWad < neededWad) {
                Position storage c = positions[node];
                int256 netPrice = int256(ctx.priceWad) - ctx.fundingIndexWad;
                int256 profit = counterLong ? netPrice - c.jWad : c.jWad - netPrice;
                if (profit <= 0) break;
                if (fills.count == cap) return fills;
                uint256 q = FixedPointMath.minU(int256(c.sizeWad).abs(), neededWad - fills.totalWad);
                fills.ids[fills.count] = node;
                fills.sizesWad[fills.count] = q;
                fills.profitsWad[fills.count] = uint256(profit);
                fills.totalWad += q;
                ++fills.count;
                budget.fillsLeft -= 1;
                node = c.nextId;
            }
        }
        fills.exhausted = fills.totalWad < neededWad;
    }

    /// @dev Values the slice at P and pays out of its positive equity, in order: the keeper reward, the
    /// liquidation fee (at least a voluntary close's fee and adverse impact), the rest to the trader.
    function _settleSlice(Ctx memory ctx, Slice memory sl, Position memory p) internal {
        bool whole = sl.sliceWad == sl.sizeAbsWad;
        sl.marginWad = whole ? p.marginWad : uint256(p.marginWad).mulDivDown(sl.sliceWad, sl.sizeAbsWad);
        int256 sliceSigned = sl.isLong ? int256(sl.sliceWad) : -int256(sl.sliceWad);
        int256 pnlWad = PositionMath.pnl(sliceSigned, p.jWad, ctx.fundingIndexWad, ctx.priceWad);
        sl.equityWad = int256(sl.marginWad) + pnlWad;

        // Fee floor: the trading fee plus the extra, and the adverse impact a voluntary close would pay.
        uint256 closeFill = PositionMath.fillPrice(
            ctx.priceWad, _skew(_markets[ctx.marketId]), -sliceSigned, ctx.config.skewScaleWad
        );
        uint256 impactPerUnit = sl.isLong
            ? (closeFill < ctx.priceWad ? ctx.priceWad - closeFill : 0)
            : (closeFill > ctx.priceWad ? closeFill - ctx.priceWad : 0);
        sl.feeImpactWad = sl.sliceWad.wMulUp(impactPerUnit);
        sl.feeWad = PositionMath.fee(
            sl.sliceWad, ctx.priceWad, uint256(ctx.config.tradingFeeWad) + ctx.config.liquidationFeeExtraWad
        ) + sl.feeImpactWad;

        uint256 positive = sl.equityWad > 0 ? uint256(sl.equityWad) : 0;
        sl.rewardFromEquityWad = FixedPointMath.minU(positive, sl.rewardWad);
        sl.feeChargedWad = FixedPointMath.minU(positive - sl.rewardFromEquityWad, sl.feeWad);
        sl.payoutWad = positive - sl.rewardFromEquityWad - sl.feeChargedWad;
        // A payout above the slice's margin (a remainder that recovered while in liquidation) realises profit:
        // like any realised profit it is scaled above the highest threshold and vests; the margin stays whole.
        if (sl.payoutWad > sl.marginWad) {
            int256 paid = _payRealised(ctx, sl.account, int256(sl.payoutWad - sl.marginWad));
            sl.payoutWad = sl.marginWad + uint256(paid);
        }

        // The slice leaves the traders' side; its margin is shared out and the rest settles with the vault.
        _leaveSide(ctx.marketId, sl.isLong, sl.sliceWad, p.jWad);
        // What the margin does not pay out settles with the vault: the trader's loss, or its profit when the
        // equity exceeds the margin.
        int256 toVaultCash = int256(sl.marginWad) - int256(sl.rewardFromEquityWad + sl.feeChargedWad + sl.payoutWad);
        _vaultCashWad += toVaultCash.toInt128();
        _credit(sl.account, sl.payoutWad);
        _credit(msg.sender, sl.rewardFromEquityWad);
        // The impact part of the fee goes to the vault for the size it takes over (it carries that skew); the rest,
        // and all of it for the size closed against ADL counterparties, to the insurance fund.
        uint256 toVault = FixedPointMath.minU(sl.feeChargedWad, sl.feeImpactWad).mulDivDown(sl.takeoverWad, sl.sliceWad);
        _vaultCashWad += toVault.toInt256().toInt128();
        _insuranceFundWad += (sl.feeChargedWad - toVault).toUint128();
    }

    /// @dev The deficit (negative equity plus any reward the equity could not pay): the insurance fund first
    /// (daily cap), then the vault's equity down to its floor, then ADL haircuts, then bad debt.
    function _payDeficit(Ctx memory ctx, Slice memory sl, Fills memory fills) internal {
        uint256 rewardShortfall = sl.rewardWad - sl.rewardFromEquityWad;
        uint256 deficit = (sl.equityWad < 0 ? uint256(-sl.equityWad) : 0) + rewardShortfall;
        // The keeper is paid in full; the vault's cash fronts what the equity could not pay.
        _credit(msg.sender, rewardShortfall);
        _vaultCashWad -= rewardShortfall.toInt256().toInt128();

        uint256 fromInsurance = FixedPointMath.minU(deficit, sl.insuranceAvailWad);
        if (fromInsurance != 0) {
            _insuranceFundWad -= fromInsurance.toUint128();
            _vaultCashWad += fromInsurance.toInt256().toInt128();
            MarketLosses storage l = _losses[ctx.marketId];
            uint32 today = uint32(block.timestamp / 1 days);
            if (l.insuranceDay != today) {
                l.insuranceDay = today;
                l.insuranceUsedWad = 0;
            }
            l.insuranceUsedWad += fromInsurance.toUint128();
        }
        uint256 fromVault = FixedPointMath.minU(deficit - fromInsurance, sl.vaultAvailWad);
        uint256 unpaid = deficit - fromInsurance - fromVault;
        uint256 haircuts = _fillAdl(ctx, sl, fills, unpaid);
        uint256 badDebt;
        if (haircuts > unpaid) {
            // The haircut level rounds up: its dust goes to the insurance fund.
            _insuranceFundWad += (haircuts - unpaid).toUint128();
            _vaultCashWad -= (haircuts - unpaid).toInt256().toInt128();
        } else if (haircuts < unpaid) {
            badDebt = unpaid - haircuts;
            MarketLosses storage l = _losses[ctx.marketId];
            l.badDebtWad += badDebt.toUint128();
            emit BadDebt(ctx.marketId, sl.account, badDebt, l.badDebtWad);
        }
        if (deficit != 0) {
            emit DeficitPaid(sl.account, ctx.marketId, deficit, fromInsurance, fromVault, haircuts, badDebt);
        }
        if (sl.overrideWad != 0) emit VaultLimitOverride(ctx.marketId, sl.account, sl.overrideWad);
    }

    /// @dev Closes each counterparty's pro-rata slice at P minus its haircut: the vault pays it its profit less
    /// the haircut, which is how the haircuts cover the unpaid deficit.
    function _fillAdl(Ctx memory ctx, Slice memory sl, Fills memory fills, uint256 unpaidWad)
        internal
        returns (uint256 total)
    {
        if (fills.count == 0) return 0;
        uint256[] memory sizes = new uint256[](fills.count);
        uint256[] memory profits = new uint256[](fills.count);
        for (uint256 i; i < fills.count; ++i) {
            sizes[i] = fills.sizesWad[i];
            profits[i] = fills.profitsWad[i];
        }
        uint256[] memory haircuts;
        (, haircuts, total) = Haircut.waterFill(sizes, profits, unpaidWad);
        for (uint256 i; i < fills.count; ++i) {
            _closeCounterparty(ctx, sl.account, fills.ids[i], sizes[i], profits[i], haircuts[i]);
        }
    }

    function _closeCounterparty(
        Ctx memory ctx,
        address liquidated,
        uint32 id,
        uint256 sizeWad,
        uint256 profitPerUnitWad,
        uint256 haircutWad
    ) internal {
        Position memory c = _positions[ctx.marketId][id];
        address owner = _accountOf[id];
        bool isLong = c.sizeWad > 0;
        uint8 tier = c.tier;
        int256 realised = _payRealised(ctx, owner, int256(sizeWad.wMulDown(profitPerUnitWad) - haircutWad));
        c = _forceClose(ctx, id, c, owner, sizeWad, uint256(realised));
        _emitAdlFill(ctx, owner, liquidated, isLong, sizeWad, haircutWad, tier);
        _emitPosition(ctx.marketId, owner, c);
    }

    /// @dev The fill price is the oracle price moved against the counterparty by its haircut per unit.
    function _emitAdlFill(
        Ctx memory ctx,
        address owner,
        address liquidated,
        bool isLong,
        uint256 sizeWad,
        uint256 haircutWad,
        uint8 tier
    ) internal {
        uint256 perUnit = haircutWad.wDivUp(sizeWad);
        uint256 fill = isLong ? ctx.priceWad - FixedPointMath.minU(perUnit, ctx.priceWad) : ctx.priceWad + perUnit;
        int256 closed = isLong ? -int256(sizeWad) : int256(sizeWad);
        emit AdlFill(owner, ctx.marketId, liquidated, closed, ctx.priceWad, fill, haircutWad, tier);
    }

    /// @dev Removes the slice from the position: gone when whole, else a pro-rata remainder in liquidation.
    function _finishPosition(Ctx memory ctx, Slice memory sl, Position memory p) internal returns (uint256 remaining) {
        remaining = sl.sizeAbsWad - sl.sliceWad;
        if (remaining == 0) {
            _unlist(ctx.marketId, sl.id, p);
            if (p.inLiquidation) --_positionsInLiquidation;
            p = _clear(ctx.marketId, sl.id);
        } else {
            if (!p.inLiquidation) ++_positionsInLiquidation;
            p.inLiquidation = true;
            p.sizeWad = sl.isLong ? int104(int256(remaining)) : -int104(int256(remaining));
            p.marginWad -= uint96(sl.marginWad);
            _positions[ctx.marketId][sl.id] = p;
        }
        _emitPosition(ctx.marketId, sl.account, p);
    }
}
