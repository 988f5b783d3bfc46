// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPerpEngineBase, Position} from "../../contracts/interfaces/IPerpEngine.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {BaseTest} from "../utils/BaseTest.sol";

/// @notice DESIGN "The ADL order" against a reference: after random opens, increases, margin moves, tier drops,
/// decreases and closes, walking each side's on-chain lists (tiers 4→1, each from its head) gives exactly the
/// non-exempt positions of that side sorted by stored tier (descending), then profit per unit at the oracle price
/// (descending), then insertion order, where every (re)insertion (open, increase, tier change) goes behind the
/// positions already there.
/// @dev Two exempt hedgers bring the skew back to zero before every order, so orders of the same size at the same
/// price fill at the same price: equal J, and the tie is broken by insertion order. Prices come from three levels
/// and sizes from three notionals to make such ties common.
contract AdlOrderFuzzTest is BaseTest {
    uint256 internal constant MAX_TRADERS = 12;
    uint256 internal constant STEPS = 24;
    uint256 internal constant HEDGE_NOTIONAL_WAD = 2_000_000e18;

    address[MAX_TRADERS] internal _accounts;
    address internal hedgerLong;
    address internal hedgerShort;

    /// @dev The reference: for each account, whether it is open and its insertion stamp.
    mapping(address account => uint256) internal _stamp;
    uint256 internal _stamps;

    /// @dev One position of the reference order.
    struct Entry {
        uint32 id;
        uint8 tier;
        int256 profitPerUnitWad;
        uint256 stamp;
    }

    function setUp() public override {
        super.setUp();
        for (uint256 i; i < MAX_TRADERS; ++i) {
            _accounts[i] = _fundedAccount(string.concat("trader", vm.toString(i)));
        }
        hedgerLong = _fundedAccount("hedgerLong");
        hedgerShort = _fundedAccount("hedgerShort");
        // 1x each: exempt, in no list, and large enough to absorb any skew by increasing.
        _open(hedgerLong, ETH, HEDGE_NOTIONAL_WAD, 1e18, true);
        _open(hedgerShort, ETH, HEDGE_NOTIONAL_WAD, 1e18, false);
        _hedge();
    }

    function test_fuzz_tierLists_walkIsTheReferenceOrder(uint256 seed, uint256 traderCount, int256 finalMoveBps)
        public
    {
        traderCount = bound(traderCount, 4, MAX_TRADERS);
        for (uint256 step; step < STEPS; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            _setPrice(ETH, [uint256(3_900e18), 4_000e18, 4_100e18][r % 3]);
            address account = _accounts[(r >> 8) % traderCount];
            _act(account, r >> 16);
            _hedge();
        }
        _movePrice(ETH, _boundPriceMoveBps(finalMoveBps, 2_000));
        if (seed % 2 == 0) {
            // Some skew, then time: funding moves every profit per unit alike, never the order.
            _open(hedgerLong, ETH, 100_000e18, 1e18, true);
            _warp(1 days);
        }
        _assertWalkIsTheReferenceOrder(true);
        _assertWalkIsTheReferenceOrder(false);
    }

    /* ACTIONS */

    /// @dev One owner action; the reference stamps the position whenever DESIGN says it is (re)inserted.
    function _act(address account, uint256 r) internal {
        Position memory p = _position(account, ETH);
        uint256 notional = [uint256(2_000e18), 10_000e18, 50_000e18][r % 3];
        uint256 leverage = [uint256(2e18), 5e18, 15e18, 30e18, 60e18][(r >> 4) % 5];
        uint256 kind = (r >> 8) % 8;
        if (p.sizeWad == 0) {
            _open(account, ETH, notional, leverage, (r >> 12) % 2 == 0);
            _stamp[account] = ++_stamps;
        } else if (kind < 2) {
            _increase(account, p, notional, leverage);
        } else if (kind == 2) {
            _removeMargin(account, p, r >> 12);
        } else if (kind == 3) {
            // Lower chosen leverage: the drop waits, the position keeps its tier and its place.
            uint256 amount = p.marginWad / 2 + 1;
            _deposit(account, amount / TOKEN_TO_WAD + 1);
            vm.prank(account);
            engine.addMargin(ETH, amount);
        } else if (kind == 4) {
            _applyDueTierDrop(account, p);
        } else if (kind == 5) {
            _reduce(account, p.sizeWad / 2);
        } else {
            _reduce(account, p.sizeWad);
        }
    }

    /// @dev An increase changes J: the position re-enters its list behind every position of equal J. One that
    /// its loss leaves below initial margin is refused, and changes nothing.
    function _increase(address account, Position memory p, uint256 notional, uint256 leverage) internal {
        int256 delta = _sizeFor(ETH, notional, p.sizeWad > 0);
        uint256 margin = _marginFor(ETH, delta, leverage);
        _deposit(account, margin / TOKEN_TO_WAD + 1);
        vm.prank(account);
        try engine.trade(ETH, delta, margin, _anyPrice(delta), new uint32[](0)) {
            _stamp[account] = ++_stamps;
        } catch (bytes memory reason) {
            assertEq(bytes4(reason), IPerpEngineBase.BelowInitialMargin.selector, "increase refused for another reason");
        }
    }

    /// @dev Removing margin raises the chosen leverage: when the stored tier rises, the position moves list.
    function _removeMargin(address account, Position memory p, uint256 r) internal {
        uint256 price = _priceWad(ETH);
        int256 pnl = PositionMath.pnl(p.sizeWad, p.jWad, engine.currentFundingIndex(ETH), price);
        int256 room = int256(uint256(p.marginWad)) + (pnl < 0 ? pnl : int256(0))
            - int256(PositionMath.requiredMargin(p.sizeWad, price, IMR_WAD));
        if (room <= 1) return;
        vm.prank(account);
        engine.removeMargin(ETH, bound(r, 1, uint256(room) / 2), new uint32[](0));
        if (_position(account, ETH).tier != p.tier) _stamp[account] = ++_stamps;
    }

    /// @dev A due tier drop moves the position to its lower list, at its J, behind the others.
    function _applyDueTierDrop(address account, Position memory p) internal {
        if (p.pendingTierSince == 0) return;
        _warp(_protocolConfig().tierDropDelay);
        engine.applyTierDrop(account, ETH, new uint32[](0));
        _stamp[account] = ++_stamps;
    }

    /// @dev A pro-rata decrease keeps J and the place in the list; a close leaves it. An owner cannot reduce a
    /// position with negative equity, nor one whose proceeds do not pay the fee, nor leave less than the minimum.
    function _reduce(address account, int256 closeSize) internal {
        vm.prank(account);
        try engine.trade(ETH, -closeSize, 0, _anyPrice(-closeSize), new uint32[](0)) {}
        catch (bytes memory reason) {
            bytes4 selector = bytes4(reason);
            assertTrue(
                selector == IPerpEngineBase.NegativeEquity.selector
                    || selector == IPerpEngineBase.ProceedsBelowFee.selector
                    || selector == IPerpEngineBase.BelowMinNotional.selector,
                "reduction refused for another reason"
            );
        }
    }

    /// @dev Brings the traders' skew back to zero by increasing the hedger on the other side.
    function _hedge() internal {
        int256 skew = _skew(ETH);
        if (skew == 0) return;
        address hedger = skew > 0 ? hedgerShort : hedgerLong;
        int256 delta = -skew;
        uint256 notional = PositionMath.notionalUp(delta, _priceWad(ETH));
        _trade(hedger, ETH, delta, notional + _expectedFee(ETH, delta));
        assertEq(_skew(ETH), 0, "hedge");
    }

    /* REFERENCE */

    function _assertWalkIsTheReferenceOrder(bool isLong) internal view {
        uint32[] memory walked = new uint32[](MAX_TRADERS);
        uint256 n;
        for (uint8 tier = 4; tier >= 1; --tier) {
            uint32[] memory ids = _walkTierList(ETH, isLong, tier, MAX_TRADERS);
            for (uint256 i; i < ids.length; ++i) {
                walked[n++] = ids[i];
            }
        }
        Entry[] memory expected = _reference(isLong);
        assertEq(n, expected.length, "walk length");
        for (uint256 i; i < n; ++i) {
            assertEq(walked[i], expected[i].id, "walk differs from the reference order");
        }
    }

    /// @dev Every open, non-exempt position of the side, sorted by tier descending, then profit per unit at the
    /// oracle price descending, then insertion stamp ascending (insertion sort: a dozen entries).
    function _reference(bool isLong) internal view returns (Entry[] memory entries) {
        entries = new Entry[](MAX_TRADERS);
        uint256 n;
        int256 netPrice = int256(_priceWad(ETH)) - engine.currentFundingIndex(ETH);
        for (uint256 i; i < MAX_TRADERS; ++i) {
            Position memory p = _position(_accounts[i], ETH);
            if (p.sizeWad == 0 || (p.sizeWad > 0) != isLong || p.tier == 0) continue;
            Entry memory e = Entry({
                id: engine.accountIdOf(_accounts[i]),
                tier: p.tier,
                profitPerUnitWad: isLong ? netPrice - p.jWad : p.jWad - netPrice,
                stamp: _stamp[_accounts[i]]
            });
            uint256 j = n++;
            while (j > 0 && _before(e, entries[j - 1])) {
                entries[j] = entries[j - 1];
                --j;
            }
            entries[j] = e;
        }
        assembly ("memory-safe") {
            mstore(entries, n)
        }
    }

    function _before(Entry memory a, Entry memory b) internal pure returns (bool) {
        if (a.tier != b.tier) return a.tier > b.tier;
        if (a.profitPerUnitWad != b.profitPerUnitWad) return a.profitPerUnitWad > b.profitPerUnitWad;
        return a.stamp < b.stamp;
    }

    function _fundedAccount(string memory name) internal returns (address account) {
        account = makeAddr(name);
        usdc.mint(account, WALLET_TOKENS);
        vm.prank(account);
        usdc.approve(address(engine), type(uint256).max);
    }
}
