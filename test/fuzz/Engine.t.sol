// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPerpEngine, IPerpEngineBase, Position, MarketState} from "../../contracts/interfaces/IPerpEngine.sol";
import {FixedPointMath} from "../../contracts/libraries/FixedPointMath.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {BaseTest} from "../utils/BaseTest.sol";

/// @notice Conversions, rounding and the position rules of DESIGN "Positions" on the live contracts.
contract EngineFuzzTest is BaseTest {
    /// @dev Leverage of the positions whose later price moves must not make them bankrupt.
    uint256 internal constant SAFE_LEVERAGE_WAD = 20e18;
    /// @dev Largest price move (bps) applied to a position opened at SAFE_LEVERAGE_WAD.
    int256 internal constant SAFE_MOVE_BPS = 300;

    /// @dev Everything an order can change, for comparing two paths to the same state.
    struct SystemState {
        Position position;
        uint256 freeCollateralWad;
        MarketState market;
        int256 vaultCashWad;
        int256 vaultEquityWad;
        uint256 insuranceFundWad;
        uint256 treasuryWad;
        uint256 tradersProfitWad;
        uint256 totalNotionalWad;
    }

    function _boundActor(uint256 seed) internal view returns (address) {
        address[] memory traders = _traders();
        return traders[bound(seed, 0, traders.length - 1)];
    }

    function _systemState(address account, uint256 marketId) internal view returns (SystemState memory s) {
        s.position = _position(account, marketId);
        s.freeCollateralWad = engine.freeCollateralWad(account);
        s.market = engine.marketState(marketId);
        s.vaultCashWad = engine.vaultCashWad();
        s.vaultEquityWad = engine.vaultEquityWad();
        s.insuranceFundWad = engine.insuranceFundWad();
        s.treasuryWad = engine.treasuryWad();
        s.tradersProfitWad = engine.tradersProfitWad();
        s.totalNotionalWad = engine.totalNotionalWad();
    }

    function _vaultFeeShare(uint256 feeWad) internal pure returns (uint256) {
        uint256 share = FixedPointMath.wMulDown(feeWad, 0.2e18);
        return feeWad - 2 * share;
    }

    /* CONVERSIONS */

    function test_fuzz_withdraw_returnsExactlyTheDeposit(uint256 actorSeed, uint256 amountRaw) public {
        address actor = _boundActor(actorSeed);
        uint256 amount = _boundTokens(amountRaw, WALLET_TOKENS);
        uint256 walletBefore = usdc.balanceOf(actor);
        uint256 engineBefore = usdc.balanceOf(address(engine));

        _deposit(actor, amount);
        assertEq(engine.freeCollateralWad(actor), amount * TOKEN_TO_WAD, "deposit not credited exactly");
        vm.prank(actor);
        engine.withdraw(amount);

        assertEq(usdc.balanceOf(actor), walletBefore, "wallet did not get the deposit back");
        assertEq(usdc.balanceOf(address(engine)), engineBefore, "engine kept or lost tokens");
        assertEq(engine.freeCollateralWad(actor), 0, "free collateral left behind");
    }

    function test_fuzz_depositAndAddMargin_creditsTheExactTokenAmount(
        uint256 marketSeed,
        uint256 notionalRaw,
        uint256 leverageRaw,
        bool isLong,
        uint256 amountRaw
    ) public {
        uint256 marketId = _boundMarketId(marketSeed);
        _open(alice, marketId, _boundNotional(notionalRaw), _boundLeverage(leverageRaw), isLong);
        uint256 amount = _boundTokens(amountRaw, 10_000_000e6);
        uint256 marginBefore = _position(alice, marketId).marginWad;
        uint256 engineBefore = usdc.balanceOf(address(engine));

        vm.prank(alice);
        engine.depositAndAddMargin(marketId, amount);

        assertEq(_position(alice, marketId).marginWad, marginBefore + amount * TOKEN_TO_WAD, "margin not exact");
        assertEq(usdc.balanceOf(address(engine)), engineBefore + amount, "engine did not receive the tokens");
    }

    function test_fuzz_redeem_vaultRoundTripCostsAtMostTheTwoLpFees(uint256 amountRaw) public {
        uint256 amount = bound(amountRaw, 1e6, 10_000_000e6);
        uint256 fee = vault.lpFeeWad();
        uint256 walletBefore = usdc.balanceOf(carol);

        vm.startPrank(carol);
        uint256 shares = vault.deposit(amount, carol);
        assertEq(shares, vault.maxRedeem(carol), "the whole deposit is not redeemable at once");
        uint256 received = vault.redeem(shares, carol, carol);
        vm.stopPrank();

        assertEq(usdc.balanceOf(carol), walletBefore - amount + received, "wallet and redeem disagree");
        assertLe(received, amount, "round trip paid the LP");
        // Two fees on the gross amount (each below amount × fee, plus one token of rounding), and share rounding.
        uint256 maxCost = 2 * FixedPointMath.mulDivUp(amount, fee, 1e18) + 2;
        assertGe(received + maxCost, amount, "round trip cost more than the two fees");
    }

    /* K AND J */

    function test_fuzz_poke_leavesKAndJUnchangedByPriceAndTime(
        uint256 marketSeed,
        uint256 notionalRaw,
        uint256 leverageRaw,
        bool isLong,
        int256 moveRaw,
        uint256 elapsedRaw
    ) public {
        uint256 marketId = _boundMarketId(marketSeed);
        _open(alice, marketId, _boundNotional(notionalRaw), _boundLeverage(leverageRaw), isLong);
        Position memory before = _position(alice, marketId);
        int256 fundingBefore = engine.marketState(marketId).fundingIndexWad;

        _movePrice(marketId, _boundPriceMoveBps(moveRaw, 2_000));
        _warp(_boundElapsed(elapsedRaw));
        engine.poke(marketId);
        Position memory afterPoke = _position(alice, marketId);

        assertEq(abi.encode(afterPoke), abi.encode(before), "the position changed without its owner");
        assertEq(_k(afterPoke), _k(before), "K moved with price or time");
        // Funding accrued into the index, not into the position: longs pay when the skew is long.
        int256 fundingAfter = engine.marketState(marketId).fundingIndexWad;
        if (isLong) assertGe(fundingAfter, fundingBefore, "long skew but the index fell");
        else assertLe(fundingAfter, fundingBefore, "short skew but the index rose");
        assertEq(
            engine.equityOf(alice, marketId),
            PositionMath.equity(before.sizeWad, before.marginWad, before.jWad, fundingAfter, _priceWad(marketId)),
            "equity is not m + s(P - F - J) at the new price and index"
        );
    }

    /// @dev What the engine should do with a slice of `q` of position `p`, priced before the trade.
    struct ExpectedSlice {
        uint256 q;
        int256 delta;
        uint256 sliceMargin;
        int256 realised;
        uint256 fee;
    }

    function _expectSlice(uint256 marketId, Position memory p, uint256 closeRaw)
        internal
        view
        returns (ExpectedSlice memory e)
    {
        uint256 sizeAbs = FixedPointMath.abs(p.sizeWad);
        // Leave at least the test's minimum notional in the remainder.
        uint256 minRemainder = MIN_TEST_NOTIONAL_WAD * WAD / _priceWad(marketId) + 1;
        e.q = bound(closeRaw, 1, sizeAbs - minRemainder);
        e.delta = p.sizeWad > 0 ? -int256(e.q) : int256(e.q);
        uint256 fill = _expectedFill(marketId, e.delta);
        e.sliceMargin = FixedPointMath.mulDivDown(p.marginWad, e.q, sizeAbs);
        e.realised = PositionMath.pnl(-e.delta, p.jWad, engine.currentFundingIndex(marketId), fill);
        e.fee = PositionMath.fee(e.q, fill, TRADING_FEE_WAD);
    }

    /// @dev DESIGN: a partial close removes a pro-rata slice (margin rounded down, the remainder keeps the dust),
    /// keeps J and F0, realises the slice's PnL with its funding at the fill, and charges the fee from it.
    function test_fuzz_trade_partialCloseIsProRata(
        uint256 marketSeed,
        uint256 notionalRaw,
        uint256 leverageRaw,
        bool isLong,
        uint256 closeRaw,
        int256 moveRaw,
        uint256 elapsedRaw
    ) public {
        uint256 marketId = _boundMarketId(marketSeed);
        uint256 notional = bound(notionalRaw, 3 * MIN_TEST_NOTIONAL_WAD, MAX_TEST_NOTIONAL_WAD);
        _open(alice, marketId, notional, bound(leverageRaw, 1e18, SAFE_LEVERAGE_WAD), isLong);
        _movePrice(marketId, _boundPriceMoveBps(moveRaw, SAFE_MOVE_BPS));
        _warp(bound(elapsedRaw, 1, 7 days));

        Position memory p = _position(alice, marketId);
        ExpectedSlice memory e = _expectSlice(marketId, p, closeRaw);
        SystemState memory before = _systemState(alice, marketId);

        vm.prank(alice);
        engine.trade(marketId, e.delta, 0, _anyPrice(e.delta), new uint32[](0));

        Position memory r = _position(alice, marketId);
        assertEq(r.sizeWad, p.sizeWad + e.delta, "size");
        assertEq(r.marginWad, p.marginWad - e.sliceMargin, "remainder margin is not m minus the rounded-down slice");
        assertEq(r.jWad, p.jWad, "J changed");
        assertEq(r.f0Wad, p.f0Wad, "F0 changed");
        assertEq(
            engine.freeCollateralWad(alice),
            uint256(int256(before.freeCollateralWad + e.sliceMargin) + e.realised) - e.fee,
            "slice proceeds are not margin + PnL at the fill - fee"
        );
        assertEq(
            engine.vaultCashWad(), before.vaultCashWad - e.realised + int256(_vaultFeeShare(e.fee)), "vault cash"
        );
        MarketState memory m = engine.marketState(marketId);
        if (isLong) assertEq(m.longJSum, before.market.longJSum - int256(e.q) * p.jWad, "long J sum");
        else assertEq(m.shortJSum, before.market.shortJSum - int256(e.q) * p.jWad, "short J sum");

        uint256 remainderAbs = FixedPointMath.abs(r.sizeWad);
        int256 kMove = isLong ? _k(p) - _k(r) : _k(r) - _k(p);
        assertGe(kMove, 0, "K of the remainder moved towards liquidation");
        assertLe(kMove, int256((1e18 + remainderAbs - 1) / remainderAbs), "K of the remainder moved beyond the dust");
    }

    /// @dev DESIGN: an increase sets J to the size-weighted average of the old J and (fill − F), F0 to F, and
    /// moves no funding into the margin; equity at the fill price is unchanged up to rounding against the trader.
    function test_fuzz_trade_increaseAveragesJAndKeepsEquityAtTheFill(
        uint256 marketSeed,
        uint256 notionalRaw,
        uint256 leverageRaw,
        bool isLong,
        uint256 addedNotionalRaw,
        int256 moveRaw,
        uint256 elapsedRaw
    ) public {
        uint256 marketId = _boundMarketId(marketSeed);
        uint256 leverage = bound(leverageRaw, 1e18, SAFE_LEVERAGE_WAD);
        _open(alice, marketId, _boundNotional(notionalRaw), leverage, isLong);
        _movePrice(marketId, _boundPriceMoveBps(moveRaw, SAFE_MOVE_BPS));
        _warp(bound(elapsedRaw, 1, 7 days));

        Position memory p = _position(alice, marketId);
        int256 delta = _sizeFor(marketId, _boundNotional(addedNotionalRaw), isLong);
        uint256 margin = _marginFor(marketId, delta, leverage);
        _deposit(alice, margin / TOKEN_TO_WAD + 1);
        int256 funding = engine.currentFundingIndex(marketId);
        uint256 fill = _expectedFill(marketId, delta);
        uint256 fee = PositionMath.fee(FixedPointMath.abs(delta), fill, TRADING_FEE_WAD);

        vm.prank(alice);
        engine.trade(marketId, delta, margin, _anyPrice(delta), new uint32[](0));

        Position memory r = _position(alice, marketId);
        assertEq(r.sizeWad, p.sizeWad + delta, "size");
        assertEq(r.jWad, PositionMath.increasedJ(p.sizeWad, p.jWad, FixedPointMath.abs(delta), fill, funding), "J");
        assertEq(r.f0Wad, funding, "F0 is not the current index");
        assertEq(r.marginWad, p.marginWad + margin - fee, "margin is not old + order collateral - fee");

        // Equity at the fill, in 36 decimals: before with the order's net collateral, after as stored.
        int256 fillNet = int256(fill) - funding;
        int256 before36 = int256(p.marginWad + margin - fee) * 1e18 + p.sizeWad * (fillNet - p.jWad);
        int256 after36 = int256(uint256(r.marginWad)) * 1e18 + r.sizeWad * (fillNet - r.jWad);
        assertLe(after36, before36, "the increase credited the trader");
        assertLt(before36 - after36, int256(FixedPointMath.abs(r.sizeWad)), "the increase took more than rounding");
    }

    /// @dev DESIGN: a flip is a full close followed by a fresh open of the rest, in one call.
    function test_fuzz_trade_flipEqualsCloseThenOpen(
        uint256 marketSeed,
        uint256 notionalRaw,
        uint256 leverageRaw,
        bool isLong,
        uint256 newNotionalRaw,
        uint256 newLeverageRaw,
        int256 moveRaw
    ) public {
        uint256 marketId = _boundMarketId(marketSeed);
        int256 size =
            _open(alice, marketId, _boundNotional(notionalRaw), bound(leverageRaw, 1e18, SAFE_LEVERAGE_WAD), isLong);
        _open(bob, marketId, 200_000e18, 10e18, !isLong);
        _movePrice(marketId, _boundPriceMoveBps(moveRaw, SAFE_MOVE_BPS));
        _warp(1 hours);

        int256 rest = _sizeFor(marketId, _boundNotional(newNotionalRaw), !isLong);
        uint256 margin = _marginFor(marketId, rest, bound(newLeverageRaw, 1e18, SAFE_LEVERAGE_WAD)) * 2;
        _deposit(alice, margin / TOKEN_TO_WAD + 1);
        uint256 snapshot = vm.snapshotState();

        vm.prank(alice);
        engine.trade(marketId, rest - size, margin, _anyPrice(rest - size), new uint32[](0));
        SystemState memory flipped = _systemState(alice, marketId);

        vm.revertToState(snapshot);
        vm.startPrank(alice);
        engine.closePosition(marketId, _anyPrice(-size));
        engine.trade(marketId, rest, margin, _anyPrice(rest), new uint32[](0));
        vm.stopPrank();
        SystemState memory sequential = _systemState(alice, marketId);

        assertEq(flipped.position.sizeWad, rest, "flip did not leave the rest");
        assertEq(abi.encode(flipped), abi.encode(sequential), "flip differs from close then open");
    }

    /* SOLVENCY */

    /// @dev Random sequences of opens, partial and full closes, price moves and time: the tokens the engine
    /// holds always cover every ledger it keeps (free collateral, margins, insurance, treasury, vault cash).
    function test_fuzz_trade_balanceCoversEveryLedgerAfterRandomSequences(uint256[12] memory steps) public {
        address[] memory traders = _traders();
        for (uint256 i; i < steps.length; ++i) {
            uint256 seed = steps[i];
            address actor = traders[seed % traders.length];
            uint256 marketId = (seed >> 8) % 2 + 1;
            uint256 action = (seed >> 16) % 5;
            Position memory p = _position(actor, marketId);

            if (action == 0 && p.sizeWad == 0) {
                _open(actor, marketId, _boundNotional(seed >> 24), _boundLeverage(seed >> 96), (seed >> 160) % 2 == 0);
            } else if (action == 1 && p.sizeWad != 0 && engine.equityOf(actor, marketId) >= 0) {
                _reduceOrSkip(actor, marketId, -p.sizeWad);
            } else if (action == 2 && p.sizeWad != 0 && engine.equityOf(actor, marketId) >= 0) {
                uint256 sizeAbs = FixedPointMath.abs(p.sizeWad);
                uint256 keep = MIN_TEST_NOTIONAL_WAD * WAD / _priceWad(marketId) + 1;
                if (sizeAbs > keep + 1) {
                    uint256 q = bound(seed >> 24, 1, sizeAbs - keep);
                    _reduceOrSkip(actor, marketId, p.sizeWad > 0 ? -int256(q) : int256(q));
                }
            } else if (action == 3) {
                _movePrice(marketId, _boundPriceMoveBps(int256(seed >> 24), 500));
            } else {
                _warp(bound(seed >> 24, 1, 1 days));
            }

            int256 ledgers = _ledgersWad(traders);
            uint256 held = usdc.balanceOf(address(engine)) * TOKEN_TO_WAD;
            assertGe(int256(held), ledgers, "the engine owes more than it holds");
            assertGe(engine.vaultCashWad(), 0, "vault cash negative: traders were paid from nobody's funds");
        }
    }

    /// @dev A reduction whose proceeds cannot pay its fee is refused (only liquidation may close it); any other
    /// revert is a failure.
    function _reduceOrSkip(address actor, uint256 marketId, int256 delta) internal {
        vm.prank(actor);
        try engine.trade(marketId, delta, 0, _anyPrice(delta), new uint32[](0)) {}
        catch (bytes memory reason) {
            assertEq(bytes4(reason), IPerpEngineBase.ProceedsBelowFee.selector, "unexpected revert on a reduction");
        }
    }
}
