// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title MockAggregator
/// @notice A Chainlink-compatible feed that scripts and tests drive: each `setPrice` publishes a new round
/// stamped with the block time, as a real feed does when its deviation threshold or heartbeat triggers.
/// Also serves as a sequencer-uptime feed (answer 0 = up, 1 = down) in tests.
contract MockAggregator is AggregatorV3Interface {
    struct Round {
        int256 answer;
        uint256 startedAt;
        uint256 updatedAt;
        uint80 answeredInRound;
    }

    /// @notice Emitted for every published round, like Chainlink's AnswerUpdated.
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    uint8 public immutable override decimals;
    string public override description;
    uint80 public latestRound;
    mapping(uint80 roundId => Round) internal _rounds;

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        description = description_;
        if (initialAnswer != 0) setPrice(initialAnswer);
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure override returns (uint256) {
        return 4;
    }

    /// @notice Publishes a new round with this answer at the current block time.
    function setPrice(int256 answer) public {
        uint80 id = ++latestRound;
        _rounds[id] = Round(answer, block.timestamp, block.timestamp, id);
        emit AnswerUpdated(answer, id, block.timestamp);
    }

    /// @notice Publishes a round with arbitrary fields, to simulate stale, incomplete or broken feeds.
    function setRound(int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) external {
        uint80 id = ++latestRound;
        _rounds[id] = Round(answer, startedAt, updatedAt, answeredInRound);
        emit AnswerUpdated(answer, id, updatedAt);
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80 roundId)
        external
        view
        override
        returns (uint80, int256, uint256, uint256, uint80)
    {
        Round memory r = _rounds[roundId];
        return (roundId, r.answer, r.startedAt, r.updatedAt, r.answeredInRound);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _rounds[latestRound];
        return (latestRound, r.answer, r.startedAt, r.updatedAt, r.answeredInRound);
    }
}
