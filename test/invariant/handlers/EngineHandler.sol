// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Vm} from "forge-std/Vm.sol";
import {console} from "forge-std/console.sol";

import {BackstopVault} from "../../../contracts/BackstopVault.sol";
import {MarketRegistry} from "../../../contracts/MarketRegistry.sol";
import {PerpEngine} from "../../../contracts/PerpEngine.sol";
import {IPerpEngine, IPerpEngineBase, ITrading, Position, MarketState} from "../../../contracts/interfaces/IPerpEngine.sol";
import {MarketConfig} from "../../../contracts/interfaces/IMarketRegistry.sol";
import {FixedPointMath} from "../../../contracts/libraries/FixedPointMath.sol";
import {PositionMath} from "../../../contracts/libraries/PositionMath.sol";
import {MockAggregator} from "../../../contracts/mocks/MockAggregator.sol";
import {MockUSDC} from "../../../contracts/mocks/MockUSDC.sol";
import {LiquidationLedger} from "./LiquidationLedger.sol";

/// @title EngineHandler
/// @notice Random, bounded actions over the traders, a keeper, two LPs and both markets, for the engine's
/// invariant tests: trading, margin, LP flows, price moves and gaps through bankruptcy prices, single and batch
/// liquidations and their continuations, vault-solvency ADL, tier drops and donations. No action reverts: each checks its
/// preconditions first and skips what would revert (counted), and the reverts its checks cannot foresee (initial
/// margin after impact, caps, the solvency floor, proceeds below the fee) or that it provokes on purpose (a healthy
/// position liquidated, an owner touching a position in liquidation, LP flows while liquidations are pending) are
/// caught and must be one of the expected custom errors, otherwise they are re-thrown.
/// @dev Ghost totals rebuild every ledger from outside: tokens in and out, fee splits and realised PnL from the
/// engine's events; LiquidationLedger rebuilds every position from the events and audits each liquidation. Per
/// action it also records whether another account's funds or position moved, and whether a margin removal left
/// its position below initial margin; the invariants assert those counters stay zero.
contract EngineHandler is CommonBase, StdUtils {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant TOKEN_TO_WAD = 1e12;
    uint256 internal constant FEED_TO_WAD = 1e10;
    uint256 internal constant MARKETS = 2;
    uint256 internal constant MAX_MOVE_BPS = 500;
    /// @dev A gap: up to 30% in one oracle round, through the bankruptcy price of anything above 3x.
    uint256 internal constant MAX_GAP_BPS = 3000;
    uint256 internal constant MAX_DONATION_TOKENS = 20_000e6;
    /// @dev Prices stay within 1/10 and 10× of their start, far inside the feeds' circuit-breaker bounds.
    uint256 internal constant PRICE_RANGE = 10;
    /// @dev At most one heartbeat per warp; both feeds are re-published at the new time.
    uint256 internal constant MAX_WARP = 3600;
    uint256 internal constant MIN_NOTIONAL_WAD = 1_010e18;
    uint256 internal constant MAX_NOTIONAL_WAD = 500_000e18;
    uint256 internal constant MIN_LEVERAGE_WAD = 1.1e18;
    uint256 internal constant MAX_LEVERAGE_WAD = 80e18;
    uint256 internal constant MAX_MARGIN_MOVE_WAD = 100_000e18;
    uint256 internal constant MAX_DEPOSIT_TOKENS = 1_000_000e6;
    uint256 internal constant MAX_LP_DEPOSIT_TOKENS = 100_000e6;

    IPerpEngine public immutable engine;
    BackstopVault public immutable vault;
    MockUSDC public immutable usdc;
    MarketRegistry public immutable registry;
    LiquidationLedger public immutable ledger;
    address public immutable keeper;

    address[] internal _traders;
    /// @dev The traders and the keeper: every account whose free collateral the engine may hold.
    address[] internal _accounts;
    address[] internal _lps;
    MockAggregator[MARKETS] internal _feeds;
    uint256[MARKETS] internal _initialPrices;

    /* GHOSTS */

    uint256 public immutable initialEngineTokens;
    int256 public immutable initialVaultCashWad;
    uint256 public immutable initialInsuranceWad;
    uint256 public immutable initialTreasuryWad;

    uint256 public ghostTokensIn;
    uint256 public ghostTokensOut;
    uint256 public ghostLpTokensIn;
    uint256 public ghostLpTokensOut;
    uint256 public ghostInsuranceFeesWad;
    uint256 public ghostTreasuryFeesWad;
    uint256 public ghostVaultFeesWad;
    int256 public ghostRealisedPnlWad;
    int256 public ghostMinVaultCashWad;
    uint256 public ghostDonationsWad;

    uint256 public ghostFeeSplitErrors;
    uint256 public ghostForeignChanges;
    uint256 public ghostRemovalsBelowInitialMargin;
    uint256 public ghostEarlyTierDrops;
    uint256 public ghostLpLimitViolations;
    string public ghostLastViolation;

    /// @dev The action under way and every account's state before it.
    Scope internal _scope;
    AccountSnapshot[] internal _before;
    uint256[] internal _lpSharesBefore;

    string[] internal _actionNames;
    mapping(bytes32 action => uint256) public calls;
    mapping(bytes32 action => uint256) public skips;
    mapping(bytes32 action => uint256) public expectedReverts;
    /// @dev What the liquidation call under way was given and returned, for the ledger's closing checks.
    uint256 internal _liquidationListed;
    uint256 internal _liquidationReturned;
    /// @dev Whether the audited call under way is vault-solvency ADL (else a liquidation), and what it returned.
    bool internal _solvencyCall;
    uint256 internal _solvencyReturned;

    /// @notice Thrown by the handler (failing the run) when a call it expected to revert went through.
    error UnexpectedSuccess(string what);

    /// @dev Who may be affected by the action under way. A liquidation's effects on others are what its events
    /// say, to the wei: the ledger checks them instead.
    struct Scope {
        address actor;
        bool freeMayChange;
        bool positionMayChange;
        bool tierMayChange;
        bool liquidation;
    }

    struct AccountSnapshot {
        bytes32 free;
        bytes32 position;
        bytes32 tier;
        int256[MARKETS] sizes;
        uint8[MARKETS] tiers;
        uint8[MARKETS] pendingTiers;
    }

    struct Slot {
        address trader;
        uint256 marketId;
        Position position;
    }

    /// @dev Open, Healthy, Liquidatable and NonNegativeEquity exclude positions in liquidation (their owners
    /// cannot act on them and they need no new trigger).
    enum Need {
        Empty,
        Open,
        NonNegativeEquity,
        TierDropDue,
        Liquidatable,
        Healthy,
        InLiquidation
    }

    constructor(
        IPerpEngine engine_,
        BackstopVault vault_,
        MockUSDC usdc_,
        MockAggregator ethFeed,
        MockAggregator btcFeed,
        address[] memory traders_,
        address keeper_,
        address[] memory lps_
    ) {
        engine = engine_;
        vault = vault_;
        usdc = usdc_;
        registry = MarketRegistry(address(engine_.registry()));
        _feeds = [ethFeed, btcFeed];
        _traders = traders_;
        keeper = keeper_;
        _accounts = traders_;
        _accounts.push(keeper_);
        _lps = lps_;
        ledger = new LiquidationLedger(engine_, _accounts);
        for (uint256 i; i < MARKETS; ++i) {
            (_initialPrices[i],,) = registry.readPrice(i + 1);
        }
        initialEngineTokens = usdc_.balanceOf(address(engine_));
        initialVaultCashWad = engine_.vaultCashWad();
        initialInsuranceWad = engine_.insuranceFundWad();
        initialTreasuryWad = engine_.treasuryWad();
        ghostMinVaultCashWad = initialVaultCashWad;
        _actionNames = [
            "deposit",
            "withdraw",
            "open",
            "increase",
            "decrease",
            "flip",
            "close",
            "addMargin",
            "removeMargin",
            "depositAndAddMargin",
            "lpDeposit",
            "lpWithdraw",
            "movePrice",
            "warp",
            "applyTierDrop",
            "poke",
            "gapPrice",
            "liquidate",
            "liquidateHealthy",
            "continueLiquidation",
            "liquidateBatch",
            "ownerActsInLiquidation",
            "donateInsurance",
            "deleverageForSolvency"
        ];
    }

    /* COLLATERAL */

    function deposit(uint256 traderSeed, uint256 amountRaw) external {
        address trader = _trader(traderSeed);
        uint256 amount = bound(amountRaw, 1, MAX_DEPOSIT_TOKENS);
        _begin(Scope(trader, true, false, false, false));
        _depositFor(trader, amount);
        _end("deposit");
    }

    /// @dev The keeper withdraws its rewards like any trader.
    function withdraw(uint256 traderSeed, uint256 amountRaw) external {
        address trader = _accounts[traderSeed % _accounts.length];
        // Realised profit above the daily threshold vests: only the rest can leave.
        uint256 free = engine.freeCollateralWad(trader);
        uint256 locked = engine.lockedProfitWad(trader);
        uint256 maxTokens = free > locked ? (free - locked) / TOKEN_TO_WAD : 0;
        if (maxTokens == 0) return _skip("withdraw");
        uint256 amount = bound(amountRaw, 1, maxTokens);
        _begin(Scope(trader, true, false, false, false));
        vm.prank(trader);
        engine.withdraw(amount);
        ghostTokensOut += amount;
        _end("withdraw");
    }

    /* TRADING */

    function open(uint256 slotSeed, bool isLong, uint256 notionalRaw, uint256 leverageRaw) external {
        (bool found, Slot memory s) = _findSlot(slotSeed, Need.Empty);
        if (!found) return _skip("open");
        int256 delta = _sizeFor(s.marketId, bound(notionalRaw, MIN_NOTIONAL_WAD, MAX_NOTIONAL_WAD), isLong);
        uint256 margin = _marginFor(s.marketId, delta, bound(leverageRaw, MIN_LEVERAGE_WAD, MAX_LEVERAGE_WAD));
        _begin(Scope(s.trader, true, true, true, false));
        // Sized at 80x or less against 88.9x allowed: an open never fails the initial-margin check.
        _tradeWithCollateral("open", s, delta, margin, bytes4(0));
    }

    function increase(uint256 slotSeed, uint256 notionalRaw, uint256 leverageRaw) external {
        (bool found, Slot memory s) = _findSlot(slotSeed, Need.Open);
        if (!found) return _skip("increase");
        bool isLong = s.position.sizeWad > 0;
        int256 delta = _sizeFor(s.marketId, bound(notionalRaw, MIN_NOTIONAL_WAD, MAX_NOTIONAL_WAD), isLong);
        uint256 margin = _marginFor(s.marketId, delta, bound(leverageRaw, MIN_LEVERAGE_WAD, MAX_LEVERAGE_WAD));
        _begin(Scope(s.trader, true, true, true, false));
        // The position's loss counts against the new size: an increase may fail the initial-margin check.
        _tradeWithCollateral("increase", s, delta, margin, IPerpEngineBase.BelowInitialMargin.selector);
    }

    /// @dev A pro-rata slice that leaves at least the minimum notional.
    function decrease(uint256 slotSeed, uint256 sizeRaw) external {
        (bool found, Slot memory s) = _findSlot(slotSeed, Need.NonNegativeEquity);
        if (!found) return _skip("decrease");
        uint256 sizeAbs = FixedPointMath.abs(s.position.sizeWad);
        uint256 minRemainder = _minSize(s.marketId);
        if (sizeAbs <= minRemainder) return _skip("decrease");
        uint256 q = bound(sizeRaw, 1, sizeAbs - minRemainder);
        int256 delta = s.position.sizeWad > 0 ? -int256(q) : int256(q);
        _begin(Scope(s.trader, true, true, true, false));
        _reduce("decrease", s, delta);
    }

    function flip(uint256 slotSeed, uint256 notionalRaw, uint256 leverageRaw) external {
        (bool found, Slot memory s) = _findSlot(slotSeed, Need.NonNegativeEquity);
        if (!found) return _skip("flip");
        int256 rest =
            _sizeFor(s.marketId, bound(notionalRaw, MIN_NOTIONAL_WAD, MAX_NOTIONAL_WAD), s.position.sizeWad < 0);
        uint256 margin = _marginFor(s.marketId, rest, bound(leverageRaw, MIN_LEVERAGE_WAD, MAX_LEVERAGE_WAD));
        _begin(Scope(s.trader, true, true, true, false));
        // The close leg may not pay its fee; the fresh open is sized like an open.
        _tradeWithCollateral("flip", s, rest - s.position.sizeWad, margin, IPerpEngineBase.ProceedsBelowFee.selector);
    }

    function close(uint256 slotSeed) external {
        (bool found, Slot memory s) = _findSlot(slotSeed, Need.NonNegativeEquity);
        if (!found) return _skip("close");
        _begin(Scope(s.trader, true, true, true, false));
        _reduce("close", s, -s.position.sizeWad);
    }

    /// @notice Opens a position through the same path as `open`, for the test's setUp to seed a book (not a
    /// fuzzed action: the test does not target it).
    function seedPosition(uint256 traderIndex, uint256 marketId, bool isLong, uint256 notionalWad, uint256 leverageWad)
        external
    {
        Slot memory s;
        s.trader = _traders[traderIndex];
        s.marketId = marketId;
        int256 delta = _sizeFor(marketId, notionalWad, isLong);
        _begin(Scope(s.trader, true, true, true, false));
        _tradeWithCollateral("open", s, delta, _marginFor(marketId, delta, leverageWad), bytes4(0));
    }

    /* MARGIN */

    function addMargin(uint256 slotSeed, uint256 amountRaw) external {
        (bool found, Slot memory s) = _findSlot(slotSeed, Need.Open);
        if (!found) return _skip("addMargin");
        uint256 free = engine.freeCollateralWad(s.trader);
        if (free == 0) return _skip("addMargin");
        uint256 amount = bound(amountRaw, 1, FixedPointMath.minU(free, MAX_MARGIN_MOVE_WAD));
        _begin(Scope(s.trader, true, true, true, false));
        vm.prank(s.trader);
        engine.addMargin(s.marketId, amount);
        _end("addMargin");
    }

    /// @dev The removable amount is computed exactly as the engine should check it (losses count, paper profit
    /// never does). Three calls in four stay within it and must succeed; the rest may ask for up to the whole
    /// margin, and beyond the removable amount must revert with BelowInitialMargin. A removal the engine lets
    /// through anyway is caught by the check after it.
    function removeMargin(uint256 slotSeed, uint256 amountRaw) external {
        (bool found, Slot memory s) = _findSlot(slotSeed, Need.Open);
        if (!found) return _skip("removeMargin");
        uint256 removable = _removableMargin(s);
        bool withinRemovable = removable > 0 && amountRaw % 4 != 0;
        uint256 amount = bound(amountRaw, 1, withinRemovable ? removable : s.position.marginWad);
        _begin(Scope(s.trader, true, true, true, false));
        vm.prank(s.trader);
        try engine.removeMargin(s.marketId, amount, new uint32[](0)) {
            _checkInitialMarginAfterRemoval(s.trader, s.marketId);
            _end("removeMargin");
        } catch (bytes memory reason) {
            bytes4[] memory allowed = new bytes4[](amount > removable ? 2 : 1);
            allowed[0] = IPerpEngineBase.VaultAtSolvencyFloor.selector;
            if (amount > removable) allowed[1] = IPerpEngineBase.BelowInitialMargin.selector;
            _expectOneOf("removeMargin", reason, allowed);
        }
    }

    function depositAndAddMargin(uint256 slotSeed, uint256 amountRaw) external {
        (bool found, Slot memory s) = _findSlot(slotSeed, Need.Open);
        if (!found) return _skip("depositAndAddMargin");
        uint256 amount = bound(amountRaw, 1, MAX_MARGIN_MOVE_WAD / TOKEN_TO_WAD);
        _begin(Scope(s.trader, false, true, true, false));
        vm.prank(s.trader);
        engine.depositAndAddMargin(s.marketId, amount);
        ghostTokensIn += amount;
        _end("depositAndAddMargin");
    }

    /* LIQUIDITY */

    /// @dev While positions are in liquidation LP flows wait: the vault reports no room (ERC-4626 requires it,
    /// since the deposit would revert) and a deposit anyway reverts with LiquidationsPending.
    function lpDeposit(uint256 lpSeed, uint256 amountRaw) external {
        address lp = _lps[bound(lpSeed, 0, _lps.length - 1)];
        uint256 amount = bound(amountRaw, 1e6, MAX_LP_DEPOSIT_TOKENS);
        uint256 pending = engine.positionsInLiquidation();
        if (pending != 0) {
            if (vault.maxDeposit(lp) != 0) _lpLimitViolation("maxDeposit is not zero while liquidations are pending");
            if (engine.vaultEquityWad() <= 0 || vault.previewDeposit(amount) == 0) return _skip("lpDeposit");
            _begin(Scope(lp, false, false, false, false));
            vm.prank(lp);
            try vault.deposit(amount, lp) {
                revert UnexpectedSuccess("an LP deposit went through while liquidations are pending");
            } catch (bytes memory reason) {
                _expectOneOf("lpDeposit", reason, _errors(IPerpEngineBase.LiquidationsPending.selector));
            }
            return;
        }
        if (vault.maxDeposit(lp) == 0 || vault.previewDeposit(amount) == 0) return _skip("lpDeposit");
        _begin(Scope(lp, false, false, false, false));
        vm.prank(lp);
        vault.deposit(amount, lp);
        ghostTokensIn += amount;
        ghostLpTokensIn += amount;
        _end("lpDeposit");
    }

    /// @dev Bounded by maxWithdraw / maxRedeem, which ERC-4626 requires never to exceed what would be accepted:
    /// any revert fails the run. While liquidations are pending both are zero, and a withdrawal anyway reverts
    /// with LiquidationsPending.
    function lpWithdraw(uint256 lpSeed, uint256 amountRaw, bool byShares) external {
        address lp = _lps[bound(lpSeed, 0, _lps.length - 1)];
        uint256 max = byShares ? vault.maxRedeem(lp) : vault.maxWithdraw(lp);
        if (engine.positionsInLiquidation() != 0) return _lpWithdrawWhilePending(lp, amountRaw, max);
        if (max == 0) return _skip("lpWithdraw");
        uint256 amount = bound(amountRaw, 1, max);
        _begin(Scope(lp, false, false, false, false));
        uint256 assets = amount;
        vm.prank(lp);
        if (byShares) assets = vault.redeem(amount, lp, lp);
        else vault.withdraw(amount, lp, lp);
        ghostTokensOut += assets;
        ghostLpTokensOut += assets;
        _end("lpWithdraw");
    }

    /* ORACLE, TIME AND KEEPERS */

    function movePrice(uint256 marketSeed, int256 bpsRaw) external {
        _movePrice("movePrice", marketSeed, bpsRaw, MAX_MOVE_BPS);
    }

    /// @dev A gap in one oracle round: positions beyond their bankruptcy price become deficits.
    function gapPrice(uint256 marketSeed, int256 bpsRaw) external {
        _movePrice("gapPrice", marketSeed, bpsRaw, MAX_GAP_BPS);
    }

    function warp(uint256 secondsRaw) external {
        uint256 elapsed = bound(secondsRaw, 1, MAX_WARP);
        _begin(Scope(address(0), false, false, false, false));
        uint256[MARKETS] memory prices;
        for (uint256 i; i < MARKETS; ++i) {
            prices[i] = _price(i + 1);
        }
        vm.warp(block.timestamp + elapsed);
        for (uint256 i; i < MARKETS; ++i) {
            _publish(i + 1, prices[i]);
        }
        _end("warp");
    }

    function applyTierDrop(uint256 slotSeed, uint256 callerSeed) external {
        (bool found, Slot memory s) = _findSlot(slotSeed, Need.TierDropDue);
        if (!found) return _skip("applyTierDrop");
        // Anyone may apply a due drop: only the target's tier may change, nothing else of anyone.
        _begin(Scope(s.trader, false, false, true, false));
        vm.prank(_trader(callerSeed));
        engine.applyTierDrop(s.trader, s.marketId, new uint32[](0));
        _end("applyTierDrop");
    }

    function poke(uint256 marketSeed, uint256 callerSeed) external {
        uint256 marketId = bound(marketSeed, 1, MARKETS);
        _begin(Scope(address(0), false, false, false, false));
        vm.prank(_trader(callerSeed));
        engine.poke(marketId);
        _end("poke");
    }

    /* LIQUIDATION */

    /// @dev A position the handler predicts liquidatable (the engine's own condition, on the funding index accrued
    /// to now) must be liquidated: any revert fails the run.
    function liquidate(uint256 slotSeed, uint256 callerSeed) external {
        (bool found, Slot memory s) = _findSlot(slotSeed, Need.Liquidatable);
        if (!found) return _skip("liquidate");
        _liquidateOne("liquidate", s, callerSeed);
    }

    /// @dev A position left in liquidation is continued whatever its equity now.
    function continueLiquidation(uint256 slotSeed, uint256 callerSeed) external {
        (bool found, Slot memory s) = _findSlot(slotSeed, Need.InLiquidation);
        if (!found) return _skip("continueLiquidation");
        _liquidateOne("continueLiquidation", s, callerSeed);
    }

    /// @dev A healthy position (or none) cannot be liquidated: the call must revert with the reason, and changes
    /// nothing.
    function liquidateHealthy(uint256 slotSeed, uint256 callerSeed, bool empty) external {
        (bool found, Slot memory s) = _findSlot(slotSeed, empty ? Need.Empty : Need.Healthy);
        if (!found) return _skip("liquidateHealthy");
        address caller = _liquidator(callerSeed);
        _begin(Scope(caller, false, false, false, false));
        vm.prank(caller);
        try engine.liquidate(s.trader, s.marketId) {
            revert UnexpectedSuccess("liquidated a position that is neither liquidatable nor in liquidation");
        } catch (bytes memory reason) {
            bytes4 expected =
                empty ? IPerpEngineBase.NoPosition.selector : IPerpEngineBase.PositionNotLiquidatable.selector;
            _expectOneOf("liquidateHealthy", reason, _errors(expected));
        }
    }

    /// @dev Several accounts of one market in one call, in a random order: healthy ones, an account with no
    /// position and sometimes a duplicate are skipped, never reverted.
    function liquidateBatch(uint256 marketSeed, uint256 maskSeed, uint256 callerSeed) external {
        uint256 marketId = bound(marketSeed, 1, MARKETS);
        address[] memory list = _batchList(maskSeed);
        if (list.length == 0) return _skip("liquidateBatch");
        address caller = _liquidator(callerSeed);
        _begin(Scope(caller, true, false, false, true));
        ledger.beginLiquidation(marketId, caller, false, address(0));
        vm.prank(caller);
        uint256 count = engine.liquidateBatch(marketId, list);
        _liquidationListed = list.length;
        _liquidationReturned = count;
        _end("liquidateBatch");
    }

    /// @dev DESIGN: the owner of a position in liquidation can neither trade it nor move its margin.
    function ownerActsInLiquidation(uint256 slotSeed, uint256 kind, uint256 amountRaw) external {
        (bool found, Slot memory s) = _findSlot(slotSeed, Need.InLiquidation);
        if (!found) return _skip("ownerActsInLiquidation");
        uint256 amount = bound(amountRaw, 1, MAX_MARGIN_MOVE_WAD / TOKEN_TO_WAD);
        _begin(Scope(s.trader, true, false, false, false));
        if (engine.freeCollateralWad(s.trader) < amount * TOKEN_TO_WAD) _depositFor(s.trader, amount);
        int256 delta = s.position.sizeWad > 0 ? int256(_minSize(s.marketId)) : -int256(_minSize(s.marketId));
        bytes memory data;
        kind %= 5;
        if (kind == 0) {
            data = abi.encodeCall(ITrading.addMargin, (s.marketId, amount * TOKEN_TO_WAD));
        } else if (kind == 1) {
            data = abi.encodeCall(ITrading.depositAndAddMargin, (s.marketId, amount));
        } else if (kind == 2) {
            data = abi.encodeCall(ITrading.removeMargin, (s.marketId, 1, new uint32[](0)));
        } else if (kind == 3) {
            uint256 margin = amount * TOKEN_TO_WAD;
            data = abi.encodeCall(ITrading.trade, (s.marketId, delta, margin, _anyPrice(delta), new uint32[](0)));
        } else {
            data = abi.encodeCall(ITrading.closePosition, (s.marketId, _anyPrice(-s.position.sizeWad)));
        }
        vm.prank(s.trader);
        (bool succeeded, bytes memory reason) = address(engine).call(data);
        if (succeeded) revert UnexpectedSuccess("the owner acted on a position in liquidation");
        _expectOneOf("ownerActsInLiquidation", reason, _errors(IPerpEngineBase.PositionInLiquidation.selector));
    }

    /* VAULT SOLVENCY */

    /// @dev Vault-solvency ADL on a random side. When the engine reports the side's profit above the trigger the
    /// call must go through, and the ledger audits it (order, prices, target, reward); below the trigger it must
    /// revert with SolvencyAdlNotTriggered and change nothing.
    function deleverageForSolvency(uint256 marketSeed, bool isLong, uint256 callerSeed) external {
        uint256 marketId = bound(marketSeed, 1, MARKETS);
        address caller = _liquidator(callerSeed);
        (,, bool triggered) = engine.solvencyAdlStatus(marketId, isLong);
        if (!triggered) {
            _begin(Scope(caller, false, false, false, false));
            vm.prank(caller);
            try engine.deleverageForSolvency(marketId, isLong) {
                revert UnexpectedSuccess("vault-solvency ADL ran below its trigger");
            } catch (bytes memory reason) {
                _expectOneOf("deleverageForSolvency", reason, _errors(IPerpEngineBase.SolvencyAdlNotTriggered.selector));
            }
            return;
        }
        _begin(Scope(caller, true, false, false, true));
        _solvencyCall = true;
        ledger.beginSolvencyAdl(marketId, isLong, caller);
        vm.prank(caller);
        _solvencyReturned = engine.deleverageForSolvency(marketId, isLong);
        _end("deleverageForSolvency");
    }

    /// @dev Anyone may donate to the insurance fund; nobody's ledger but the fund's changes.
    function donateInsurance(uint256 donorSeed, uint256 amountRaw) external {
        address donor = _accounts[donorSeed % _accounts.length];
        uint256 amount = bound(amountRaw, 1, MAX_DONATION_TOKENS);
        _begin(Scope(address(0), false, false, false, false));
        vm.prank(donor);
        engine.donateInsurance(amount);
        ghostTokensIn += amount;
        _end("donateInsurance");
    }

    /* VIEWS FOR THE INVARIANTS */

    function traders() external view returns (address[] memory) {
        return _traders;
    }

    function accounts() external view returns (address[] memory) {
        return _accounts;
    }

    function lps() external view returns (address[] memory) {
        return _lps;
    }

    function callSummary() external view {
        uint256 totalCalls;
        uint256 totalSkips;
        uint256 totalExpected;
        for (uint256 i; i < _actionNames.length; ++i) {
            bytes32 key = keccak256(bytes(_actionNames[i]));
            console.log(
                string.concat(
                    _actionNames[i],
                    ": ",
                    vm.toString(calls[key]),
                    " done, ",
                    vm.toString(skips[key]),
                    " skipped, ",
                    vm.toString(expectedReverts[key]),
                    " expected reverts"
                )
            );
            totalCalls += calls[key];
            totalSkips += skips[key];
            totalExpected += expectedReverts[key];
        }
        console.log(
            string.concat(
                "total: ",
                vm.toString(totalCalls),
                " done, ",
                vm.toString(totalSkips),
                " skipped, ",
                vm.toString(totalExpected),
                " expected reverts; lowest vault cash (USD): ",
                vm.toString(ghostMinVaultCashWad / 1e18)
            )
        );
        console.log(
            string.concat(
                "liquidated slices: ",
                vm.toString(ledger.countLiquidations()),
                " (continuations ",
                vm.toString(ledger.countContinuations()),
                ", left in liquidation ",
                vm.toString(ledger.countPartialSlices()),
                ", with takeover ",
                vm.toString(ledger.countTakeovers()),
                "); ADL fills ",
                vm.toString(ledger.countAdlFills()),
                " (with haircut ",
                vm.toString(ledger.countHaircutFills()),
                "); deficits ",
                vm.toString(ledger.countDeficits()),
                ", bad debts ",
                vm.toString(ledger.countBadDebts()),
                ", vault overrides ",
                vm.toString(ledger.countOverrides()),
                ", batch skips ",
                vm.toString(ledger.countSkips())
            )
        );
        console.log(
            string.concat(
                "vault-solvency ADL calls ",
                vm.toString(ledger.countSolvencyCalls()),
                " (closes ",
                vm.toString(ledger.countSolvencyCloses()),
                ")"
            )
        );
    }

    /* INTERNAL: TRADES */

    /// @dev Tops the trader's free collateral up to the order's collateral, then trades at any price. Every order
    /// may meet a cap or the solvency floor; `extra` lists what else this kind of order may legitimately meet.
    function _tradeWithCollateral(
        string memory action,
        Slot memory s,
        int256 delta,
        uint256 margin,
        bytes4 extra
    ) internal {
        uint256 free = engine.freeCollateralWad(s.trader);
        if (free < margin) _depositFor(s.trader, (margin - free) / TOKEN_TO_WAD + 1);
        vm.prank(s.trader);
        try engine.trade(s.marketId, delta, margin, _anyPrice(delta), new uint32[](0)) {
            _end(action);
        } catch (bytes memory reason) {
            bytes4[] memory allowed = new bytes4[](4);
            allowed[0] = IPerpEngineBase.VaultExposureCapExceeded.selector;
            allowed[1] = IPerpEngineBase.OpenInterestCapExceeded.selector;
            allowed[2] = IPerpEngineBase.VaultAtSolvencyFloor.selector;
            allowed[3] = extra;
            _expectOneOf(action, reason, allowed);
        }
    }

    function _reduce(string memory action, Slot memory s, int256 delta) internal {
        vm.prank(s.trader);
        try engine.trade(s.marketId, delta, 0, _anyPrice(delta), new uint32[](0)) {
            _end(action);
        } catch (bytes memory reason) {
            _expectOneOf(action, reason, _errors(IPerpEngineBase.ProceedsBelowFee.selector));
        }
    }

    function _liquidateOne(string memory action, Slot memory s, uint256 callerSeed) internal {
        address caller = _liquidator(callerSeed);
        _begin(Scope(caller, true, false, false, true));
        ledger.beginLiquidation(s.marketId, caller, true, s.trader);
        vm.prank(caller);
        _liquidationReturned = engine.liquidate(s.trader, s.marketId);
        _liquidationListed = 1;
        _end(action);
    }

    /// @dev A random subset of the traders in a random rotation; sometimes the first one twice (a keeper's stale
    /// list) and the keeper, who never has a position.
    function _batchList(uint256 seed) internal view returns (address[] memory list) {
        uint256 n = _traders.length;
        list = new address[](n + 2);
        uint256 length;
        uint256 start = (seed >> 16) % n;
        for (uint256 i; i < n; ++i) {
            uint256 index = (start + i) % n;
            if ((seed >> index) & 1 == 1) list[length++] = _traders[index];
        }
        if (length != 0 && (seed >> 24) % 4 == 0) list[length++] = list[0];
        if ((seed >> 28) % 4 == 0) list[length++] = keeper;
        assembly ("memory-safe") {
            mstore(list, length)
        }
    }

    /// @dev The keeper, or a trader (perhaps the liquidated one itself) acting as keeper.
    function _liquidator(uint256 seed) internal view returns (address) {
        return _accounts[seed % _accounts.length];
    }

    function _movePrice(string memory action, uint256 marketSeed, int256 bpsRaw, uint256 maxBps) internal {
        uint256 marketId = bound(marketSeed, 1, MARKETS);
        int256 bps = bound(bpsRaw, -int256(maxBps), int256(maxBps));
        uint256 initial = _initialPrices[marketId - 1];
        uint256 next = uint256(int256(_price(marketId)) * (10_000 + bps) / 10_000);
        next = next < initial / PRICE_RANGE ? initial / PRICE_RANGE : next;
        next = next > initial * PRICE_RANGE ? initial * PRICE_RANGE : next;
        _begin(Scope(address(0), false, false, false, false));
        _publish(marketId, next);
        _end(action);
    }

    function _lpWithdrawWhilePending(address lp, uint256 amountRaw, uint256 max) internal {
        if (max != 0) _lpLimitViolation("maxWithdraw/maxRedeem is not zero while liquidations are pending");
        uint256 maxAssets = vault.previewRedeem(vault.balanceOf(lp));
        if (maxAssets == 0) return _skip("lpWithdraw");
        uint256 amount = bound(amountRaw, 1, maxAssets);
        _begin(Scope(lp, false, false, false, false));
        vm.prank(lp);
        try vault.withdraw(amount, lp, lp) {
            revert UnexpectedSuccess("an LP withdrawal went through while liquidations are pending");
        } catch (bytes memory reason) {
            _expectOneOf("lpWithdraw", reason, _errors(IPerpEngineBase.LiquidationsPending.selector));
        }
    }

    function _lpLimitViolation(string memory what) internal {
        ++ghostLpLimitViolations;
        ghostLastViolation = what;
    }

    function _depositFor(address trader, uint256 amountTokens) internal {
        vm.prank(trader);
        engine.deposit(amountTokens);
        ghostTokensIn += amountTokens;
    }

    function _removableMargin(Slot memory s) internal view returns (uint256) {
        uint256 priceWad = _price(s.marketId);
        int256 funding = engine.currentFundingIndex(s.marketId);
        int256 pnl = PositionMath.pnl(s.position.sizeWad, s.position.jWad, funding, priceWad);
        uint256 required = PositionMath.requiredMargin(s.position.sizeWad, priceWad, _config(s.marketId).imrWad);
        int256 room = int256(uint256(s.position.marginWad)) + (pnl < 0 ? pnl : int256(0)) - int256(required);
        return room > 0 ? FixedPointMath.minU(uint256(room), s.position.marginWad) : 0;
    }

    /// @dev DESIGN "Safety": no margin removal leaves a position below initial margin (losses count, profits not).
    function _checkInitialMarginAfterRemoval(address trader, uint256 marketId) internal {
        Position memory p = engine.positionOf(trader, marketId);
        uint256 priceWad = _price(marketId);
        int256 pnl = PositionMath.pnl(p.sizeWad, p.jWad, engine.marketState(marketId).fundingIndexWad, priceWad);
        int256 backing = int256(uint256(p.marginWad)) + (pnl < 0 ? pnl : int256(0));
        if (backing < int256(PositionMath.requiredMargin(p.sizeWad, priceWad, _config(marketId).imrWad))) {
            ++ghostRemovalsBelowInitialMargin;
            ghostLastViolation = "removeMargin left the position below initial margin";
        }
    }

    /* INTERNAL: BOOKKEEPING */

    function _begin(Scope memory scope) internal {
        _scope = scope;
        delete _before;
        delete _lpSharesBefore;
        for (uint256 i; i < _accounts.length; ++i) {
            _before.push(_snapshot(_accounts[i]));
        }
        for (uint256 i; i < _lps.length; ++i) {
            _lpSharesBefore.push(vault.balanceOf(_lps[i]));
        }
        vm.recordLogs();
    }

    function _end(string memory action) internal {
        _end(action, true);
    }

    /// @dev Books the action's events into the ghosts and the ledger (a reverted call's events are dropped: it
    /// changed nothing) and checks that nobody outside the action's scope was touched. A liquidation's effects on
    /// other accounts are checked by the ledger instead, to the wei, against its events.
    function _end(string memory action, bool succeeded) internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        if (succeeded) {
            _bookLogs(logs);
            ledger.book(logs);
            if (_scope.liquidation && _solvencyCall) ledger.endSolvencyAdl(_solvencyReturned);
            else if (_scope.liquidation) ledger.endLiquidation(_liquidationListed, _liquidationReturned);
        }
        ledger.checkMirror();
        int256 cash = engine.vaultCashWad();
        if (cash < ghostMinVaultCashWad) ghostMinVaultCashWad = cash;

        for (uint256 i; i < _accounts.length; ++i) {
            AccountSnapshot memory now_ = _snapshot(_accounts[i]);
            AccountSnapshot memory was = _before[i];
            bool isActor = _accounts[i] == _scope.actor;
            if (_scope.liquidation) {
                _checkTierDrops(action, was, now_);
                continue;
            }
            if (now_.free != was.free && !(isActor && _scope.freeMayChange)) _foreign(action, "free collateral");
            if (now_.position != was.position && !(isActor && _scope.positionMayChange)) _foreign(action, "position");
            if (now_.tier != was.tier && !(isActor && _scope.tierMayChange)) _foreign(action, "tier");
            if (isActor) _checkTierDrops(action, was, now_);
        }
        for (uint256 i; i < _lps.length; ++i) {
            if (vault.balanceOf(_lps[i]) != _lpSharesBefore[i] && _lps[i] != _scope.actor) _foreign(action, "shares");
        }
        _solvencyCall = false;
        if (succeeded) ++calls[keccak256(bytes(action))];
        else ++expectedReverts[keccak256(bytes(action))];
    }

    function _bookLogs(Vm.Log[] memory logs) internal {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(engine)) continue;
            bytes32 topic = logs[i].topics[0];
            if (topic == IPerpEngineBase.Traded.selector) {
                (,,, uint256 fee, int256 realised,, uint256 toInsurance, uint256 toTreasury) = abi.decode(
                    logs[i].data, (int256, uint256, uint256, uint256, int256, int256, uint256, uint256)
                );
                ghostRealisedPnlWad += realised;
                ghostInsuranceFeesWad += toInsurance;
                ghostTreasuryFeesWad += toTreasury;
                ghostVaultFeesWad += fee - toInsurance - toTreasury;
                if (
                    toInsurance != FixedPointMath.wMulDown(fee, registry.protocolConfig().insuranceFeeShareWad)
                        || toTreasury != FixedPointMath.wMulDown(fee, registry.protocolConfig().treasuryFeeShareWad)
                ) ++ghostFeeSplitErrors;
            } else if (topic == IPerpEngineBase.InsuranceDonated.selector) {
                ghostDonationsWad += abi.decode(logs[i].data, (uint256)) * TOKEN_TO_WAD;
            }
        }
    }

    /// @dev DESIGN: a tier drops only after the delay, through applyTierDrop, to the pending tier. A position
    /// that stays open on the same side never drops through its owner's action (a flip opens a fresh one).
    function _checkTierDrops(string memory action, AccountSnapshot memory was, AccountSnapshot memory now_) internal {
        bool isTierDrop = keccak256(bytes(action)) == keccak256("applyTierDrop");
        for (uint256 k; k < MARKETS; ++k) {
            bool sameSide = (was.sizes[k] > 0 && now_.sizes[k] > 0) || (was.sizes[k] < 0 && now_.sizes[k] < 0);
            if (!sameSide || now_.tiers[k] >= was.tiers[k]) continue;
            if (isTierDrop && now_.tiers[k] == was.pendingTiers[k]) continue;
            ++ghostEarlyTierDrops;
            ghostLastViolation = string.concat(action, " dropped a tier without the delay");
        }
    }

    function _snapshot(address trader) internal view returns (AccountSnapshot memory s) {
        s.free = keccak256(abi.encode(engine.freeCollateralWad(trader)));
        Position memory eth = engine.positionOf(trader, 1);
        Position memory btc = engine.positionOf(trader, 2);
        s.sizes = [int256(eth.sizeWad), btc.sizeWad];
        s.tiers = [eth.tier, btc.tier];
        s.pendingTiers = [eth.pendingTier, btc.pendingTier];
        s.position = keccak256(
            abi.encode(eth.sizeWad, eth.marginWad, eth.jWad, eth.f0Wad, btc.sizeWad, btc.marginWad, btc.jWad, btc.f0Wad)
        );
        s.tier = keccak256(
            abi.encode(
                eth.tier,
                eth.pendingTier,
                eth.pendingTierSince,
                eth.inLiquidation,
                btc.tier,
                btc.pendingTier,
                btc.pendingTierSince,
                btc.inLiquidation
            )
        );
    }

    function _foreign(string memory action, string memory what) internal {
        ++ghostForeignChanges;
        ghostLastViolation = string.concat(action, " changed another account's ", what);
    }

    function _skip(string memory action) internal {
        ++skips[keccak256(bytes(action))];
    }

    /// @dev A caught revert must be one of `allowed`; anything else is re-thrown so the run fails with it.
    function _expectOneOf(string memory action, bytes memory reason, bytes4[] memory allowed) internal {
        for (uint256 i; i < allowed.length; ++i) {
            if (reason.length >= 4 && bytes4(reason) == allowed[i]) return _end(action, false);
        }
        assembly ("memory-safe") {
            revert(add(reason, 0x20), mload(reason))
        }
    }

    function _errors(bytes4 selector) internal pure returns (bytes4[] memory list) {
        list = new bytes4[](1);
        list[0] = selector;
    }

    /* INTERNAL: SLOTS, PRICES, SIZES */

    /// @dev The first (trader, market) from the seed on whose position `need` holds.
    function _findSlot(uint256 seed, Need need) internal view returns (bool found, Slot memory s) {
        uint256 count = _traders.length * MARKETS;
        uint256 start = seed % count;
        for (uint256 i; i < count; ++i) {
            uint256 index = (start + i) % count;
            s.trader = _traders[index / MARKETS];
            s.marketId = index % MARKETS + 1;
            s.position = engine.positionOf(s.trader, s.marketId);
            if (_satisfies(s, need)) return (true, s);
        }
        return (false, s);
    }

    function _satisfies(Slot memory s, Need need) internal view returns (bool) {
        if (need == Need.Empty) return s.position.sizeWad == 0;
        if (s.position.sizeWad == 0) return false;
        if (need == Need.InLiquidation) return s.position.inLiquidation;
        if (need == Need.TierDropDue) {
            return s.position.pendingTierSince != 0
                && block.timestamp >= uint256(s.position.pendingTierSince) + registry.protocolConfig().tierDropDelay;
        }
        if (s.position.inLiquidation) return false;
        if (need == Need.Open) return true;
        if (need == Need.NonNegativeEquity) return engine.equityOf(s.trader, s.marketId) >= 0;
        if (need == Need.Liquidatable) return _isLiquidatableNow(s);
        return !_isLiquidatableNow(s);
    }

    /// @dev The engine's condition (K against the threshold) on the funding index accrued to now.
    function _isLiquidatableNow(Slot memory s) internal view returns (bool) {
        return PositionMath.isLiquidatable(
            s.position.sizeWad,
            s.position.marginWad,
            s.position.jWad,
            engine.currentFundingIndex(s.marketId),
            _price(s.marketId),
            _config(s.marketId).mmrWad
        );
    }

    function _trader(uint256 seed) internal view returns (address) {
        return _traders[seed % _traders.length];
    }

    function _config(uint256 marketId) internal view returns (MarketConfig memory) {
        return registry.marketConfig(marketId);
    }

    function _price(uint256 marketId) internal view returns (uint256 priceWad) {
        (priceWad,,) = registry.readPrice(marketId);
    }

    function _publish(uint256 marketId, uint256 priceWad) internal {
        _feeds[marketId - 1].setPrice(int256(priceWad / FEED_TO_WAD));
    }

    function _anyPrice(int256 delta) internal pure returns (uint256) {
        return delta > 0 ? type(uint256).max : 0;
    }

    /// @dev The smallest size whose notional at the current price is at least the handler's minimum.
    function _minSize(uint256 marketId) internal view returns (uint256) {
        uint256 priceWad = _price(marketId);
        return (MIN_NOTIONAL_WAD * WAD + priceWad - 1) / priceWad;
    }

    function _sizeFor(uint256 marketId, uint256 notionalWad, bool isLong) internal view returns (int256) {
        uint256 priceWad = _price(marketId);
        int256 sizeAbs = int256((notionalWad * WAD + priceWad - 1) / priceWad);
        return isLong ? sizeAbs : -sizeAbs;
    }

    /// @dev Notional / leverage plus the exact fee at the fill the trade will get.
    function _marginFor(uint256 marketId, int256 delta, uint256 leverageWad) internal view returns (uint256) {
        MarketState memory m = engine.marketState(marketId);
        uint256 priceWad = _price(marketId);
        MarketConfig memory c = _config(marketId);
        int256 skew = int256(uint256(m.longSizeWad)) - int256(uint256(m.shortSizeWad));
        uint256 fill = PositionMath.fillPrice(priceWad, skew, delta, c.skewScaleWad);
        uint256 sizeAbs = FixedPointMath.abs(delta);
        return sizeAbs * priceWad / leverageWad + PositionMath.fee(sizeAbs, fill, c.tradingFeeWad);
    }
}
