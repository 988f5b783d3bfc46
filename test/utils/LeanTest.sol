// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TestBase} from "forge-std/Base.sol";
import {StdAssertions} from "forge-std/StdAssertions.sol";
import {StdChains} from "forge-std/StdChains.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

/// @title LeanTest
/// @notice forge-std's Test, built from the same modules, without the ones Test.sol only re-exports (safeconsole
/// alone is 440 KB of source).
/// @dev Why: Hardhat hands solc-js each compile job as one standard-JSON string, which solc-js copies onto the wasm
/// compiler's 5 MiB stack at four bytes per character (`ccall` → `stackAlloc(4·length)`): a job above about 1.31
/// million characters overflows it and the compiler dies with "memory access out of bounds". Every test that
/// inherits BaseTest (with the contracts, OpenZeppelin and forge-std) shares that budget.
abstract contract LeanTest is TestBase, StdAssertions, StdChains, StdCheats, StdInvariant, StdUtils {
    /// @dev The test runner recognises test contracts by IS_TEST() returning true.
    bool public IS_TEST = true;
}
