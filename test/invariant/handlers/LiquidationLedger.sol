// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";

import {MarketRegistry} from "../../../contracts/MarketRegistry.sol";
import {IPerpEngine, IPerpEngineBase, Position, MarketState} from "../../../contracts/interfaces/IPerpEngine.sol";
import {MarketConfig, ProtocolConfig} from "../../../contracts/interfaces/IMarketRegistry.sol";
import {FixedPointMath} from "../../../contracts/libraries/FixedPointMath.sol";
import {PositionMath} from "../../../contracts/libraries/PositionMath.sol";

/// @title LiquidationLedger
/// @notice Rebuilds every position from the engine's events alone (as DESIGN says an indexer can) and audits each
/// liquidation call event by event: who was liquidated and why, what the slice was worth, who was paid what, in
/// which order the ADL counterparties were filled, and who paid the deficit; and each vault-solvency ADL call the
/// same way (only above the trigger, the side's heads in ADL order, closed at P down to the target, the keeper
/// paid by the vault). Each broken rule is counted, with the last message kept, and the invariant tests assert
/// that the counters stay zero.
/// @dev The engine emits, per liquidated slice: AdlFill and the counterparty's PositionUpdated for each fill,
/// then BadDebt, DeficitPaid and VaultLimitOverride when they apply, then the liquidated position's
/// PositionUpdated and finally Liquidated. A "group" below is that run of events, closed by Liquidated.
contract LiquidationLedger {
    using FixedPointMath for uint256;
    using FixedPointMath for int256;

    uint256 internal constant MARKETS = 2;

    /// @dev A position as rebuilt from PositionUpdated (inLiquidation from Liquidated.remainingSizeWad).
    struct Mirror {
        int256 sizeWad;
        uint256 marginWad;
        int256 jWad;
        int256 f0Wad;
        uint8 tier;
        uint8 pendingTier;
        uint32 pendingTierSince;
        bool inLiquidation;
    }

    /// @dev The liquidation call under way: everything is valued at one price and one funding index.
    struct Call {
        bool active;
        bool single;
        address target;
        uint256 marketId;
        address caller;
        uint256 priceWad;
        int256 fundingWad;
        /// @dev Traders' skew (long − short size) before the current group: the liquidation fee's impact uses it.
        int256 groupSkewWad;
        /// @dev Traders' skew as the events of the current group change it.
        int256 runningSkewWad;
        uint256 fills;
        uint256 budget;
        uint256 outcomes;
        uint256 liquidated;
        uint256 lastRemainingWad;
        uint256 nonce;
    }

    /// @dev The events of one liquidated slice, before its Liquidated event closes it.
    struct Group {
        uint256 fillsWad;
        uint256 fillSizeUnits;
        uint256 haircutsWad;
        uint256 fillCount;
        bool uncapped;
        bool partialFill;
        bool deficitSeen;
        uint256 deficitWad;
        uint256 insuranceWad;
        uint256 vaultWad;
        uint256 haircutWad;
        uint256 badDebtWad;
        bool badDebtEventSeen;
        uint256 badDebtEventWad;
        uint256 overrideWad;
    }

    /// @dev A liquidation call's flows through the insurance fund, to be checked against its balance (no event
    /// carries the fee split).
    struct FeeSplit {
        uint256 insuranceBeforeWad;
        /// @dev The fees' expected insurance share, summed over the call's slices.
        uint256 feesToInsuranceWad;
        uint256 insurancePaidWad;
        uint256 dustWad;
    }

    /// @dev The vault-solvency ADL call under way: the side, the price, and what the call is judged against.
    struct SolvencyCall {
        bool active;
        bool isLong;
        bool eventSeen;
        bool partialClose;
        uint256 profitBeforeWad;
        uint256 targetWad;
        uint256 closes;
        uint256 closedWad;
        uint256 profitAfterWad;
        /// @dev The largest profit per unit among the walk's heads: the size rounding's bound on the target.
        uint256 maxPiWad;
    }

    /// @dev A ProfitScaled event, for the vault-solvency close that follows it.
    struct Scaled {
        bool set;
        address account;
        uint256 profitWad;
        uint256 withheldWad;
        uint256 scaleWad;
    }

    /// @dev Expected state of a counterparty after its ADL fill, checked against its next PositionUpdated.
    struct PendingFill {
        bool set;
        address account;
        int256 sizeWad;
        uint256 marginWad;
        int256 jWad;
        uint8 tier;
    }

    /// @dev One AdlFill event.
    struct Fill {
        address counterparty;
        address liquidated;
        uint256 marketId;
        int256 deltaWad;
        uint256 priceWad;
        uint256 fillPriceWad;
        uint256 haircutWad;
        uint8 tier;
    }

    /// @dev Liquidated's data, decoded as one static tuple.
    struct Liquidation {
        int256 sizeClosedWad;
        uint256 priceWad;
        int256 equityWad;
        uint256 keeperRewardWad;
        uint256 liquidationFeeWad;
        uint256 takenOverWad;
        uint256 adlSizeWad;
        uint256 remainingSizeWad;
    }

    /// @dev The numbers of one slice, recomputed from the position before it.
    struct SliceCheck {
        address account;
        address keeper;
        uint256 marketId;
        Mirror before;
        uint256 wholeWad;
        uint256 sliceWad;
        uint256 marginWad;
        uint256 positiveWad;
        uint256 rewardFromEquityWad;
        uint256 deficitWad;
    }

    IPerpEngine public immutable engine;
    MarketRegistry public immutable registry;
    address[] internal _accounts;

    mapping(address account => mapping(uint256 marketId => Mirror)) internal _mirror;
    mapping(address account => mapping(uint256 marketId => Mirror)) internal _mirrorBefore;

    Call internal _call;
    SolvencyCall internal _solvency;
    Scaled internal _scaled;
    Group internal _group;
    FeeSplit internal _split;
    PendingFill internal _pending;
    int256[] internal _freeBefore;
    mapping(address account => int256) internal _expectedFreeDelta;
    /// @dev Per side (0 long, 1 short): the profitable part of each ADL tier list, tiers 4→1, at the call's start.
    mapping(uint256 side => address[]) internal _walk;
    uint256[2] internal _walkNext;
    mapping(address account => uint256 nonce)[2] internal _walkRemovedAt;

    /* GHOSTS */

    mapping(uint256 marketId => uint256) public ghostBadDebtWad;
    uint256 public ghostLiquidationFeeToVaultWad;
    uint256 public ghostLiquidationFeeToInsuranceWad;
    uint256 public ghostInsuranceToVaultWad;
    uint256 public ghostRewardShortfallWad;
    uint256 public ghostHaircutDustWad;
    /// @dev Realised by liquidated traders (positive equity paid out, minus the slice's margin) and by ADL
    /// counterparties (profit less haircut): what the vault's cash paid to traders, like a close's realised PnL.
    int256 public ghostLiquidationRealisedPnlWad;
    /// @dev Paid by the vault to vault-solvency ADL victims (their profit at P, after any scaling) and keepers.
    int256 public ghostSolvencyRealisedPnlWad;
    uint256 public ghostSolvencyRewardsWad;

    uint256 public countLiquidations;
    uint256 public countContinuations;
    uint256 public countPartialSlices;
    uint256 public countTakeovers;
    uint256 public countAdlFills;
    uint256 public countHaircutFills;
    uint256 public countDeficits;
    uint256 public countBadDebts;
    uint256 public countOverrides;
    uint256 public countSkips;
    uint256 public countSolvencyCalls;
    uint256 public countSolvencyCloses;

    uint256 public ghostDeficitViolations;
    uint256 public ghostHaircutsAboveProfit;
    uint256 public ghostAdlOrderViolations;
    uint256 public ghostLiquidationViolations;
    uint256 public ghostMirrorMismatches;
    uint256 public ghostFeeSplitViolations;
    uint256 public ghostSolvencyViolations;
    string public lastLiquidationViolation;
    string public lastDeficitViolation;
    string public lastHaircutViolation;
    string public lastAdlOrderViolation;
    string public lastMirrorMismatch;
    string public lastFeeSplitViolation;
    string public lastSolvencyViolation;

    constructor(IPerpEngine engine_, address[] memory accounts_) {
        engine = engine_;
        registry = MarketRegistry(address(engine_.registry()));
        _accounts = accounts_;
    }

    /* CALLS FROM THE HANDLER */

    /// @notice Captures what a liquidation call will be judged against: price, funding index, skew, the ADL walk
    /// of both sides and every account's free collateral.
    function beginLiquidation(uint256 marketId, address caller, bool single, address target) external {
        uint256 nonce = _call.nonce + 1;
        delete _call;
        delete _group;
        (uint256 priceWad,,) = registry.readPrice(marketId);
        MarketState memory m = engine.marketState(marketId);
        int256 skew = int256(uint256(m.longSizeWad)) - int256(uint256(m.shortSizeWad));
        _call = Call({
            active: true,
            single: single,
            target: target,
            marketId: marketId,
            caller: caller,
            priceWad: priceWad,
            fundingWad: engine.currentFundingIndex(marketId),
            groupSkewWad: skew,
            runningSkewWad: skew,
            fills: 0,
            budget: registry.protocolConfig().adlFillBudget,
            outcomes: 0,
            liquidated: 0,
            lastRemainingWad: 0,
            nonce: nonce
        });
        delete _split;
        _split.insuranceBeforeWad = engine.insuranceFundWad();
        _buildWalk(true);
        _buildWalk(false);
        delete _freeBefore;
        for (uint256 i; i < _accounts.length; ++i) {
            _freeBefore.push(int256(engine.freeCollateralWad(_accounts[i])));
            _expectedFreeDelta[_accounts[i]] = 0;
        }
    }

    /// @notice Books one successful action's events: every PositionUpdated into the mirror, every liquidation
    /// event into the audit of the call under way (none may appear outside a liquidation call).
    function book(Vm.Log[] memory logs) external {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(engine)) continue;
            bytes32 topic = logs[i].topics[0];
            if (topic == IPerpEngineBase.PositionUpdated.selector) {
                _onPositionUpdated(logs[i]);
            } else if (topic == IPerpEngineBase.ProfitScaled.selector && _solvency.active) {
                _onSolvencyScaled(logs[i]);
            } else if (
                topic == IPerpEngineBase.SolvencyDeleveraged.selector || topic == IPerpEngineBase.SolvencyAdl.selector
            ) {
                if (!_solvency.active) {
                    _violateSolvency("vault-solvency event outside a vault-solvency call");
                    continue;
                }
                if (topic == IPerpEngineBase.SolvencyAdl.selector) _onSolvencyAdl(logs[i]);
                else _onSolvencyClose(logs[i]);
            } else if (topic == IPerpEngineBase.ProfitScaled.selector && _call.active) {
                // Pro-rata scaling withheld part of an ADL counterparty's profit: it stays in the vault.
                (, uint256 withheldWad,) = abi.decode(logs[i].data, (uint256, uint256, uint256));
                _expectedFreeDelta[_addressOf(logs[i].topics[1])] -= int256(withheldWad);
                ghostLiquidationRealisedPnlWad -= int256(withheldWad);
            } else if (
                topic == IPerpEngineBase.Liquidated.selector || topic == IPerpEngineBase.AdlFill.selector
                    || topic == IPerpEngineBase.DeficitPaid.selector || topic == IPerpEngineBase.BadDebt.selector
                    || topic == IPerpEngineBase.VaultLimitOverride.selector
                    || topic == IPerpEngineBase.LiquidationSkipped.selector
            ) {
                if (!_call.active) {
                    _violateLiquidation("liquidation event outside a liquidation call");
                    continue;
                }
                _onLiquidationEvent(logs[i], topic);
            }
        }
        if (_pending.set) _violateLiquidation("an ADL fill without the counterparty's PositionUpdated");
    }

    /// @notice Closes a liquidation call: one outcome per listed account, the return value, nothing left open,
    /// and every account's free collateral moved by exactly what the events say.
    /// @param listed Accounts passed to the call (1 for a single liquidation).
    /// @param returned The call's return value (remaining size, or the batch's count).
    function endLiquidation(uint256 listed, uint256 returned) external {
        if (_group.fillCount != 0 || _group.deficitSeen || _group.badDebtEventSeen || _group.overrideWad != 0) {
            _violateLiquidation("liquidation events without their Liquidated");
        }
        if (_call.outcomes != listed) _violateLiquidation("not one outcome per listed account");
        if (_call.single) {
            if (_call.liquidated != 1) _violateLiquidation("single liquidation without a Liquidated event");
            if (returned != _call.lastRemainingWad) _violateLiquidation("liquidate returned another remaining size");
        } else if (returned != _call.liquidated) {
            _violateLiquidation("liquidateBatch returned another count");
        }
        _checkFeeSplit();
        for (uint256 i; i < _accounts.length; ++i) {
            int256 delta = int256(engine.freeCollateralWad(_accounts[i])) - _freeBefore[i];
            if (delta != _expectedFreeDelta[_accounts[i]]) {
                _violateLiquidation("free collateral moved by other than the events' amounts");
            }
        }
        _call.active = false;
    }

    /// @notice Captures what a vault-solvency ADL call will be judged against: the price, the funding index, the
    /// side's profit and the vault's equity (the call's trigger), the target, the side's ADL walk and every
    /// account's free collateral. The handler calls it only when the engine reports the side triggered.
    function beginSolvencyAdl(uint256 marketId, bool isLong, address caller) external {
        uint256 nonce = _call.nonce + 1;
        delete _call;
        delete _group;
        delete _solvency;
        delete _scaled;
        ProtocolConfig memory pc = registry.protocolConfig();
        (_call.priceWad,,) = registry.readPrice(marketId);
        _call.marketId = marketId;
        _call.caller = caller;
        _call.fundingWad = engine.currentFundingIndex(marketId);
        _call.budget = pc.adlFillBudget;
        _call.nonce = nonce;
        _solvency.active = true;
        _solvency.isLong = isLong;
        _setSolvencyTarget(pc);
        _buildWalk(isLong);
        _setWalkMaxPi();
        delete _freeBefore;
        for (uint256 i; i < _accounts.length; ++i) {
            _freeBefore.push(int256(engine.freeCollateralWad(_accounts[i])));
            _expectedFreeDelta[_accounts[i]] = 0;
        }
    }

    /// @notice Closes a vault-solvency ADL call: one SolvencyAdl event, the return value, the stop (the target
    /// reached but for the size rounding, or the budget spent, or no profitable head left), the engine's status
    /// after it, and every account's free collateral moved by exactly what the events say.
    function endSolvencyAdl(uint256 returned) external {
        SolvencyCall memory c = _solvency;
        if (!c.eventSeen) _violateSolvency("vault-solvency ADL without its SolvencyAdl event");
        if (returned != c.closedWad) _violateSolvency("deleverageForSolvency returned another size");
        uint256 side = c.isLong ? 0 : 1;
        bool budgetSpent = c.closes == _call.budget;
        bool walkDone = _walkNext[side] >= _walk[side].length;
        if (!budgetSpent && !walkDone && c.profitAfterWad > c.targetWad + c.closes + 2) {
            _violateSolvency("vault-solvency ADL stopped above the target with budget and heads left");
        }
        // Just enough: the closes take the side's profit below the target by less than the last close's size
        // rounding (one wei of size at the largest profit per unit) and a wei per close.
        if (c.closes != 0 && c.profitAfterWad + c.maxPiWad / 1e18 + c.closes + 2 < c.targetWad) {
            _violateSolvency("vault-solvency ADL closed more than the target needs");
        }
        (uint256 profitNow,,) = engine.solvencyAdlStatus(_call.marketId, c.isLong);
        if (profitNow != c.profitAfterWad) _violateSolvency("SolvencyAdl's profit after is not the side's profit");
        for (uint256 i; i < _accounts.length; ++i) {
            int256 delta = int256(engine.freeCollateralWad(_accounts[i])) - _freeBefore[i];
            if (delta != _expectedFreeDelta[_accounts[i]]) {
                _violateSolvency("free collateral moved by other than the solvency events' amounts");
            }
        }
        if (_scaled.set) _violateSolvency("ProfitScaled without its close");
        _solvency.active = false;
        ++countSolvencyCalls;
    }

    /// @notice Every tracked position equals its rebuild from the events (inLiquidation from Liquidated).
    function checkMirror() external {
        for (uint256 i; i < _accounts.length; ++i) {
            for (uint256 marketId = 1; marketId <= MARKETS; ++marketId) {
                Position memory p = engine.positionOf(_accounts[i], marketId);
                Mirror memory m = _mirror[_accounts[i]][marketId];
                if (
                    p.sizeWad != m.sizeWad || p.marginWad != m.marginWad || p.jWad != m.jWad || p.f0Wad != m.f0Wad
                        || p.tier != m.tier || p.pendingTier != m.pendingTier
                        || p.pendingTierSince != m.pendingTierSince || p.inLiquidation != m.inLiquidation
                ) {
                    ++ghostMirrorMismatches;
                    lastMirrorMismatch = "a stored position differs from its rebuild from the events";
                }
            }
        }
    }

    /// @notice How many tracked positions the events say are in liquidation.
    function mirroredInLiquidation() external view returns (uint256 count) {
        for (uint256 i; i < _accounts.length; ++i) {
            for (uint256 marketId = 1; marketId <= MARKETS; ++marketId) {
                if (_mirror[_accounts[i]][marketId].inLiquidation) ++count;
            }
        }
    }

    /* EVENTS */

    function _onPositionUpdated(Vm.Log memory log) internal {
        address account = _addressOf(log.topics[1]);
        uint256 marketId = uint256(log.topics[2]);
        Mirror memory next;
        (next.sizeWad, next.marginWad, next.jWad, next.f0Wad, next.tier, next.pendingTier, next.pendingTierSince) =
            abi.decode(log.data, (int256, uint256, int256, int256, uint8, uint8, uint32));
        Mirror memory prev = _mirror[account][marketId];
        next.inLiquidation = next.sizeWad != 0 && prev.inLiquidation;
        if (_pending.set) _checkPendingFill(account, next);
        _mirrorBefore[account][marketId] = prev;
        _mirror[account][marketId] = next;
    }

    function _onLiquidationEvent(Vm.Log memory log, bytes32 topic) internal {
        if (topic == IPerpEngineBase.AdlFill.selector) {
            _onAdlFill(log);
        } else if (topic == IPerpEngineBase.DeficitPaid.selector) {
            _onDeficitPaid(log);
        } else if (topic == IPerpEngineBase.BadDebt.selector) {
            _onBadDebt(log);
        } else if (topic == IPerpEngineBase.VaultLimitOverride.selector) {
            (uint256 sizeWad) = abi.decode(log.data, (uint256));
            _group.overrideWad += sizeWad;
            if (uint256(log.topics[1]) != _call.marketId) _violateLiquidation("override in another market");
        } else if (topic == IPerpEngineBase.LiquidationSkipped.selector) {
            _onSkipped(log);
        } else {
            _onLiquidated(log);
        }
    }

    /// @dev DESIGN "The liquidation waterfall" step 4: a counterparty's pro-rata slice at P minus its haircut, the
    /// haircut never above its profit on the slice, walked from the head of the highest tier without skipping.
    function _onAdlFill(Vm.Log memory log) internal {
        Fill memory f;
        f.counterparty = _addressOf(log.topics[1]);
        f.marketId = uint256(log.topics[2]);
        f.liquidated = _addressOf(log.topics[3]);
        (f.deltaWad, f.priceWad, f.fillPriceWad, f.haircutWad, f.tier) =
            abi.decode(log.data, (int256, uint256, uint256, uint256, uint8));
        Mirror memory c = _mirror[f.counterparty][f.marketId];
        uint256 profitWad = _checkFill(f, c);
        uint256 q = f.deltaWad.abs();
        uint256 sizeAbs = c.sizeWad.abs();

        uint256 marginSlice = q >= sizeAbs ? c.marginWad : c.marginWad.mulDivDown(q, sizeAbs);
        int256 realised = int256(profitWad) - int256(f.haircutWad);
        _expectedFreeDelta[f.counterparty] += int256(marginSlice) + realised;
        ghostLiquidationRealisedPnlWad += realised;
        _pending = PendingFill(true, f.counterparty, c.sizeWad + f.deltaWad, c.marginWad - marginSlice, c.jWad, c.tier);

        _checkWalk(f.counterparty, c.sizeWad > 0, q == sizeAbs);
        _group.fillsWad += q;
        _group.fillSizeUnits += q / 1e18 + 1;
        _group.haircutsWad += f.haircutWad;
        ++_group.fillCount;
        ++_call.fills;
        if (_call.fills > _call.budget) _violateAdlOrder("more ADL fills than the call's budget");
        _call.runningSkewWad += f.deltaWad;
        ++countAdlFills;
        if (f.haircutWad != 0) ++countHaircutFills;
    }

    /// @return profitWad The counterparty's profit on its slice at P, rounded down (what the haircut may reach).
    function _checkFill(Fill memory f, Mirror memory c) internal returns (uint256 profitWad) {
        bool counterLong = c.sizeWad > 0;
        uint256 q = f.deltaWad.abs();
        if (f.marketId != _call.marketId || f.priceWad != _call.priceWad) _violateLiquidation("fill off the call's price");
        if (c.sizeWad == 0 || (f.deltaWad > 0) == counterLong || q == 0 || q > c.sizeWad.abs()) {
            _violateLiquidation("fill larger than the counterparty or on its own side");
        }
        if ((_mirror[f.liquidated][f.marketId].sizeWad > 0) == counterLong) _violateLiquidation("fill on the same side");
        if (f.tier != c.tier || f.tier == 0) _violateLiquidation("fill from an exempt tier or under a wrong tier");

        int256 netPrice = int256(_call.priceWad) - _call.fundingWad;
        int256 profitPerUnit = counterLong ? netPrice - c.jWad : c.jWad - netPrice;
        if (profitPerUnit <= 0) _violateAdlOrder("fill against a counterparty without profit");
        profitWad = profitPerUnit > 0 ? q.wMulDown(uint256(profitPerUnit)) : 0;
        if (f.haircutWad > profitWad) {
            ++ghostHaircutsAboveProfit;
            lastHaircutViolation = "an ADL haircut exceeds the counterparty's profit on its slice";
        }
        if (f.haircutWad < profitWad) _group.uncapped = true;
        if (q == 0) return profitWad;
        uint256 perUnit = f.haircutWad.wDivUp(q);
        uint256 expectedFill =
            counterLong ? f.priceWad - FixedPointMath.minU(perUnit, f.priceWad) : f.priceWad + perUnit;
        if (f.fillPriceWad != expectedFill) _violateLiquidation("fill price is not P moved by the haircut");
    }

    /// @dev The counterparty must be the next profitable position of the walk; only the group's last fill may be
    /// partial (the position then stays at the head for the next group).
    function _checkWalk(address counterparty, bool counterLong, bool whole) internal {
        uint256 side = counterLong ? 0 : 1;
        _skipRemoved(side);
        uint256 next = _walkNext[side];
        if (_group.partialFill) _violateAdlOrder("a fill after a partial fill in the same slice");
        if (next >= _walk[side].length || _walk[side][next] != counterparty) {
            _violateAdlOrder("ADL skipped the head of the order");
            return;
        }
        if (whole) ++_walkNext[side];
        else _group.partialFill = true;
    }

    function _onDeficitPaid(Vm.Log memory log) internal {
        if (_group.deficitSeen) _violateDeficit("two DeficitPaid events for one slice");
        _group.deficitSeen = true;
        (_group.deficitWad, _group.insuranceWad, _group.vaultWad, _group.haircutWad, _group.badDebtWad) =
            abi.decode(log.data, (uint256, uint256, uint256, uint256, uint256));
        if (uint256(log.topics[2]) != _call.marketId) _violateDeficit("deficit in another market");
    }

    function _onBadDebt(Vm.Log memory log) internal {
        uint256 marketId = uint256(log.topics[1]);
        (uint256 amountWad, uint256 totalWad) = abi.decode(log.data, (uint256, uint256));
        ghostBadDebtWad[marketId] += amountWad;
        if (totalWad != ghostBadDebtWad[marketId]) _violateDeficit("BadDebt total is not the sum of the events");
        if (amountWad == 0) _violateDeficit("BadDebt of zero");
        _group.badDebtEventSeen = true;
        _group.badDebtEventWad += amountWad;
    }

    /// @dev A batch skips only what it must: no position, not liquidatable (nor in liquidation), or a spent budget.
    function _onSkipped(Vm.Log memory log) internal {
        address account = _addressOf(log.topics[1]);
        (bytes4 reason) = abi.decode(log.data, (bytes4));
        Mirror memory p = _mirror[account][_call.marketId];
        ++_call.outcomes;
        ++countSkips;
        if (_call.single) _violateLiquidation("a single liquidation skipped");
        if (reason == IPerpEngineBase.NoPosition.selector) {
            if (p.sizeWad != 0) _violateLiquidation("skipped an open position as NoPosition");
        } else if (reason == IPerpEngineBase.PositionNotLiquidatable.selector) {
            if (p.sizeWad == 0 || p.inLiquidation || _isLiquidatable(p)) {
                _violateLiquidation("skipped a liquidatable position as not liquidatable");
            }
        } else if (reason == IPerpEngineBase.AdlBudgetSpent.selector) {
            if (_call.fills != _call.budget) _violateLiquidation("AdlBudgetSpent with budget left");
            if (p.sizeWad == 0 || !(p.inLiquidation || _isLiquidatable(p))) {
                _violateLiquidation("AdlBudgetSpent for a position that is not liquidatable");
            }
        } else {
            _violateLiquidation("skipped for an unknown reason");
        }
    }

    /// @dev Closes a group: recomputes the slice, its equity, reward, fee and payout from the position before it,
    /// then checks who paid the deficit.
    function _onLiquidated(Vm.Log memory log) internal {
        Liquidation memory d = abi.decode(log.data, (Liquidation));
        SliceCheck memory s;
        s.account = _addressOf(log.topics[1]);
        s.marketId = uint256(log.topics[2]);
        s.keeper = _addressOf(log.topics[3]);
        s.before = _mirrorBefore[s.account][s.marketId];
        s.wholeWad = s.before.sizeWad.abs();
        s.sliceWad = d.sizeClosedWad.abs();
        ++_call.outcomes;
        ++_call.liquidated;
        _call.lastRemainingWad = d.remainingSizeWad;

        if (s.marketId != _call.marketId || s.keeper != _call.caller || d.priceWad != _call.priceWad) {
            _violateLiquidation("Liquidated off the call's market, keeper or price");
        }
        if (_call.single && s.account != _call.target) _violateLiquidation("liquidated another account");
        if (s.before.sizeWad == 0 || (d.sizeClosedWad > 0) != (s.before.sizeWad > 0) || s.sliceWad > s.wholeWad) {
            _violateLiquidation("slice is not part of the position");
            _closeGroup(d);
            return;
        }
        if (!s.before.inLiquidation && !_isLiquidatable(s.before)) {
            _violateLiquidation("liquidated a position above maintenance margin");
        }
        _checkSlice(s, d);
        _checkPayouts(s, d);
        _checkDeficit(s, d);

        if (s.before.inLiquidation) ++countContinuations;
        if (d.remainingSizeWad != 0) ++countPartialSlices;
        if (d.takenOverWad != 0) ++countTakeovers;
        ++countLiquidations;
        _mirror[s.account][s.marketId].inLiquidation = d.remainingSizeWad != 0;
        if (d.remainingSizeWad == 0) _walkRemovedAt[s.before.sizeWad > 0 ? 0 : 1][s.account] = _call.nonce;
        _closeGroup(d);
    }

    /// @dev The slice: its size, margin and equity at P, and the remainder left behind.
    function _checkSlice(SliceCheck memory s, Liquidation memory d) internal {
        Mirror memory a = _mirror[s.account][s.marketId];
        s.marginWad = s.sliceWad == s.wholeWad ? s.before.marginWad : s.before.marginWad.mulDivDown(s.sliceWad, s.wholeWad);
        int256 pnl = PositionMath.pnl(d.sizeClosedWad, s.before.jWad, _call.fundingWad, _call.priceWad);
        if (d.equityWad != int256(s.marginWad) + pnl) _violateLiquidation("slice equity is not margin + PnL at P");
        if (d.remainingSizeWad != s.wholeWad - s.sliceWad) _violateLiquidation("remaining is not size - slice");
        if (d.takenOverWad + d.adlSizeWad != s.sliceWad) _violateLiquidation("takeover + ADL is not the slice");
        if (d.adlSizeWad != _group.fillsWad) _violateAdlOrder("ADL size is not the sum of the fills");
        if (d.remainingSizeWad == 0) {
            if (a.sizeWad != 0 || a.marginWad != 0) _violateLiquidation("liquidated position not cleared");
        } else {
            int256 expectedSize = s.before.sizeWad > 0 ? int256(d.remainingSizeWad) : -int256(d.remainingSizeWad);
            if (
                a.sizeWad != expectedSize || a.marginWad != s.before.marginWad - s.marginWad || a.jWad != s.before.jWad
                    || a.f0Wad != s.before.f0Wad || a.tier != s.before.tier
            ) _violateLiquidation("remainder is not the pro-rata rest with J and tier kept");
            // Bounded work: only a spent ADL budget leaves a remainder.
            if (_call.fills != _call.budget) _violateAdlOrder("remainder left with ADL budget unspent");
        }
    }

    /// @dev Keeper reward first, then the liquidation fee, the rest to the trader; the fee's impact part to the
    /// vault for the size it takes over, the rest to the insurance fund.
    function _checkPayouts(SliceCheck memory s, Liquidation memory d) internal {
        ProtocolConfig memory pc = registry.protocolConfig();
        MarketConfig memory c = registry.marketConfig(s.marketId);
        uint256 reward = FixedPointMath.max(
            pc.keeperRewardFloorUsdWad, s.wholeWad.wMulUp(_call.priceWad).wMulUp(pc.keeperRewardRatioWad)
        );
        if (d.keeperRewardWad != reward) _violateLiquidation("keeper reward is not max(floor, ratio x notional)");

        bool isLong = s.before.sizeWad > 0;
        uint256 closeFill = PositionMath.fillPrice(_call.priceWad, _call.groupSkewWad, -d.sizeClosedWad, c.skewScaleWad);
        uint256 impactPerUnit = isLong
            ? (closeFill < _call.priceWad ? _call.priceWad - closeFill : 0)
            : (closeFill > _call.priceWad ? closeFill - _call.priceWad : 0);
        uint256 impactWad = s.sliceWad.wMulUp(impactPerUnit);
        uint256 feeWad =
            PositionMath.fee(s.sliceWad, _call.priceWad, uint256(c.tradingFeeWad) + c.liquidationFeeExtraWad) + impactWad;

        s.positiveWad = d.equityWad > 0 ? uint256(d.equityWad) : 0;
        s.rewardFromEquityWad = FixedPointMath.minU(s.positiveWad, d.keeperRewardWad);
        uint256 expectedFee = FixedPointMath.minU(s.positiveWad - s.rewardFromEquityWad, feeWad);
        if (d.liquidationFeeWad != expectedFee) _violateLiquidation("liquidation fee is not min(equity left, floor)");
        uint256 feeCharged = FixedPointMath.minU(d.liquidationFeeWad, s.positiveWad - s.rewardFromEquityWad);
        // DESIGN: the part matching the impact goes to the vault for the size it takes over (it carries that skew),
        // the rest to the insurance fund: min(fee, impact) × takeover / slice, rounded down.
        uint256 toVault = FixedPointMath.minU(feeCharged, impactWad).mulDivDown(d.takenOverWad, s.sliceWad);
        ghostLiquidationFeeToVaultWad += toVault;
        ghostLiquidationFeeToInsuranceWad += feeCharged - toVault;
        _split.feesToInsuranceWad += feeCharged - toVault;

        _expectedFreeDelta[s.account] += int256(s.positiveWad - s.rewardFromEquityWad - feeCharged);
        _expectedFreeDelta[s.keeper] += int256(d.keeperRewardWad);
        ghostLiquidationRealisedPnlWad += int256(s.positiveWad) - int256(s.marginWad);
    }

    /// @dev DESIGN "No hidden loss": the deficit (negative equity plus the reward the equity could not pay) is
    /// the insurance fund's + the vault's + the haircuts' (dust aside) + bad debt, to the wei.
    function _checkDeficit(SliceCheck memory s, Liquidation memory d) internal {
        s.deficitWad = d.equityWad < int256(d.keeperRewardWad) ? uint256(int256(d.keeperRewardWad) - d.equityWad) : 0;
        uint256 shortfall = d.keeperRewardWad - s.rewardFromEquityWad;
        ghostRewardShortfallWad += shortfall;
        if (s.deficitWad == 0) {
            if (_group.deficitSeen || _group.haircutsWad != 0 || _group.badDebtEventSeen) {
                _violateDeficit("haircut, bad debt or DeficitPaid without a deficit");
            }
            return;
        }
        ++countDeficits;
        if (!_group.deficitSeen) return _violateDeficit("a deficit without DeficitPaid");
        if (_group.deficitWad != s.deficitWad) _violateDeficit("DeficitPaid is not reward - equity");
        if (_group.haircutWad != _group.haircutsWad) _violateDeficit("DeficitPaid haircut is not the fills' sum");
        if (_group.insuranceWad + _group.vaultWad > s.deficitWad) return _violateDeficit("fund and vault overpaid");
        uint256 unpaid = s.deficitWad - _group.insuranceWad - _group.vaultWad;
        if (_group.haircutWad >= unpaid) {
            uint256 dust = _group.haircutWad - unpaid;
            if (_group.badDebtWad != 0 || _group.badDebtEventSeen) _violateDeficit("bad debt although haircuts cover");
            if (dust > _group.fillSizeUnits) _violateDeficit("haircuts exceed the deficit beyond rounding dust");
            ghostHaircutDustWad += dust;
            _split.dustWad += dust;
        } else {
            if (_group.badDebtWad != unpaid - _group.haircutWad) _violateDeficit("bad debt is not the unpaid rest");
            if (!_group.badDebtEventSeen || _group.badDebtEventWad != _group.badDebtWad) {
                _violateDeficit("bad debt without its BadDebt event");
            }
            if (_group.uncapped) _violateDeficit("bad debt while a haircut stayed below its profit");
            ++countBadDebts;
        }
        ghostInsuranceToVaultWad += _group.insuranceWad;
        _split.insurancePaidWad += _group.insuranceWad;
        // When part of the deficit stays unpaid the vault takes nothing it could refuse: all goes to ADL.
        if (unpaid != 0 && d.remainingSizeWad == 0 && s.sliceWad == s.wholeWad && d.takenOverWad != _group.overrideWad)
        {
            _violateDeficit("vault took size over while the deficit stayed unpaid");
        }
    }

    /// @dev No event says how a liquidation fee was split: the insurance fund's change over the call must be the
    /// fees' expected insurance share plus the haircut dust minus the deficits it paid, to the wei. A vault share
    /// for size closed against ADL counterparties would show here as a shortfall in the fund.
    function _checkFeeSplit() internal {
        int256 expected = int256(_split.insuranceBeforeWad) + int256(_split.feesToInsuranceWad) + int256(_split.dustWad)
            - int256(_split.insurancePaidWad);
        if (int256(engine.insuranceFundWad()) != expected) {
            ++ghostFeeSplitViolations;
            lastFeeSplitViolation = "the insurance fund did not get the fee less its impact part for the takeover";
        }
    }

    function _closeGroup(Liquidation memory d) internal {
        if (_group.overrideWad != 0) {
            ++countOverrides;
            uint256 side = d.sizeClosedWad > 0 ? 1 : 0;
            _skipRemoved(side);
            if (_walkNext[side] < _walk[side].length) _violateAdlOrder("vault forced over a profitable counterparty");
        }
        _call.runningSkewWad -= d.sizeClosedWad;
        _call.groupSkewWad = _call.runningSkewWad;
        delete _group;
    }

    function _checkPendingFill(address account, Mirror memory next) internal {
        PendingFill memory f = _pending;
        delete _pending;
        bool closed = f.sizeWad == 0;
        if (
            account != f.account || next.sizeWad != f.sizeWad || next.marginWad != (closed ? 0 : f.marginWad)
                || (!closed && (next.jWad != f.jWad || next.tier != f.tier))
        ) _violateLiquidation("counterparty is not left with its pro-rata rest, J and tier kept");
    }

    /* VAULT-SOLVENCY ADL */

    function _onSolvencyScaled(Vm.Log memory log) internal {
        if (_scaled.set) _violateSolvency("two ProfitScaled events for one close");
        _scaled.set = true;
        _scaled.account = _addressOf(log.topics[1]);
        (_scaled.profitWad, _scaled.withheldWad, _scaled.scaleWad) = abi.decode(log.data, (uint256, uint256, uint256));
        if (_scaled.withheldWad != _scaled.profitWad - _scaled.profitWad.wMulDown(_scaled.scaleWad)) {
            _violateSolvency("withheld profit is not the profit less its scaled part");
        }
    }

    /// @dev DESIGN "Vault solvency": the side's next profitable head in ADL order, a pro-rata slice closed at P (no
    /// fee, no impact, no haircut), its profit paid (after any scaling) with its margin share; only the last close
    /// of a call may be partial.
    function _onSolvencyClose(Vm.Log memory log) internal {
        address account = _addressOf(log.topics[1]);
        (int256 closed, uint256 priceWad, int256 paid) = abi.decode(log.data, (int256, uint256, int256));
        Mirror memory p = _mirror[account][_call.marketId];
        uint256 q = closed.abs();
        if (uint256(log.topics[2]) != _call.marketId || priceWad != _call.priceWad) {
            _violateSolvency("vault-solvency close off the call's market or price");
        }
        if (p.sizeWad == 0 || (p.sizeWad > 0) != _solvency.isLong || (closed > 0) == _solvency.isLong || q == 0) {
            _violateSolvency("vault-solvency close on the wrong side");
            return;
        }
        if (q > p.sizeWad.abs()) _violateSolvency("vault-solvency close larger than the position");
        // In ADL order, never skipping a profitable head, each head at most once.
        uint256 side = _solvency.isLong ? 0 : 1;
        if (_walkNext[side] >= _walk[side].length || _walk[side][_walkNext[side]] != account) {
            _violateSolvency("vault-solvency ADL skipped the head of the order");
        }
        ++_walkNext[side];

        int256 netPrice = int256(_call.priceWad) - _call.fundingWad;
        int256 pi = _solvency.isLong ? netPrice - p.jWad : p.jWad - netPrice;
        uint256 profit = pi > 0 ? q.wMulDown(uint256(pi)) : 0;
        if (pi <= 0) _violateSolvency("vault-solvency close of a position without profit");
        // The partial close (its size rounded up) meets the target: nothing may follow it.
        if (_solvency.partialClose) _violateSolvency("a close after the partial close that met the target");
        if (q != p.sizeWad.abs()) _solvency.partialClose = true;
        uint256 expectedPaid = profit;
        if (_scaled.set) {
            if (_scaled.account != account || _scaled.profitWad != profit) {
                _violateSolvency("ProfitScaled is not this close's profit");
            }
            expectedPaid = profit - _scaled.withheldWad;
            delete _scaled;
        }
        if (paid != int256(expectedPaid)) _violateSolvency("a vault-solvency close did not pay its profit at P");

        uint256 marginSlice = q == p.sizeWad.abs() ? p.marginWad : p.marginWad.mulDivDown(q, p.sizeWad.abs());
        _expectedFreeDelta[account] += int256(marginSlice) + paid;
        ghostSolvencyRealisedPnlWad += paid;
        _pending = PendingFill(true, account, p.sizeWad + closed, p.marginWad - marginSlice, p.jWad, p.tier);
        _solvency.closedWad += q;
        ++_solvency.closes;
        ++countSolvencyCloses;
        if (_solvency.closes > _call.budget) _violateSolvency("more vault-solvency closes than the call's budget");
    }

    /// @dev The call's summary: the side, the size closed, the profit before (the trigger's) and after, and the
    /// keeper's reward, max(floor, fraction of the closed notional), paid by the vault.
    function _onSolvencyAdl(Vm.Log memory log) internal {
        if (_solvency.eventSeen) _violateSolvency("two SolvencyAdl events in one call");
        _solvency.eventSeen = true;
        (bool isLong, uint256 closedWad, uint256 profitBefore, uint256 profitAfter, uint256 reward) =
            abi.decode(log.data, (bool, uint256, uint256, uint256, uint256));
        if (
            uint256(log.topics[1]) != _call.marketId || _addressOf(log.topics[2]) != _call.caller
                || isLong != _solvency.isLong
        ) _violateSolvency("SolvencyAdl off the call's market, keeper or side");
        if (closedWad != _solvency.closedWad) _violateSolvency("SolvencyAdl's size is not the closes' sum");
        if (profitBefore != _solvency.profitBeforeWad) _violateSolvency("SolvencyAdl's profit before is not the trigger's");
        uint256 expectedReward = closedWad == 0 ? 0 : _solvencyReward(registry.protocolConfig(), closedWad);
        if (reward != expectedReward) _violateSolvency("keeper reward is not max(floor, ratio x closed notional)");
        _solvency.profitAfterWad = profitAfter;
        _expectedFreeDelta[_call.caller] += int256(reward);
        ghostSolvencyRewardsWad += reward;
    }

    /// @dev The trigger's numbers, and the target: the target ratio of the equity less the largest keeper reward
    /// the call could pay (the whole side's notional).
    function _setSolvencyTarget(ProtocolConfig memory pc) internal {
        (uint256 profit, int256 equity, bool triggered) = engine.solvencyAdlStatus(_call.marketId, _solvency.isLong);
        if (!triggered || (equity > 0 && profit <= uint256(equity).wMulDown(pc.adlTriggerRatioWad))) {
            _violateSolvency("vault-solvency ADL called below the trigger");
        }
        MarketState memory m = engine.marketState(_call.marketId);
        int256 afterReward =
            equity - int256(_solvencyReward(pc, _solvency.isLong ? m.longSizeWad : m.shortSizeWad));
        _solvency.profitBeforeWad = profit;
        _solvency.targetWad = afterReward > 0 ? uint256(afterReward).wMulDown(pc.adlTargetRatioWad) : 0;
    }

    function _setWalkMaxPi() internal {
        uint256 side = _solvency.isLong ? 0 : 1;
        int256 netPrice = int256(_call.priceWad) - _call.fundingWad;
        for (uint256 i; i < _walk[side].length; ++i) {
            int256 j = _mirror[_walk[side][i]][_call.marketId].jWad;
            uint256 pi = uint256(_solvency.isLong ? netPrice - j : j - netPrice);
            if (pi > _solvency.maxPiWad) _solvency.maxPiWad = pi;
        }
    }

    function _solvencyReward(ProtocolConfig memory pc, uint256 sizeWad) internal view returns (uint256) {
        return FixedPointMath.max(
            pc.keeperRewardFloorUsdWad, sizeWad.wMulUp(_call.priceWad).wMulUp(pc.keeperRewardRatioWad)
        );
    }

    function _violateSolvency(string memory message) internal {
        ++ghostSolvencyViolations;
        lastSolvencyViolation = message;
    }

    /* HELPERS */

    function _buildWalk(bool isLong) internal {
        uint256 side = isLong ? 0 : 1;
        delete _walk[side];
        _walkNext[side] = 0;
        int256 netPrice = int256(_call.priceWad) - _call.fundingWad;
        for (uint8 tier = 4; tier >= 1; --tier) {
            (uint32 node,,) = engine.listEnds(_call.marketId, isLong, tier);
            for (uint256 steps; node != 0 && steps <= _accounts.length; ++steps) {
                Position memory p = engine.positionById(_call.marketId, node);
                int256 profit = isLong ? netPrice - p.jWad : p.jWad - netPrice;
                if (profit <= 0) break;
                _walk[side].push(engine.accountOf(node));
                node = p.nextId;
            }
        }
    }

    function _skipRemoved(uint256 side) internal {
        while (_walkNext[side] < _walk[side].length && _walkRemovedAt[side][_walk[side][_walkNext[side]]] == _call.nonce)
        {
            ++_walkNext[side];
        }
    }

    function _isLiquidatable(Mirror memory p) internal view returns (bool) {
        return PositionMath.isLiquidatable(
            p.sizeWad,
            p.marginWad,
            p.jWad,
            _call.fundingWad,
            _call.priceWad,
            registry.marketConfig(_call.marketId).mmrWad
        );
    }

    function _addressOf(bytes32 topic) internal pure returns (address) {
        return address(uint160(uint256(topic)));
    }

    function _violateLiquidation(string memory message) internal {
        ++ghostLiquidationViolations;
        lastLiquidationViolation = message;
    }

    function _violateDeficit(string memory message) internal {
        ++ghostDeficitViolations;
        lastDeficitViolation = message;
    }

    function _violateAdlOrder(string memory message) internal {
        ++ghostAdlOrderViolations;
        lastAdlOrderViolation = message;
    }
}
