// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketRegistry} from "./IMarketRegistry.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice One isolated-margin position per (account, market), in two storage slots: (size, margin, tier,
/// pending tier, liquidation flag) and (J, F0, ADL list links).
/// @dev K = J ∓ m/|s| is never stored: it is derived, and changes only when the owner acts.
struct Position {
    /// @notice Signed size in units of the asset; long > 0.
    int104 sizeWad;
    /// @notice Margin in USD. Funding is never moved into it (it stays part of the PnL until realised).
    uint96 marginWad;
    /// @notice Stored ADL tier (0 = exempt). Rises at once; a drop waits in pendingTier.
    uint8 tier;
    /// @notice Lower tier waiting for the drop delay; meaningful only when pendingTierSince ≠ 0.
    uint8 pendingTier;
    /// @notice When the pending tier drop was recorded; zero when none is pending.
    uint32 pendingTierSince;
    /// @notice True while a liquidation is being continued; the owner can then neither trade nor add margin.
    bool inLiquidation;
    /// @notice Break-even J = E − F0 in price units: includes the entry's price impact, not the fee.
    int96 jWad;
    /// @notice The market's funding index when J last changed; E = J + F0 is the entry shown to users.
    int96 f0Wad;
    /// @notice Previous position (account id) in its ADL tier list, towards the head; 0 = none.
    /// Among equal J the list keeps insertion order: an insertion goes behind every position of equal J.
    uint32 prevId;
    /// @notice Next position (account id) in its ADL tier list, towards the tail; 0 = none.
    uint32 nextId;
}

/// @notice Per-market state kept by the engine, as its view returns it.
/// @dev longJSum and shortJSum are Σ|s|·J over each side, unscaled (36 decimals), so the traders' net PnL
/// per side, S·(P − F) − A (longs) and A − S·(P − F) (shorts), is exact with no drift. The engine stores only
/// the first six fields (four slots); the cached notional and PnL are those fields' values at lastPriceWad and
/// the stored funding index, which every action refreshes together, so they are derived rather than stored.
struct MarketState {
    uint128 longSizeWad;
    uint128 shortSizeWad;
    int256 longJSum;
    int256 shortJSum;
    /// @notice Cumulative funding index F, in price units per unit of size.
    int128 fundingIndexWad;
    /// @notice When funding was last accrued and the cached price and PnL below refreshed.
    uint40 lastUpdateTime;
    /// @notice The last good oracle price, used by views when the oracle cannot be read.
    uint128 lastPriceWad;
    /// @notice Gross open-interest notional (both sides) at lastPriceWad.
    uint128 cachedNotionalWad;
    /// @notice Longs' net unrealised PnL at lastPriceWad (rounded up: the vault's liability errs high).
    int128 cachedLongPnlWad;
    /// @notice Shorts' net unrealised PnL at lastPriceWad (rounded up).
    int128 cachedShortPnlWad;
}

/// @title IPerpEngineBase
/// @notice The engine's custom errors and events, shared by the engine and its liquidation module.
interface IPerpEngineBase {

