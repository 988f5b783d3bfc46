// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IPerpEngine, Position, MarketState} from "./interfaces/IPerpEngine.sol";
import {IMarketRegistry, MarketConfig, ProtocolConfig} from "./interfaces/IMarketRegistry.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {PositionMath} from "./libraries/PositionMath.sol";
import {FundingMath} from "./libraries/FundingMath.sol";
import {RiskBounds} from "./libraries/RiskBounds.sol";

/// @title PerpEngine
/// @notice Collateral, isolated-margin positions, funding, fees, the insurance fund and the vault's ledger.
/// @dev All collateral tokens are held here; the vault (ERC-4626) holds only its share ledger and routes LP
/// assets through `creditVaultCash`/`withdrawVaultCash`, so conservation is one balance against one ledger.
contract PerpEngine is IPerpEngine, AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;
    using FixedPointMath for uint256;
    using FixedPointMath for int256;

    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    IERC20 public immutable collateral;
    IMarketRegistry public immutable override registry;
    /// @dev 10^(18 − token decimals): token amounts × this = WAD. Exact; only WAD → token rounds (down).
    uint256 internal immutable TOKEN_TO_WAD;

    address public vault;

    mapping(address account => uint256) public override freeCollateralWad;
    mapping(uint256 marketId => mapping(address account => Position)) internal _positions;
    mapping(uint256 marketId => MarketState) internal _markets;

    /* LEDGER (packed in pairs) */
    int128 internal _vaultCashWad;
    uint128 internal _insuranceFundWad;
    int128 internal _totalTraderPnlWad;
    uint128 internal _totalTraderProfitWad;
    uint128 internal _totalNotionalWad;
    uint128 internal _treasuryWad;

    /// @dev Everything one action needs about its market, read once.
    struct Ctx {
        uint256 marketId;
        MarketConfig config;
        ProtocolConfig protocol;
        uint256 priceWad;
        bool atBound;
        bool inGracePeriod;
        int256 fundingIndexWad;
    }

    /// @param collateral_ The stablecoin (at most 18 decimals).
    /// @param registry_ The market registry.
    /// @param admin Receives DEFAULT_ADMIN_ROLE and PAUSER_ROLE.
    constructor(IERC20 collateral_, IMarketRegistry registry_, address admin) {
        if (address(collateral_) == address(0) || address(registry_) == address(0) || admin == address(0)) {
            revert ZeroAddress();
        }
        collateral = collateral_;
        registry = registry_;
        TOKEN_TO_WAD = 10 ** (18 - IERC20Metadata(address(collateral_)).decimals());
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    /* COLLATERAL */

    /// @inheritdoc IPerpEngine
    function deposit(uint256 amountTokens) external override nonReentrant whenNotPaused {
        _pullTokens(msg.sender, amountTokens);
        freeCollateralWad[msg.sender] += amountTokens * TOKEN_TO_WAD;
        emit Deposited(msg.sender, amountTokens);
    }

    /// @inheritdoc IPerpEngine
    function depositWithPermit(uint256 amountTokens, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        override
        nonReentrant
        whenNotPaused
    {
        // A front-runner may have used the permit already; the transfer below still fails without allowance.
        try IERC20Permit(address(collateral)).permit(msg.sender, address(this), amountTokens, deadline, v, r, s) {}
            catch {}
        _pullTokens(msg.sender, amountTokens);
        freeCollateralWad[msg.sender] += amountTokens * TOKEN_TO_WAD;
        emit Deposited(msg.sender, amountTokens);
    }

    /// @inheritdoc IPerpEngine
    function withdraw(uint256 amountTokens) external override nonReentrant {
        if (amountTokens == 0) revert ZeroAmount();
        _debitFree(msg.sender, amountTokens * TOKEN_TO_WAD);
        emit Withdrawn(msg.sender, msg.sender, amountTokens);
        collateral.safeTransfer(msg.sender, amountTokens);
    }

    /* TRADING */

    /// @inheritdoc IPerpEngine
    function trade(uint256 marketId, int256 sizeDeltaWad, uint256 marginWad, uint256 acceptablePriceWad)
        external
        override
        nonReentrant
    {
        _trade(marketId, sizeDeltaWad, marginWad, acceptablePriceWad);
    }

    /// @inheritdoc IPerpEngine
    function closePosition(uint256 marketId, uint256 acceptablePriceWad) external override nonReentrant {
        int256 size = _positions[marketId][msg.sender].sizeWad;
        if (size == 0) revert NoPosition(msg.sender, marketId);
        _trade(marketId, -size, 0, acceptablePriceWad);
    }

    /// @inheritdoc IPerpEngine
    function addMargin(uint256 marketId, uint256 amountWad) external override nonReentrant {
        if (amountWad == 0) revert ZeroAmount();
        _debitFree(msg.sender, amountWad);
        _addMargin(marketId, amountWad);
    }

    /// @inheritdoc IPerpEngine
    function depositAndAddMargin(uint256 marketId, uint256 amountTokens) external override nonReentrant {
        _ownPosition(marketId);
        _pullTokens(msg.sender, amountTokens);
        _addMargin(marketId, amountTokens * TOKEN_TO_WAD);
    }

    /// @inheritdoc IPerpEngine
    function removeMargin(uint256 marketId, uint256 amountWad) external override nonReentrant whenNotPaused {
        if (amountWad == 0) revert ZeroAmount();
        Position memory p = _ownPosition(marketId);
        if (amountWad > p.marginWad) revert InsufficientMargin(p.marginWad, amountWad);
        Ctx memory ctx = _load(marketId);
        _requireNewRisk(ctx);

        uint256 newMargin = p.marginWad - amountWad;
        // Paper profit never funds a withdrawal: only losses count against the margin.
        int256 pnlWad = PositionMath.pnl(p.sizeWad, p.jWad, ctx.fundingIndexWad, ctx.priceWad);
        int256 backing = int256(newMargin) + pnlWad.min(0);
        uint256 required = PositionMath.requiredMargin(p.sizeWad, ctx.priceWad, ctx.config.imrWad);
        if (backing < int256(required)) revert BelowInitialMargin(backing, required);

        p.marginWad = newMargin.toUint96();
        _retier(p, ctx.config, false);
        _storePosition(marketId, msg.sender, p);
        freeCollateralWad[msg.sender] += amountWad;
        _refreshCache(ctx);
        emit MarginMoved(msg.sender, marketId, -int256(amountWad));
    }

    /// @inheritdoc IPerpEngine
    function applyTierDrop(address account, uint256 marketId) external override nonReentrant {
        Position memory p = _positions[marketId][account];
        if (p.pendingTierSince == 0) revert NoTierDropPending(account, marketId);
        uint256 dueAt = uint256(p.pendingTierSince) + registry.protocolConfig().tierDropDelay;
        if (block.timestamp < dueAt) revert TierDropNotDue(dueAt);
        p.tier = p.pendingTier;
        p.pendingTier = 0;
        p.pendingTierSince = 0;
        _storePosition(marketId, account, p);
        emit TierDropApplied(account, marketId, p.tier, msg.sender);
    }

    /// @inheritdoc IPerpEngine
    function poke(uint256 marketId) external override nonReentrant {
        Ctx memory ctx = _load(marketId);
        _refreshCache(ctx);
        emit MarketPoked(marketId, ctx.priceWad, ctx.fundingIndexWad);
    }

    /* FUNDS */

    /// @inheritdoc IPerpEngine
    function donateInsurance(uint256 amountTokens) external override nonReentrant {
        _pullTokens(msg.sender, amountTokens);
        _insuranceFundWad += (amountTokens * TOKEN_TO_WAD).toUint128();
        emit InsuranceDonated(msg.sender, amountTokens);
    }

    /// @inheritdoc IPerpEngine
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

    /// @inheritdoc IPerpEngine
    function setVault(address vault_) external override onlyRole(DEFAULT_ADMIN_ROLE) {
        if (vault_ == address(0)) revert ZeroAddress();
        if (vault != address(0)) revert VaultAlreadySet(vault);
        vault = vault_;
        emit VaultSet(vault_);
    }

    /// @inheritdoc IPerpEngine
    function creditVaultCash(uint256 amountTokens) external override onlyVault whenNotPaused {
        _vaultCashWad += (amountTokens * TOKEN_TO_WAD).toInt256().toInt128();
        emit VaultCashDeposited(amountTokens);
    }

    /// @inheritdoc IPerpEngine
    function withdrawVaultCash(address receiver, uint256 amountTokens) external override onlyVault nonReentrant {
        uint256 amountWad = amountTokens * TOKEN_TO_WAD;
        _checkVaultWithdrawal(amountWad);
        _vaultCashWad -= amountWad.toInt256().toInt128();
        emit VaultCashWithdrawn(receiver, amountTokens);
        collateral.safeTransfer(receiver, amountTokens);
    }

    /// @inheritdoc IPerpEngine
    function pause() external override onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IPerpEngine
    function unpause() external override onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /* VIEWS */

    /// @inheritdoc IPerpEngine
    function positionOf(address account, uint256 marketId) external view override returns (Position memory) {
        return _positions[marketId][account];
    }

    /// @inheritdoc IPerpEngine
    function marketState(uint256 marketId) external view override returns (MarketState memory) {
        return _markets[marketId];
    }

    /// @inheritdoc IPerpEngine
    function markPrice(uint256 marketId) public view override returns (uint256 priceWad, bool fresh) {
        try registry.readPrice(marketId) returns (uint256 p, bool, bool) {
            return (p, true);
        } catch {
            return (_markets[marketId].lastPriceWad, false);
        }
    }

    /// @inheritdoc IPerpEngine
    function currentFundingIndex(uint256 marketId) public view override returns (int256) {
        MarketState storage m = _markets[marketId];
        if (m.lastUpdateTime == 0) return m.fundingIndexWad;
        MarketConfig memory c = registry.marketConfig(marketId);
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

    /// @inheritdoc IPerpEngine
    function equityOf(address account, uint256 marketId) external view override returns (int256) {
        Position memory p = _positions[marketId][account];
        (uint256 priceWad,) = markPrice(marketId);
        return PositionMath.equity(p.sizeWad, p.marginWad, p.jWad, currentFundingIndex(marketId), priceWad);
    }

    /// @inheritdoc IPerpEngine
    function vaultCashWad() external view override returns (int256) {
        return _vaultCashWad;
    }

    /// @inheritdoc IPerpEngine
    function vaultEquityWad() external view override returns (int256) {
        return _vaultEquity();
    }

    /// @inheritdoc IPerpEngine
    function solvencyFloorWad() public view override returns (uint256) {
        return _floor(registry.protocolConfig());
    }

    /// @inheritdoc IPerpEngine
    function tradersProfitWad() external view override returns (uint256) {
        return _totalTraderProfitWad;
    }

    /// @inheritdoc IPerpEngine
    function totalNotionalWad() external view override returns (uint256) {
        return _totalNotionalWad;
    }

    /// @inheritdoc IPerpEngine
    function vaultWithdrawableWad() external view override returns (uint256) {
        ProtocolConfig memory pc = registry.protocolConfig();
        int256 equity = _vaultEquity();
        // Equity after must stay ≥ floor and > profit / stopRatio.
        uint256 byProfit = uint256(_totalTraderProfitWad).wDivUp(pc.withdrawStopRatioWad);
        if (_totalTraderProfitWad != 0) byProfit += 1;
        int256 room = equity - int256(FixedPointMath.max(_floor(pc), byProfit));
        int256 cash = _vaultCashWad;
        if (room > cash) room = cash;
        return room > 0 ? uint256(room) : 0;
    }

    /// @inheritdoc IPerpEngine
    function insuranceFundWad() external view override returns (uint256) {
        return _insuranceFundWad;
    }

    /// @inheritdoc IPerpEngine
    function treasuryWad() external view override returns (uint256) {
        return _treasuryWad;
    }

    /* TRADE INTERNALS */

    function _trade(uint256 marketId, int256 sizeDeltaWad, uint256 marginWad, uint256 acceptablePriceWad) internal {
        if (sizeDeltaWad == 0) revert ZeroSizeDelta();
        Position memory p = _positions[marketId][msg.sender];
        if (p.inLiquidation) revert PositionInLiquidation(msg.sender, marketId);
        Ctx memory ctx = _load(marketId);

        int256 size = p.sizeWad;
        if (size == 0 || (size > 0) == (sizeDeltaWad > 0)) {
            _increase(ctx, p, sizeDeltaWad, marginWad, acceptablePriceWad);
        } else {
            uint256 deltaAbs = sizeDeltaWad.abs();
            uint256 sizeAbs = size.abs();
            if (deltaAbs <= sizeAbs && marginWad != 0) revert MarginOnDecrease();
            _decrease(ctx, p, FixedPointMath.minU(deltaAbs, sizeAbs), acceptablePriceWad);
            if (deltaAbs > sizeAbs) {
                // A flip is a full close followed by a fresh open of the rest.
                Position memory fresh;
                _increase(ctx, fresh, sizeDeltaWad + size, marginWad, acceptablePriceWad);
            }
        }
        _refreshCache(ctx);
    }

    function _increase(Ctx memory ctx, Position memory p, int256 deltaWad, uint256 marginWad, uint256 acceptable)
        internal
    {
        _requireNewRisk(ctx);
        MarketState storage m = _markets[ctx.marketId];
        int256 skewBefore = _skew(m);
        uint256 fill = _fill(ctx, skewBefore, deltaWad, acceptable);
        uint256 fee = PositionMath.fee(deltaWad.abs(), fill, ctx.config.tradingFeeWad);
        if (marginWad < fee) revert MarginBelowFee(marginWad, fee);
        _debitFree(msg.sender, marginWad);

        bool isNew = p.sizeWad == 0;
        _applyIncrease(ctx, m, p, deltaWad, fill, marginWad - fee);
        _checkIncreaseLimits(ctx, m, p, skewBefore);
        _retier(p, ctx.config, isNew);
        _storePosition(ctx.marketId, msg.sender, p);
        _distributeFee(ctx, fee);
        _emitTrade(ctx, deltaWad, fill, fee, 0);
    }

    /// @dev New J is the size-weighted average of the old J and (fill − F); F0 becomes F, so no funding moves
    /// into the margin. The side's Σ|s|·J swaps the old product for the new one (exact, unscaled).
    function _applyIncrease(
        Ctx memory ctx,
        MarketState storage m,
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
        p.sizeWad = newSize.toInt112();
        p.marginWad = (uint256(p.marginWad) + marginAddedWad).toUint96();
        p.jWad = newJ.toInt128();
        p.f0Wad = ctx.fundingIndexWad.toInt120();
        if (newSize > 0) {
            m.longSizeWad += deltaWad.abs().toUint128();
            m.longJSum += newSize * newJ - oldSize * oldJ;
        } else {
            m.shortSizeWad += deltaWad.abs().toUint128();
            m.shortJSum += oldSize * oldJ - newSize * newJ;
        }
    }

    /// @dev Runs after the aggregates include the fill.
    function _checkIncreaseLimits(Ctx memory ctx, MarketState storage m, Position memory p, int256 skewBefore)
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

    function _decrease(Ctx memory ctx, Position memory p, uint256 closeAbs, uint256 acceptable) internal {
        MarketState storage m = _markets[ctx.marketId];
        Slice memory sl = _slice(ctx, m, p, closeAbs, acceptable);

        int256 remaining = p.sizeWad - sl.sizeWad;
        if (remaining != 0) {
            uint256 notional = PositionMath.notionalDown(remaining, ctx.priceWad);
            if (notional < ctx.config.minNotionalUsdWad) {
                revert BelowMinNotional(notional, ctx.config.minNotionalUsdWad);
            }
        }

        if (p.sizeWad > 0) {
            m.longSizeWad -= closeAbs.toUint128();
            m.longJSum -= int256(closeAbs) * p.jWad;
        } else {
            m.shortSizeWad -= closeAbs.toUint128();
            m.shortJSum -= int256(closeAbs) * p.jWad;
        }
        _vaultCashWad -= sl.realisedWad.toInt128();
        freeCollateralWad[msg.sender] += uint256(int256(sl.marginWad) + sl.realisedWad) - sl.feeWad;

        if (remaining == 0) {
            delete _positions[ctx.marketId][msg.sender];
            p = _positions[ctx.marketId][msg.sender];
        } else {
            p.sizeWad = remaining.toInt112();
            p.marginWad -= uint96(sl.marginWad);
            _positions[ctx.marketId][msg.sender] = p;
        }
        _distributeFee(ctx, sl.feeWad);
        _emitTrade(ctx, -sl.sizeWad, sl.fillWad, sl.feeWad, sl.realisedWad);
        _emitPosition(ctx.marketId, msg.sender, p);
    }

    function _slice(Ctx memory ctx, MarketState storage m, Position memory p, uint256 closeAbs, uint256 acceptable)
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

    function _addMargin(uint256 marketId, uint256 amountWad) internal {
        Position memory p = _ownPosition(marketId);
        p.marginWad = (uint256(p.marginWad) + amountWad).toUint96();
        _retier(p, registry.marketConfig(marketId), false);
        _storePosition(marketId, msg.sender, p);
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

    /* SHARED INTERNALS */

    /// @dev Reads config and price, accrues funding into storage. Every state-changing market action starts here.
    function _load(uint256 marketId) internal returns (Ctx memory ctx) {
        ctx.marketId = marketId;
        (ctx.config, ctx.protocol, ctx.priceWad, ctx.atBound, ctx.inGracePeriod) = registry.marketSnapshot(marketId);
        MarketState storage m = _markets[marketId];
        int256 index = m.fundingIndexWad;
        uint256 last = m.lastUpdateTime;
        if (last != 0 && block.timestamp > last) {
            index += FundingMath.indexDelta(
                _skew(m), ctx.config.skewScaleWad, ctx.config.maxFundingRatePerDayWad, ctx.priceWad, block.timestamp - last
            );
            m.fundingIndexWad = index.toInt128();
        }
        m.lastUpdateTime = uint40(block.timestamp);
        ctx.fundingIndexWad = index;
    }

    /// @dev New risk (opening, increasing, flipping, removing margin) needs an unpaused protocol, a price
    /// inside the feed's bounds, a compliant market, no sequencer grace period and a vault above its floor.
    function _requireNewRisk(Ctx memory ctx) internal view {
        _requireNotPaused();
        if (ctx.atBound) revert OraclePriceAtBound(ctx.marketId, ctx.priceWad);
        if (ctx.inGracePeriod) revert SequencerGracePeriod();
        if (!RiskBounds.isCompliant(ctx.config)) revert MarketRampingUp(ctx.marketId);
        int256 equity = _vaultEquityAt(ctx);
        uint256 floor = _floor(ctx.protocol);
        if (equity <= int256(floor)) revert VaultAtSolvencyFloor(equity, floor);
    }

    function _fill(Ctx memory ctx, int256 skewBefore, int256 deltaWad, uint256 acceptable)
        internal
        pure
        returns (uint256 fill)
    {
        fill = PositionMath.fillPrice(ctx.priceWad, skewBefore, deltaWad, ctx.config.skewScaleWad);
        if (fill == 0) revert InvalidFillPrice();
        if (deltaWad > 0 ? fill > acceptable : fill < acceptable) revert AcceptablePriceExceeded(fill, acceptable);
    }

    /// @dev Re-prices the market's side PnL and notional at the action's price and folds the change into the
    /// running totals, so the vault's equity and floor stay O(1) whatever the number of markets.
    function _refreshCache(Ctx memory ctx) internal {
        MarketState storage m = _markets[ctx.marketId];
        (int256 longPnl, int256 shortPnl, uint256 notional) = _sidePnl(m, ctx.priceWad, ctx.fundingIndexWad);
        int256 oldLong = m.cachedLongPnlWad;
        int256 oldShort = m.cachedShortPnlWad;
        _totalTraderPnlWad = (_totalTraderPnlWad + longPnl + shortPnl - oldLong - oldShort).toInt128();
        _totalTraderProfitWad = (
            int256(uint256(_totalTraderProfitWad)) + _positive(longPnl) + _positive(shortPnl) - _positive(oldLong)
                - _positive(oldShort)
        ).toUint256().toUint128();
        _totalNotionalWad = (_totalNotionalWad + notional - m.cachedNotionalWad).toUint128();
        m.cachedLongPnlWad = longPnl.toInt128();
        m.cachedShortPnlWad = shortPnl.toInt128();
        m.cachedNotionalWad = notional.toUint128();
        m.lastPriceWad = ctx.priceWad.toUint128();
    }

    /// @dev Traders' net PnL per side, rounded up (the vault's liability errs high), and gross notional.
    function _sidePnl(MarketState storage m, uint256 priceWad, int256 fundingIndexWad)
        internal
        view
        returns (int256 longPnl, int256 shortPnl, uint256 notional)
    {
        int256 netPrice = int256(priceWad) - fundingIndexWad;
        int256 longSize = int256(uint256(m.longSizeWad));
        int256 shortSize = int256(uint256(m.shortSizeWad));
        longPnl = (longSize * netPrice - m.longJSum).divUp(1e18);
        shortPnl = (m.shortJSum - shortSize * netPrice).divUp(1e18);
        notional = uint256(longSize + shortSize).wMulUp(priceWad);
    }

    /// @dev The vault's equity with this market re-priced at the action's price (others at their cache).
    function _vaultEquityAt(Ctx memory ctx) internal view returns (int256) {
        MarketState storage m = _markets[ctx.marketId];
        (int256 longPnl, int256 shortPnl,) = _sidePnl(m, ctx.priceWad, ctx.fundingIndexWad);
        int256 total = _totalTraderPnlWad - m.cachedLongPnlWad - m.cachedShortPnlWad + longPnl + shortPnl;
        return _vaultCashWad - total;
    }

    function _vaultEquity() internal view returns (int256) {
        return int256(_vaultCashWad) - _totalTraderPnlWad;
    }

    function _floor(ProtocolConfig memory pc) internal view returns (uint256) {
        return FixedPointMath.max(pc.floorAbsoluteUsdWad, uint256(_totalNotionalWad).wMulUp(pc.floorRatioWad));
    }

    function _checkVaultWithdrawal(uint256 amountWad) internal view {
        ProtocolConfig memory pc = registry.protocolConfig();
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

    function _distributeFee(Ctx memory ctx, uint256 feeWad) internal {
        ProtocolConfig memory pc = ctx.protocol;
        uint256 toInsurance = feeWad.wMulDown(pc.insuranceFeeShareWad);
        uint256 toTreasury = feeWad.wMulDown(pc.treasuryFeeShareWad);
        uint256 toVault = feeWad - toInsurance - toTreasury;
        _insuranceFundWad += toInsurance.toUint128();
        _treasuryWad += toTreasury.toUint128();
        _vaultCashWad += toVault.toInt256().toInt128();
        emit FeesDistributed(ctx.marketId, toInsurance, toTreasury, toVault);
    }

    function _ownPosition(uint256 marketId) internal view returns (Position memory p) {
        p = _positions[marketId][msg.sender];
        if (p.sizeWad == 0) revert NoPosition(msg.sender, marketId);
        if (p.inLiquidation) revert PositionInLiquidation(msg.sender, marketId);
    }

    function _storePosition(uint256 marketId, address account, Position memory p) internal {
        _positions[marketId][account] = p;
        _emitPosition(marketId, account, p);
    }

    function _emitTrade(Ctx memory ctx, int256 deltaWad, uint256 fill, uint256 fee, int256 realised) internal {
        emit Traded(msg.sender, ctx.marketId, deltaWad, ctx.priceWad, fill, fee, realised, ctx.fundingIndexWad);
    }

    function _emitPosition(uint256 marketId, address account, Position memory p) internal {
        emit PositionUpdated(
            account, marketId, p.sizeWad, p.marginWad, p.jWad, p.f0Wad, p.tier, p.pendingTier, p.pendingTierSince
        );
    }

    function _debitFree(address account, uint256 amountWad) internal {
        uint256 free = freeCollateralWad[account];
        if (amountWad > free) revert InsufficientFreeCollateral(free, amountWad);
        freeCollateralWad[account] = free - amountWad;
    }

    /// @dev Pulls tokens and rejects fee-on-transfer tokens by checking the balance delta.
    function _pullTokens(address from, uint256 amountTokens) internal {
        if (amountTokens == 0) revert ZeroAmount();
        uint256 before = collateral.balanceOf(address(this));
        collateral.safeTransferFrom(from, address(this), amountTokens);
        uint256 received = collateral.balanceOf(address(this)) - before;
        if (received != amountTokens) revert TransferAmountMismatch(amountTokens, received);
    }

    function _skew(MarketState storage m) internal view returns (int256) {
        return int256(uint256(m.longSizeWad)) - int256(uint256(m.shortSizeWad));
    }

    function _positive(int256 x) internal pure returns (int256) {
        return x > 0 ? x : int256(0);
    }

    modifier onlyVault() {
        if (msg.sender != vault) revert NotVault(msg.sender);
        _;
    }
}
