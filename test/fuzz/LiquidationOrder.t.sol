// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPerpEngineBase, Position} from "../../contracts/interfaces/IPerpEngine.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {BaseTest} from "../utils/BaseTest.sol";

/// @notice DESIGN "Positions" and "Invariants — Order": ordered by K (longs descending, shorts ascending), the
/// liquidatable positions of a side are a prefix, whether asked of PositionMath.isLiquidatable or of the engine
/// itself (liquidate goes through, or reverts PositionNotLiquidatable); and the K order is the order of margin ratio
/// (equity / notional) ascending, below maintenance exactly for that prefix, up to the wei roundings of K and
/// equity.
/// @dev Random positions (sides, sizes, leverage up to 80x, entries at different prices so J differs), then funding
/// over random time and a random price move. Each liquidation is tried on a snapshot so none disturbs the next.
contract LiquidationOrderFuzzTest is BaseTest {
    uint256 internal constant MAX_TRADERS = 10;
    /// @dev The wei roundings of K (m/|s| down) and equity (down) move the margin ratio by less than this.
    uint256 internal constant RATIO_TOLERANCE_WAD = 2;

    address[MAX_TRADERS] internal _accounts;

    /// @dev One position of a side, with what the library and the engine say about it.
    struct Ranked {
        address account;
        int256 kWad;
        uint256 marginRatioWad;
        bool byLibrary;
        bool byEngine;
    }

    function setUp() public override {
        super.setUp();
        for (uint256 i; i < MAX_TRADERS; ++i) {
            address account = makeAddr(string.concat("trader", vm.toString(i)));
            usdc.mint(account, WALLET_TOKENS);
            vm.prank(account);
            usdc.approve(address(engine), type(uint256).max);
            _accounts[i] = account;
        }
    }

    function test_fuzz_liquidate_liquidatableSetIsAPrefixOfTheKOrder(
        uint256 seed,
        uint256 traderCount,
        uint256 elapsedRaw,
        int256 moveBps
    ) public {
        traderCount = bound(traderCount, 2, MAX_TRADERS);
        for (uint256 i; i < traderCount; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            _setPrice(ETH, ETH_PRICE_WAD * bound(r, 9_500, 10_500) / 10_000);
            uint256 notional = bound(r >> 32, MIN_TEST_NOTIONAL_WAD, 200_000e18);
            // Leverage 2x, 4x, … 64x or 80x, so every tier and both ends of the K order are present.
            uint256 leverage = 2e18 << ((r >> 96) % 7);
            leverage = leverage > MAX_TEST_LEVERAGE_WAD ? MAX_TEST_LEVERAGE_WAD : leverage;
            _open(_accounts[i], ETH, notional, leverage, (r >> 128) % 2 == 0);
        }
        _warp(bound(elapsedRaw, 0, 3 days));
        _movePrice(ETH, _boundPriceMoveBps(moveBps, 1_500));

        _assertPrefix(true, traderCount);
        _assertPrefix(false, traderCount);
    }

    function _assertPrefix(bool isLong, uint256 traderCount) internal {
        Ranked[] memory side = _ranked(isLong, traderCount);
        bool healthySeen;
        for (uint256 i; i < side.length; ++i) {
            assertEq(side[i].byEngine, side[i].byLibrary, "engine and PositionMath disagree");
            if (healthySeen) assertFalse(side[i].byEngine, "a liquidatable position behind a healthy one in K order");
            if (!side[i].byEngine) healthySeen = true;
            // The reference: below maintenance margin (by the ratio) is liquidatable, above it is not.
            if (side[i].marginRatioWad + RATIO_TOLERANCE_WAD < MMR_WAD) assertTrue(side[i].byEngine, "below MMR");
            if (side[i].marginRatioWad > MMR_WAD + RATIO_TOLERANCE_WAD) assertFalse(side[i].byEngine, "above MMR");
            if (i > 0) {
                assertLe(
                    side[i - 1].marginRatioWad,
                    side[i].marginRatioWad + RATIO_TOLERANCE_WAD,
                    "K order is not margin ratio ascending"
                );
            }
        }
    }

    /// @dev The side's positions by K, longs descending and shorts ascending (insertion sort: ten entries).
    function _ranked(bool isLong, uint256 traderCount) internal returns (Ranked[] memory side) {
        side = new Ranked[](traderCount);
        uint256 n;
        uint256 price = _priceWad(ETH);
        int256 funding = engine.currentFundingIndex(ETH);
        for (uint256 i; i < traderCount; ++i) {
            Position memory p = _position(_accounts[i], ETH);
            if (p.sizeWad == 0 || (p.sizeWad > 0) != isLong) continue;
            Ranked memory e;
            e.account = _accounts[i];
            e.kWad = _k(p);
            int256 equity = engine.equityOf(e.account, ETH);
            uint256 notional = PositionMath.notionalDown(p.sizeWad, price);
            e.marginRatioWad = equity > 0 ? uint256(equity) * WAD / notional : 0;
            e.byLibrary = PositionMath.isLiquidatable(p.sizeWad, p.marginWad, p.jWad, funding, price, MMR_WAD);
            e.byEngine = _engineLiquidates(e.account);
            uint256 j = n++;
            while (j > 0 && (isLong ? e.kWad > side[j - 1].kWad : e.kWad < side[j - 1].kWad)) {
                side[j] = side[j - 1];
                --j;
            }
            side[j] = e;
        }
        assembly ("memory-safe") {
            mstore(side, n)
        }
    }

    /// @dev Asks the engine on a snapshot: liquidate goes through, or reverts PositionNotLiquidatable.
    function _engineLiquidates(address account) internal returns (bool liquidated) {
        uint256 snapshot = vm.snapshotState();
        vm.prank(keeper);
        try engine.liquidate(account, ETH) {
            liquidated = true;
        } catch (bytes memory reason) {
            assertEq(bytes4(reason), IPerpEngineBase.PositionNotLiquidatable.selector, "liquidate reverted otherwise");
        }
        vm.revertToState(snapshot);
    }
}