    /* ERRORS */

    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown when an address argument is zero.
    error ZeroAddress();
    /// @notice Thrown when the token delivered a different amount than requested (fee-on-transfer tokens).
    error TransferAmountMismatch(uint256 expected, uint256 received);
    /// @notice Thrown when the account's free collateral is below what the action needs.
    error InsufficientFreeCollateral(uint256 availableWad, uint256 requiredWad);
    /// @notice Thrown when a trade's size delta is zero.
    error ZeroSizeDelta();
    /// @notice Thrown when the account has no position in the market.
    error NoPosition(address account, uint256 marketId);
    /// @notice Thrown when the fill price is worse than the trader's acceptable price.
    error AcceptablePriceExceeded(uint256 fillPriceWad, uint256 acceptablePriceWad);
    /// @notice Thrown when skew impact would push the fill price to zero or below.
    error InvalidFillPrice();
    /// @notice Thrown when the collateral given with an order does not cover its fee.
    error MarginBelowFee(uint256 marginWad, uint256 feeWad);
    /// @notice Thrown when a position would be below initial margin (counting losses, never profits).
    error BelowInitialMargin(int256 equityWad, uint256 requiredWad);
    /// @notice Thrown when a position would be left smaller than the market's minimum notional.
    error BelowMinNotional(uint256 notionalWad, uint256 minNotionalWad);
    /// @notice Thrown when a side's open interest would exceed the market's cap.
    error OpenInterestCapExceeded(uint256 marketId, uint256 notionalWad, uint256 capWad);
    /// @notice Thrown when the vault's net exposure in the market would exceed its cap.
    error VaultExposureCapExceeded(uint256 marketId, uint256 exposureWad, uint256 capWad);
    /// @notice Thrown when new risk is taken while the oracle's answer is at its circuit-breaker bound.
    error OraclePriceAtBound(uint256 marketId, uint256 priceWad);
    /// @notice Thrown when new risk is taken in a market whose margins are still ramping up to its risk constraint.
    error MarketRampingUp(uint256 marketId);
    /// @notice Thrown when new risk is taken during the sequencer's grace period.
    error SequencerGracePeriod();
    /// @notice Thrown when new risk is taken while the vault's equity is at or below its solvency floor.
    error VaultAtSolvencyFloor(int256 vaultEquityWad, uint256 floorWad);
    /// @notice Thrown when the owner tries to close or reduce a position whose equity is negative: only
    /// liquidation may close it, so every deficit goes through the waterfall.
    error NegativeEquity(int256 equityWad);
    /// @notice Thrown when a reduction's proceeds (slice margin plus PnL) do not cover its fee.
    error ProceedsBelowFee(int256 proceedsWad, uint256 feeWad);
    /// @notice Thrown when collateral is given with a reducing order (it only funds opening or increasing).
    error MarginOnDecrease();
    /// @notice Thrown when the owner acts on a position that is being liquidated.
    error PositionInLiquidation(address account, uint256 marketId);
    /// @notice Thrown when more margin is removed than the position holds.
    error InsufficientMargin(uint256 marginWad, uint256 requestedWad);
    /// @notice Thrown when no tier drop is pending for the position.
    error NoTierDropPending(address account, uint256 marketId);
    /// @notice Thrown when a tier drop is applied before its delay has passed.
    error TierDropNotDue(uint256 dueAt);
    /// @notice Thrown when a vault-only function is called by anyone else.
    error NotVault(address caller);
    /// @notice Thrown when a registry-only function is called by anyone else.
    error NotRegistry(address caller);
    /// @notice Thrown when the vault is set a second time.
    error VaultAlreadySet(address vault);
    /// @notice Thrown when an LP withdrawal would leave the vault's equity below its solvency floor.
    error VaultWithdrawalBelowFloor(int256 equityAfterWad, uint256 floorWad);
    /// @notice Thrown when traders' unrealised profit is at or above the LP-withdrawal stop ratio of the
    /// vault's equity after the withdrawal.
    error VaultWithdrawalProfitStop(uint256 tradersProfitWad, int256 equityAfterWad, uint256 stopRatioWad);
    /// @notice Thrown when an LP withdrawal exceeds the vault's cash on hand.
    error VaultCashInsufficient(int256 cashWad, uint256 requestedWad);
    /// @notice Thrown when more is withdrawn from the treasury than it holds.
    error InsufficientTreasury(uint256 availableWad, uint256 requestedWad);
    /// @notice Thrown when liquidating a position that is not below maintenance margin (nor in liquidation).
    error PositionNotLiquidatable(address account, uint256 marketId, int256 equityWad, uint256 maintenanceWad);
    /// @notice Thrown when vault-solvency ADL is called while the side's profit is within the trigger ratio.
    error SolvencyAdlNotTriggered(uint256 sideProfitWad, int256 vaultEquityWad, uint256 triggerRatioWad);
    /// @notice Reported in LiquidationSkipped (never thrown) when a batch's ADL fill budget is spent before a
    /// position could take any fill; a later call continues it.
    error AdlBudgetSpent();
    /// @notice Thrown when a withdrawal would take profit that is still vesting.
    error ProfitStillVesting(uint256 withdrawableWad, uint256 requestedWad, uint256 lockedWad);
    /// @notice Thrown when an LP deposit or withdrawal is made while positions are still being liquidated.
    error LiquidationsPending(uint256 positionsInLiquidation);

