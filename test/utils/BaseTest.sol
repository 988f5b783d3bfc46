// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BackstopVault} from "../../contracts/BackstopVault.sol";
import {MarketRegistry} from "../../contracts/MarketRegistry.sol";
import {PerpEngine} from "../../contracts/PerpEngine.sol";
import {LiquidationModule} from "../../contracts/LiquidationModule.sol";
import {SolvencyModule} from "../../contracts/SolvencyModule.sol";
import {IPerpEngine} from "../../contracts/interfaces/IPerpEngine.sol";
import {MarketConfig, ProtocolConfig} from "../../contracts/interfaces/IMarketRegistry.sol";
import {Position, MarketState} from "../../contracts/interfaces/IPerpEngine.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {MockUSDC} from "../../contracts/mocks/MockUSDC.sol";
import {LeanTest} from "./LeanTest.sol";

/// @title BaseTest
/// @notice The whole system deployed in Solidity as ignition/modules/Protocol.ts deploys it with the presets of
/// ignition/presets.ts (ETH-USD id 1 at $4,000, BTC-USD id 2 at $117,000, DESIGN defaults), an LP's $5M in the
/// vault, labelled actors, and `_bound*` helpers that turn raw fuzz inputs into meaningful trades.
/// @dev Helpers that act on the engine never revert on their own: a test that wants a revert calls the engine.
abstract contract BaseTest is LeanTest {
    uint256 internal constant ETH = 1;
    uint256 internal constant BTC = 2;

    uint256 internal constant WAD = 1e18;
    /// @dev 6-decimal USDC to 18-decimal WAD.
    uint256 internal constant TOKEN_TO_WAD = 1e12;
    uint8 internal constant FEED_DECIMALS = 8;
    /// @dev 8-decimal feed answers to WAD.
    uint256 internal constant FEED_TO_WAD = 1e10;

    uint256 internal constant ETH_PRICE_WAD = 4_000e18;
    uint256 internal constant BTC_PRICE_WAD = 117_000e18;

    /// @dev A realistic clock (mid-2025) so UTC-day arithmetic and heartbeats behave as on a real chain.
    uint256 internal constant START_TIME = 1_750_000_000;
    uint256 internal constant HEARTBEAT = 3600;

    uint256 internal constant LP_DEPOSIT_TOKENS = 5_000_000e6;
    uint256 internal constant WALLET_TOKENS = 1_000_000_000e6;

    /// @dev Presets: δ 0.1%, fee 0.05% a side, MMR 0.9%, IMR 1.125%, minimum notional $1,000.
    uint256 internal constant TRADING_FEE_WAD = 5e14;
    uint256 internal constant MMR_WAD = 9e15;
    uint256 internal constant IMR_WAD = 1.125e16;
    uint256 internal constant MIN_NOTIONAL_WAD = 1_000e18;

    /// @dev Trades the helpers build stay between just above the minimum notional and $500k, at 1x to 80x
    /// (1/IMR is about 88.9x: the gap absorbs the fee and the fill's impact).
    uint256 internal constant MIN_TEST_NOTIONAL_WAD = 1_010e18;
    uint256 internal constant MAX_TEST_NOTIONAL_WAD = 500_000e18;
    uint256 internal constant MAX_TEST_LEVERAGE_WAD = 80e18;

    address internal admin;
    address internal alice;
    address internal bob;
    address internal carol;
    address internal dave;
    address internal lp;
    address internal keeper;

    MockUSDC internal usdc;
    MockAggregator internal ethFeed;
    MockAggregator internal btcFeed;
    MarketRegistry internal registry;
    IPerpEngine internal engine;
    BackstopVault internal vault;

    function setUp() public virtual {
        vm.warp(START_TIME);

        admin = makeAddr("admin");
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        carol = makeAddr("carol");
        dave = makeAddr("dave");
        lp = makeAddr("lp");
        keeper = makeAddr("keeper");

        usdc = new MockUSDC();
        registry = new MarketRegistry(admin, _protocolConfig());
        SolvencyModule solvency = new SolvencyModule(usdc, registry);
        LiquidationModule module = new LiquidationModule(usdc, registry, address(solvency));
        engine = IPerpEngine(address(new PerpEngine(usdc, registry, address(module), admin)));
        vault = new BackstopVault(usdc, engine);
        ethFeed = new MockAggregator(FEED_DECIMALS, "ETH-USD mock", int256(ETH_PRICE_WAD / FEED_TO_WAD));
        btcFeed = new MockAggregator(FEED_DECIMALS, "BTC-USD mock", int256(BTC_PRICE_WAD / FEED_TO_WAD));

        vm.startPrank(admin);
        engine.setVault(address(vault));
        registry.bindEngine(address(engine));
        registry.listMarket("ETH-USD", _marketConfig(address(ethFeed), ETH_PRICE_WAD));
        registry.listMarket("BTC-USD", _marketConfig(address(btcFeed), BTC_PRICE_WAD));
        vm.stopPrank();

        vm.label(address(usdc), "USDC");
        vm.label(address(registry), "MarketRegistry");
        vm.label(address(engine), "PerpEngine");
        vm.label(address(vault), "BackstopVault");
        vm.label(address(ethFeed), "ETH-USD feed");
        vm.label(address(btcFeed), "BTC-USD feed");

        address[6] memory funded = [alice, bob, carol, dave, lp, keeper];
        for (uint256 i; i < funded.length; ++i) {
            usdc.mint(funded[i], WALLET_TOKENS);
            vm.startPrank(funded[i]);
            usdc.approve(address(engine), type(uint256).max);
            usdc.approve(address(vault), type(uint256).max);
            vm.stopPrank();
        }

        vm.prank(lp);
        vault.deposit(LP_DEPOSIT_TOKENS, lp);
    }

    /* PRESETS (ignition/presets.ts, translated) */

    function _protocolConfig() internal pure returns (ProtocolConfig memory) {
        return ProtocolConfig({
            insuranceFeeShareWad: 0.2e18,
            treasuryFeeShareWad: 0.2e18,
            lpFeeWad: 0.001e18,
            floorRatioWad: 0.05e18,
            floorAbsoluteUsdWad: 10_000e18,
            keeperRewardFloorUsdWad: 5e18,
            withdrawStopRatioWad: 0.25e18,
            adlTargetRatioWad: 0.35e18,
            adlTriggerRatioWad: 0.5e18,
            scalingRatioWad: 0.75e18,
            keeperRewardRatioWad: 0.0002e18,
            tierDropDelay: 3600,
            hintWalkBound: 32,
            adlFillBudget: 16,
            vestingPeriod: 3600,
            vestingThresholdUsdWad: 100_000e18
        });
    }

    /// @dev presets.ts `marketConfig`: skewScale is $10B of notional at the starting price, the circuit
    /// breaker sits at 1/1000 and 1000× the starting price.
    function _marketConfig(address feed, uint256 initialPriceWad) internal pure returns (MarketConfig memory c) {
        int256 answer = int256(initialPriceWad / FEED_TO_WAD);
        c.feed = feed;
        c.feedDecimals = FEED_DECIMALS;
        c.heartbeat = uint32(HEARTBEAT);
        c.deviationWad = 0.001e18;
        c.latencyBufferWad = 0.001e18;
        c.tradingFeeWad = uint64(TRADING_FEE_WAD);
        c.liquidationFeeExtraWad = 0.001e18;
        c.mmrWad = uint64(MMR_WAD);
        c.imrWad = uint64(IMR_WAD);
        c.maxFundingRatePerDayWad = 0.01e18;
        c.vaultExposureCapWad = 1e18;
        c.skewScaleWad = uint128((10_000_000_000e18 * WAD) / initialPriceWad);
        c.oiCapUsdWad = 50_000_000e18;
        c.minNotionalUsdWad = uint128(MIN_NOTIONAL_WAD);
        c.insuranceDailyCapUsdWad = 5_000e18;
        c.minAnswer = int128(answer / 1000);
        c.maxAnswer = int128(answer * 1000);
        c.tierBoundsX1e4 = [uint32(30_000), 100_000, 200_000, 400_000];
    }

    /* BOUND HELPERS */

    function _boundMarketId(uint256 seed) internal pure returns (uint256) {
        return bound(seed, ETH, BTC);
    }

    function _boundNotional(uint256 raw) internal pure returns (uint256 notionalWad) {
        return bound(raw, MIN_TEST_NOTIONAL_WAD, MAX_TEST_NOTIONAL_WAD);
    }

    function _boundLeverage(uint256 raw) internal pure returns (uint256 leverageWad) {
        return bound(raw, 1e18, MAX_TEST_LEVERAGE_WAD);
    }

    /// @dev A relative price move in basis points, at most ±maxBps, never to zero.
    function _boundPriceMoveBps(int256 raw, int256 maxBps) internal pure returns (int256) {
        return bound(raw, -maxBps, maxBps);
    }

    /// @dev Seconds to let pass while the oracle stays fresh (prices are re-published by `_warp`).
    function _boundElapsed(uint256 raw) internal pure returns (uint256) {
        return bound(raw, 1, 30 days);
    }

    function _boundTokens(uint256 raw, uint256 maxTokens) internal pure returns (uint256) {
        return bound(raw, 1, maxTokens);
    }

    /* ORACLE AND TIME */

    function _feed(uint256 marketId) internal view returns (MockAggregator) {
        return marketId == ETH ? ethFeed : btcFeed;
    }

    function _priceWad(uint256 marketId) internal view returns (uint256 priceWad) {
        (priceWad,,) = registry.readPrice(marketId);
    }

    /// @dev Publishes a new round; the feed keeps 8 decimals, so the price is truncated to them.
    function _setPrice(uint256 marketId, uint256 priceWad) internal returns (uint256 publishedWad) {
        int256 answer = int256(priceWad / FEED_TO_WAD);
        _feed(marketId).setPrice(answer);
        return uint256(answer) * FEED_TO_WAD;
    }

    /// @dev Moves a market's price by `bps` basis points (relative, rounded to the feed's decimals).
    function _movePrice(uint256 marketId, int256 bps) internal returns (uint256) {
        uint256 priceWad = _priceWad(marketId);
        return _setPrice(marketId, uint256(int256(priceWad) * (10_000 + bps) / 10_000));
    }

    /// @dev Lets time pass, re-publishing every feed at its current answer so no oracle goes stale.
    function _warp(uint256 elapsed) internal {
        uint256 ethPrice = _priceWad(ETH);
        uint256 btcPrice = _priceWad(BTC);
        vm.warp(block.timestamp + elapsed);
        _setPrice(ETH, ethPrice);
        _setPrice(BTC, btcPrice);
    }

    /* TRADING */

    function _anyPrice(int256 sizeDeltaWad) internal pure returns (uint256) {
        return sizeDeltaWad > 0 ? type(uint256).max : 0;
    }

    function _deposit(address account, uint256 amountTokens) internal {
        vm.prank(account);
        engine.deposit(amountTokens);
    }

    function _skew(uint256 marketId) internal view returns (int256) {
        MarketState memory m = engine.marketState(marketId);
        return int256(uint256(m.longSizeWad)) - int256(uint256(m.shortSizeWad));
    }

    /// @dev The size worth `notionalWad` at the current price, rounded up so it is never below that notional.
    function _sizeFor(uint256 marketId, uint256 notionalWad, bool isLong) internal view returns (int256) {
        uint256 priceWad = _priceWad(marketId);
        int256 sizeAbs = int256((notionalWad * WAD + priceWad - 1) / priceWad);
        return isLong ? sizeAbs : -sizeAbs;
    }

    /// @dev The fill price a trade of `sizeDeltaWad` gets now (the engine's own formula).
    function _expectedFill(uint256 marketId, int256 sizeDeltaWad) internal view returns (uint256) {
        return PositionMath.fillPrice(
            _priceWad(marketId), _skew(marketId), sizeDeltaWad, registry.marketConfig(marketId).skewScaleWad
        );
    }

    function _expectedFee(uint256 marketId, int256 sizeDeltaWad) internal view returns (uint256) {
        uint256 sizeAbs = uint256(sizeDeltaWad >= 0 ? sizeDeltaWad : -sizeDeltaWad);
        return PositionMath.fee(sizeAbs, _expectedFill(marketId, sizeDeltaWad), TRADING_FEE_WAD);
    }

    /// @dev Collateral for a trade of `sizeDeltaWad` at `leverageWad`: notional / leverage, plus the fee.
    function _marginFor(uint256 marketId, int256 sizeDeltaWad, uint256 leverageWad) internal view returns (uint256) {
        uint256 notional = PositionMath.notionalUp(sizeDeltaWad, _priceWad(marketId));
        return notional * WAD / leverageWad + _expectedFee(marketId, sizeDeltaWad);
    }

    /// @dev Deposits what the order needs and trades it at any price.
    function _trade(address account, uint256 marketId, int256 sizeDeltaWad, uint256 marginWad) internal {
        if (marginWad != 0) _deposit(account, marginWad / TOKEN_TO_WAD + 1);
        vm.prank(account);
        engine.trade(marketId, sizeDeltaWad, marginWad, _anyPrice(sizeDeltaWad), new uint32[](0));
    }

    /// @dev Opens a position of about `notionalWad` at `leverageWad`.
    function _open(address account, uint256 marketId, uint256 notionalWad, uint256 leverageWad, bool isLong)
        internal
        returns (int256 sizeWad)
    {
        sizeWad = _sizeFor(marketId, notionalWad, isLong);
        _trade(account, marketId, sizeWad, _marginFor(marketId, sizeWad, leverageWad));
    }

    /* VIEWS */

    function _position(address account, uint256 marketId) internal view returns (Position memory) {
        return engine.positionOf(account, marketId);
    }

    function _k(Position memory p) internal pure returns (int256) {
        return PositionMath.k(p.sizeWad, p.marginWad, p.jWad);
    }

    /// @dev One ADL tier list from head to tail, checking its links on the way: each node's back link, the tail,
    /// and the stored length, which may not exceed `maxLength` (the positions that exist), so a cycle cannot
    /// make the walk endless.
    function _walkTierList(uint256 marketId, bool isLong, uint8 tier, uint256 maxLength)
        internal
        view
        returns (uint32[] memory ids)
    {
        (uint32 head, uint32 tail, uint32 length) = engine.listEnds(marketId, isLong, tier);
        assertLe(length, maxLength, "list longer than the positions that exist");
        ids = new uint32[](length);
        uint32 prev;
        uint32 node = head;
        for (uint256 i; i < length; ++i) {
            assertTrue(node != 0, "list ends before its length");
            Position memory p = engine.positionById(marketId, node);
            assertEq(p.prevId, prev, "back link");
            ids[i] = node;
            prev = node;
            node = p.nextId;
        }
        assertEq(node, 0, "list goes on past its length");
        assertEq(tail, prev, "tail");
    }

    /// @dev Free collateral plus the margins of both markets.
    function _accountLedgerWad(address account) internal view returns (uint256) {
        return engine.freeCollateralWad(account) + _position(account, ETH).marginWad
            + _position(account, BTC).marginWad;
    }

    /// @dev Every ledger the engine keeps for these accounts, plus the insurance fund, treasury and vault cash.
    function _ledgersWad(address[] memory accounts) internal view returns (int256 total) {
        for (uint256 i; i < accounts.length; ++i) {
            total += int256(_accountLedgerWad(accounts[i]));
        }
        total += int256(engine.insuranceFundWad()) + int256(engine.treasuryWad()) + engine.vaultCashWad();
    }

    function _traders() internal view returns (address[] memory accounts) {
        accounts = new address[](4);
        accounts[0] = alice;
        accounts[1] = bob;
        accounts[2] = carol;
        accounts[3] = dave;
    }
}
