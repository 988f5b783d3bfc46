// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IBackstopVault} from "./interfaces/IBackstopVault.sol";
import {IPerpEngine} from "./interfaces/IPerpEngine.sol";

/// @title BackstopVault
/// @notice ERC-4626 shares over the vault's equity kept by the engine. Assets move straight between LPs and
/// the engine, which holds every token of the protocol.
contract BackstopVault is ERC4626, IBackstopVault {
    using SafeERC20 for IERC20;
    using Math for uint256;

    IPerpEngine public immutable override engine;
    uint256 internal immutable TOKEN_TO_WAD;
    uint256 internal constant WAD = 1e18;

    /// @param asset_ The collateral token (the engine's).
    /// @param engine_ The engine.
    constructor(IERC20 asset_, IPerpEngine engine_)
        ERC20("Backstop Vault Share", "bvUSD")
        ERC4626(asset_)
    {
        engine = engine_;
        TOKEN_TO_WAD = 10 ** (18 - IERC20Metadata(address(asset_)).decimals());
    }

    /* ERC-4626 accounting */

    /// @notice The vault's equity in asset units, rounded down; zero when the equity is negative. Never reverts:
    /// it reads the engine's cached per-market PnL, not the oracles.
    function totalAssets() public view override(ERC4626, IERC4626) returns (uint256) {
        int256 equity = engine.vaultEquityWad();
        return equity > 0 ? uint256(equity) / TOKEN_TO_WAD : 0;
    }

    /// @inheritdoc IBackstopVault
    function lpFeeWad() public view override returns (uint256) {
        return engine.registry().effectiveLpFeeWad();
    }

    /// @notice Zero while the engine is paused or the vault's equity is not positive; unlimited otherwise.
    function maxDeposit(address) public view override(ERC4626, IERC4626) returns (uint256) {
        return _depositsOpen() ? type(uint256).max : 0;
    }

    /// @notice Zero while the engine is paused or the vault's equity is not positive; unlimited otherwise.
    function maxMint(address) public view override(ERC4626, IERC4626) returns (uint256) {
        return _depositsOpen() ? type(uint256).max : 0;
    }

    /// @notice The owner's assets net of the fee, limited by what the engine can pay out now.
    function maxWithdraw(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        return Math.min(previewRedeem(balanceOf(owner)), _withdrawableAssets());
    }

    /// @notice The owner's shares, limited to those whose redemption the engine can pay out now.
    function maxRedeem(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        uint256 balance = balanceOf(owner);
        uint256 withdrawable = _withdrawableAssets();
        // Nothing can leave (floor, profit stop or no cash): the engine would reject even a zero-asset redemption.
        if (withdrawable == 0) return 0;
        if (previewRedeem(balance) <= withdrawable) return balance;
        // The largest gross amount whose net (after the fee) fits: net(a) = a − ⌈a·f/(1+f)⌉ is non-decreasing
        // and within a unit or two of a/(1+f), so a few steps from the estimate find it exactly.
        uint256 gross = withdrawable.mulDiv(WAD + lpFeeWad(), WAD);
        for (uint256 i; i < 4 && gross > 0 && gross - _feeOnTotal(gross) > withdrawable; ++i) --gross;
        for (uint256 i; i < 4 && (gross + 1) - _feeOnTotal(gross + 1) <= withdrawable; ++i) ++gross;
        // The largest share amount whose assets (rounded down) do not exceed that gross amount.
        uint256 shares = _convertToShares(gross + 1, Math.Rounding.Ceil) - 1;
        return Math.min(balance, shares);
    }

    /// @notice Shares for `assets`, after the deposit fee (fee on the total, rounded up).
    function previewDeposit(uint256 assets) public view override(ERC4626, IERC4626) returns (uint256) {
        return super.previewDeposit(assets - _feeOnTotal(assets));
    }

    /// @notice Assets (fee included) needed to mint `shares`.
    function previewMint(uint256 shares) public view override(ERC4626, IERC4626) returns (uint256) {
        uint256 assets = super.previewMint(shares);
        return assets + _feeOnRaw(assets);
    }

    /// @notice Shares burnt to receive `assets` net, the withdrawal fee on top.
    function previewWithdraw(uint256 assets) public view override(ERC4626, IERC4626) returns (uint256) {
        return super.previewWithdraw(assets + _feeOnRaw(assets));
    }

    /// @notice Assets received for `shares`, net of the withdrawal fee.
    function previewRedeem(uint256 shares) public view override(ERC4626, IERC4626) returns (uint256) {
        uint256 assets = super.previewRedeem(shares);
        return assets - _feeOnTotal(assets);
    }

    /* ERC-4626 flows: limits are enforced by the engine with errors that say why */

    /// @notice Deposits `assets` and mints shares to `receiver`. Reverts while paused (EnforcedPause from the
    /// engine) or when the vault's equity is not positive.
    function deposit(uint256 assets, address receiver) public override(ERC4626, IERC4626) returns (uint256 shares) {
        shares = previewDeposit(assets);
        _deposit(_msgSender(), receiver, assets, shares);
    }

    /// @notice Mints exactly `shares` to `receiver` for the assets previewMint gives.
    function mint(uint256 shares, address receiver) public override(ERC4626, IERC4626) returns (uint256 assets) {
        assets = previewMint(shares);
        _deposit(_msgSender(), receiver, assets, shares);
    }

    /// @notice Withdraws `assets` to `receiver`, burning the owner's shares. Reverts with the engine's
    /// VaultWithdrawalBelowFloor, VaultWithdrawalProfitStop or VaultCashInsufficient when the limits hold it back.
    function withdraw(uint256 assets, address receiver, address owner)
        public
        override(ERC4626, IERC4626)
        returns (uint256 shares)
    {
        uint256 maxAssets = previewRedeem(balanceOf(owner));
        if (assets > maxAssets) revert ERC4626ExceededMaxWithdraw(owner, assets, maxAssets);
        shares = previewWithdraw(assets);
        _withdraw(_msgSender(), receiver, owner, assets, shares);
    }

    /// @notice Redeems `shares` for assets sent to `receiver`, under the same limits as withdraw.
    function redeem(uint256 shares, address receiver, address owner)
        public
        override(ERC4626, IERC4626)
        returns (uint256 assets)
    {
        uint256 maxShares = balanceOf(owner);
        if (shares > maxShares) revert ERC4626ExceededMaxRedeem(owner, shares, maxShares);
        assets = previewRedeem(shares);
        _withdraw(_msgSender(), receiver, owner, assets, shares);
    }

    /* INTERNAL */

    /// @dev Pulls the LP's assets straight into the engine (checking the delivered amount), then credits the
    /// whole amount, fee included, to the vault's cash: the fee stays with the remaining LPs.
    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        if (shares == 0) revert ZeroShares();
        int256 equity = engine.vaultEquityWad();
        if (totalSupply() != 0 && equity <= 0) revert VaultEquityNotPositive(equity);
        IERC20 token = IERC20(asset());
        uint256 before = token.balanceOf(address(engine));
        token.safeTransferFrom(caller, address(engine), assets);
        uint256 received = token.balanceOf(address(engine)) - before;
        if (received != assets) revert TransferAmountMismatch(assets, received);
        engine.creditVaultCash(assets);
        _mint(receiver, shares);
        emit Deposit(caller, receiver, assets, shares);
    }

    /// @dev Burns first, then asks the engine to pay: the engine enforces the floor and the profit stop.
    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        override
    {
        if (shares == 0) revert ZeroShares();
        if (caller != owner) _spendAllowance(owner, caller, shares);
        _burn(owner, shares);
        engine.withdrawVaultCash(receiver, assets);
        emit Withdraw(caller, receiver, owner, assets, shares);
    }

    /// @dev Virtual shares and assets (OpenZeppelin's offset) make a first-depositor inflation attack unprofitable.
    function _decimalsOffset() internal pure override returns (uint8) {
        return 6;
    }

    function _depositsOpen() internal view returns (bool) {
        if (Pausable(address(engine)).paused() || engine.positionsInLiquidation() != 0) return false;
        return totalSupply() == 0 || engine.vaultEquityWad() > 0;
    }

    function _withdrawableAssets() internal view returns (uint256) {
        return engine.vaultWithdrawableWad() / TOKEN_TO_WAD;
    }

    /// @dev Fee added on top of a net amount, rounded up.
    function _feeOnRaw(uint256 assets) internal view returns (uint256) {
        return assets.mulDiv(lpFeeWad(), WAD, Math.Rounding.Ceil);
    }

    /// @dev Fee included in a gross amount, rounded up.
    function _feeOnTotal(uint256 assets) internal view returns (uint256) {
        uint256 fee = lpFeeWad();
        return assets.mulDiv(fee, fee + WAD, Math.Rounding.Ceil);
    }
}