    /* EVENTS */

    /// @notice Emitted when collateral enters an account's free collateral.
    event Deposited(address indexed account, uint256 amountTokens);
    /// @notice Emitted when free collateral leaves the protocol.
    event Withdrawn(address indexed account, address indexed to, uint256 amountTokens);
    /// @notice Emitted for every fill of a trade (a flip emits two: the close, then the open).
    /// @param sizeDeltaWad Signed size filled (positive = bought).
    /// @param priceWad The oracle price.
    /// @param fillPriceWad The fill price, oracle price adjusted by skew impact.
    /// @param feeWad Trading fee charged in cash.
    /// @param realisedPnlWad PnL realised on a reduction, funding included (zero on an increase).
    /// @param fundingIndexWad The market's funding index after accrual.
    /// @param feeToInsuranceWad The fee's share for the insurance fund (rounded down).
    /// @param feeToTreasuryWad The fee's share for the treasury (rounded down); the vault gets the rest of the fee.
    event Traded(
        address indexed account,
        uint256 indexed marketId,
        int256 sizeDeltaWad,
        uint256 priceWad,
        uint256 fillPriceWad,
        uint256 feeWad,
        int256 realisedPnlWad,
        int256 fundingIndexWad,
        uint256 feeToInsuranceWad,
        uint256 feeToTreasuryWad
    );
    /// @notice Emitted after every change of a position: its whole new state, so an indexer rebuilds every
    /// position from the logs alone. A closed position reports size zero.
    event PositionUpdated(
        address indexed account,
        uint256 indexed marketId,
        int256 sizeWad,
        uint256 marginWad,
        int256 jWad,
        int256 f0Wad,
        uint8 tier,
        uint8 pendingTier,
        uint32 pendingTierSince
    );
    /// @notice Emitted when margin moves between free collateral (or the wallet) and a position.
    /// @param amountWad Positive when added, negative when removed.
    event MarginMoved(address indexed account, uint256 indexed marketId, int256 amountWad);
    /// @notice Emitted when a pending tier drop takes effect.
    event TierDropApplied(address indexed account, uint256 indexed marketId, uint8 tier, address caller);
    /// @notice Emitted for every liquidation call on a position (a continuation too).
    /// @param sizeClosedWad Signed size of the slice liquidated in this call (the position's sign).
    /// @param priceWad The oracle price the slice was valued at.
    /// @param equityWad The slice's equity at that price (negative when bankrupt).
    /// @param keeperRewardWad Paid to the keeper: from the equity, else the insurance fund, else the vault.
    /// @param liquidationFeeWad Charged out of positive equity only.
    /// @param takenOverWad Size the vault took over (within its capacity, or beyond it when ADL found nobody).
    /// @param adlSizeWad Size closed against ADL counterparties.
    /// @param remainingSizeWad Size left in liquidation, to be continued (zero when done).
    event Liquidated(
        address indexed account,
        uint256 indexed marketId,
        address indexed keeper,
        int256 sizeClosedWad,
        uint256 priceWad,
        int256 equityWad,
        uint256 keeperRewardWad,
        uint256 liquidationFeeWad,
        uint256 takenOverWad,
        uint256 adlSizeWad,
        uint256 remainingSizeWad
    );
    /// @notice Emitted when a liquidated slice leaves a deficit: who paid it, to the wei.
    /// @param deficitWad Negative equity plus any keeper reward the equity could not pay.
    /// @param insuranceWad Paid by the insurance fund (within its daily cap for the market).
    /// @param vaultWad Paid by the vault's equity (down to its solvency floor).
    /// @param haircutWad Covered by ADL haircuts (see AdlFill).
    /// @param badDebtWad Left to the vault beyond its floor, also added to the market's bad-debt counter.
    event DeficitPaid(
        address indexed account,
        uint256 indexed marketId,
        uint256 deficitWad,
        uint256 insuranceWad,
        uint256 vaultWad,
        uint256 haircutWad,
        uint256 badDebtWad
    );
    /// @notice Emitted for every ADL fill: a counterparty's pro-rata slice closed at P ∓ haircut per unit.
    /// @param counterparty The deleveraged account.
    /// @param liquidated The account whose liquidation needed the fill.
    /// @param sizeWad Signed size closed from the counterparty's position.
    /// @param priceWad The oracle price.
    /// @param fillPriceWad The counterparty's fill price: the oracle price moved against it by the haircut.
    /// @param haircutWad Profit withheld from this counterparty, in USD; never above its profit on the slice.
    /// @param tier The counterparty's ADL tier.
    event AdlFill(
        address indexed counterparty,
        uint256 indexed marketId,
        address indexed liquidated,
        int256 sizeWad,
        uint256 priceWad,
        uint256 fillPriceWad,
        uint256 haircutWad,
        uint8 tier
    );
    /// @notice Emitted when a deficit is left to the vault beyond its floor: no loss is silent.
    /// @param totalWad The market's bad-debt counter after this amount.
    event BadDebt(uint256 indexed marketId, address indexed account, uint256 amountWad, uint256 totalWad);
    /// @notice Emitted when the vault takes over size beyond its exposure cap because ADL found no
    /// profitable counterparty for it.
    event VaultLimitOverride(uint256 indexed marketId, address indexed account, uint256 sizeWad);
    /// @notice Emitted when a batch skips a position (another keeper was first, the price moved, or the call's
    /// ADL fill budget is spent).
    event LiquidationSkipped(address indexed account, uint256 indexed marketId, bytes4 reason);
    /// @notice Emitted when realised profit is scaled pro rata because traders' unrealised profit exceeds the
    /// highest threshold of the vault's equity: every winner gets the same fraction φ.
    /// @param profitWad The profit realised (after any ADL haircut).
    /// @param withheldWad What scaling withheld; it stays in the vault and adds to the market's public counter.
    /// @param scaleWad φ, the fraction paid.
    event ProfitScaled(
        address indexed account, uint256 indexed marketId, uint256 profitWad, uint256 withheldWad, uint256 scaleWad
    );
    /// @notice Emitted for each position closed (pro rata, at the oracle price, no haircut) by vault-solvency ADL.
    event SolvencyDeleveraged(
        address indexed account, uint256 indexed marketId, int256 sizeWad, uint256 priceWad, int256 realisedPnlWad
    );
    /// @notice Emitted once per vault-solvency ADL call.
    /// @param sideProfitBeforeWad The side's unrealised profit before.
    /// @param sideProfitAfterWad And after (at or under the target when the budget sufficed).
    event SolvencyAdl(
        uint256 indexed marketId,
        bool isLong,
        address indexed keeper,
        uint256 closedWad,
        uint256 sideProfitBeforeWad,
        uint256 sideProfitAfterWad,
        uint256 keeperRewardWad
    );
    /// @notice Emitted when realised profit above the daily threshold starts vesting.
    /// @param amountWad The profit that vests.
    /// @param lockedWad The account's locked profit now (this amount included), unlocking linearly.
    /// @param fullyVestedAt When all of it can be withdrawn.
    event ProfitVesting(
        address indexed account, uint256 indexed marketId, uint256 amountWad, uint256 lockedWad, uint256 fullyVestedAt
    );
    /// @notice Emitted when the registry points a market at a new parameter blob.
    event MarketParamsSet(uint256 indexed marketId, address params);
    /// @notice Emitted when a keeper refreshes a market's funding and cached PnL.
    event MarketPoked(uint256 indexed marketId, uint256 priceWad, int256 fundingIndexWad);
    /// @notice Emitted when anyone donates to the insurance fund.
    event InsuranceDonated(address indexed donor, uint256 amountTokens);
    /// @notice Emitted when the admin withdraws protocol fees.
    event TreasuryWithdrawn(address indexed to, uint256 amountTokens);
    /// @notice Emitted once, when the backstop vault is connected.
    event VaultSet(address vault);
    /// @notice Emitted when LP assets enter the vault's cash.
    event VaultCashDeposited(uint256 amountTokens);
    /// @notice Emitted when LP assets leave the vault's cash.
    event VaultCashWithdrawn(address indexed receiver, uint256 amountTokens);
}

