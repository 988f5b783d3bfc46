// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {
    IMarketRegistry, IMarketParamsSink, MarketConfig, MarketParams, ProtocolConfig
} from "./interfaces/IMarketRegistry.sol";
import {OracleReader} from "./libraries/OracleReader.sol";
import {ParamsBlob} from "./libraries/ParamsBlob.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {RiskBounds} from "./libraries/RiskBounds.sol";

/// @title MarketRegistry
/// @notice Markets, their risk parameters within hard bounds, and the oracle adapter.
/// @dev Kept apart from the engine so that the engine's code stays under the 24 KiB limit and parameter logic
/// lives in one place. Every change is published to the engine as one immutable blob per market (a data
/// contract, see ParamsBlob): the engine then reads a whole market's parameters with one cold account access
/// instead of a call and a cold read per storage slot.
contract MarketRegistry is IMarketRegistry, AccessControl {
    using FixedPointMath for uint256;

    /// @dev The margin ratios' values at the start of a UTC day: increases are measured against them.
    struct MarginRamp {
        uint32 day;
        uint64 baseMmrWad;
        uint64 baseImrWad;
    }

    uint256 internal constant SECONDS_PER_DAY = 86_400;

    mapping(uint256 marketId => MarketConfig) internal _markets;
    mapping(uint256 marketId => bytes32) public override symbolOf;
    mapping(bytes32 symbol => uint256) public marketIdOf;
    mapping(uint256 marketId => MarginRamp) internal _ramps;
    uint256 public override marketCount;
    ProtocolConfig internal _protocol;

    /// @notice The L2 sequencer-uptime feed; zero on chains without a sequencer.
    address public sequencerFeed;
    /// @notice Seconds after the sequencer comes back up during which new risk and liquidations wait.
    uint32 public sequencerGracePeriod;

    /// @dev Running maxima over all markets, for the LP fee floor (recomputed on every oracle/limits change;
    /// the market count is bounded by MAX_MARKETS so the loop is admin-only and bounded).
    uint64 public maxDeviationWad;
    uint64 public maxVaultExposureCapWad;

    /// @inheritdoc IMarketRegistry
    address public override engine;
    /// @inheritdoc IMarketRegistry
    mapping(uint256 marketId => address) public override paramsOf;
    /// @dev The registry's account nonce for its next CREATE (a contract's nonce starts at 1); the registry
    /// creates nothing but parameter blobs.
    uint24 internal _nextBlobNonce = 1;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (a timelock or multisig in production).
    /// @param protocol Initial protocol-wide parameters (checked like setProtocolConfig).
    constructor(address admin, ProtocolConfig memory protocol) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setProtocolConfig(protocol);
    }

    /* ADMIN */

    /// @inheritdoc IMarketRegistry
    function listMarket(bytes32 symbol, MarketConfig calldata config)
        external
        override
        onlyRole(DEFAULT_ADMIN_ROLE)
        returns (uint256 marketId)
    {
        if (marketCount >= RiskBounds.MAX_MARKETS) revert TooManyMarkets(RiskBounds.MAX_MARKETS);
        if (symbol == bytes32(0) || marketIdOf[symbol] != 0) revert SymbolTaken(symbol);
        MarketConfig memory c = config;
        c.listed = true;
        c.feedDecimals = _checkFeed(c.feed);
        _checkOracleBounds(c.heartbeat, c.deviationWad, c.minAnswer, c.maxAnswer);
        _checkFees(c);
        _checkMarginBounds(c.mmrWad, c.imrWad, c.latencyBufferWad);
        uint256 required = RiskBounds.requiredMmr(c);
        if (c.mmrWad < required) revert MaintenanceMarginTooLow(c.mmrWad, required);
        _checkFunding(c.skewScaleWad, c.maxFundingRatePerDayWad);
        _checkLimits(c);
        _checkTierBounds(c.tierBoundsX1e4);

        marketId = ++marketCount;
        _markets[marketId] = c;
        symbolOf[marketId] = symbol;
        marketIdOf[symbol] = marketId;
        _refreshMaxima();
        emit MarketListed(marketId, symbol, c);
        _publish(marketId);
    }

    /// @inheritdoc IMarketRegistry
    function setOracle(
        uint256 marketId,
        address feed,
        uint32 heartbeat,
        uint64 deviationWad,
        int128 minAnswer,
        int128 maxAnswer
    ) external override onlyRole(DEFAULT_ADMIN_ROLE) {
        MarketConfig storage c = _listed(marketId);
        uint8 decimals = _checkFeed(feed);
        _checkOracleBounds(heartbeat, deviationWad, minAnswer, maxAnswer);
        c.feed = feed;
        c.feedDecimals = decimals;
        c.heartbeat = heartbeat;
        c.deviationWad = deviationWad;
        c.minAnswer = minAnswer;
        c.maxAnswer = maxAnswer;
        _refreshMaxima();
        emit OracleUpdated(marketId, feed, heartbeat, deviationWad, minAnswer, maxAnswer);
        _publish(marketId);
    }

    /// @inheritdoc IMarketRegistry
    function setMarginRatios(uint256 marketId, uint64 mmrWad, uint64 imrWad, uint64 latencyBufferWad)
        external
        override
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        MarketConfig storage c = _listed(marketId);
        _checkMarginBounds(mmrWad, imrWad, latencyBufferWad);

        MarginRamp memory ramp = _ramps[marketId];
        uint32 today = uint32(block.timestamp / SECONDS_PER_DAY);
        if (ramp.day != today) ramp = MarginRamp(today, c.mmrWad, c.imrWad);
        _checkRaise(c.mmrWad, mmrWad, ramp.baseMmrWad);
        _checkRaise(c.imrWad, imrWad, ramp.baseImrWad);

        MarketConfig memory next = c;
        next.mmrWad = mmrWad;
        next.latencyBufferWad = latencyBufferWad;
        _checkShortfall(c, next);
        _checkMinNotional(c.minNotionalUsdWad, mmrWad);

        _ramps[marketId] = ramp;
        c.mmrWad = mmrWad;
        c.imrWad = imrWad;
        c.latencyBufferWad = latencyBufferWad;
        emit MarginRatiosUpdated(marketId, mmrWad, imrWad, latencyBufferWad);
        _publish(marketId);
    }

    /// @inheritdoc IMarketRegistry
    function setFees(uint256 marketId, uint64 tradingFeeWad, uint64 liquidationFeeExtraWad)
        external
        override
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        MarketConfig storage c = _listed(marketId);
        MarketConfig memory next = c;
        next.tradingFeeWad = tradingFeeWad;
        next.liquidationFeeExtraWad = liquidationFeeExtraWad;
        _checkFees(next);
        _checkShortfall(c, next);
        c.tradingFeeWad = tradingFeeWad;
        c.liquidationFeeExtraWad = liquidationFeeExtraWad;
        emit FeesUpdated(marketId, tradingFeeWad, liquidationFeeExtraWad);
        _publish(marketId);
    }

    /// @inheritdoc IMarketRegistry
    function setFundingParams(uint256 marketId, uint128 skewScaleWad, uint64 maxFundingRatePerDayWad)
        external
        override
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        MarketConfig storage c = _listed(marketId);
        _checkFunding(skewScaleWad, maxFundingRatePerDayWad);
        c.skewScaleWad = skewScaleWad;
        c.maxFundingRatePerDayWad = maxFundingRatePerDayWad;
        emit FundingParamsUpdated(marketId, skewScaleWad, maxFundingRatePerDayWad);
        _publish(marketId);
    }

    /// @inheritdoc IMarketRegistry
    function setLimits(
        uint256 marketId,
        uint128 oiCapUsdWad,
        uint128 minNotionalUsdWad,
        uint64 vaultExposureCapWad,
        uint128 insuranceDailyCapUsdWad
    ) external override onlyRole(DEFAULT_ADMIN_ROLE) {
        MarketConfig storage c = _listed(marketId);
        MarketConfig memory next = c;
        next.oiCapUsdWad = oiCapUsdWad;
        next.minNotionalUsdWad = minNotionalUsdWad;
        next.vaultExposureCapWad = vaultExposureCapWad;
        next.insuranceDailyCapUsdWad = insuranceDailyCapUsdWad;
        _checkLimits(next);
        c.oiCapUsdWad = oiCapUsdWad;
        c.minNotionalUsdWad = minNotionalUsdWad;
        c.vaultExposureCapWad = vaultExposureCapWad;
        c.insuranceDailyCapUsdWad = insuranceDailyCapUsdWad;
        _refreshMaxima();
        emit LimitsUpdated(marketId, oiCapUsdWad, minNotionalUsdWad, vaultExposureCapWad, insuranceDailyCapUsdWad);
        _publish(marketId);
    }

    /// @inheritdoc IMarketRegistry
    function setTierBounds(uint256 marketId, uint32[4] calldata tierBoundsX1e4)
        external
        override
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        MarketConfig storage c = _listed(marketId);
        _checkTierBounds(tierBoundsX1e4);
        c.tierBoundsX1e4 = tierBoundsX1e4;
        emit TierBoundsUpdated(marketId, tierBoundsX1e4);
        _publish(marketId);
    }

    /// @inheritdoc IMarketRegistry
    function setProtocolConfig(ProtocolConfig calldata config) external override onlyRole(DEFAULT_ADMIN_ROLE) {
        _setProtocolConfig(config);
        // The keeper floor bounds every market's minimum notional.
        for (uint256 id = 1; id <= marketCount; ++id) {
            _checkMinNotional(_markets[id].minNotionalUsdWad, _markets[id].mmrWad);
        }
        _publishAll();
    }

    /// @inheritdoc IMarketRegistry
    function setSequencerFeed(address feed, uint32 gracePeriod) external override onlyRole(DEFAULT_ADMIN_ROLE) {
        if (gracePeriod > RiskBounds.MAX_SEQUENCER_GRACE) {
            revert ParameterOutOfBounds("sequencerGracePeriod", gracePeriod, 0, RiskBounds.MAX_SEQUENCER_GRACE);
        }
        sequencerFeed = feed;
        sequencerGracePeriod = gracePeriod;
        emit SequencerFeedUpdated(feed, gracePeriod);
        _publishAll();
    }

    /// @inheritdoc IMarketRegistry
    function bindEngine(address engine_) external override onlyRole(DEFAULT_ADMIN_ROLE) {
        if (engine_ == address(0)) revert ZeroAddress();
        if (engine != address(0)) revert EngineAlreadyBound(engine);
        address bound = address(IMarketParamsSink(engine_).registry());
        if (bound != address(this)) revert EngineRegistryMismatch(engine_, bound);
        engine = engine_;
        emit EngineBound(engine_);
        _publishAll();
    }

    /* VIEWS */

    /// @inheritdoc IMarketRegistry
    function marketConfig(uint256 marketId) external view override returns (MarketConfig memory) {
        return _listed(marketId);
    }

    /// @inheritdoc IMarketRegistry
    function protocolConfig() external view override returns (ProtocolConfig memory) {
        return _protocol;
    }

    /// @inheritdoc IMarketRegistry
    function effectiveLpFeeWad() external view override returns (uint256) {
        uint256 floor = uint256(maxDeviationWad).wMulUp(maxVaultExposureCapWad);
        return FixedPointMath.max(_protocol.lpFeeWad, floor);
    }

    /// @inheritdoc IMarketRegistry
    function isRiskCompliant(uint256 marketId) external view override returns (bool) {
        return RiskBounds.isCompliant(_listed(marketId));
    }

    /// @inheritdoc IMarketRegistry
    function readPrice(uint256 marketId)
        external
        view
        override
        returns (uint256 priceWad, bool atBound, bool inGracePeriod)
    {
        return _readPrice(marketId, _listed(marketId));
    }

    /// @inheritdoc IMarketRegistry
    function marketSnapshot(uint256 marketId)
        external
        view
        override
        returns (
            MarketConfig memory config,
            ProtocolConfig memory protocol,
            uint256 priceWad,
            bool atBound,
            bool inGracePeriod
        )
    {
        config = _listed(marketId);
        protocol = _protocol;
        (priceWad, atBound, inGracePeriod) = _readPrice(marketId, config);
    }

    /* INTERNAL */

    function _readPrice(uint256 marketId, MarketConfig memory c)
        internal
        view
        returns (uint256 priceWad, bool atBound, bool inGracePeriod)
    {
        return OracleReader.read(marketId, _paramsFor(c));
    }

    function _paramsFor(MarketConfig memory c) internal view returns (MarketParams memory) {
        return MarketParams(c, _protocol, sequencerFeed, sequencerGracePeriod);
    }

    /// @dev Writes the market's parameters as a new blob and points the engine at it (nothing before binding).
    function _publish(uint256 marketId) internal {
        address sink = engine;
        if (sink == address(0)) return;
        uint24 nonce = _nextBlobNonce++;
        address params = ParamsBlob.write(_paramsFor(_markets[marketId]));
        // The engine finds the blob from the nonce alone: a blob anywhere else would be unreachable.
        if (params == address(0) || params != ParamsBlob.addressOf(address(this), nonce)) {
            revert ParamsPublishFailed(marketId);
        }
        paramsOf[marketId] = params;
        emit MarketParamsPublished(marketId, params);
        IMarketParamsSink(sink).setMarketParams(marketId, nonce);
    }

    /// @dev Bounded: at most MAX_MARKETS markets, admin calls only.
    function _publishAll() internal {
        for (uint256 id = 1; id <= marketCount; ++id) {
            _publish(id);
        }
    }

    function _listed(uint256 marketId) internal view returns (MarketConfig storage c) {
        c = _markets[marketId];
        if (!c.listed) revert MarketNotListed(marketId);
    }

    function _checkFeed(address feed) internal view returns (uint8 decimals) {
        if (feed == address(0)) revert ZeroAddress();
        decimals = AggregatorV3Interface(feed).decimals();
        if (decimals > 18) revert FeedDecimalsUnsupported(decimals);
    }

    function _checkOracleBounds(uint32 heartbeat, uint64 deviationWad, int128 minAnswer, int128 maxAnswer)
        internal
        pure
    {
        RiskBounds.check("heartbeat", heartbeat, RiskBounds.MIN_HEARTBEAT, RiskBounds.MAX_HEARTBEAT);
        RiskBounds.check("deviation", deviationWad, RiskBounds.MIN_DEVIATION, RiskBounds.MAX_DEVIATION);
        if (minAnswer < 0 || maxAnswer <= minAnswer) revert AnswerBoundsInvalid(minAnswer, maxAnswer);
    }

    function _checkFees(MarketConfig memory c) internal pure {
        RiskBounds.check("tradingFee", c.tradingFeeWad, 0, RiskBounds.MAX_TRADING_FEE);
        RiskBounds.check("liquidationFeeExtra", c.liquidationFeeExtraWad, 0, RiskBounds.MAX_LIQUIDATION_FEE_EXTRA);
        uint256 floor = RiskBounds.feeFloor(c.deviationWad);
        if (c.tradingFeeWad < floor) revert FeeBelowDeviationFloor(c.tradingFeeWad, floor);
    }

    /// @dev MMR ≥ 2·fee + δ + buffer is a hard bound for every setter: none may take a compliant market out
    /// of compliance. Only a raise of δ (a fact about the feed, set with setOracle) can; the market is then
    /// reduce-only and later changes must shrink the shortfall (MMR ramping up, fees coming down) until it closes.
    function _checkShortfall(MarketConfig memory current, MarketConfig memory next) internal pure {
        uint256 required = RiskBounds.requiredMmr(next);
        if (next.mmrWad >= required) return;
        int256 shortfallBefore = int256(RiskBounds.requiredMmr(current)) - int256(uint256(current.mmrWad));
        int256 shortfallAfter = int256(required) - int256(uint256(next.mmrWad));
        if (shortfallAfter >= shortfallBefore) revert MaintenanceMarginTooLow(next.mmrWad, required);
    }

    function _checkMarginBounds(uint64 mmrWad, uint64 imrWad, uint64 latencyBufferWad) internal pure {
        RiskBounds.check("latencyBuffer", latencyBufferWad, RiskBounds.MIN_LATENCY_BUFFER, RiskBounds.MAX_LATENCY_BUFFER);
        RiskBounds.check("mmr", mmrWad, 1, RiskBounds.MAX_MMR);
        RiskBounds.check("imr", imrWad, RiskBounds.MIN_IMR, RiskBounds.MAX_IMR);
        uint256 requiredImr = RiskBounds.requiredImr(mmrWad);
        if (imrWad < requiredImr) revert InitialMarginTooLow(imrWad, requiredImr);
    }

    function _checkRaise(uint64 currentWad, uint64 nextWad, uint64 baseWad) internal pure {
        if (nextWad <= currentWad) return;
        uint256 maxToday = RiskBounds.maxRaise(baseWad);
        if (nextWad > maxToday) revert MarginRaiseTooFast(nextWad, maxToday);
    }

    function _checkFunding(uint128 skewScaleWad, uint64 maxFundingRatePerDayWad) internal pure {
        RiskBounds.check("skewScale", skewScaleWad, RiskBounds.MIN_SKEW_SCALE, RiskBounds.MAX_SKEW_SCALE);
        RiskBounds.check("maxFundingRate", maxFundingRatePerDayWad, 0, RiskBounds.MAX_FUNDING_RATE_PER_DAY);
    }

    function _checkLimits(MarketConfig memory c) internal view {
        RiskBounds.check("oiCap", c.oiCapUsdWad, 0, RiskBounds.MAX_USD);
        RiskBounds.check("minNotional", c.minNotionalUsdWad, 1, RiskBounds.MAX_MIN_NOTIONAL);
        RiskBounds.check("vaultExposureCap", c.vaultExposureCapWad, 0, RiskBounds.MAX_VAULT_EXPOSURE_CAP);
        RiskBounds.check("insuranceDailyCap", c.insuranceDailyCapUsdWad, 0, RiskBounds.MAX_USD);
        _checkMinNotional(c.minNotionalUsdWad, c.mmrWad);
    }

    function _checkMinNotional(uint128 minNotionalUsdWad, uint64 mmrWad) internal view {
        // MMR × minimum ≥ keeper floor: no position is too small to be worth liquidating.
        uint256 required = uint256(_protocol.keeperRewardFloorUsdWad).wDivUp(mmrWad);
        if (minNotionalUsdWad < required) revert MinNotionalTooSmall(minNotionalUsdWad, required);
    }

    function _checkTierBounds(uint32[4] memory bounds) internal pure {
        if (bounds[0] <= RiskBounds.LEVERAGE_ONE_X1E4) revert TierBoundsInvalid();
        for (uint256 i = 1; i < 4; ++i) {
            if (bounds[i] <= bounds[i - 1]) revert TierBoundsInvalid();
        }
        if (bounds[3] > RiskBounds.MAX_TIER_BOUND_X1E4) revert TierBoundsInvalid();
    }

    function _setProtocolConfig(ProtocolConfig memory p) internal {
        RiskBounds.check("insuranceFeeShare", p.insuranceFeeShareWad, 0, FixedPointMath.WAD);
        RiskBounds.check(
            "treasuryFeeShare", p.treasuryFeeShareWad, 0, FixedPointMath.WAD - p.insuranceFeeShareWad
        );
        RiskBounds.check("lpFee", p.lpFeeWad, 0, RiskBounds.MAX_LP_FEE);
        RiskBounds.check("floorRatio", p.floorRatioWad, 0, RiskBounds.MAX_FLOOR_RATIO);
        RiskBounds.check("floorAbsolute", p.floorAbsoluteUsdWad, 0, RiskBounds.MAX_USD);
        RiskBounds.check("keeperRewardFloor", p.keeperRewardFloorUsdWad, 0, RiskBounds.MAX_KEEPER_REWARD_FLOOR);
        RiskBounds.check("keeperRewardRatio", p.keeperRewardRatioWad, 0, RiskBounds.MAX_KEEPER_REWARD_RATIO);
        RiskBounds.check("tierDropDelay", p.tierDropDelay, 0, RiskBounds.MAX_TIER_DROP_DELAY);
        RiskBounds.check("hintWalkBound", p.hintWalkBound, 1, RiskBounds.MAX_HINT_WALK_BOUND);
        RiskBounds.check("adlFillBudget", p.adlFillBudget, 1, RiskBounds.MAX_ADL_FILL_BUDGET);
        RiskBounds.check("vestingPeriod", p.vestingPeriod, 0, RiskBounds.MAX_VESTING_PERIOD);
        RiskBounds.check("vestingThreshold", p.vestingThresholdUsdWad, 0, RiskBounds.MAX_USD);
        if (
            p.withdrawStopRatioWad == 0 || p.withdrawStopRatioWad >= p.adlTargetRatioWad
                || p.adlTargetRatioWad >= p.adlTriggerRatioWad || p.adlTriggerRatioWad >= p.scalingRatioWad
                || p.scalingRatioWad > RiskBounds.MAX_THRESHOLD
        ) revert ThresholdsNotOrdered();
        _protocol = p;
        emit ProtocolConfigUpdated(p);
    }

    function _refreshMaxima() internal {
        uint64 maxDeviation;
        uint64 maxExposure;
        for (uint256 id = 1; id <= marketCount; ++id) {
            MarketConfig storage c = _markets[id];
            if (c.deviationWad > maxDeviation) maxDeviation = c.deviationWad;
            if (c.vaultExposureCapWad > maxExposure) maxExposure = c.vaultExposureCapWad;
        }
        maxDeviationWad = maxDeviation;
        maxVaultExposureCapWad = maxExposure;
    }
}
