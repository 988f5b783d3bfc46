// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Risk and oracle parameters of one market. All ratios and prices are 18-decimal fixed point.
/// @dev Packed into seven storage slots; the engine reads the whole struct once per action.
struct MarketConfig {
    /// @notice Chainlink-compatible price feed (AggregatorV3Interface).
    address feed;
    /// @notice Decimals of the feed's answer, copied at listing so a read costs no extra call.
    uint8 feedDecimals;
    /// @notice Seconds after which the feed's last answer is stale (the feed's own heartbeat).
    uint32 heartbeat;
    /// @notice True once listed; markets are never delisted (they can be made reduce-only by their bounds).
    bool listed;
    /// @notice The feed's deviation threshold δ: the largest move the oracle may lag behind the market.
    uint64 deviationWad;
    /// @notice Extra maintenance buffer for keeper latency, above a hard minimum.
    uint64 latencyBufferWad;
    /// @notice Trading fee per side, as a fraction of notional at the fill price.
    uint64 tradingFeeWad;
    /// @notice Liquidation fee on top of the trading fee, as a fraction of notional.
    uint64 liquidationFeeExtraWad;
    /// @notice Maintenance margin ratio: liquidatable when equity < mmr · |size| · price.
    uint64 mmrWad;
    /// @notice Initial margin ratio: opening, increasing and removing margin need equity ≥ imr · notional.
    uint64 imrWad;
    /// @notice Funding rate per day at full skew (|skew| ≥ skewScale); longs pay when the skew is positive.
    uint64 maxFundingRatePerDayWad;
    /// @notice Cap on the vault's net exposure in this market, as a fraction of the vault's equity.
    uint64 vaultExposureCapWad;
    /// @notice Skew (in units of the asset) at which price impact is 100% and funding reaches its maximum.
    uint128 skewScaleWad;
    /// @notice Open-interest cap per side, in USD notional at the oracle price.
    uint128 oiCapUsdWad;
    /// @notice Smallest position an owner may leave open, in USD notional at the oracle price.
    uint128 minNotionalUsdWad;
    /// @notice Largest amount the insurance fund pays for this market's deficits per UTC day.
    uint128 insuranceDailyCapUsdWad;
    /// @notice The feed's circuit-breaker floor, in feed decimals: an answer at or below makes the market reduce-only.
    int128 minAnswer;
    /// @notice The feed's circuit-breaker ceiling, in feed decimals: an answer at or above makes the market reduce-only.
    int128 maxAnswer;
    /// @notice Lower bounds of the ADL tiers by chosen leverage (×1e4, ascending). A position whose chosen
    /// leverage does not exceed tierBoundsX1e4[0] is exempt from ADL; above tierBoundsX1e4[i] it is in tier i+1.
    uint32[4] tierBoundsX1e4;
}

/// @notice Protocol-wide parameters. Ratios are 18-decimal fixed point.
struct ProtocolConfig {
    /// @notice Share of every trading and liquidation fee paid to the insurance fund.
    uint64 insuranceFeeShareWad;
    /// @notice Share of every trading and liquidation fee paid to the treasury; the vault gets the rest.
    uint64 treasuryFeeShareWad;
    /// @notice LP deposit and withdrawal fee as configured; the effective fee is never below the floor
    /// max(δ over markets) × max(vault exposure cap over markets).
    uint64 lpFeeWad;
    /// @notice ρ: the solvency floor's share of the gross open-interest notional of all markets.
    uint64 floorRatioWad;
    /// @notice The solvency floor's absolute part, in USD.
    uint128 floorAbsoluteUsdWad;
    /// @notice Keeper reward floor in USD (covers gas).
    uint128 keeperRewardFloorUsdWad;
    /// @notice Traders' unrealised profit over vault equity at which LP withdrawals stop.
    uint64 withdrawStopRatioWad;
    /// @notice Ratio that vault-solvency ADL brings the profit back under.
    uint64 adlTargetRatioWad;
    /// @notice Ratio above which anyone may run vault-solvency ADL.
    uint64 adlTriggerRatioWad;
    /// @notice Ratio above which realised profit is scaled pro rata.
    uint64 scalingRatioWad;
    /// @notice Keeper reward as a fraction of notional (the reward is the larger of this and the floor).
    uint64 keeperRewardRatioWad;
    /// @notice Seconds a lower ADL tier waits before it may be applied.
    uint32 tierDropDelay;
    /// @notice Most list steps an insertion walks from a hint before asking for fresh hints.
    uint16 hintWalkBound;
    /// @notice Most ADL fills one liquidation call (single or batch) may make.
    uint16 adlFillBudget;
    /// @notice Seconds over which realised profit above the daily threshold vests before it can be withdrawn.
    uint32 vestingPeriod;
    /// @notice Realised profit per account and UTC day (all markets together) above which the excess vests (a
    /// pumped oracle cannot be cashed out at once).
    uint96 vestingThresholdUsdWad;
}