/// @title ITrading
/// @notice What the engine contract itself implements: collateral, trading, margin, the vault's hooks, pause
/// and the core views.
interface ITrading is IPerpEngineBase {
    /// @notice Deposits collateral tokens into the caller's free collateral. Not while paused.
    /// @param amountTokens Amount in the token's own decimals.
    function deposit(uint256 amountTokens) external;

    /// @notice Deposits with an EIP-2612 permit instead of a prior approval. Not while paused.
    /// @dev A permit already used (front-run) is ignored as long as the allowance suffices.
    function depositWithPermit(uint256 amountTokens, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Withdraws free collateral to the caller. Works while paused. Unrealised profit never funds it:
    /// free collateral holds only realised amounts.
    function withdraw(uint256 amountTokens) external;

    /// @notice The one order entry point of a market. Same side as the position (or none): open or increase,
    /// the fee taken out of `marginWad`. Opposite side up to the size: a pro-rata decrease (fee out of the
    /// slice's proceeds). Beyond the size: a flip, i.e. a full close followed by a fresh open of the rest.
    /// @param marketId The market.
    /// @param sizeDeltaWad Signed size to buy (> 0) or sell (< 0).
    /// @param marginWad Collateral moved from free collateral into the position when opening or increasing;
    /// must be zero for a pure decrease.
    /// @param acceptablePriceWad Worst fill price accepted: a maximum when buying, a minimum when selling.
    /// @param hints Candidate predecessors (account ids) in the position's ADL tier list, checked in O(1) and
    /// walked from for at most the hint-walk bound; an empty list or 0 starts from the head. Reverts with
    /// TierList.StaleHints when none leads to the place: compute fresh ones (the SDK does).
    function trade(
        uint256 marketId,
        int256 sizeDeltaWad,
        uint256 marginWad,
        uint256 acceptablePriceWad,
        uint32[] calldata hints
    ) external;

    /// @notice Closes the caller's whole position. Works while paused.
    function closePosition(uint256 marketId, uint256 acceptablePriceWad) external;

    /// @notice Moves free collateral into a position's margin. Works while paused. Lowers the chosen leverage;
    /// the ADL tier drop it causes waits for the tier-drop delay.
    function addMargin(uint256 marketId, uint256 amountWad) external;

    /// @notice Pulls collateral from the wallet straight into a position's margin, so a trader can defend a
    /// position while paused. Emits Deposited then MarginMoved, as a deposit followed by addMargin would.
    function depositAndAddMargin(uint256 marketId, uint256 amountTokens) external;

    /// @notice Moves margin back to free collateral. Not while paused. The position must stay at initial
    /// margin counting losses but not profits. The higher chosen leverage raises the ADL tier at once (the
    /// position moves list, hence the hints).
    function removeMargin(uint256 marketId, uint256 amountWad, uint32[] calldata hints) external;

    /// @notice Connects the backstop vault, once. Admin only.
    function setVault(address vault) external;

    /// @notice Credits LP assets, already transferred to the engine, to the vault's cash. Vault only.
    function creditVaultCash(uint256 amountTokens) external;

    /// @notice Pays LP assets out of the vault's cash. Vault only. Reverts unless the vault's equity after it
    /// stays at or above the solvency floor and traders' unrealised profit stays below the stop ratio.
    function withdrawVaultCash(address receiver, uint256 amountTokens) external;

    /// @notice The market registry (markets, parameters, oracle).
    function registry() external view returns (IMarketRegistry);

    /// @notice An account's free collateral in WAD.
    function freeCollateralWad(address account) external view returns (uint256);

    /// @notice An account's compact id, assigned at its first deposit or trade; 0 when none yet.
    function accountIdOf(address account) external view returns (uint32);

}

/// @title ILiquidationModule
/// @notice What the liquidation module implements; reached at the engine's address (the engine delegates
/// every selector it does not know to the module, which runs on the engine's storage).
interface ILiquidationModule is IPerpEngineBase {

