// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IMarketRegistry, MarketParams} from "../interfaces/IMarketRegistry.sol";

/// @title OracleReader
/// @notice Turns a Chainlink-compatible feed into a checked 18-decimal price, with the L2 sequencer check. Used
/// by the engine on every action and by the registry's views, so both apply the same checks.
library OracleReader {
    /// @dev Reverts with the registry's oracle errors; returns the price, whether the answer is at a
    /// circuit-breaker bound (reduce-only) and whether the sequencer is in its grace period.
    function read(uint256 marketId, MarketParams memory p)
        internal
        view
        returns (uint256 priceWad, bool atBound, bool inGracePeriod)
    {
        inGracePeriod = _checkSequencer(p.sequencerFeed, p.sequencerGracePeriod);
        (uint80 roundId, int256 answer,, uint256 updatedAt, uint80 answeredInRound) =
            AggregatorV3Interface(p.market.feed).latestRoundData();
        if (answer <= 0) revert IMarketRegistry.OraclePriceNotPositive(marketId, answer);
        if (updatedAt == 0 || answeredInRound < roundId) {
            revert IMarketRegistry.OracleRoundIncomplete(marketId, roundId, answeredInRound);
        }
        if (block.timestamp > updatedAt + p.market.heartbeat) {
            revert IMarketRegistry.OraclePriceStale(marketId, updatedAt, p.market.heartbeat);
        }
        atBound = answer <= p.market.minAnswer || answer >= p.market.maxAnswer;
        priceWad = uint256(answer) * 10 ** (18 - p.market.feedDecimals);
    }

    function _checkSequencer(address feed, uint32 gracePeriod) private view returns (bool inGracePeriod) {
        if (feed == address(0)) return false;
        (, int256 status, uint256 startedAt,,) = AggregatorV3Interface(feed).latestRoundData();
        // Chainlink's uptime feeds answer 0 when the sequencer is up and 1 when it is down.
        // startedAt == 0: the uptime feed has no valid round yet, so the sequencer's state is unknown.
        if (status != 0 || startedAt == 0) revert IMarketRegistry.SequencerDown();
        inGracePeriod = block.timestamp < startedAt + gracePeriod;
    }
}
