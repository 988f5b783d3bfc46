// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {TierList} from "../../contracts/libraries/TierList.sol";
import {TierListHarness} from "../harness/TierListHarness.sol";

/// @notice The tier list against a reference order: (J ascending for longs, descending for shorts, then
/// insertion order), with good, stale, foreign and empty hints.
contract TierListTest is Test {
    uint256 internal constant MAX_STEPS = 32;

    function _hints(uint32 a) internal pure returns (uint32[] memory h) {
        h = new uint32[](1);
        h[0] = a;
    }

    /// @dev Reference: is the harness's list sorted and does it hold exactly `expected` ids?
    function _assertSorted(TierListHarness list, uint256 expectedLength) internal view {
        uint32[] memory ids = list.toArray();
        assertEq(ids.length, expectedLength, "length");
        (uint32 headId, uint32 tailId,) = list.ends();
        if (ids.length == 0) {
            assertEq(headId, 0);
            assertEq(tailId, 0);
            return;
        }
        assertEq(headId, ids[0], "head");
        assertEq(tailId, ids[ids.length - 1], "tail");
        for (uint256 i = 1; i < ids.length; ++i) {
            (uint32 prevOfI,, int96 jI, uint64 insertedI) = list.node(ids[i]);
            (,, int96 jPrev, uint64 insertedPrev) = list.node(ids[i - 1]);
            assertEq(prevOfI, ids[i - 1], "back link");
            if (jPrev == jI) assertLt(insertedPrev, insertedI, "ties keep insertion order");
            else assertTrue(TierList.precedesNew(list.isLong(), jPrev, jI), "order");
        }
    }

    function test_insert_intoEmptyListNeedsNoHint() public {
        TierListHarness list = new TierListHarness(true);
        list.insert(7, 100, new uint32[](0), MAX_STEPS);
        _assertSorted(list, 1);
    }

    function test_insert_longsByJAscendingTiesByInsertion() public {
        TierListHarness list = new TierListHarness(true);
        list.insert(1, 300, _hints(0), MAX_STEPS);
        list.insert(2, 100, _hints(0), MAX_STEPS);
        list.insert(3, 200, _hints(0), MAX_STEPS);
        list.insert(4, 200, _hints(0), MAX_STEPS);
        uint32[] memory ids = list.toArray();
        assertEq(ids[0], 2);
        assertEq(ids[1], 3);
        assertEq(ids[2], 4, "equal J goes behind the earlier insertion");
        assertEq(ids[3], 1);
    }

    function test_insert_shortsByJDescending() public {
        TierListHarness list = new TierListHarness(false);
        list.insert(1, 100, _hints(0), MAX_STEPS);
        list.insert(2, 300, _hints(0), MAX_STEPS);
        list.insert(3, 200, _hints(1), MAX_STEPS);
        uint32[] memory ids = list.toArray();
        assertEq(ids[0], 2);
        assertEq(ids[1], 3);
        assertEq(ids[2], 1);
    }

    function test_insert_revertsWithStaleHintsBeyondTheWalkBound() public {
        TierListHarness list = new TierListHarness(true);
        for (uint32 i = 1; i <= 10; ++i) {
            list.insert(i, int96(int256(uint256(i)) * 10), _hints(i - 1), MAX_STEPS);
        }
        // J = 95 belongs between ids 9 and 10; from the head it is 9 steps away.
        vm.expectRevert(abi.encodeWithSelector(TierList.StaleHints.selector, uint32(11), uint256(3)));
        list.insert(11, 95, _hints(0), 3);
        list.insert(11, 95, _hints(0), 9);
        _assertSorted(list, 11);
    }

    function test_insert_withoutHintsWalksFromTheHeadUpToTheBound() public {
        TierListHarness list = new TierListHarness(true);
        for (uint32 i = 1; i <= 10; ++i) {
            list.insert(i, int96(int256(uint256(i)) * 10), _hints(i - 1), MAX_STEPS);
        }
        // No hint at all: the walk starts at the head, and J = 95 sits 9 steps from it.
        vm.expectRevert(abi.encodeWithSelector(TierList.StaleHints.selector, uint32(11), uint256(3)));
        list.insert(11, 95, new uint32[](0), 3);
        _assertSorted(list, 10);
        list.insert(11, 95, new uint32[](0), 9);
        _assertSorted(list, 11);
    }

    function test_insert_triesEachHintInTurn() public {
        TierListHarness list = new TierListHarness(true);
        for (uint32 i = 1; i <= 10; ++i) {
            list.insert(i, int96(int256(uint256(i)) * 10), _hints(i - 1), MAX_STEPS);
        }
        uint32[] memory hints = new uint32[](3);
        hints[0] = 1; // far
        hints[1] = 99; // never inserted: not a member
        hints[2] = 9; // exact
        list.insert(11, 95, hints, 2);
        _assertSorted(list, 11);
    }

    function test_remove_unlinksHeadTailAndMiddle() public {
        TierListHarness list = new TierListHarness(true);
        for (uint32 i = 1; i <= 5; ++i) {
            list.insert(i, int96(int256(uint256(i))), _hints(i - 1), MAX_STEPS);
        }
        list.remove(1);
        list.remove(5);
        list.remove(3);
        _assertSorted(list, 2);
        uint32[] memory ids = list.toArray();
        assertEq(ids[0], 2);
        assertEq(ids[1], 4);
        list.remove(2);
        list.remove(4);
        _assertSorted(list, 0);
    }

    /// @notice Random inserts with random hints (good, stale or foreign) and random removals keep the list
    /// sorted and complete; an insert either lands exactly or reverts with StaleHints and changes nothing.
    function test_fuzz_insertRemove_keepsOrder(uint256 seed, bool isLong) public {
        TierListHarness list = new TierListHarness(isLong);
        uint32[] memory live = new uint32[](40);
        uint256 liveCount;
        uint32 nextId = 1;
        for (uint256 step; step < 60; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            if (liveCount > 0 && r % 4 == 0) {
                uint256 k = (r >> 8) % liveCount;
                list.remove(live[k]);
                live[k] = live[liveCount - 1];
                --liveCount;
            } else if (liveCount < live.length) {
                int96 j = int96(int256((r >> 16) % 50)); // few distinct J: many ties
                uint32[] memory hints = new uint32[](2);
                hints[0] = liveCount == 0 ? 0 : live[(r >> 32) % liveCount];
                hints[1] = uint32((r >> 64) % (nextId + 3)); // possibly absent or removed
                try list.insert(nextId, j, hints, 8) {
                    live[liveCount++] = nextId;
                } catch (bytes memory reason) {
                    assertEq(bytes4(reason), TierList.StaleHints.selector);
                    // Fresh hint: walking from the head with a bound as long as the list always works.
                    list.insert(nextId, j, _hints(0), liveCount + 1);
                    live[liveCount++] = nextId;
                }
                ++nextId;
            }
            _assertSorted(list, liveCount);
        }
    }
}