    /// @notice Liquidates a position below maintenance margin, or continues one left in liquidation, through the
    /// waterfall: fees out of positive equity (keeper reward first), vault takeover within its capacity, the
    /// deficit paid by the insurance fund (daily cap) then the vault's equity (down to its floor), ADL of the
    /// opposite side's most leveraged, most profitable positions for the rest (haircuts water-filled, never
    /// above a counterparty's profit), bad debt to the vault as a last resort. Permissionless, works while
    /// paused, not during the sequencer's grace period. At most the ADL fill budget of fills; what they cannot
    /// finish stays "in liquidation" (the owner cannot touch it) and anyone may continue it at the then price.
    /// @return remainingSizeWad Size left in liquidation (zero when the position is gone).
    function liquidate(address account, uint256 marketId) external returns (uint256 remainingSizeWad);

    /// @notice Liquidates (or continues) several positions of one market, sharing one ADL fill budget. A
    /// position that is no longer liquidatable, or that the spent budget cannot start, is skipped with
    /// LiquidationSkipped, not reverted.
    /// @return liquidated How many positions were liquidated or continued.
    function liquidateBatch(uint256 marketId, address[] calldata accounts) external returns (uint256 liquidated);

    /// @notice The market's bad-debt counter: every deficit left to the vault beyond its floor.
    function badDebtWad(uint256 marketId) external view returns (uint256);

