// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IPerpEngineBase, Position} from "./interfaces/IPerpEngine.sol";
import {IMarketRegistry, MarketConfig, MarketParams, ProtocolConfig} from "./interfaces/IMarketRegistry.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {PositionMath} from "./libraries/PositionMath.sol";
import {FundingMath} from "./libraries/FundingMath.sol";
import {RiskBounds} from "./libraries/RiskBounds.sol";
import {TierList} from "./libraries/TierList.sol";
import {OracleReader} from "./libraries/OracleReader.sol";
import {ParamsBlob} from "./libraries/ParamsBlob.sol";

/// @title EngineStorage
/// @notice The engine's state and the internals shared by the engine and its liquidation module. The module
/// runs by delegatecall from the engine, so both inherit this one layout; nothing else declares storage.
/// @dev Positions are keyed by a compact account id (assigned at an account's first deposit) so that the ADL
/// lists can link them inside the positions' own third slot.
abstract contract EngineStorage is IPerpEngineBase, AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;
    using FixedPointMath for uint256;
    using FixedPointMath for int256;

    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    IERC20 public immutable collateral;
    IMarketRegistry internal immutable _registry;
    /// @dev 10^(18 − token decimals): token amounts × this = WAD. Exact; only WAD → token rounds (down).
    uint256 internal immutable TOKEN_TO_WAD;

    /// @dev Declared first so they share slot 1 with Pausable's flag, which every new-risk action reads anyway:
    /// the treasury's fees (written by every trade) and the gross open-interest notional of all markets (the
    /// solvency floor's base, refreshed by every action).
    uint120 internal _treasuryWad;
    uint128 internal _totalNotionalWad;

    address public vault;
    uint32 public accountCount;

    /// @dev An account's compact id and its free collateral share one slot: most actions need both.
    struct Account {
        uint32 id;
        uint224 freeCollateralWad;
    }

    mapping(address account => Account) internal _accounts;
    mapping(uint32 accountId => address) internal _accountOf;
    mapping(uint256 marketId => mapping(uint32 accountId => Position)) internal _positions;
    mapping(uint256 marketId => MarketStore) internal _markets;
    /// @dev ADL tier lists per market, keyed by _listKey(isLong, tier).
    mapping(uint256 marketId => mapping(uint256 listKey => TierList.Ends)) internal _lists;

    /// @dev What the engine stores per market (four slots). The side PnL and notional at lastPriceWad, which the
    /// running totals hold this market's share of, follow from these fields: every action that moves the sizes,
    /// the J sums, the funding index or the price refreshes the totals before it ends (see _load/_refreshCache).
    struct MarketStore {
        uint128 longSizeWad;
        uint128 shortSizeWad;
        int256 longJSum;
        int256 shortJSum;
        int104 fundingIndexWad;
        uint32 lastUpdateTime;
        uint96 lastPriceWad;
        /// @dev The registry's nonce that created the market's parameter blob (zero: not published).
        uint24 paramsNonce;
    }

    /// @dev Per-market loss accounting: the public bad-debt counter and the insurance fund's daily usage (the
    /// usage and its day share one slot, so a paid deficit reads and writes it once).
    struct MarketLosses {
        uint128 insuranceUsedWad;
        uint32 insuranceDay;
        uint128 badDebtWad;
        /// @dev Winners' profit withheld by pro-rata scaling, summed (public counter).
        uint128 profitWithheldWad;
    }

    mapping(uint256 marketId => MarketLosses) internal _losses;

    /// @dev One slot per account: realised profit today (all markets, in micro-USD) against the vesting
    /// threshold, and the profit still vesting: `lockedWad` unlocks linearly from `lockStart` over `period`.
    struct Vesting {
        uint96 lockedWad;
        uint32 lockStart;
        uint32 period;
        uint32 day;
        uint64 dayRealisedMicroUsd;
    }

    mapping(address account => Vesting) internal _vesting;
    /// @dev Positions left in liquidation; LP flows wait while any exists.
    uint256 internal _positionsInLiquidation;

    /* LEDGER (packed in pairs) */
    int128 internal _vaultCashWad;
    uint128 internal _insuranceFundWad;
    int128 internal _totalTraderPnlWad;
    uint128 internal _totalTraderProfitWad;

    /// @dev Everything one action needs about its market, read once.
    struct Ctx {
        uint256 marketId;
        MarketConfig config;
        ProtocolConfig protocol;
        uint256 priceWad;
        bool atBound;
        bool inGracePeriod;
        int256 fundingIndexWad;
        /// @dev The pro-rata profit scaling factor φ before the action changes anything (1 = no scaling); set
        /// only by actions that realise profit, before their first change.
        uint256 profitScaleWad;
        /// @dev This market's share of the running totals (its side PnL and notional as of the last refresh).
        int256 cachedLongPnlWad;
        int256 cachedShortPnlWad;
        uint256 cachedNotionalWad;
    }

    constructor(IERC20 collateral_, IMarketRegistry registry_) {
        if (address(collateral_) == address(0) || address(registry_) == address(0)) revert ZeroAddress();
        collateral = collateral_;
        _registry = registry_;
        TOKEN_TO_WAD = 10 ** (18 - IERC20Metadata(address(collateral_)).decimals());
    }

    /* SHARED INTERNALS */

    /// @dev Reads config and price, accrues funding into storage. Every state-changing market action starts here.
    function _load(uint256 marketId) internal returns (Ctx memory ctx) {
        ctx.marketId = marketId;
        MarketParams memory params = _params(marketId);
        ctx.config = params.market;
        ctx.protocol = params.protocol;
        (ctx.priceWad, ctx.atBound, ctx.inGracePeriod) = OracleReader.read(marketId, params);
        MarketStore storage m = _markets[marketId];
        // Read before the funding index moves: the totals hold this market at the last refresh's index and price.
        (ctx.cachedLongPnlWad, ctx.cachedShortPnlWad, ctx.cachedNotionalWad) = _cached(m);
        int256 index = m.fundingIndexWad;
        uint256 last = m.lastUpdateTime;
        if (last != 0 && block.timestamp > last) {
            index += FundingMath.indexDelta(
                _skew(m), ctx.config.skewScaleWad, ctx.config.maxFundingRatePerDayWad, ctx.priceWad, block.timestamp - last
            );
            m.fundingIndexWad = index.toInt104();
        }
        m.lastUpdateTime = uint32(block.timestamp);
        ctx.fundingIndexWad = index;
    }

    /// @dev The market's parameters as last published by the registry; an unknown market has none.
    function _params(uint256 marketId) internal view returns (MarketParams memory) {
        uint256 nonce = _markets[marketId].paramsNonce;
        if (nonce == 0) revert IMarketRegistry.MarketNotListed(marketId);
        return ParamsBlob.read(ParamsBlob.addressOf(address(_registry), nonce));
    }

    /// @dev The address of the market's parameter blob, derived from the registry's nonce that created it (zero
    /// when the registry has published none).
    function _paramsPointer(uint256 marketId) internal view returns (address) {
        uint256 nonce = _markets[marketId].paramsNonce;
        return nonce == 0 ? address(0) : ParamsBlob.addressOf(address(_registry), nonce);
    }

    /// @dev φ = θ_scale × vault equity / traders' unrealised profit (all markets and sides, this market at the
    /// action's price) when below 1, rounded down; 1 otherwise.
    function _profitScaleAt(Ctx memory ctx) internal view returns (uint256) {
        (int256 longPnl, int256 shortPnl,) = _sidePnl(_markets[ctx.marketId], ctx.priceWad, ctx.fundingIndexWad);
        int256 profit = int256(uint256(_totalTraderProfitWad)) - _positive(ctx.cachedLongPnlWad)
            - _positive(ctx.cachedShortPnlWad) + _positive(longPnl) + _positive(shortPnl);
        if (profit <= 0) return FixedPointMath.WAD; // spares the equity read on the common path
        return _scaleFactor(_vaultEquityAt(ctx), profit, ctx.protocol.scalingRatioWad);
    }

    /// @dev φ = θ_scale × equity / profit when that is below 1 (rounded down: winners get less), else 1.
    function _scaleFactor(int256 equityWad, int256 profitWad, uint256 scalingRatioWad) internal pure returns (uint256) {
        if (profitWad <= 0) return FixedPointMath.WAD;
        uint256 capacity = equityWad > 0 ? uint256(equityWad).wMulDown(scalingRatioWad) : 0;
        if (capacity >= uint256(profitWad)) return FixedPointMath.WAD;
        return capacity.wDivDown(uint256(profitWad));
    }

    /// @dev What every realised PnL goes through before it is paid (a close, an ADL fill, a solvency close, a
    /// recovered liquidation remainder): a profit is scaled by φ, then what is paid vests above the day's threshold.
    /// @return paidWad The realised PnL actually paid (unchanged when it is a loss or φ = 1).
    function _payRealised(Ctx memory ctx, address account, int256 realisedWad) internal returns (int256 paidWad) {
        paidWad = _scaleProfit(ctx, account, realisedWad);
        _vestProfit(ctx, account, paidWad);
    }

    /// @dev Scales a positive realised profit by φ (after any haircut; the margin is never touched). What is
    /// withheld stays in the vault and is counted publicly: a socialised loss is never silent.
    function _scaleProfit(Ctx memory ctx, address account, int256 realisedWad) private returns (int256) {
        if (realisedWad <= 0 || ctx.profitScaleWad == FixedPointMath.WAD) return realisedWad;
        uint256 kept = uint256(realisedWad).wMulDown(ctx.profitScaleWad);
        uint256 withheld = uint256(realisedWad) - kept;
        _losses[ctx.marketId].profitWithheldWad += withheld.toUint128();
        emit ProfitScaled(account, ctx.marketId, uint256(realisedWad), withheld, ctx.profitScaleWad);
        return int256(kept);
    }

    /// @dev New risk (opening, increasing, flipping, removing margin) needs an unpaused protocol, a price
    /// inside the feed's bounds, a compliant market, no sequencer grace period and a vault above its floor.
    function _requireNewRisk(Ctx memory ctx) internal view {
        _requireNotPaused();
        if (ctx.atBound) revert OraclePriceAtBound(ctx.marketId, ctx.priceWad);
        if (ctx.inGracePeriod) revert SequencerGracePeriod();
        if (!RiskBounds.isCompliant(ctx.config)) revert MarketRampingUp(ctx.marketId);
        int256 equity = _vaultEquityAt(ctx);
        uint256 floor = _floorAt(ctx);
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
        MarketStore storage m = _markets[ctx.marketId];
        (int256 longPnl, int256 shortPnl, uint256 notional) = _sidePnl(m, ctx.priceWad, ctx.fundingIndexWad);
        int256 oldLong = ctx.cachedLongPnlWad;
        int256 oldShort = ctx.cachedShortPnlWad;
        _totalTraderPnlWad = (_totalTraderPnlWad + longPnl + shortPnl - oldLong - oldShort).toInt128();
        _totalTraderProfitWad = (
            int256(uint256(_totalTraderProfitWad)) + _positive(longPnl) + _positive(shortPnl) - _positive(oldLong)
                - _positive(oldShort)
        ).toUint256().toUint128();
        _totalNotionalWad = (_totalNotionalWad + notional - ctx.cachedNotionalWad).toUint128();
        (ctx.cachedLongPnlWad, ctx.cachedShortPnlWad, ctx.cachedNotionalWad) = (longPnl, shortPnl, notional);
        m.lastPriceWad = ctx.priceWad.toUint96();
    }

    /// @dev The market's side PnL and notional as the running totals hold them: at the last refresh's price and
    /// funding index. Valid outside an action, and inside one before _load moves the index.
    function _cached(MarketStore storage m) internal view returns (int256, int256, uint256) {
        return _sidePnl(m, m.lastPriceWad, m.fundingIndexWad);
    }

    /// @dev Traders' net PnL per side, rounded up (the vault's liability errs high), and gross notional.
    function _sidePnl(MarketStore storage m, uint256 priceWad, int256 fundingIndexWad)
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
        (int256 longPnl, int256 shortPnl,) = _sidePnl(_markets[ctx.marketId], ctx.priceWad, ctx.fundingIndexWad);
        int256 total = _totalTraderPnlWad - ctx.cachedLongPnlWad - ctx.cachedShortPnlWad + longPnl + shortPnl;
        return _vaultCashWad - total;
    }

    function _vaultEquity() internal view returns (int256) {
        return int256(_vaultCashWad) - _totalTraderPnlWad;
    }

    function _floor(ProtocolConfig memory pc) internal view returns (uint256) {
        return _floorOf(pc, _totalNotionalWad);
    }

    /// @dev The floor with this market's open interest re-priced at the action's price (others at their cache),
    /// consistent with _vaultEquityAt.
    function _floorAt(Ctx memory ctx) internal view returns (uint256) {
        MarketStore storage m = _markets[ctx.marketId];
        uint256 fresh = (uint256(m.longSizeWad) + m.shortSizeWad).wMulUp(ctx.priceWad);
        return _floorOf(ctx.protocol, uint256(_totalNotionalWad) - ctx.cachedNotionalWad + fresh);
    }

    function _floorOf(ProtocolConfig memory pc, uint256 notionalWad) internal pure returns (uint256) {
        return FixedPointMath.max(pc.floorAbsoluteUsdWad, notionalWad.wMulUp(pc.floorRatioWad));
    }

    /// @dev Books a fill: the vault, every trader's counterparty, pays the realised PnL (after any scaling); the
    /// fee is split between the insurance fund, the treasury and the vault (whose share takes the rounding); one
    /// Traded event carries the fill, the PnL, the fee and its split.
    function _bookFill(Ctx memory ctx, int256 deltaWad, uint256 fill, uint256 feeWad, int256 realised) internal {
        ProtocolConfig memory pc = ctx.protocol;
        uint256 toInsurance = feeWad.wMulDown(pc.insuranceFeeShareWad);
        uint256 toTreasury = feeWad.wMulDown(pc.treasuryFeeShareWad);
        _insuranceFundWad += toInsurance.toUint128();
        _treasuryWad += toTreasury.toUint120();
        _vaultCashWad += ((feeWad - toInsurance - toTreasury).toInt256() - realised).toInt128();
        emit Traded(
            msg.sender,
            ctx.marketId,
            deltaWad,
            ctx.priceWad,
            fill,
            feeWad,
            realised,
            ctx.fundingIndexWad,
            toInsurance,
            toTreasury
        );
    }

    function _emitPosition(uint256 marketId, address account, Position memory p) internal {
        emit PositionUpdated(
            account, marketId, p.sizeWad, p.marginWad, p.jWad, p.f0Wad, p.tier, p.pendingTier, p.pendingTierSince
        );
    }

    function _debitFree(address account, uint256 amountWad) internal {
        uint256 free = _accounts[account].freeCollateralWad;
        if (amountWad > free) revert InsufficientFreeCollateral(free, amountWad);
        _accounts[account].freeCollateralWad = uint224(free - amountWad);
    }

    function _credit(address account, uint256 amountWad) internal {
        Account storage a = _accounts[account];
        a.freeCollateralWad = (a.freeCollateralWad + amountWad).toUint224();
    }

    /* MODULES */

    /// @dev Runs the current call in `module` on this storage (delegatecall) and returns or reverts with its
    /// result: how the engine reaches its modules, and each module the next.
    function _delegate(address module) internal {
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), module, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /* VESTING */

    /// @dev Realised profit above the account's daily threshold vests: it is credited to free collateral at once
    /// (it may margin new trades) but cannot be withdrawn until vested. The day's total counts every market, so
    /// splitting profit across markets does not escape the threshold.
    function _vestProfit(Ctx memory ctx, address account, int256 paidWad) private {
        if (paidWad <= 0 || ctx.protocol.vestingPeriod == 0) return;
        Vesting memory v = _vesting[account];
        uint32 today = uint32(block.timestamp / 1 days);
        uint256 before = v.day == today ? uint256(v.dayRealisedMicroUsd) * 1e12 : 0;
        uint256 total = before + uint256(paidWad);
        v.day = today;
        v.dayRealisedMicroUsd = uint64(FixedPointMath.minU(total / 1e12, type(uint64).max));
        uint256 threshold = ctx.protocol.vestingThresholdUsdWad;
        if (total > threshold) {
            uint256 excess = total - FixedPointMath.max(before, threshold);
            uint256 locked = _lockedProfit(account) + excess;
            v.lockedWad = locked.toUint96();
            v.lockStart = uint32(block.timestamp);
            v.period = ctx.protocol.vestingPeriod;
            emit ProfitVesting(account, ctx.marketId, excess, locked, block.timestamp + v.period);
        }
        _vesting[account] = v;
    }

    /// @dev The part of an account's vesting profit still locked now (linear unlock, rounded up).
    function _lockedProfit(address account) internal view returns (uint256) {
        Vesting memory v = _vesting[account];
        if (v.lockedWad == 0) return 0;
        uint256 elapsed = block.timestamp - v.lockStart;
        if (elapsed >= v.period) return 0;
        return uint256(v.lockedWad).mulDivUp(v.period - elapsed, v.period);
    }

    /* ACCOUNTS AND LISTS */

    /// @dev The caller's account id, assigned on first use.
    function _accountId(address account) internal returns (uint32 id) {
        id = _accounts[account].id;
        if (id == 0) {
            id = ++accountCount;
            _accounts[account].id = id;
            _accountOf[id] = account;
        }
    }

    /// @dev A pro-rata slice (or the whole) of a position leaves its side: Σ|s| and Σ|s|·J drop exactly.
    function _leaveSide(uint256 marketId, bool isLong, uint256 sizeWad, int256 jWad) internal {
        MarketStore storage m = _markets[marketId];
        if (isLong) {
            m.longSizeWad -= sizeWad.toUint128();
            m.longJSum -= int256(sizeWad) * jWad;
        } else {
            m.shortSizeWad -= sizeWad.toUint128();
            m.shortJSum -= int256(sizeWad) * jWad;
        }
    }

    /// @dev A forced pro-rata close of q units of a position (an ADL fill or a vault-solvency close): its slice
    /// margin and the realised PnL paid (after haircut and scaling) go to the owner's free collateral, the vault
    /// pays that PnL, and the position keeps a pro-rata remainder in place (J unchanged) or leaves its list.
    /// @return remaining The position after the close (all zero when it is gone).
    function _forceClose(Ctx memory ctx, uint32 id, Position memory p, address owner, uint256 q, uint256 paidWad)
        internal
        returns (Position memory remaining)
    {
        uint256 sizeAbs = int256(p.sizeWad).abs();
        bool whole = q == sizeAbs;
        uint256 marginSlice = whole ? p.marginWad : uint256(p.marginWad).mulDivDown(q, sizeAbs);
        _credit(owner, marginSlice + paidWad);
        _vaultCashWad -= paidWad.toInt256().toInt128();
        _leaveSide(ctx.marketId, p.sizeWad > 0, q, p.jWad);
        if (whole) {
            _unlist(ctx.marketId, id, p);
            if (p.inLiquidation) --_positionsInLiquidation;
            return _clear(ctx.marketId, id);
        }
        p.sizeWad = p.sizeWad > 0 ? p.sizeWad - int104(int256(q)) : p.sizeWad + int104(int256(q));
        p.marginWad -= uint96(marginSlice);
        _positions[ctx.marketId][id] = p;
        return p;
    }

    /// @dev Deletes a position; returns it as now stored (all zero) without reading it back.
    function _clear(uint256 marketId, uint32 id) internal returns (Position memory empty) {
        delete _positions[marketId][id];
        return empty;
    }

    function _listKey(bool isLong, uint8 tier) internal pure returns (uint256) {
        return (isLong ? 8 : 0) + tier;
    }

    /// @dev Unlinks a position from its ADL list (exempt positions are in none). Needs no hints.
    function _unlist(uint256 marketId, uint32 id, Position memory p) internal {
        if (p.tier == 0 || p.sizeWad == 0) return;
        TierList.remove(_lists[marketId][_listKey(p.sizeWad > 0, p.tier)], _positions[marketId], id);
        p.prevId = 0;
        p.nextId = 0;
    }

    /// @dev Stores the position and, when it belongs to a list, links it at its sorted place behind every
    /// position of equal J.
    function _storeAndList(Ctx memory ctx, uint32 id, Position memory p, uint32[] memory hints) internal {
        _positions[ctx.marketId][id] = p;
        if (p.tier != 0) {
            TierList.insert(
                _lists[ctx.marketId][_listKey(p.sizeWad > 0, p.tier)],
                _positions[ctx.marketId],
                id,
                hints,
                ctx.protocol.hintWalkBound
            );
        }
    }

    /// @dev The position leaves the list of `oldTier` (none when 0) and is stored and linked into its current
    /// tier's list, at its sorted place behind every position of equal J.
    function _moveList(Ctx memory ctx, uint32 id, Position memory p, uint8 oldTier, uint32[] memory hints)
        internal
    {
        if (oldTier != 0) {
            uint8 newTier = p.tier;
            p.tier = oldTier;
            _unlist(ctx.marketId, id, p);
            p.tier = newTier;
        }
        _storeAndList(ctx, id, p, hints);
    }

    /// @dev The caller's own live position: revert when there is none or it is being liquidated.
    function _ownPosition(uint256 marketId) internal view returns (uint32 id, Position memory p) {
        id = _accounts[msg.sender].id;
        p = _positions[marketId][id];
        if (p.sizeWad == 0) revert NoPosition(msg.sender, marketId);
        if (p.inLiquidation) revert PositionInLiquidation(msg.sender, marketId);
    }

    /// @dev Pulls tokens and rejects fee-on-transfer tokens by checking the balance delta.
    function _pullTokens(address from, uint256 amountTokens) internal {
        if (amountTokens == 0) revert ZeroAmount();
        uint256 before = collateral.balanceOf(address(this));
        collateral.safeTransferFrom(from, address(this), amountTokens);
        uint256 received = collateral.balanceOf(address(this)) - before;
        if (received != amountTokens) revert TransferAmountMismatch(amountTokens, received);
    }

    function _skew(MarketStore storage m) internal view returns (int256) {
        return int256(uint256(m.longSizeWad)) - int256(uint256(m.shortSizeWad));
    }

    function _positive(int256 x) internal pure returns (int256) {
        return x > 0 ? x : int256(0);
    }

}
