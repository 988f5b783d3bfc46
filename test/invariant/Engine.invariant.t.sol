// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Position, MarketState} from "../../contracts/interfaces/IPerpEngine.sol";
import {MarketConfig, ProtocolConfig} from "../../contracts/interfaces/IMarketRegistry.sol";
import {FixedPointMath} from "../../contracts/libraries/FixedPointMath.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {TierList} from "../../contracts/libraries/TierList.sol";
import {BaseTest} from "../utils/BaseTest.sol";
import {EngineHandler} from "./handlers/EngineHandler.sol";
import {LiquidationLedger} from "./handlers/LiquidationLedger.sol";

/// @notice DESIGN "Invariants" (conservation, zero sum, order, no hidden loss, safety, tiers), checked after every
/// random action of EngineHandler, liquidations, ADL, bad debt and vault-solvency ADL included.
/// @dev The waterfall's later steps need a vault that runs out of room: the LP keeps $200k in it, just above an
/// absolute solvency floor of $180k, with an exposure cap of a tenth of its equity, so takeovers are limited (ADL
/// fills the rest) and a gap's deficits soon exceed what the vault may pay (haircuts, then bad debt); LP flows move
/// it back and forth. The ADL fill budget is 1, so a liquidation outgrows one call and is continued. The profit
/// thresholds are lowered (LP stop 0.1, ADL target 0.15, trigger 0.25, scaling 0.5 of the vault's equity), so that
/// vault-solvency ADL and profit scaling run in most runs. Every run
/// starts from a seeded book: each of six traders holds a position in each market, longs and shorts in every tier.
/// Each invariant runs its own campaign of the config's `invariant.runs` (INVARIANT_RUNS, 64 by default) × 128 calls
/// (the inline `invariant.depth`).
contract EngineInvariantTest is BaseTest {
    uint256 internal constant TRADER_DEPOSIT_TOKENS = 1_000_000e6;
    uint256 internal constant LP_WITHDRAWAL_TOKENS = 4_800_000e6;
    uint16 internal constant ADL_FILL_BUDGET = 1;
    uint128 internal constant FLOOR_ABSOLUTE_WAD = 180_000e18;
    uint64 internal constant VAULT_EXPOSURE_CAP_WAD = 0.1e18;
    uint256 internal constant SEED_NOTIONAL_WAD = 150_000e18;
    uint64 internal constant WITHDRAW_STOP_RATIO_WAD = 0.1e18;
    uint64 internal constant ADL_TARGET_RATIO_WAD = 0.15e18;
    uint64 internal constant ADL_TRIGGER_RATIO_WAD = 0.25e18;
    uint64 internal constant SCALING_RATIO_WAD = 0.5e18;

    EngineHandler internal handler;
    LiquidationLedger internal ledger;
    address internal lp2;

    function setUp() public override {
        super.setUp();
        lp2 = makeAddr("lp2");
        usdc.mint(lp2, WALLET_TOKENS);
        vm.prank(lp2);
        usdc.approve(address(vault), type(uint256).max);

        ProtocolConfig memory pc = _protocolConfig();
        pc.adlFillBudget = ADL_FILL_BUDGET;
        pc.floorAbsoluteUsdWad = FLOOR_ABSOLUTE_WAD;
        // The traders' profit reaches these ratios of the small vault's equity within a few moves or one gap, so
        // vault-solvency ADL and profit scaling run often.
        pc.withdrawStopRatioWad = WITHDRAW_STOP_RATIO_WAD;
        pc.adlTargetRatioWad = ADL_TARGET_RATIO_WAD;
        pc.adlTriggerRatioWad = ADL_TRIGGER_RATIO_WAD;
        pc.scalingRatioWad = SCALING_RATIO_WAD;
        vm.prank(admin);
        registry.setProtocolConfig(pc);
        vm.prank(lp);
        vault.withdraw(LP_WITHDRAWAL_TOKENS, lp, lp);

        address[] memory traders = new address[](6);
        address[] memory named = _traders();
        for (uint256 i; i < named.length; ++i) {
            traders[i] = named[i];
        }
        traders[4] = makeAddr("erin");
        traders[5] = makeAddr("frank");
        for (uint256 i; i < traders.length; ++i) {
            if (i >= named.length) {
                usdc.mint(traders[i], WALLET_TOKENS);
                vm.prank(traders[i]);
                usdc.approve(address(engine), type(uint256).max);
            }
            _deposit(traders[i], TRADER_DEPOSIT_TOKENS);
        }
        address[] memory lps = new address[](2);
        lps[0] = lp;
        lps[1] = lp2;
        handler = new EngineHandler(engine, vault, usdc, ethFeed, btcFeed, traders, keeper, lps);
        ledger = handler.ledger();
        vm.label(address(handler), "EngineHandler");
        vm.label(address(ledger), "LiquidationLedger");
        _seedBook(traders.length);
        // After the seeding, which passes through skews the tight cap would refuse.
        for (uint256 marketId = ETH; marketId <= BTC; ++marketId) {
            MarketConfig memory c = registry.marketConfig(marketId);
            vm.prank(admin);
            registry.setLimits(
                marketId, c.oiCapUsdWad, c.minNotionalUsdWad, VAULT_EXPOSURE_CAP_WAD, c.insuranceDailyCapUsdWad
            );
        }

        bytes4[] memory selectors = new bytes4[](24);
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
        selectors[16] = EngineHandler.gapPrice.selector;
        selectors[17] = EngineHandler.liquidate.selector;
        selectors[18] = EngineHandler.liquidateHealthy.selector;
        selectors[19] = EngineHandler.continueLiquidation.selector;
        selectors[20] = EngineHandler.liquidateBatch.selector;
        selectors[21] = EngineHandler.ownerActsInLiquidation.selector;
        selectors[22] = EngineHandler.donateInsurance.selector;
        selectors[23] = EngineHandler.deleverageForSolvency.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice DESIGN "Conservation": the tokens the engine holds are exactly its ledgers (no dust source exists
    /// in this version): every account's free collateral (the keeper's rewards included), every margin, the
    /// insurance fund, the vault's cash and the treasury; and exactly what entered minus what left.
    /// hardhat-config: invariant.depth = 128
    function invariant_conservation() public view {
        uint256 held = usdc.balanceOf(address(engine));
        assertEq(
            held, handler.initialEngineTokens() + handler.ghostTokensIn() - handler.ghostTokensOut(), "token flows"
        );
        assertEq(int256(held * TOKEN_TO_WAD), _ledgersWad(handler.accounts()), "balance is not the sum of the ledgers");
    }

    /// @notice Insurance, treasury and vault cash are rebuilt from the events: fee splits, realised PnL,
    /// donations and every liquidation's flows (fee shares, insurance paid, keeper shortfall, haircut dust). The
    /// ledgers that cannot be negative (insurance, treasury, free collateral) are unsigned: a debit beyond them
    /// would revert the action and fail the run, since the handler never reverts.
    /// hardhat-config: invariant.depth = 128
    function invariant_ledgersMatchTheirGhostTotals() public view {
        assertEq(handler.ghostFeeSplitErrors(), 0, "a fee was not split 20/20/60 (rounded down)");
        assertEq(
            engine.insuranceFundWad(),
            handler.initialInsuranceWad() + handler.ghostInsuranceFeesWad() + handler.ghostDonationsWad()
                + ledger.ghostLiquidationFeeToInsuranceWad() + ledger.ghostHaircutDustWad()
                - ledger.ghostInsuranceToVaultWad(),
            "insurance"
        );
        assertEq(engine.treasuryWad(), handler.initialTreasuryWad() + handler.ghostTreasuryFeesWad(), "treasury");
        assertEq(engine.vaultCashWad(), _expectedVaultCapitalWad() - _realisedPnlWad(), "vault cash");
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

        assertEq(_realisedPnlWad() + unrealised, -vaultPnl, "traders' PnL is not minus the vault's");
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

    /// @notice DESIGN "Order": ordered by K (longs descending, shorts ascending), the liquidatable positions of a side
    /// are a prefix, at the oracle price and the funding index accrued to now (positions already in liquidation
    /// aside).
    /// hardhat-config: invariant.depth = 128
    function invariant_order_liquidatableSetIsAPrefixOfTheKOrder() public view {
        address[] memory accounts = handler.accounts();
        for (uint256 marketId = ETH; marketId <= BTC; ++marketId) {
            for (uint256 side; side < 2; ++side) {
                bool isLong = side == 0;
                int256[] memory ks = new int256[](accounts.length);
                bool[] memory liquidatable = new bool[](accounts.length);
                uint256 n;
                for (uint256 i; i < accounts.length; ++i) {
                    Position memory p = _position(accounts[i], marketId);
                    if (p.sizeWad == 0 || (p.sizeWad > 0) != isLong || p.inLiquidation) continue;
                    (int256 k, bool l) = (_k(p), _isLiquidatable(p, marketId));
                    uint256 j = n++;
                    while (j > 0 && (isLong ? k > ks[j - 1] : k < ks[j - 1])) {
                        (ks[j], liquidatable[j]) = (ks[j - 1], liquidatable[j - 1]);
                        --j;
                    }
                    (ks[j], liquidatable[j]) = (k, l);
                }
                for (uint256 i = 1; i < n; ++i) {
                    assertTrue(liquidatable[i - 1] || !liquidatable[i], "a liquidatable position behind a healthy one");
                }
            }
        }
    }

    /// @notice DESIGN "Order": each tier list is sorted by (J ascending for longs, descending for shorts, then
    /// insertion order) and holds exactly the open positions of its side and stored tier; exempt positions are
    /// in none. Its length, head, tail and back links agree, and no walk is longer than the positions that exist.
    /// hardhat-config: invariant.depth = 128
    function invariant_order_tierListsAreSortedAndHoldExactlyTheirPositions() public view {
        address[] memory accounts = handler.accounts();
        uint256 maxId = engine.accountCount();
        for (uint256 marketId = ETH; marketId <= BTC; ++marketId) {
            // listedIn[id] = 1 + list index (side × 4 + tier − 1) of the list the walk met it in.
            uint256[] memory listedIn = new uint256[](maxId + 1);
            for (uint256 side; side < 2; ++side) {
                bool isLong = side == 0;
                for (uint8 tier = 1; tier <= 4; ++tier) {
                    uint32[] memory ids = _walkTierList(marketId, isLong, tier, accounts.length);
                    for (uint256 i; i < ids.length; ++i) {
                        Position memory p = engine.positionById(marketId, ids[i]);
                        assertTrue(p.sizeWad != 0 && (p.sizeWad > 0) == isLong, "listed on the wrong side or closed");
                        assertEq(p.tier, tier, "listed under another tier");
                        assertEq(listedIn[ids[i]], 0, "listed twice");
                        listedIn[ids[i]] = 1 + side * 4 + tier - 1;
                        if (i == 0) continue;
                        Position memory prev = engine.positionById(marketId, ids[i - 1]);
                        assertTrue(TierList.precedesNew(isLong, prev.jWad, p.jWad), "out of order");
                    }
                }
            }
            for (uint256 i; i < accounts.length; ++i) {
                uint32 id = engine.accountIdOf(accounts[i]);
                Position memory p = engine.positionById(marketId, id);
                if (p.sizeWad == 0 || p.tier == 0) {
                    assertTrue(id == 0 || listedIn[id] == 0, "closed or exempt position is listed");
                    assertEq(p.prevId, 0, "unlisted position keeps a link");
                    assertEq(p.nextId, 0, "unlisted position keeps a link");
                } else {
                    uint256 side = p.sizeWad > 0 ? 0 : 1;
                    assertEq(listedIn[id], 1 + side * 4 + p.tier - 1, "open position missing from its list");
                }
            }
        }
    }

    /// @notice DESIGN "No hidden loss": every liquidated slice's deficit (negative equity plus the keeper reward it
    /// could not pay) equals what the insurance fund, the vault, the ADL haircuts (their rounding dust aside, which
    /// goes to the fund) and bad debt paid, to the wei; bad debt only once every haircut took its whole profit; and
    /// each market's bad-debt counter is the sum of its BadDebt events. The fund never pays past its daily cap.
    /// hardhat-config: invariant.depth = 128
    function invariant_noHiddenLoss_everyDeficitIsPaidByANamedBalance() public view {
        assertEq(ledger.ghostDeficitViolations(), 0, ledger.lastDeficitViolation());
        for (uint256 marketId = ETH; marketId <= BTC; ++marketId) {
            assertEq(engine.badDebtWad(marketId), ledger.ghostBadDebtWad(marketId), "bad-debt counter");
            assertLe(
                engine.insuranceUsedTodayWad(marketId),
                registry.marketConfig(marketId).insuranceDailyCapUsdWad,
                "insurance paid past its daily cap"
            );
        }
    }

    /// @notice DESIGN "No hidden loss": no ADL counterparty's haircut exceeds its profit on the slice (nobody
    /// loses principal to ADL).
    /// hardhat-config: invariant.depth = 128
    function invariant_noHiddenLoss_noHaircutExceedsTheCounterpartysProfit() public view {
        assertEq(ledger.ghostHaircutsAboveProfit(), 0, ledger.lastHaircutViolation());
    }

    /// @notice DESIGN "The liquidation waterfall" and "The ADL order", event by event: only positions below
    /// maintenance (or in liquidation) are liquidated; the slice's equity, keeper reward, fee and payout are the
    /// documented ones; fills walk the opposite side's tiers from the highest, head first, never skipping, within
    /// the call's budget; a remainder is left only when that budget is spent; and every account's free collateral
    /// moves by exactly what the events say.
    /// hardhat-config: invariant.depth = 128
    function invariant_liquidation_followsTheWaterfallAndTheAdlOrder() public view {
        assertEq(ledger.ghostLiquidationViolations(), 0, ledger.lastLiquidationViolation());
        assertEq(ledger.ghostAdlOrderViolations(), 0, ledger.lastAdlOrderViolation());
    }

    /// @notice DESIGN "The liquidation waterfall": of the liquidation fee, the part matching the price impact goes to
    /// the vault for the size it takes over (it carries that skew), min(fee, impact) × takeover / slice rounded down,
    /// the rest to the insurance fund; so a slice that ADL closes pays the vault nothing. Checked against the fund's
    /// balance over each liquidation call, to the wei.
    /// hardhat-config: invariant.depth = 128
    function invariant_liquidationFee_impactPartGoesToTheVaultOnlyForTheSizeItTakesOver() public view {
        assertEq(ledger.ghostFeeSplitViolations(), 0, ledger.lastFeeSplitViolation());
    }

    /// @notice DESIGN "Vault solvency", call by call: vault-solvency ADL runs only above the trigger (below it the
    /// call reverts and changes nothing), closes the side's profitable heads in ADL order (tiers from the highest,
    /// never skipping, each head once, nothing after the partial close that meets the target) at the oracle price
    /// with no fee, impact or haircut, pays each its profit (after any scaling) and margin share, stops at or just
    /// under the target (the last close's size rounds up; or at the budget, or when no profitable head is left),
    /// and the vault pays the keeper max(floor, fraction of notional).
    /// hardhat-config: invariant.depth = 128
    function invariant_solvencyAdl_closesTheSidesHeadsInOrderDownToTheTarget() public view {
        assertEq(ledger.ghostSolvencyViolations(), 0, ledger.lastSolvencyViolation());
    }

    /// @notice DESIGN "Positions": the events carry every position's whole state, so an indexer rebuilds each
    /// position from the logs alone (inLiquidation from Liquidated's remaining size).
    /// hardhat-config: invariant.depth = 128
    function invariant_eventsRebuildEveryPosition() public view {
        assertEq(ledger.ghostMirrorMismatches(), 0, ledger.lastMirrorMismatch());
    }

    /// @notice The engine's count of positions in liquidation is the number of positions flagged so, and LP flows
    /// wait while it is not zero (the vault reports no room, and a flow anyway reverts).
    /// hardhat-config: invariant.depth = 128
    function invariant_positionsInLiquidationIsTheCountOfFlaggedPositions() public view {
        address[] memory accounts = handler.accounts();
        uint256 flagged;
        for (uint256 marketId = ETH; marketId <= BTC; ++marketId) {
            for (uint256 i; i < accounts.length; ++i) {
                if (_position(accounts[i], marketId).inLiquidation) ++flagged;
            }
        }
        assertEq(engine.positionsInLiquidation(), flagged, "count of positions in liquidation");
        assertEq(ledger.mirroredInLiquidation(), flagged, "positions in liquidation by the events");
        assertEq(handler.ghostLpLimitViolations(), 0, handler.ghostLastViolation());
    }

    /// @dev Trader i is long in ETH when i is even (short in BTC), and the reverse when odd, at leverages across every
    /// tier of both sides (2x is exempt), so both markets start flat and every list has members.
    function _seedBook(uint256 traderCount) internal {
        uint256[6] memory leverages = [uint256(2e18), 8e18, 15e18, 30e18, 50e18, 80e18];
        for (uint256 i; i < traderCount; ++i) {
            handler.seedPosition(i, ETH, i % 2 == 0, SEED_NOTIONAL_WAD, leverages[i]);
            handler.seedPosition(i, BTC, i % 2 == 1, SEED_NOTIONAL_WAD, leverages[(i + 3) % 6]);
            assertTrue(_position(handler.traders()[i], ETH).sizeWad != 0, "seed position not opened");
            assertTrue(_position(handler.traders()[i], BTC).sizeWad != 0, "seed position not opened");
        }
    }

    function afterInvariant() external view {
        handler.callSummary();
    }

    /// @dev What LPs, fees and the insurance fund put into the vault and what it paid keepers (fronted rewards,
    /// vault-solvency ADL rewards) or passed to the fund as haircut dust, before any trading PnL.
    function _expectedVaultCapitalWad() internal view returns (int256) {
        return handler.initialVaultCashWad() + int256(handler.ghostLpTokensIn() * TOKEN_TO_WAD)
            - int256(handler.ghostLpTokensOut() * TOKEN_TO_WAD) + int256(handler.ghostVaultFeesWad())
            + int256(ledger.ghostLiquidationFeeToVaultWad()) + int256(ledger.ghostInsuranceToVaultWad())
            - int256(ledger.ghostRewardShortfallWad()) - int256(ledger.ghostHaircutDustWad())
            - int256(ledger.ghostSolvencyRewardsWad());
    }

    /// @dev Traders' realised PnL: closes and reductions, liquidated slices (equity paid out less the margin), ADL
    /// fills (profit less haircut) and vault-solvency closes (profit at P), each after any scaling.
    function _realisedPnlWad() internal view returns (int256) {
        return handler.ghostRealisedPnlWad() + ledger.ghostLiquidationRealisedPnlWad()
            + ledger.ghostSolvencyRealisedPnlWad();
    }

    function _isLiquidatable(Position memory p, uint256 marketId) internal view returns (bool) {
        return PositionMath.isLiquidatable(
            p.sizeWad,
            p.marginWad,
            p.jWad,
            engine.currentFundingIndex(marketId),
            _priceWad(marketId),
            registry.marketConfig(marketId).mmrWad
        );
    }

    function _positive(int256 x) internal pure returns (uint256) {
        return x > 0 ? uint256(x) : 0;
    }
}