    /// @notice How many positions are in liquidation now; LP flows wait while it is not zero.
    function positionsInLiquidation() external view returns (uint256);

    /// @notice What the insurance fund has paid for the market's deficits on the current UTC day.
    function insuranceUsedTodayWad(uint256 marketId) external view returns (uint256);
}

/// @title ISolvencyModule
/// @notice Vault-solvency ADL, the scaling views and the engine's derived views; reached at the engine's address through the liquidation
/// module's fallback, on the engine's storage.
interface ISolvencyModule is IPerpEngineBase {
    /// @notice Points a market at its current parameter blob (abi.encode(MarketParams) stored as a data
    /// contract's code). Only the registry may call it; it does so on every listing and parameter change.
    /// @param marketId The market.
    /// @param nonce The registry's account nonce that created the blob; its address is derived from it.
    function setMarketParams(uint256 marketId, uint24 nonce) external;

    /// @notice The market's current parameter blob (zero for a market the registry has not published).
    function marketParamsOf(uint256 marketId) external view returns (address);

    /// @notice Stops new risk. Pause guardian only.
    function pause() external;

    /// @notice Resumes. Admin only.
    function unpause() external;

    /// @notice A position's stored state.
    function positionOf(address account, uint256 marketId) external view returns (Position memory);

    /// @notice The account behind an id.
    function accountOf(uint32 accountId) external view returns (address);

    /// @notice A market's stored state (funding index as of its last touch).
    function marketState(uint256 marketId) external view returns (MarketState memory);

    /// @notice The vault's cash: LP deposits, fee share and traders' realised losses, minus realised profits.
    function vaultCashWad() external view returns (int256);

    /// @notice The vault's equity: its cash minus the traders' net unrealised PnL cached per market.
    function vaultEquityWad() external view returns (int256);

    /// @notice The insurance fund's balance.
    function insuranceFundWad() external view returns (uint256);

    /// @notice Protocol fees accrued for the treasury.
    function treasuryWad() external view returns (uint256);

    /// @notice Applies a position's pending ADL tier drop once its delay has passed. Anyone may call; the
    /// position moves to its new list (hints as for trade).
    function applyTierDrop(address account, uint256 marketId, uint32[] calldata hints) external;

    /// @notice Accrues funding and refreshes the market's cached PnL at the current oracle price. Anyone may call.
    function poke(uint256 marketId) external;

    /// @notice Donates collateral tokens to the insurance fund. Anyone, also while paused. Irrevocable.
    function donateInsurance(uint256 amountTokens) external;

    /// @notice Withdraws accrued protocol fees. Admin only.
    function withdrawTreasury(address to, uint256 amountTokens) external;

    /// @notice Deleverages one market side in ADL order at the oracle price (no haircut, a forced pro-rata close
    /// of each head in turn) when the side's unrealised profit exceeds the trigger ratio of the vault's equity,
    /// closing just enough to bring it back to the target ratio, within the ADL fill budget. Permissionless and
    /// rewarded by the vault (which it protects); works while paused.
    /// @param isLong The side to deleverage.
    /// @return closedWad Total size closed.
    function deleverageForSolvency(uint256 marketId, bool isLong) external returns (uint256 closedWad);

