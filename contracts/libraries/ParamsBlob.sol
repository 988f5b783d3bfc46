// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ParamsBlob
/// @notice Stores an immutable byte string as the code of a data-only contract and reads it back.
/// @dev Reading a whole parameter set costs one cold account access (EXTCODECOPY) instead of a cold SLOAD per
/// slot: the engine reads a market's full configuration on every action, while it changes only on admin calls.
/// The code starts with a STOP byte, so calling the contract does nothing.
library ParamsBlob {
    /// @dev Deploys `data` (prefixed by STOP) as runtime code and returns the contract's address (zero when the
    /// creation failed).
    function write(bytes memory data) internal returns (address pointer) {
        bytes memory runtime = abi.encodePacked(hex"00", data);
        // Init code: PUSH4 len, DUP1, PUSH1 14, PUSH1 0, CODECOPY, PUSH1 0, RETURN; then the runtime code.
        bytes memory init = abi.encodePacked(hex"63", uint32(runtime.length), hex"80600e6000396000f3", runtime);
        assembly ("memory-safe") {
            pointer := create(0, add(init, 0x20), mload(init))
        }
    }

    /// @dev The bytes stored at `pointer` (without the STOP prefix); `pointer` must come from `write`.
    function read(address pointer) internal view returns (bytes memory data) {
        uint256 size = pointer.code.length;
        data = new bytes(size - 1);
        assembly ("memory-safe") {
            extcodecopy(pointer, add(data, 0x20), 1, sub(size, 1))
        }
    }
}
