// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarketConfig, MarketParams, ProtocolConfig} from "../interfaces/IMarketRegistry.sol";

/// @title ParamsBlob
/// @notice Stores a market's parameters (abi.encode(MarketParams)) as the code of a data-only contract and reads
/// them back straight into memory.
/// @dev Reading a whole parameter set costs one cold account access (EXTCODECOPY) instead of a cold SLOAD per
/// slot: the engine reads a market's full configuration on every action, while it changes only on admin calls.
/// The code starts with a STOP byte, so calling the contract does nothing.
library ParamsBlob {
    /// @dev abi.encode(MarketParams) is 40 words, every field inline: MarketConfig's 18 value fields, its 4 tier
    /// bounds, ProtocolConfig's 16 fields, the sequencer feed and its grace period. Offsets count the STOP byte.
    uint256 private constant MARKET_VALUES = 1;
    uint256 private constant MARKET_VALUES_BYTES = 576; // 18 words
    uint256 private constant TIER_BOUNDS = 577; // MARKET_VALUES + MARKET_VALUES_BYTES; 4 words
    uint256 private constant PROTOCOL = 705; // TIER_BOUNDS + 128
    uint256 private constant PROTOCOL_BYTES = 512; // 16 words
    uint256 private constant SEQUENCER = 1217; // PROTOCOL + PROTOCOL_BYTES; 2 words
    uint256 internal constant CODE_SIZE = 1281; // SEQUENCER + 64

    /// @dev Deploys the parameters as a blob; returns its address (zero when the creation failed).
    function write(MarketParams memory params) internal returns (address pointer) {
        bytes memory runtime = abi.encodePacked(hex"00", abi.encode(params));
        // Init code: PUSH4 len, DUP1, PUSH1 14, PUSH1 0, CODECOPY, PUSH1 0, RETURN; then the runtime code.
        bytes memory init = abi.encodePacked(hex"63", uint32(runtime.length), hex"80600e6000396000f3", runtime);
        assembly ("memory-safe") {
            pointer := create(0, add(init, 0x20), mload(init))
        }
    }

    /// @dev The address CREATE gives the contract `deployer` deploys with account nonce `nonce` (< 2^24):
    /// keccak256(rlp([deployer, nonce])). The engine stores the registry's nonce (three bytes, packed with the
    /// market's state) instead of the blob's address (a slot of its own, one more cold read per action).
    function addressOf(address deployer, uint256 nonce) internal pure returns (address pointer) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            // The list's payload: 0x94 ‖ deployer (21 bytes), then the nonce as an RLP string.
            mstore(add(m, 2), shl(96, deployer))
            mstore8(add(m, 1), 0x94)
            switch lt(nonce, 0x80)
            case 1 {
                // A nonce below 0x80 is its own byte; zero is the empty string 0x80.
                mstore8(m, 0xd6)
                mstore8(add(m, 22), or(nonce, mul(iszero(nonce), 0x80)))
                pointer := keccak256(m, 23)
            }
            default {
                let len := add(1, add(gt(nonce, 0xff), gt(nonce, 0xffff)))
                mstore8(m, add(0xd6, len))
                mstore8(add(m, 22), add(0x80, len))
                mstore(add(m, 23), shl(sub(256, mul(8, len)), nonce))
                pointer := keccak256(m, add(23, len))
            }
            pointer := and(pointer, 0xffffffffffffffffffffffffffffffffffffffff)
        }
    }

    /// @dev The parameters stored at `pointer`, which must come from `write`. Each word is copied into the
    /// memory struct as abi.encode laid it out (already clean, so no decoding checks are needed): the value
    /// fields in declaration order, the tier bounds into their own array, and the sequencer pair after the two
    /// struct pointers of MarketParams.
    function read(address pointer) internal view returns (MarketParams memory params) {
        MarketConfig memory market = params.market;
        uint32[4] memory tiers = market.tierBoundsX1e4;
        ProtocolConfig memory protocol = params.protocol;
        assembly ("memory-safe") {
            extcodecopy(pointer, market, MARKET_VALUES, MARKET_VALUES_BYTES)
            extcodecopy(pointer, tiers, TIER_BOUNDS, 128)
            extcodecopy(pointer, protocol, PROTOCOL, PROTOCOL_BYTES)
            extcodecopy(pointer, add(params, 64), SEQUENCER, 64)
        }
    }
}