    /// @notice The side's unrealised profit (max(0, net PnL)) and the vault's equity at the current price, and
    /// whether vault-solvency ADL may run now.
    function solvencyAdlStatus(uint256 marketId, bool isLong)
        external
        view
        returns (uint256 sideProfitWad, int256 vaultEquityWad, bool triggered);

    /// @notice The pro-rata factor φ applied now to realised profit (1e18 = none), from the cached totals.
    function profitScaleWad() external view returns (uint256);

    /// @notice Winners' profit withheld by scaling in the market, summed.
    function profitWithheldWad(uint256 marketId) external view returns (uint256);

    /// @notice How much the vault's cash can pay to LPs now without breaching the floor, the profit stop or
    /// its cash on hand.
    function vaultWithdrawableWad() external view returns (uint256);

    /// @notice max(absolute floor, ρ × gross open-interest notional of all markets).
    function solvencyFloorWad() external view returns (uint256);

    /// @notice Σ over markets and sides of max(0, the side's net unrealised PnL).
    function tradersProfitWad() external view returns (uint256);

    /// @notice Gross open-interest notional of all markets at their cached prices.
    function totalNotionalWad() external view returns (uint256);

    /// @notice An account's realised profit still vesting (part of its free collateral that cannot be withdrawn).
    function lockedProfitWad(address account) external view returns (uint256);

    /// @notice A position's stored state, by account id (the ids the ADL lists link).
    function positionById(uint256 marketId, uint32 accountId) external view returns (Position memory);

    /// @notice The two ends and the length of a market side's ADL tier list (tiers 1–4; tier 0 is exempt and
    /// listed nowhere). Walk it with positionById(...).nextId.
    function listEnds(uint256 marketId, bool isLong, uint8 tier)
        external
        view
        returns (uint32 head, uint32 tail, uint32 size);

    /// @notice The oracle price, or the last good price when the oracle cannot be read.
    /// @return priceWad The price.
    /// @return fresh False when the fallback was used.
    function markPrice(uint256 marketId) external view returns (uint256 priceWad, bool fresh);

    /// @notice The funding index accrued to now at the mark price.
    function currentFundingIndex(uint256 marketId) external view returns (int256);

    /// @notice A position's equity at the mark price, with funding accrued to now.
    function equityOf(address account, uint256 marketId) external view returns (int256);
}

/// @title IPerpEngine
/// @notice The core of the protocol: collateral accounts, isolated-margin positions filled against the
/// backstop vault at the oracle price plus skew impact, funding, fees, the insurance fund and the
/// vault's ledger. All internal amounts are 18-decimal fixed point; token amounts are converted at the edge.
/// @dev Pause stops new risk only (deposits to free collateral, opening, increasing, flipping, removing
/// margin, LP deposits); closing, decreasing, adding margin, withdrawing, LP withdrawals within their limits,
/// tier drops, pokes and donations go on.
/// The full surface at the engine's address, for integrators: the engine's own functions, the module's (reached
/// through the engine's fallback), roles (AccessControl) and pause (Pausable, whose errors and events are
/// repeated here so callers can decode them).
interface IPerpEngine is ITrading, ILiquidationModule, ISolvencyModule, IAccessControl {
    /// @notice Thrown (by Pausable) when a call that takes new risk is made while paused.
    error EnforcedPause();
    /// @notice Thrown (by Pausable) when unpausing while not paused.
    error ExpectedPause();

    /// @notice Emitted when the pause guardian pauses.
    event Paused(address account);
    /// @notice Emitted when the admin unpauses.
    event Unpaused(address account);

    /// @notice Whether new risk is stopped.
    function paused() external view returns (bool);

    /// @notice The role allowed to pause.
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice The collateral token.
    function collateral() external view returns (IERC20);

    /// @notice The backstop vault, once connected.
    function vault() external view returns (address);

    /// @notice The module the engine delegates liquidation and keeper calls to.
    function liquidationModule() external view returns (address);

    /// @notice Number of account ids handed out.
    function accountCount() external view returns (uint32);
}
