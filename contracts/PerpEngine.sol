// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {EngineStorage} from "./EngineStorage.sol";
import {ITrading, Position} from "./interfaces/IPerpEngine.sol";
import {IMarketRegistry, MarketConfig, ProtocolConfig} from "./interfaces/IMarketRegistry.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {PositionMath} from "./libraries/PositionMath.sol";
import {FundingMath} from "./libraries/FundingMath.sol";
import {TierList} from "./libraries/TierList.sol";

/// @title PerpEngine
/// @notice Collateral, isolated-margin positions, funding, fees, the insurance fund and the vault's ledger.
/// @dev All collateral tokens are held here; the vault (ERC-4626) holds only its share ledger and routes LP
/// assets through `creditVaultCash`/`withdrawVaultCash`, so conservation is one balance against one ledger.
contract PerpEngine is EngineStorage, ITrading {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;
    using FixedPointMath for uint256;
    using FixedPointMath for int256;

    /// @notice The module holding liquidation, ADL, keeper pokes and the rarer calls; it runs on this
    /// contract's storage by delegatecall.
    address public immutable liquidationModule;

    /// @param collateral_ The stablecoin (at most 18 decimals).
    /// @param registry_ The market registry.
    /// @param module The LiquidationModule, deployed with the same collateral and registry.
    /// @param admin Receives DEFAULT_ADMIN_ROLE and PAUSER_ROLE.
    constructor(IERC20 collateral_, IMarketRegistry registry_, address module, address admin)
        EngineStorage(collateral_, registry_)
    {
        if (admin == address(0) || module == address(0)) revert ZeroAddress();
        liquidationModule = module;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    /// @notice Every selector the engine does not implement runs in the liquidation module, on this storage.
    fallback() external {
        _delegate(liquidationModule);
    }

    /* COLLATERAL */

    /// @inheritdoc ITrading
    function deposit(uint256 amountTokens) external override nonReentrant whenNotPaused {
        _deposit(amountTokens);
    }

    /// @inheritdoc ITrading
    function depositWithPermit(uint256 amountTokens, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        override
        nonReentrant
        whenNotPaused
    {
        // A front-runner may have used the permit already; the transfer below still fails without allowance.
        try IERC20Permit(address(collateral)).permit(msg.sender, address(this), amountTokens, deadline, v, r, s) {}
            catch {}
        _deposit(amountTokens);
    }

    /// @inheritdoc ITrading
    function withdraw(uint256 amountTokens) external override nonReentrant {
        if (amountTokens == 0) revert ZeroAmount();
        uint256 amountWad = amountTokens * TOKEN_TO_WAD;
        uint256 locked = _lockedProfit(msg.sender);
        if (locked != 0) {
            uint256 free = _accounts[msg.sender].freeCollateralWad;
            uint256 withdrawable = free > locked ? free - locked : 0;
            if (amountWad > withdrawable) revert ProfitStillVesting(withdrawable, amountWad, locked);
        }
        _debitFree(msg.sender, amountWad);
        emit Withdrawn(msg.sender, msg.sender, amountTokens);
        collateral.safeTransfer(msg.sender, amountTokens);
    }

    function _deposit(uint256 amountTokens) internal {
        _pullTokens(msg.sender, amountTokens);
        _accountId(msg.sender);
        _credit(msg.sender, amountTokens * TOKEN_TO_WAD);
        emit Deposited(msg.sender, amountTokens);
    }

    /* TRADING */

    /// @inheritdoc ITrading
    function trade(
        uint256 marketId,
        int256 sizeDeltaWad,
        uint256 marginWad,
        uint256 acceptablePriceWad,
        uint32[] calldata hints
    ) external override nonReentrant {
        _trade(marketId, sizeDeltaWad, marginWad, acceptablePriceWad, hints);
    }

    /// @inheritdoc ITrading
    function closePosition(uint256 marketId, uint256 acceptablePriceWad) external override nonReentrant {
        int256 size = _positions[marketId][_accounts[msg.sender].id].sizeWad;
        if (size == 0) revert NoPosition(msg.sender, marketId);
        _trade(marketId, -size, 0, acceptablePriceWad, new uint32[](0));
    }

    /// @inheritdoc ITrading
    function addMargin(uint256 marketId, uint256 amountWad) external override nonReentrant {
        if (amountWad == 0) revert ZeroAmount();
        _debitFree(msg.sender, amountWad);
        _addMargin(marketId, amountWad);
    }

    /// @inheritdoc ITrading
    function depositAndAddMargin(uint256 marketId, uint256 amountTokens) external override nonReentrant {
        _ownPosition(marketId);
        _pullTokens(msg.sender, amountTokens);
        // Logged as a deposit followed by an add-margin, so free collateral rebuilds from events alone.
        emit Deposited(msg.sender, amountTokens);
        _addMargin(marketId, amountTokens * TOKEN_TO_WAD);
    }

    /// @inheritdoc ITrading
    function removeMargin(uint256 marketId, uint256 amountWad, uint32[] calldata hints)
        external
        override
        nonReentrant
        whenNotPaused
    {
        if (amountWad == 0) revert ZeroAmount();
        (uint32 id, Position memory p) = _ownPosition(marketId);
        if (amountWad > p.marginWad) revert InsufficientMargin(p.marginWad, amountWad);
        Ctx memory ctx = _load(marketId);
        _requireNewRisk(ctx);

        uint256 newMargin = p.marginWad - amountWad;
        // Paper profit never funds a withdrawal: only losses count against the margin.
        int256 pnlWad = PositionMath.pnl(p.sizeWad, p.jWad, ctx.fundingIndexWad, ctx.priceWad);
        int256 backing = int256(newMargin) + pnlWad.min(0);
        uint256 required = PositionMath.requiredMargin(p.sizeWad, ctx.priceWad, ctx.config.imrWad);
        if (backing < int256(required)) revert BelowInitialMargin(backing, required);

        uint8 oldTier = p.tier;
        p.marginWad = newMargin.toUint96();
        _retier(p, ctx.config, false);
        if (p.tier != oldTier) {
            // Removing margin raises the chosen leverage: the tier rises at once, so the position moves list.
            _moveList(ctx, id, p, oldTier, hints);
        } else {
            _positions[marketId][id] = p;
        }
        _emitPosition(marketId, msg.sender, p);
        _credit(msg.sender, amountWad);
        _refreshCache(ctx);
        emit MarginMoved(msg.sender, marketId, -int256(amountWad));
    }

    /* FUNDS */

    /// @inheritdoc ITrading
    function setVault(address vault_) external override onlyRole(DEFAULT_ADMIN_ROLE) {
        if (vault_ == address(0)) revert ZeroAddress();
        if (vault != address(0)) revert VaultAlreadySet(vault);
        vault = vault_;
        emit VaultSet(vault_);
    }

    /// @inheritdoc ITrading
    function creditVaultCash(uint256 amountTokens) external override onlyVault whenNotPaused {
        _requireNoLiquidationPending();
        _vaultCashWad += (amountTokens * TOKEN_TO_WAD).toInt256().toInt128();
        emit VaultCashDeposited(amountTokens);
    }

    /// @inheritdoc ITrading
    function withdrawVaultCash(address receiver, uint256 amountTokens) external override onlyVault nonReentrant {
        _requireNoLiquidationPending();
        uint256 amountWad = amountTokens * TOKEN_TO_WAD;
        _checkVaultWithdrawal(amountWad);
        _vaultCashWad -= amountWad.toInt256().toInt128();
        emit VaultCashWithdrawn(receiver, amountTokens);
        collateral.safeTransfer(receiver, amountTokens);
    }

    /* VIEWS */

    /// @inheritdoc ITrading
    function registry() external view override returns (IMarketRegistry) {
        return _registry;
    }

    /// @inheritdoc ITrading
    function freeCollateralWad(address account) external view override returns (uint256) {
        return _accounts[account].freeCollateralWad;
    }

    /// @inheritdoc ITrading
    function accountIdOf(address account) external view override returns (uint32) {
        return _accounts[account].id;
    }

    /* TRADE INTERNALS */

    function _trade(
        uint256 marketId,
        int256 sizeDeltaWad,
        uint256 marginWad,
        uint256 acceptablePriceWad,
        uint32[] memory hints
    ) internal {
        if (sizeDeltaWad == 0) revert ZeroSizeDelta();
        uint32 id = _accounts[msg.sender].id;
        Position memory p = _positions[marketId][id];
        if (p.inLiquidation) revert PositionInLiquidation(msg.sender, marketId);
        Ctx memory ctx = _load(marketId);

        int256 size = p.sizeWad;
        if (size == 0 || (size > 0) == (sizeDeltaWad > 0)) {
            _increase(ctx, id, p, sizeDeltaWad, marginWad, acceptablePriceWad, hints);
        } else {
            uint256 deltaAbs = sizeDeltaWad.abs();
            uint256 sizeAbs = size.abs();
            if (deltaAbs <= sizeAbs && marginWad != 0) revert MarginOnDecrease();
            ctx.profitScaleWad = _profitScaleAt(ctx);
            _decrease(ctx, id, p, FixedPointMath.minU(deltaAbs, sizeAbs), acceptablePriceWad);
            if (deltaAbs > sizeAbs) {
                // A flip is a full close followed by a fresh open of the rest.
                Position memory fresh;
                _increase(ctx, id, fresh, sizeDeltaWad + size, marginWad, acceptablePriceWad, hints);
            }
        }
        _refreshCache(ctx);
    }

    function _increase(
        Ctx memory ctx,
        uint32 id,
        Position memory p,
        int256 deltaWad,
        uint256 marginWad,
        uint256 acceptable,
        uint32[] memory hints
    ) internal {
        _requireNewRisk(ctx);
        if (id == 0) id = _accountId(msg.sender);
        MarketStore storage m = _markets[ctx.marketId];
        int256 skewBefore = _skew(m);
        uint256 fill = _fill(ctx, skewBefore, deltaWad, acceptable);
        uint256 fee = PositionMath.fee(deltaWad.abs(), fill, ctx.config.tradingFeeWad);
        if (marginWad < fee) revert MarginBelowFee(marginWad, fee);
        _debitFree(msg.sender, marginWad);

        bool isNew = p.sizeWad == 0;
        uint8 oldTier = p.tier;
        _applyIncrease(ctx, m, p, deltaWad, fill, marginWad - fee);
        _checkIncreaseLimits(ctx, m, p, skewBefore);
        _retier(p, ctx.config, isNew);
        _relist(ctx, id, p, oldTier, hints);
        _emitPosition(ctx.marketId, msg.sender, p);
        _bookFill(ctx, deltaWad, fill, fee, 0);
    }

    /// @dev J changed (and the tier may have risen): the position keeps its place when it stays in the same list
    /// and its new J still sorts between its neighbours (exactly where a fresh insertion behind equal J would put
    /// it), which spares the list's writes; otherwise it leaves its old list and is inserted at its new place.
    function _relist(Ctx memory ctx, uint32 id, Position memory p, uint8 oldTier, uint32[] memory hints) internal {
        if (oldTier != 0 && p.tier == oldTier) {
            mapping(uint32 => Position) storage positions = _positions[ctx.marketId];
            if (TierList.fitsInPlace(positions, p, p.sizeWad > 0)) {
                positions[id] = p;
                return;
            }
        }
        _moveList(ctx, id, p, oldTier, hints);
    }

    /// @dev New J is the size-weighted average of the old J and (fill − F); F0 becomes F, so no funding moves
    /// into the margin. The side's Σ|s|·J swaps the old product for the new one (exact, unscaled).
    function _applyIncrease(
        Ctx memory ctx,
        MarketStore storage m,
        Position memory p,
        int256 deltaWad,
        uint256 fill,
        uint256 marginAddedWad
    ) internal {
        int256 oldSize = p.sizeWad;
        int256 oldJ = p.jWad;
        int256 newJ = oldSize == 0
            ? int256(fill) - ctx.fundingIndexWad
            : PositionMath.increasedJ(oldSize, oldJ, deltaWad.abs(), fill, ctx.fundingIndexWad);
        int256 newSize = oldSize + deltaWad;
        p.sizeWad = newSize.toInt104();
        p.marginWad = (uint256(p.marginWad) + marginAddedWad).toUint96();
        p.jWad = newJ.toInt96();
        p.f0Wad = ctx.fundingIndexWad.toInt96();
        if (newSize > 0) {
            m.longSizeWad += deltaWad.abs().toUint128();
            m.longJSum += newSize * newJ - oldSize * oldJ;
        } else {
            m.shortSizeWad += deltaWad.abs().toUint128();
            m.shortJSum += oldSize * oldJ - newSize * newJ;
        }
    }

    /// @dev Runs after the aggregates include the fill.
    function _checkIncreaseLimits(Ctx memory ctx, MarketStore storage m, Position memory p, int256 skewBefore)
        internal
        view
    {
        MarketConfig memory c = ctx.config;
        uint256 notional = PositionMath.notionalDown(p.sizeWad, ctx.priceWad);
        if (notional < c.minNotionalUsdWad) revert BelowMinNotional(notional, c.minNotionalUsdWad);

        uint256 sideNotional = uint256(p.sizeWad > 0 ? m.longSizeWad : m.shortSizeWad).wMulUp(ctx.priceWad);
        if (sideNotional > c.oiCapUsdWad) revert OpenInterestCapExceeded(ctx.marketId, sideNotional, c.oiCapUsdWad);

        // The vault's exposure is capped only when the trade increases it.
        int256 skewAfter = _skew(m);
        if (skewAfter.abs() > skewBefore.abs()) {
            uint256 exposure = skewAfter.abs().wMulUp(ctx.priceWad);
            int256 equity = _vaultEquityAt(ctx);
            uint256 cap = equity > 0 ? uint256(equity).wMulDown(c.vaultExposureCapWad) : 0;
            if (exposure > cap) revert VaultExposureCapExceeded(ctx.marketId, exposure, cap);
        }

        // Paper profit never buys more size: only losses (funding and the fill's impact included) count.
        int256 backing = int256(uint256(p.marginWad))
            + PositionMath.pnl(p.sizeWad, p.jWad, ctx.fundingIndexWad, ctx.priceWad).min(0);
        uint256 required = PositionMath.requiredMargin(p.sizeWad, ctx.priceWad, c.imrWad);
        if (backing < int256(required)) revert BelowInitialMargin(backing, required);
    }

    /// @dev A reduction by the owner: a pro-rata slice (s and m shrink by the same factor, J and F0 stay, so
    /// K and J do not change), or the whole position.
    struct Slice {
        int256 sizeWad;
        uint256 fillWad;
        uint256 marginWad;
        int256 realisedWad;
        uint256 feeWad;
    }

    function _decrease(Ctx memory ctx, uint32 id, Position memory p, uint256 closeAbs, uint256 acceptable) internal {
        MarketStore storage m = _markets[ctx.marketId];
        Slice memory sl = _slice(ctx, m, p, closeAbs, acceptable);

        int256 remaining = p.sizeWad - sl.sizeWad;
        if (remaining != 0) {
            uint256 notional = PositionMath.notionalDown(remaining, ctx.priceWad);
            if (notional < ctx.config.minNotionalUsdWad) {
                revert BelowMinNotional(notional, ctx.config.minNotionalUsdWad);
            }
        }

        _leaveSide(ctx.marketId, p.sizeWad > 0, closeAbs, p.jWad);
        // Above the highest threshold every winner gets the same fraction of its profit.
        sl.realisedWad = _payRealised(ctx, msg.sender, sl.realisedWad);
        _credit(msg.sender, uint256(int256(sl.marginWad) + sl.realisedWad) - sl.feeWad);

        if (remaining == 0) {
            _unlist(ctx.marketId, id, p);
            p = _clear(ctx.marketId, id);
        } else {
            // A pro-rata slice keeps J: the position keeps its place in its list.
            p.sizeWad = remaining.toInt104();
            p.marginWad -= uint96(sl.marginWad);
            _positions[ctx.marketId][id] = p;
        }
        _bookFill(ctx, -sl.sizeWad, sl.fillWad, sl.feeWad, sl.realisedWad);
        _emitPosition(ctx.marketId, msg.sender, p);
    }

    function _slice(Ctx memory ctx, MarketStore storage m, Position memory p, uint256 closeAbs, uint256 acceptable)
        internal
        view
        returns (Slice memory sl)
    {
        int256 size = p.sizeWad;
        int256 equityAtPrice = PositionMath.equity(size, p.marginWad, p.jWad, ctx.fundingIndexWad, ctx.priceWad);
        if (equityAtPrice < 0) revert NegativeEquity(equityAtPrice);

        sl.sizeWad = size > 0 ? int256(closeAbs) : -int256(closeAbs);
        sl.fillWad = _fill(ctx, _skew(m), -sl.sizeWad, acceptable);
        // The slice's margin rounds down: the remainder keeps the dust, so its K errs safe.
        sl.marginWad = closeAbs == size.abs() ? p.marginWad : uint256(p.marginWad).mulDivDown(closeAbs, size.abs());
        sl.realisedWad = PositionMath.pnl(sl.sizeWad, p.jWad, ctx.fundingIndexWad, sl.fillWad);
        sl.feeWad = PositionMath.fee(closeAbs, sl.fillWad, ctx.config.tradingFeeWad);
        int256 proceeds = int256(sl.marginWad) + sl.realisedWad;
        if (proceeds < int256(sl.feeWad)) revert ProceedsBelowFee(proceeds, sl.feeWad);
    }

    /// @dev Adding margin lowers the chosen leverage: the tier drop waits, so the list order is untouched and
    /// no hints are needed.
    function _addMargin(uint256 marketId, uint256 amountWad) internal {
        (uint32 id, Position memory p) = _ownPosition(marketId);
        p.marginWad = (uint256(p.marginWad) + amountWad).toUint96();
        _retier(p, _params(marketId).market, false);
        _positions[marketId][id] = p;
        _emitPosition(marketId, msg.sender, p);
        emit MarginMoved(msg.sender, marketId, int256(amountWad));
    }

    /// @dev A tier rises at once; a drop is recorded as pending and waits for the delay, so a winner cannot
    /// add margin for one block to dodge ADL. A new position takes its tier directly.
    function _retier(Position memory p, MarketConfig memory c, bool isNew) internal view {
        uint8 target = PositionMath.tierOf(
            PositionMath.chosenLeverage(p.sizeWad, p.marginWad, p.jWad, p.f0Wad), c.tierBoundsX1e4
        );
        if (isNew || target >= p.tier) {
            p.tier = target;
            p.pendingTier = 0;
            p.pendingTierSince = 0;
        } else {
            p.pendingTier = target;
            p.pendingTierSince = uint32(block.timestamp);
        }
    }

    function _checkVaultWithdrawal(uint256 amountWad) internal view {
        ProtocolConfig memory pc = _registry.protocolConfig();
        int256 cash = _vaultCashWad;
        if (int256(amountWad) > cash) revert VaultCashInsufficient(cash, amountWad);
        int256 equityAfter = _vaultEquity() - int256(amountWad);
        uint256 floor = _floor(pc);
        if (equityAfter < int256(floor)) revert VaultWithdrawalBelowFloor(equityAfter, floor);
        uint256 profit = _totalTraderProfitWad;
        if (profit != 0 && int256(profit.wDivUp(pc.withdrawStopRatioWad)) >= equityAfter) {
            revert VaultWithdrawalProfitStop(profit, equityAfter, pc.withdrawStopRatioWad);
        }
    }

    /// @dev While a position is in liquidation its remainder's loss is not settled yet: LP flows wait so no LP
    /// enters or leaves around it.
    function _requireNoLiquidationPending() internal view {
        if (_positionsInLiquidation != 0) revert LiquidationsPending(_positionsInLiquidation);
    }

    modifier onlyVault() {
        if (msg.sender != vault) revert NotVault(msg.sender);
        _;
    }
}
