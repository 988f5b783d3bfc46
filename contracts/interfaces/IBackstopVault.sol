// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {IPerpEngine} from "./IPerpEngine.sol";

/// @title IBackstopVault
/// @notice The LPs' ERC-4626 vault: the counterparty of the traders' net position. Its assets are the
/// collateral token; its share price includes the unrealised PnL and funding of that net position, as kept
/// by the engine. Deposits and withdrawals pay a fee of at least the largest deviation threshold × the
/// largest vault exposure cap, so depositing just before a known oracle update and withdrawing after does
/// not pay; the fee stays in the vault for the remaining LPs.
/// @dev Withdrawals keep the vault's equity at or above the solvency floor and traders' unrealised profit
/// below the stop ratio; otherwise they revert with the engine's error saying which (nothing is queued).
interface IBackstopVault is IERC4626 {
    /// @notice Thrown when the token delivered a different amount than requested (fee-on-transfer tokens).
    error TransferAmountMismatch(uint256 expected, uint256 received);
    /// @notice Thrown when a deposit or mint would issue no shares, or a withdrawal would burn none.
    error ZeroShares();
    /// @notice Thrown when an LP deposit is made while shares exist and the vault's equity is not positive.
    error VaultEquityNotPositive(int256 vaultEquityWad);

    /// @notice The engine whose ledger holds the vault's cash.
    function engine() external view returns (IPerpEngine);

    /// @notice The LP fee charged on deposits and withdrawals now, as an 18-decimal fraction.
    function lpFeeWad() external view returns (uint256);
}