/// @notice Everything the engine needs about one market for an action, published by the registry as one
/// immutable blob on every change (see ParamsBlob).
struct MarketParams {
    MarketConfig market;
    ProtocolConfig protocol;
    /// @notice The L2 sequencer-uptime feed (zero: no check) and the grace period after it comes back up.
    address sequencerFeed;
    uint32 sequencerGracePeriod;
}

/// @notice The registry's push channel to the engine it serves.
interface IMarketParamsSink {
    /// @notice Points the market at its current parameter blob. Only the engine's registry may call it.
    /// @param marketId The market.
    /// @param nonce The registry's account nonce that created the blob (a data contract holding
    /// abi.encode(MarketParams)): the blob's address follows from it and the registry's.
    function setMarketParams(uint256 marketId, uint24 nonce) external;

    /// @notice The registry the engine was deployed with.
    function registry() external view returns (IMarketRegistry);
}

/// @title IMarketRegistry
/// @notice The list of markets, their risk parameters within hard bounds, and the oracle adapter that turns a
/// Chainlink-compatible feed into a checked 18-decimal price.
/// @dev Every setter is admin-only, bounded by hard-coded limits and by DESIGN's risk constraints, and emits
/// an event. Margin ratios may only rise by a bounded relative step per UTC day, so no parameter change can
/// liquidate a position at once.
interface IMarketRegistry {
    /* ERRORS */

    /// @notice Thrown when a market id does not name a listed market.
    error MarketNotListed(uint256 marketId);
    /// @notice Thrown when the registry already holds its maximum number of markets.
    error TooManyMarkets(uint256 max);
    /// @notice Thrown when a symbol is already used by a listed market.
    error SymbolTaken(bytes32 symbol);
    /// @notice Thrown when a parameter lies outside its hard-coded bounds.
    /// @param name The parameter's name, e.g. "mmr".
    error ParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice Thrown when the maintenance margin would not cover both fees, the deviation threshold and the buffer.
    error MaintenanceMarginTooLow(uint256 mmrWad, uint256 requiredWad);
    /// @notice Thrown when the initial margin is below 1.25 × the maintenance margin.
    error InitialMarginTooLow(uint256 imrWad, uint256 requiredWad);
    /// @notice Thrown when a trading fee is below half the deviation threshold.
    error FeeBelowDeviationFloor(uint256 feeWad, uint256 floorWad);
    /// @notice Thrown when a margin ratio rises faster than the daily step allows.
    error MarginRaiseTooFast(uint256 newWad, uint256 maxTodayWad);
    /// @notice Thrown when MMR × the minimum notional does not cover the keeper reward floor.
    error MinNotionalTooSmall(uint256 minNotionalUsdWad, uint256 requiredUsdWad);
    /// @notice Thrown when the ADL tier bounds are not strictly ascending or the lowest is not above 1x.
    error TierBoundsInvalid();
    /// @notice Thrown when the vault thresholds are not ordered withdrawStop < adlTarget < adlTrigger < scaling.
    error ThresholdsNotOrdered();
    /// @notice Thrown when the circuit-breaker bounds are not ordered 0 ≤ min < max.
    error AnswerBoundsInvalid(int256 minAnswer, int256 maxAnswer);
    /// @notice Thrown when a feed reports more than 18 decimals.
    error FeedDecimalsUnsupported(uint8 decimals);
    /// @notice Thrown when the feed address is zero.
    error ZeroAddress();
    /// @notice Thrown when the feed's answer is zero or negative.
    error OraclePriceNotPositive(uint256 marketId, int256 answer);
    /// @notice Thrown when the feed's round is incomplete (never updated, or answered in an earlier round).
    error OracleRoundIncomplete(uint256 marketId, uint80 roundId, uint80 answeredInRound);
    /// @notice Thrown when the feed's last update is older than the market's heartbeat.
    error OraclePriceStale(uint256 marketId, uint256 updatedAt, uint256 heartbeat);
    /// @notice Thrown when the L2 sequencer-uptime feed reports the sequencer down (or has no valid round yet).
    error SequencerDown();
    /// @notice Thrown when an engine is bound a second time.
    error EngineAlreadyBound(address engine);
    /// @notice Thrown when the engine to bind was deployed with another registry.
    error EngineRegistryMismatch(address engine, address registry);
    /// @notice Thrown when a parameter blob could not be created.
    error ParamsPublishFailed(uint256 marketId);

