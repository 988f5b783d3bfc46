// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IPerpEngine} from "../interfaces/IPerpEngine.sol";

/// @title SpawnedTrader
/// @notice A one-position account created by PositionSpawner: deposits and trades in its constructor.
contract SpawnedTrader {
    constructor(IPerpEngine engine, uint256 marketId, int256 sizeWad, uint256 marginWad, uint32[] memory hints) {
        IERC20 token = engine.collateral();
        uint256 tokens = token.balanceOf(address(this));
        token.approve(address(engine), tokens);
        engine.deposit(tokens);
        engine.trade(marketId, sizeWad, marginWad, sizeWad > 0 ? type(uint256).max : 0, hints);
    }
}

/// @title PositionSpawner
/// @notice Opens many positions from fresh accounts in one transaction, for benchmarks and local load tests
/// only (tier lists of thousands of positions). Each new position goes behind the current tail of its list,
/// which is where an opening at a rising fill price belongs.
contract PositionSpawner {
    /// @notice Thrown when a spawned account could not be created at its predicted address.
    error SpawnFailed(uint256 index);

    /// @notice Spawns `count` accounts, each funded with `tokensEach` of the engine's collateral (held by this
    /// contract) and opening `sizeWad` with `marginWad` in `marketId`.
    function spawn(
        IPerpEngine engine,
        uint256 marketId,
        int256 sizeWad,
        uint256 marginWad,
        uint256 tokensEach,
        uint8 tier,
        uint256 count
    ) external returns (address[] memory accounts) {
        accounts = new address[](count);
        IERC20 token = engine.collateral();
        bytes32 salt = keccak256(abi.encode(block.number, msg.sender, gasleft()));
        for (uint256 i; i < count; ++i) {
            (,uint32 tail,) = engine.listEnds(marketId, sizeWad > 0, tier);
            uint32[] memory hints = new uint32[](1);
            hints[0] = tail;
            bytes32 s = keccak256(abi.encode(salt, i));
            bytes memory init = abi.encodePacked(
                type(SpawnedTrader).creationCode, abi.encode(engine, marketId, sizeWad, marginWad, hints)
            );
            address predicted = address(
                uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), s, keccak256(init)))))
            );
            token.transfer(predicted, tokensEach);
            address deployed;
            assembly ("memory-safe") {
                deployed := create2(0, add(init, 0x20), mload(init), s)
            }
            if (deployed != predicted || deployed == address(0)) revert SpawnFailed(i);
            accounts[i] = deployed;
        }
    }
}
