// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Position} from "../interfaces/IPerpEngine.sol";

/// @title TierList
/// @notice The ADL order of one market side and tier: a doubly linked list of positions sorted by profit per
/// unit, most profitable first (longs by J ascending, shorts by J descending), ties by insertion order: an
/// insertion always goes behind every position of equal J, so a re-inserted position goes behind the others
/// of equal J and no sequence number needs storing.
/// @dev Adapted from the idea of Liquity's SortedTroves (itself from Livepeer's SortedDoublyLL), changed so
/// that: nodes live inside the positions they order (Position.prevId, nextId), keyed by a compact
/// account id, so linking costs no extra slots; membership is derived from the position's side and stored
/// tier, so a hint from another list is recognised in O(1) and never followed; order needs re-insertion only
/// when the owner changes J or the tier (pro-rata slices keep J, so liquidation and ADL never insert).
/// Insertion checks each hint in O(1) and walks at most `maxSteps` from it; with no hint that works it
/// reverts with StaleHints, asking for fresh ones. Nothing here loops over a whole list.
library TierList {
    /// @notice Thrown when no hint leads to the insertion point within the walk bound; compute fresh hints.
    error StaleHints(uint32 accountId, uint256 maxSteps);

    /// @notice The two ends of a list. id 0 is the sentinel: prevId == 0 means "first", nextId == 0 "last".
    struct Ends {
        uint32 head;
        uint32 tail;
        uint32 length;
    }

    /// @notice Whether a listed position with J = `jListed` comes before a position being inserted with J = `jNew`
    /// (it is at least as profitable per unit; on a tie it was inserted earlier).
    function precedesNew(bool isLong, int256 jListed, int256 jNew) internal pure returns (bool) {
        return isLong ? jListed <= jNew : jListed >= jNew;
    }

    /// @notice Links `id` into the list at its sorted place. The position must already hold its size, J and
    /// tier, and must not be linked.
    /// @param hints Candidate predecessors (0 = the head end), e.g. computed off chain by the SDK; none means
    /// "walk from the head".
    function insert(
        Ends storage ends,
        mapping(uint32 => Position) storage positions,
        uint32 id,
        uint32[] memory hints,
        uint256 maxSteps
    ) internal {
        Position storage p = positions[id];
        if (ends.length == 0) {
            _link(ends, positions, id, 0, 0);
            return;
        }
        bool isLong = p.sizeWad > 0;
        if (hints.length == 0) {
            // No hint: walk from the head, which suffices for short lists.
            (bool found, uint32 prev, uint32 next) = _search(ends, positions, p, isLong, 0, maxSteps);
            if (found) return _link(ends, positions, id, prev, next);
            revert StaleHints(id, maxSteps);
        }
        for (uint256 i; i < hints.length; ++i) {
            if (hints[i] == id) continue;
            (bool found, uint32 prev, uint32 next) = _search(ends, positions, p, isLong, hints[i], maxSteps);
            if (found) {
                _link(ends, positions, id, prev, next);
                return;
            }
        }
        revert StaleHints(id, maxSteps);
    }

    /// @notice Whether a listed position whose J changed still sorts between its current neighbours: behind
    /// `prev` (which precedes it, equal J included) and before `next` (which does not). Where that holds, a
    /// removal and a fresh insertion would put it back in the same place.
    /// @param p The position as it will be stored (its links unchanged, its new J).
    function fitsInPlace(mapping(uint32 => Position) storage positions, Position memory p, bool isLong)
        internal
        view
        returns (bool)
    {
        if (p.prevId != 0 && !precedesNew(isLong, positions[p.prevId].jWad, p.jWad)) return false;
        if (p.nextId != 0 && precedesNew(isLong, positions[p.nextId].jWad, p.jWad)) return false;
        return true;
    }

    /// @notice Unlinks `id` (which must be linked in this list). O(1), no hints.
    function remove(Ends storage ends, mapping(uint32 => Position) storage positions, uint32 id) internal {
        Position storage p = positions[id];
        uint32 prev = p.prevId;
        uint32 next = p.nextId;
        if (prev == 0) ends.head = next;
        else positions[prev].nextId = next;
        if (next == 0) ends.tail = prev;
        else positions[next].prevId = prev;
        p.prevId = 0;
        p.nextId = 0;
        ends.length -= 1;
    }

    /// @dev Looks for the insertion point starting from a hinted predecessor: walks towards the tail while the
    /// successor still precedes p, or towards the head while the hint itself does not.
    function _search(
        Ends storage ends,
        mapping(uint32 => Position) storage positions,
        Position storage p,
        bool isLong,
        uint32 hint,
        uint256 maxSteps
    ) private view returns (bool found, uint32 prev, uint32 next) {
        if (hint != 0 && !_isMember(positions[hint], p)) return (false, 0, 0);
        prev = hint;
        next = hint == 0 ? ends.head : positions[hint].nextId;
        for (uint256 step; step <= maxSteps; ++step) {
            if (prev != 0 && !_precedesNode(positions[prev], p, isLong)) {
                next = prev;
                prev = positions[prev].prevId;
            } else if (next != 0 && _precedesNode(positions[next], p, isLong)) {
                prev = next;
                next = positions[next].nextId;
            } else {
                return (true, prev, next);
            }
        }
        return (false, 0, 0);
    }

    function _link(Ends storage ends, mapping(uint32 => Position) storage positions, uint32 id, uint32 prev, uint32 next)
        private
    {
        Position storage p = positions[id];
        p.prevId = prev;
        p.nextId = next;
        if (prev == 0) ends.head = id;
        else positions[prev].nextId = id;
        if (next == 0) ends.tail = id;
        else positions[next].prevId = id;
        ends.length += 1;
    }

    function _precedesNode(Position storage listed, Position storage p, bool isLong) private view returns (bool) {
        return precedesNew(isLong, listed.jWad, p.jWad);
    }

    /// @dev A node belongs to p's list when it is open on the same side with the same stored tier.
    function _isMember(Position storage node, Position storage p) private view returns (bool) {
        return node.sizeWad != 0 && (node.sizeWad > 0) == (p.sizeWad > 0) && node.tier == p.tier;
    }
}