    /* EVENTS */

    /// @notice Emitted when a market is listed.
    /// @param marketId Sequential id, starting at 1.
    /// @param symbol The market's symbol, e.g. "ETH-USD".
    /// @param config The full configuration.
    event MarketListed(uint256 indexed marketId, bytes32 indexed symbol, MarketConfig config);
    /// @notice Emitted when a market's oracle settings change.
    event OracleUpdated(
        uint256 indexed marketId,
        address feed,
        uint32 heartbeat,
        uint64 deviationWad,
        int128 minAnswer,
        int128 maxAnswer
    );
    /// @notice Emitted when a market's margin ratios or latency buffer change.
    event MarginRatiosUpdated(uint256 indexed marketId, uint64 mmrWad, uint64 imrWad, uint64 latencyBufferWad);
    /// @notice Emitted when a market's fees change.
    event FeesUpdated(uint256 indexed marketId, uint64 tradingFeeWad, uint64 liquidationFeeExtraWad);
    /// @notice Emitted when a market's price-impact and funding parameters change.
    event FundingParamsUpdated(uint256 indexed marketId, uint128 skewScaleWad, uint64 maxFundingRatePerDayWad);
    /// @notice Emitted when a market's caps change.
    event LimitsUpdated(
        uint256 indexed marketId,
        uint128 oiCapUsdWad,
        uint128 minNotionalUsdWad,
        uint64 vaultExposureCapWad,
        uint128 insuranceDailyCapUsdWad
    );
    /// @notice Emitted when a market's ADL tier bounds change.
    event TierBoundsUpdated(uint256 indexed marketId, uint32[4] tierBoundsX1e4);
    /// @notice Emitted when the protocol-wide parameters change.
    event ProtocolConfigUpdated(ProtocolConfig config);
    /// @notice Emitted when the sequencer-uptime feed or its grace period changes.
    event SequencerFeedUpdated(address feed, uint32 gracePeriod);
    /// @notice Emitted once, when the registry is bound to the engine it serves.
    event EngineBound(address indexed engine);
    /// @notice Emitted when a market's parameters (its own, the protocol's and the sequencer's) are published
    /// to the engine as a new blob.
    event MarketParamsPublished(uint256 indexed marketId, address params);

    /* ADMIN */

    /// @notice Lists a market. Admin only. The configuration must satisfy every bound and risk constraint.
    /// @param symbol Unique symbol, e.g. "ETH-USD".
    /// @param config The configuration; `listed` and `feedDecimals` are set by the registry.
    /// @return marketId The new market's id.
    function listMarket(bytes32 symbol, MarketConfig calldata config) external returns (uint256 marketId);

    /// @notice Changes a market's feed, heartbeat, deviation threshold and circuit-breaker bounds. Admin only.
    /// @dev Raising δ may break the margin constraint; the market is then reduce-only until margins ramp up.
    function setOracle(
        uint256 marketId,
        address feed,
        uint32 heartbeat,
        uint64 deviationWad,
        int128 minAnswer,
        int128 maxAnswer
    ) external;

