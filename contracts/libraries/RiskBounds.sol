// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketRegistry, MarketConfig} from "../interfaces/IMarketRegistry.sol";
import {FixedPointMath} from "./FixedPointMath.sol";

/// @title RiskBounds
/// @notice Hard-coded parameter bounds and the risk constraints of DESIGN "Risk parameters":
/// MMR ≥ opening fee + closing fee + δ + latency buffer, IMR ≥ 1.25·MMR, fee ≥ δ/2, and margin ratios that
/// rise by at most 10% (relative) a day. A thinner maintenance buffer than one oracle step would turn every
/// gap into a deficit and let a long/short pair farm the insurance fund.
library RiskBounds {
    using FixedPointMath for uint256;

    uint256 internal constant MAX_MARKETS = 64;
    uint256 internal constant MIN_HEARTBEAT = 60;
    uint256 internal constant MAX_HEARTBEAT = 2 days;
    uint256 internal constant MIN_DEVIATION = 1e14; // 0.01%
    uint256 internal constant MAX_DEVIATION = 5e16; // 5%
    uint256 internal constant MIN_LATENCY_BUFFER = 1e15; // 0.1%
    uint256 internal constant MAX_LATENCY_BUFFER = 5e16; // 5%
    uint256 internal constant MAX_TRADING_FEE = 1e16; // 1%
    uint256 internal constant MAX_LIQUIDATION_FEE_EXTRA = 5e16; // 5%
    uint256 internal constant MAX_MMR = 5e17; // 50%
    uint256 internal constant MIN_IMR = 1e16; // 1%: leverage never above 100x
    uint256 internal constant MAX_IMR = 9e17; // 90%
    uint256 internal constant MAX_MARGIN_RAISE_PER_DAY = 1e17; // +10% relative per UTC day
    uint256 internal constant MIN_SKEW_SCALE = 1e18;
    uint256 internal constant MAX_SKEW_SCALE = 1e36;
    uint256 internal constant MAX_FUNDING_RATE_PER_DAY = 1e17; // 10% a day
    uint256 internal constant MAX_USD = 1e30; // $1 trillion
    uint256 internal constant MAX_MIN_NOTIONAL = 1e24; // $1 million
    uint256 internal constant MAX_VAULT_EXPOSURE_CAP = 2e18; // 2× the vault's equity
    uint256 internal constant LEVERAGE_ONE_X1E4 = 1e4;
    uint256 internal constant MAX_TIER_BOUND_X1E4 = 1000e4; // 1000x
    uint256 internal constant MAX_LP_FEE = 5e16; // 5%
    uint256 internal constant MAX_FLOOR_RATIO = 5e17; // 50% of gross open interest
    uint256 internal constant MAX_KEEPER_REWARD_FLOOR = 1000e18; // $1,000
    uint256 internal constant MAX_KEEPER_REWARD_RATIO = 1e16; // 1% of notional
    uint256 internal constant MAX_TIER_DROP_DELAY = 7 days;
    uint256 internal constant MAX_THRESHOLD = 10e18;
    uint256 internal constant MAX_SEQUENCER_GRACE = 1 days;
    uint256 internal constant MAX_HINT_WALK_BOUND = 256;
    uint256 internal constant MAX_ADL_FILL_BUDGET = 64;
    uint256 internal constant MAX_VESTING_PERIOD = 1 days;

    /// @notice Reverts with ParameterOutOfBounds unless min ≤ value ≤ max.
    function check(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert IMarketRegistry.ParameterOutOfBounds(name, value, min, max);
    }

    /// @notice The smallest MMR the market's fees, deviation threshold and latency buffer allow.
    function requiredMmr(MarketConfig memory c) internal pure returns (uint256) {
        return 2 * uint256(c.tradingFeeWad) + c.deviationWad + c.latencyBufferWad;
    }

    /// @notice The smallest IMR for a given MMR: 1.25 × MMR, rounded up.
    function requiredImr(uint256 mmrWad) internal pure returns (uint256) {
        return (mmrWad * 5 + 3) / 4;
    }

    /// @notice The smallest trading fee per side: δ/2, rounded up, so trading against a pending oracle
    /// update does not pay.
    function feeFloor(uint256 deviationWad) internal pure returns (uint256) {
        return (deviationWad + 1) / 2;
    }

    /// @notice The highest value a margin ratio may reach today, given its value at the start of the day.
    function maxRaise(uint256 baseWad) internal pure returns (uint256) {
        return baseWad.wMulDown(FixedPointMath.WAD + MAX_MARGIN_RAISE_PER_DAY);
    }

    /// @notice Whether every cross-parameter constraint holds. A market that falls out of compliance (its feed's
    /// δ raised) takes no new risk until its margins have ramped up.
    function isCompliant(MarketConfig memory c) internal pure returns (bool) {
        return c.tradingFeeWad >= feeFloor(c.deviationWad) && c.mmrWad >= requiredMmr(c)
            && c.imrWad >= requiredImr(c.mmrWad);
    }
}
