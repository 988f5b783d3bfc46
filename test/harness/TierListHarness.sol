// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Position} from "../../contracts/interfaces/IPerpEngine.sol";
import {TierList} from "../../contracts/libraries/TierList.sol";

/// @notice Exposes TierList over one list of one side, for tests.
contract TierListHarness {
    mapping(uint32 => Position) internal _positions;
    TierList.Ends public ends;
    bool public immutable isLong;
    /// @dev Insertion counter kept by the harness only, so tests can check that ties keep insertion order.
    uint64 public insertions;
    mapping(uint32 => uint64) public insertedAt;

    constructor(bool isLong_) {
        isLong = isLong_;
    }

    function insert(uint32 id, int96 jWad, uint32[] memory hints, uint256 maxSteps) external {
        Position storage p = _positions[id];
        p.sizeWad = isLong ? int104(1e18) : -int104(1e18);
        p.tier = 1;
        p.jWad = jWad;
        TierList.insert(ends, _positions, id, hints, maxSteps);
        insertedAt[id] = ++insertions;
    }

    function remove(uint32 id) external {
        TierList.remove(ends, _positions, id);
        _positions[id].sizeWad = 0;
    }

    function node(uint32 id) external view returns (uint32 prevId, uint32 nextId, int96 jWad, uint64 insertedAtCount) {
        Position storage p = _positions[id];
        return (p.prevId, p.nextId, p.jWad, insertedAt[id]);
    }

    /// @notice The whole list, head first (tests only; the protocol never walks a whole list).
    function toArray() external view returns (uint32[] memory ids) {
        ids = new uint32[](ends.length);
        uint32 id = ends.head;
        for (uint256 i; i < ids.length; ++i) {
            ids[i] = id;
            id = _positions[id].nextId;
        }
    }
}