    /// @notice Changes the margin ratios and latency buffer. Admin only. A ratio may rise by at most
    /// MAX_MARGIN_RAISE_PER_DAY (relative) over its value at the start of the UTC day. A compliant market must
    /// stay compliant (MMR ≥ 2·fee + δ + buffer); a market out of compliance after a δ raise may only shrink
    /// its shortfall.
    function setMarginRatios(uint256 marketId, uint64 mmrWad, uint64 imrWad, uint64 latencyBufferWad) external;

    /// @notice Changes the trading and liquidation fees. Admin only. Fees stay ≥ δ/2 and within the MMR
    /// (2·fee + δ + buffer ≤ MMR); on a market out of compliance after a δ raise they may only shrink the shortfall.
    function setFees(uint256 marketId, uint64 tradingFeeWad, uint64 liquidationFeeExtraWad) external;

    /// @notice Changes the skew scale and the maximum funding rate. Admin only.
    function setFundingParams(uint256 marketId, uint128 skewScaleWad, uint64 maxFundingRatePerDayWad) external;

    /// @notice Changes the open-interest cap, minimum notional, vault exposure cap and insurance daily cap.
    /// Admin only.
    function setLimits(
        uint256 marketId,
        uint128 oiCapUsdWad,
        uint128 minNotionalUsdWad,
        uint64 vaultExposureCapWad,
        uint128 insuranceDailyCapUsdWad
    ) external;

    /// @notice Changes the ADL tier bounds. Admin only. Existing positions keep their stored tier until
    /// their owner acts.
    function setTierBounds(uint256 marketId, uint32[4] calldata tierBoundsX1e4) external;

    /// @notice Changes the protocol-wide parameters. Admin only.
    function setProtocolConfig(ProtocolConfig calldata config) external;

    /// @notice Sets the L2 sequencer-uptime feed (zero disables the check) and its grace period. Admin only.
    function setSequencerFeed(address feed, uint32 gracePeriod) external;

    /// @notice Binds the registry to its engine, once, and publishes every listed market's parameters to it;
    /// from then on every change is published at once. Admin only.
    /// @param engine The engine; it must have been deployed with this registry.
    function bindEngine(address engine) external;

    /* VIEWS */

    /// @notice The engine the registry publishes to (zero until bound).
    function engine() external view returns (address);

    /// @notice The market's current parameter blob (zero until the engine is bound or for an unknown id).
    function paramsOf(uint256 marketId) external view returns (address);

    /// @notice Number of listed markets; ids run from 1 to this number.
    function marketCount() external view returns (uint256);

    /// @notice A listed market's configuration. Reverts with MarketNotListed for an unknown id.
    function marketConfig(uint256 marketId) external view returns (MarketConfig memory);

    /// @notice The market's symbol.
    function symbolOf(uint256 marketId) external view returns (bytes32);

    /// @notice The protocol-wide parameters.
    function protocolConfig() external view returns (ProtocolConfig memory);

    /// @notice The LP fee actually charged: max(configured, largest δ × largest vault exposure cap).
    function effectiveLpFeeWad() external view returns (uint256);

    /// @notice Whether the market's parameters satisfy every risk constraint. A market that does not (after a
    /// raise of its feed's δ) is reduce-only until its margins have ramped up.
    function isRiskCompliant(uint256 marketId) external view returns (bool);

    /// @notice Reads and checks the market's oracle.
    /// @dev Reverts with OraclePriceNotPositive, OracleRoundIncomplete, OraclePriceStale or SequencerDown.
    /// @return priceWad The answer normalised to 18 decimals.
    /// @return atBound True when the answer is at or beyond the configured circuit-breaker bounds: the market
    /// is then reduce-only.
    /// @return inGracePeriod True while the sequencer has been up for less than its grace period: new risk
    /// and liquidations wait.
    function readPrice(uint256 marketId) external view returns (uint256 priceWad, bool atBound, bool inGracePeriod);

    /// @notice The market's configuration, the protocol's and the checked price in one call (what the engine
    /// reads per action).
    function marketSnapshot(uint256 marketId)
        external
        view
        returns (
            MarketConfig memory config,
            ProtocolConfig memory protocol,
            uint256 priceWad,
            bool atBound,
            bool inGracePeriod
        );
}
