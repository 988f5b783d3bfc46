// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Position, MarketState} from "../../contracts/interfaces/IPerpEngine.sol";
import {FixedPointMath} from "../../contracts/libraries/FixedPointMath.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {BaseTest} from "../utils/BaseTest.sol";
import {EngineHandler} from "./handlers/EngineHandler.sol";

/// @notice DESIGN "Invariants" that this version of the engine can break (conservation, zero sum, safety,
/// tiers), checked after every random action of EngineHandler.
/// @dev Each invariant runs its own campaign of 64 runs × 128 calls (the inline `invariant.depth` doubles the
/// config's 64): 65,536 handler calls in all, about a minute on two cores.
contract EngineInvariantTest is BaseTest {
    uint256 internal constant TRADER_DEPOSIT_TOKENS = 1_000_000e6;

    EngineHandler internal handler;
    address internal lp2;

    function setUp() public override {
        super.setUp();
        lp2 = makeAddr("lp2");
        usdc.mint(lp2, WALLET_TOKENS);
        vm.prank(lp2);
        usdc.approve(address(vault), type(uint256).max);

        address[] memory traders = _traders();
        for (uint256 i; i < traders.length; ++i) {
            _deposit(traders[i], TRADER_DEPOSIT_TOKENS);
        }
        address[] memory lps = new address[](2);
        lps[0] = lp;
        lps[1] = lp2;
        handler = new EngineHandler(engine, vault, usdc, ethFeed, btcFeed, traders, lps);
        vm.label(address(handler), "EngineHandler");

        bytes4[] memory selectors = new bytes4[](16);
        selectors[0] = EngineHandler.deposit.selector;
        selectors[1] = EngineHandler.withdraw.selector;
        selectors[2] = EngineHandler.open.selector;
        selectors[3] = EngineHandler.increase.selector;
        selectors[4] = EngineHandler.decrease.selector;
        selectors[5] = EngineHandler.flip.selector;
        selectors[6] = EngineHandler.close.selector;
        selectors[7] = EngineHandler.addMargin.selector;
        selectors[8] = EngineHandler.removeMargin.selector;
        selectors[9] = EngineHandler.depositAndAddMargin.selector;
        selectors[10] = EngineHandler.lpDeposit.selector;
        selectors[11] = EngineHandler.lpWithdraw.selector;
        selectors[12] = EngineHandler.movePrice.selector;
        selectors[13] = EngineHandler.warp.selector;
        selectors[14] = EngineHandler.applyTierDrop.selector;
        selectors[15] = EngineHandler.poke.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice DESIGN "Conservation": the tokens the engine holds are exactly its ledgers (no dust source exists
    /// in this version), and exactly what entered minus what left.
    /// hardhat-config: invariant.depth = 128
    function invariant_conservation() public view {
        uint256 held = usdc.balanceOf(address(engine));
        assertEq(
            held, handler.initialEngineTokens() + handler.ghostTokensIn() - handler.ghostTokensOut(), "token flows"
        );
        assertEq(int256(held * TOKEN_TO_WAD), _ledgersWad(handler.traders()), "balance is not the sum of the ledgers");
    }

    /// @notice Insurance, treasury and vault cash are rebuilt from the events: fee splits and realised PnL. The
    /// ledgers that cannot be negative (insurance, treasury, free collateral) are unsigned: a debit beyond them
    /// would revert the action and fail the run, since the handler never reverts.
    /// hardhat-config: invariant.depth = 128
    function invariant_ledgersMatchTheirGhostTotals() public view {
        assertEq(handler.ghostFeeSplitErrors(), 0, "a fee was not split 20/20/60 (rounded down)");
        assertEq(
            handler.ghostFeesWad(),
            handler.ghostInsuranceFeesWad() + handler.ghostTreasuryFeesWad() + handler.ghostVaultFeesWad(),
            "fees charged differ from fees distributed"
        );
        assertEq(
            engine.insuranceFundWad(), handler.initialInsuranceWad() + handler.ghostInsuranceFeesWad(), "insurance"
        );
        assertEq(engine.treasuryWad(), handler.initialTreasuryWad() + handler.ghostTreasuryFeesWad(), "treasury");
        assertEq(engine.vaultCashWad(), _expectedVaultCapitalWad() - handler.ghostRealisedPnlWad(), "vault cash");
    }

    /// @notice DESIGN "Zero sum": per market, long size − short size is the traders' net size and the J sums
    /// are Σ|s|·J per side, exactly.
    /// hardhat-config: invariant.depth = 128
    function invariant_zeroSum_aggregatesAreTheSumOverPositions() public view {
        address[] memory traders = handler.traders();
        for (uint256 marketId = ETH; marketId <= BTC; ++marketId) {
            MarketState memory m = engine.marketState(marketId);
            uint256 longSize;
            uint256 shortSize;
            int256 longJSum;
            int256 shortJSum;
            for (uint256 i; i < traders.length; ++i) {
                Position memory p = _position(traders[i], marketId);
                if (p.sizeWad > 0) {
                    longSize += uint256(int256(p.sizeWad));
                    longJSum += int256(p.sizeWad) * p.jWad;
                } else if (p.sizeWad < 0) {
                    shortSize += uint256(-int256(p.sizeWad));
                    shortJSum -= int256(p.sizeWad) * p.jWad;
                }
            }
            assertEq(m.longSizeWad, longSize, "long size");
            assertEq(m.shortSizeWad, shortSize, "short size");
            assertEq(m.longJSum, longJSum, "long J sum");
            assertEq(m.shortJSum, shortJSum, "short J sum");
        }
    }

    /// @notice Each side's cached PnL is the exact sum of s·(P − F − J) over its positions at the cached price
    /// and stored index, rounded up (the vault's liability errs high) by less than one wei; notional likewise.
    /// hardhat-config: invariant.depth = 128
    function invariant_zeroSum_cachedPnlIsTheExactSumOverPositions() public view {
        address[] memory traders = handler.traders();
        for (uint256 marketId = ETH; marketId <= BTC; ++marketId) {
            MarketState memory m = engine.marketState(marketId);
            int256 netPrice = int256(uint256(m.lastPriceWad)) - m.fundingIndexWad;
            int256 longExact;
            int256 shortExact;
            for (uint256 i; i < traders.length; ++i) {
                Position memory p = _position(traders[i], marketId);
                if (p.sizeWad > 0) longExact += p.sizeWad * (netPrice - p.jWad);
                else shortExact += p.sizeWad * (netPrice - p.jWad);
            }
            assertEq(m.cachedLongPnlWad, FixedPointMath.divUp(longExact, 1e18), "long PnL cache");
            assertEq(m.cachedShortPnlWad, FixedPointMath.divUp(shortExact, 1e18), "short PnL cache");
            assertEq(
                m.cachedNotionalWad,
                FixedPointMath.wMulUp(uint256(m.longSizeWad) + m.shortSizeWad, m.lastPriceWad),
                "notional cache"
            );
        }
    }

    /// @notice DESIGN "Zero sum": the traders' aggregate PnL (realised plus cached unrealised) is exactly minus
    /// the vault's trading PnL, and the vault's equity is its cash minus the traders' net unrealised PnL.
    /// hardhat-config: invariant.depth = 128
    function invariant_zeroSum_tradersPnlIsMinusTheVaultPnl() public view {
        int256 unrealised;
        uint256 profit;
        uint256 notional;
        for (uint256 marketId = ETH; marketId <= BTC; ++marketId) {
            MarketState memory m = engine.marketState(marketId);
            unrealised += int256(m.cachedLongPnlWad) + m.cachedShortPnlWad;
            profit += _positive(m.cachedLongPnlWad) + _positive(m.cachedShortPnlWad);
            notional += m.cachedNotionalWad;
        }
        int256 equity = engine.vaultEquityWad();
        int256 vaultPnl = equity - _expectedVaultCapitalWad();

        assertEq(handler.ghostRealisedPnlWad() + unrealised, -vaultPnl, "traders' PnL is not minus the vault's");
        assertEq(equity, engine.vaultCashWad() - unrealised, "vault equity is not cash minus traders' net PnL");
        assertEq(engine.tradersProfitWad(), profit, "traders' profit total");
        assertEq(engine.totalNotionalWad(), notional, "notional total");
        assertEq(vault.totalAssets(), equity > 0 ? uint256(equity) / TOKEN_TO_WAD : 0, "vault totalAssets");
    }

    /// @notice DESIGN "Safety": no margin removal leaves a position below initial margin.
    /// hardhat-config: invariant.depth = 128
    function invariant_safety_noMarginRemovalBelowInitialMargin() public view {
        assertEq(handler.ghostRemovalsBelowInitialMargin(), 0, handler.ghostLastViolation());
    }

    /// @notice DESIGN "Safety": no action by one account moves another account's funds, position or tier (a due
    /// tier drop, which anyone may apply, changes only its target's tier).
    /// hardhat-config: invariant.depth = 128
    function invariant_safety_noActionTouchesAnotherAccount() public view {
        assertEq(handler.ghostForeignChanges(), 0, handler.ghostLastViolation());
    }

    /// @notice DESIGN "ADL order": a tier rises at once, so the stored tier is never below the tier of the chosen
    /// leverage; it drops only after the delay, through applyTierDrop, and a pending tier is always a drop.
    /// hardhat-config: invariant.depth = 128
    function invariant_tierRisesAtOnceAndDropsOnlyAfterTheDelay() public view {
        assertEq(handler.ghostEarlyTierDrops(), 0, handler.ghostLastViolation());
        address[] memory traders = handler.traders();
        for (uint256 marketId = ETH; marketId <= BTC; ++marketId) {
            uint32[4] memory bounds = registry.marketConfig(marketId).tierBoundsX1e4;
            for (uint256 i; i < traders.length; ++i) {
                Position memory p = _position(traders[i], marketId);
                if (p.sizeWad == 0) continue;
                uint256 leverage = PositionMath.chosenLeverage(p.sizeWad, p.marginWad, p.jWad, p.f0Wad);
                assertGe(p.tier, PositionMath.tierOf(leverage, bounds), "tier below the chosen leverage");
                if (p.pendingTierSince != 0) assertLt(p.pendingTier, p.tier, "pending tier is not a drop");
            }
        }
    }

    function afterInvariant() external view {
        handler.callSummary();
    }

    /// @dev What LPs and fees put into the vault, before any trading PnL.
    function _expectedVaultCapitalWad() internal view returns (int256) {
        return handler.initialVaultCashWad() + int256(handler.ghostLpTokensIn() * TOKEN_TO_WAD)
            - int256(handler.ghostLpTokensOut() * TOKEN_TO_WAD) + int256(handler.ghostVaultFeesWad());
    }

    function _positive(int256 x) internal pure returns (uint256) {
        return x > 0 ? uint256(x) : 0;
    }
}
