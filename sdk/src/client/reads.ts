/**
 * Reads: markets, the insurance fund, the vault, bad debt, accounts and positions with every number users
 * look at. Each read takes one parameter object (client included), like viem's actions, and throws only the
 * errors of {@link ReadErrorType}.
 */
import { hexToString, type Address, type Hex } from "viem";

import { backstopVaultAbi, marketRegistryAbi, perpEngineAbi, perpLensAbi } from "../abi/generated.ts";
import { adlStanding, readAdlQueue, type AdlStanding } from "../adl/queue.ts";
import { WAD } from "../constants.ts";
import type { ProtocolDeployment } from "../deployment/deployment.ts";
import { InvalidInputError } from "../errors/base.ts";
import { toSdkError } from "../errors/normalize.ts";
import type { ReadErrorType } from "../errors/protocol.ts";
import type { AnyPublicClient } from "../events/logs.ts";
import { sMulDown, wDivDown, wMulDown } from "../math/fixedPoint.ts";
import { ratePerDay } from "../math/funding.ts";
import { isLiquidatable, notionalDown, pnl, requiredMargin, type AdlTier, type TierBoundsX1e4 } from "../math/position.ts";

/** What every read needs. */
export type ReadContext = {
  /** The client to read with. */
  client: AnyPublicClient;
  /** The protocol's addresses. */
  deployment: ProtocolDeployment;
  /** Block to read at (default latest). */
  blockNumber?: bigint;
};

/** A market's configuration as the registry stores it (every ratio and price WAD). */
export type MarketConfig = {
  /** Chainlink-compatible price feed. */
  readonly feed: Address;
  /** Decimals of the feed's answer. */
  readonly feedDecimals: number;
  /** Seconds after which the feed's answer is stale. */
  readonly heartbeat: number;
  /** True once listed. */
  readonly listed: boolean;
  /** The feed's deviation threshold δ. */
  readonly deviationWad: bigint;
  /** Extra maintenance buffer for keeper latency. */
  readonly latencyBufferWad: bigint;
  /** Trading fee per side, a fraction of notional at the fill price. */
  readonly tradingFeeWad: bigint;
  /** Liquidation fee on top of the trading fee. */
  readonly liquidationFeeExtraWad: bigint;
  /** Maintenance margin ratio. */
  readonly mmrWad: bigint;
  /** Initial margin ratio. */
  readonly imrWad: bigint;
  /** Funding rate per day at full skew. */
  readonly maxFundingRatePerDayWad: bigint;
  /** Cap on the vault's net exposure, a fraction of its equity. */
  readonly vaultExposureCapWad: bigint;
  /** Skew (units) at which price impact is 100% and funding is at its maximum. */
  readonly skewScaleWad: bigint;
  /** Open-interest cap per side, USD. */
  readonly oiCapUsdWad: bigint;
  /** Smallest position an owner may leave open, USD. */
  readonly minNotionalUsdWad: bigint;
  /** Most the insurance fund pays for this market per UTC day, USD. */
  readonly insuranceDailyCapUsdWad: bigint;
  /** Circuit-breaker floor, in feed decimals. */
  readonly minAnswer: bigint;
  /** Circuit-breaker ceiling, in feed decimals. */
  readonly maxAnswer: bigint;
  /** ADL tier lower bounds by chosen leverage (×1e4). */
  readonly tierBoundsX1e4: TierBoundsX1e4;
};

/** A market with its parameters and live numbers. */
export type Market = {
  /** The market id (1, 2, …). */
  readonly marketId: bigint;
  /** Its symbol, e.g. "ETH-USD". */
  readonly symbol: string;
  /** Its parameters. */
  readonly config: MarketConfig;
  /** The oracle price (or the last good one when the oracle cannot be read: then `priceFresh` is false). */
  readonly priceWad: bigint;
  /** False when the oracle could not be read and the last good price is shown. */
  readonly priceFresh: boolean;
  /** Total long size, in units. */
  readonly longSizeWad: bigint;
  /** Total short size, in units. */
  readonly shortSizeWad: bigint;
  /** Long open interest at the price, in USD (rounded down). */
  readonly longOpenInterestUsdWad: bigint;
  /** Short open interest at the price, in USD (rounded down). */
  readonly shortOpenInterestUsdWad: bigint;
  /** Skew = long − short size, in units (the vault holds the opposite). */
  readonly skewWad: bigint;
  /** Funding rate per day now, a signed WAD fraction of price (positive: longs pay). */
  readonly fundingRatePerDayWad: bigint;
  /** The funding index accrued to now. */
  readonly fundingIndexWad: bigint;
  /** When funding was last accrued on chain. */
  readonly lastUpdateTime: bigint;
  /** Bad debt left to the vault in this market, in USD. */
  readonly badDebtWad: bigint;
  /** Winners' profit withheld by scaling in this market, in USD. */
  readonly profitWithheldWad: bigint;
  /** What the insurance fund has paid for this market today (UTC), in USD. */
  readonly insuranceUsedTodayWad: bigint;
};

const tierBounds = (bounds: readonly number[]): TierBoundsX1e4 => [bounds[0] ?? 0, bounds[1] ?? 0, bounds[2] ?? 0, bounds[3] ?? 0];

function symbolText(symbol: Hex): string {
  return hexToString(symbol, { size: 32 }).replace(/\0+$/, "");
}

async function wrap<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toSdkError(error);
  }
}

function checkMarketId(marketId: bigint): void {
  if (marketId < 1n) throw new InvalidInputError({ parameter: "marketId", reason: `market ids start at 1, got ${marketId}` });
}

/** Parameters of {@link getMarket}. */
export type GetMarketParameters = ReadContext & {
  /** The market id. */
  marketId: bigint;
};

/**
 * One market: parameters, oracle price, open interest, skew, funding rate and index, bad debt.
 *
 * @param parameters - {@link GetMarketParameters}
 * @throws {ProtocolError} `MarketNotListed` for an unknown id.
 */
export async function getMarket(parameters: GetMarketParameters): Promise<Market> {
  const { client, deployment, marketId, blockNumber } = parameters;
  checkMarketId(marketId);
  return wrap(async () => {
    const at = blockNumber === undefined ? {} : { blockNumber };
    const engine = { address: deployment.engine, abi: perpEngineAbi } as const;
    const [config, symbol, [priceWad, priceFresh], state, fundingIndexWad, badDebtWad, profitWithheldWad, insuranceUsedTodayWad] = await Promise.all([
      client.readContract({ address: deployment.registry, abi: marketRegistryAbi, functionName: "marketConfig", args: [marketId], ...at }),
      client.readContract({ address: deployment.registry, abi: marketRegistryAbi, functionName: "symbolOf", args: [marketId], ...at }),
      client.readContract({ ...engine, functionName: "markPrice", args: [marketId], ...at }),
      client.readContract({ ...engine, functionName: "marketState", args: [marketId], ...at }),
      client.readContract({ ...engine, functionName: "currentFundingIndex", args: [marketId], ...at }),
      client.readContract({ ...engine, functionName: "badDebtWad", args: [marketId], ...at }),
      client.readContract({ ...engine, functionName: "profitWithheldWad", args: [marketId], ...at }),
      client.readContract({ ...engine, functionName: "insuranceUsedTodayWad", args: [marketId], ...at }),
    ]);
    const skewWad = state.longSizeWad - state.shortSizeWad;
    return {
      marketId,
      symbol: symbolText(symbol),
      config: { ...config, tierBoundsX1e4: tierBounds(config.tierBoundsX1e4) },
      priceWad,
      priceFresh,
      longSizeWad: state.longSizeWad,
      shortSizeWad: state.shortSizeWad,
      longOpenInterestUsdWad: wMulDown(state.longSizeWad, priceWad),
      shortOpenInterestUsdWad: wMulDown(state.shortSizeWad, priceWad),
      skewWad,
      fundingRatePerDayWad: ratePerDay({ skewWad, skewScaleWad: config.skewScaleWad, maxRatePerDayWad: config.maxFundingRatePerDayWad }),
      fundingIndexWad,
      lastUpdateTime: BigInt(state.lastUpdateTime),
      badDebtWad,
      profitWithheldWad,
      insuranceUsedTodayWad,
    };
  });
}

/**
 * Every listed market (ids 1 to the registry's count).
 *
 * @param parameters - {@link ReadContext}
 */
export async function getMarkets(parameters: ReadContext): Promise<Market[]> {
  const { client, deployment, blockNumber } = parameters;
  const count = await wrap(() =>
    client.readContract({ address: deployment.registry, abi: marketRegistryAbi, functionName: "marketCount", ...(blockNumber === undefined ? {} : { blockNumber }) })
  );
  const ids = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
  return Promise.all(ids.map((marketId) => getMarket({ ...parameters, marketId })));
}

/**
 * The insurance fund's balance, in USD.
 *
 * @param parameters - {@link ReadContext}
 */
export async function getInsuranceFund(parameters: ReadContext): Promise<bigint> {
  const { client, deployment, blockNumber } = parameters;
  return wrap(() => client.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "insuranceFundWad", ...(blockNumber === undefined ? {} : { blockNumber }) }));
}

/** The backstop vault's numbers. */
export type VaultState = {
  /** ERC-4626 total assets, in token units (6 decimals). */
  readonly totalAssetsTokenUnits: bigint;
  /** Shares outstanding (the vault's own decimals, `shareDecimals`). */
  readonly totalShares: bigint;
  /** Decimals of a share. */
  readonly shareDecimals: number;
  /** Assets one whole share redeems for, in token units, before the LP fee. */
  readonly sharePriceTokenUnits: bigint;
  /** The vault's equity: its cash minus the traders' net unrealised PnL, in USD. */
  readonly equityWad: bigint;
  /** The vault's cash, in USD. */
  readonly cashWad: bigint;
  /** The solvency floor, in USD. */
  readonly floorWad: bigint;
  /** Traders' unrealised profit (the vault's liability), in USD. */
  readonly tradersProfitWad: bigint;
  /** What LPs can withdraw now, in USD. */
  readonly withdrawableWad: bigint;
  /** The vault's net exposure (Σ over markets of |skew|·price) over its equity, WAD; the exposure cap is a
   * fraction of equity per market. Max uint256 when the equity is not positive. */
  readonly utilisationWad: bigint;
  /** Traders' profit over the vault's equity, WAD (what the ADL trigger and scaling ratios compare against). */
  readonly profitRatioWad: bigint;
  /** φ, the fraction of realised profit paid now (1e18 = no scaling). */
  readonly profitScaleWad: bigint;
  /** The LP fee on deposits and withdrawals, WAD. */
  readonly lpFeeWad: bigint;
  /** Positions in liquidation now; LP flows wait while it is not zero. */
  readonly positionsInLiquidation: bigint;
};

const MAX_UINT256 = (1n << 256n) - 1n;

/**
 * The vault: share price, equity, utilisation, floor, withdrawable amount and fee.
 *
 * @param parameters - {@link ReadContext}
 */
export async function getVault(parameters: ReadContext): Promise<VaultState> {
  const { client, deployment, blockNumber } = parameters;
  return wrap(async () => {
    const at = blockNumber === undefined ? {} : { blockNumber };
    const vault = { address: deployment.vault, abi: backstopVaultAbi } as const;
    const engine = { address: deployment.engine, abi: perpEngineAbi } as const;
    const [totalAssets, totalShares, shareDecimals, equityWad, cashWad, floorWad, tradersProfitWad, withdrawableWad, profitScaleWad, lpFeeWad, positionsInLiquidation, markets] =
      await Promise.all([
        client.readContract({ ...vault, functionName: "totalAssets", ...at }),
        client.readContract({ ...vault, functionName: "totalSupply", ...at }),
        client.readContract({ ...vault, functionName: "decimals", ...at }),
        client.readContract({ ...engine, functionName: "vaultEquityWad", ...at }),
        client.readContract({ ...engine, functionName: "vaultCashWad", ...at }),
        client.readContract({ ...engine, functionName: "solvencyFloorWad", ...at }),
        client.readContract({ ...engine, functionName: "tradersProfitWad", ...at }),
        client.readContract({ ...engine, functionName: "vaultWithdrawableWad", ...at }),
        client.readContract({ ...engine, functionName: "profitScaleWad", ...at }),
        client.readContract({ ...vault, functionName: "lpFeeWad", ...at }),
        client.readContract({ ...engine, functionName: "positionsInLiquidation", ...at }),
        getMarkets(parameters),
      ]);
    const sharePriceTokenUnits = await client.readContract({ ...vault, functionName: "convertToAssets", args: [10n ** BigInt(shareDecimals)], ...at });
    const exposure = markets.reduce((sum, m) => sum + wMulDown(m.skewWad < 0n ? -m.skewWad : m.skewWad, m.priceWad), 0n);
    return {
      totalAssetsTokenUnits: totalAssets,
      totalShares,
      shareDecimals,
      sharePriceTokenUnits,
      equityWad,
      cashWad,
      floorWad,
      tradersProfitWad,
      withdrawableWad,
      utilisationWad: equityWad > 0n ? wDivDown(exposure, equityWad) : MAX_UINT256,
      profitRatioWad: equityWad > 0n ? wDivDown(tradersProfitWad, equityWad) : MAX_UINT256,
      profitScaleWad,
      lpFeeWad,
      positionsInLiquidation,
    };
  });
}

/** Bad debt per market and in total. */
export type BadDebt = {
  /** Market id → bad debt, in USD. */
  readonly byMarket: ReadonlyMap<bigint, bigint>;
  /** The sum, in USD. */
  readonly totalWad: bigint;
};

/**
 * Bad debt: every deficit left to the vault beyond its floor, per market.
 *
 * @param parameters - {@link ReadContext}
 */
export async function getBadDebt(parameters: ReadContext): Promise<BadDebt> {
  const markets = await getMarkets(parameters);
  const byMarket = new Map(markets.map((m) => [m.marketId, m.badDebtWad] as const));
  return { byMarket, totalWad: markets.reduce((sum, m) => sum + m.badDebtWad, 0n) };
}

/** A position with every number users look at, at the mark price with funding accrued to now. */
export type PositionDetails = {
  /** The owner. */
  readonly account: Address;
  /** The market. */
  readonly marketId: bigint;
  /** The owner's account id (what the ADL lists link). */
  readonly accountId: number;
  /** Signed size in units (long > 0). */
  readonly sizeWad: bigint;
  /** "long" or "short". */
  readonly side: "long" | "short";
  /** The entry shown to users, E = J + F0. */
  readonly entryPriceWad: bigint;
  /** Break-even J (the ADL order's key). */
  readonly jWad: bigint;
  /** Funding index stored when J last changed. */
  readonly f0Wad: bigint;
  /** Margin, in USD. */
  readonly marginWad: bigint;
  /** Equity = margin + unrealised PnL, in USD. */
  readonly equityWad: bigint;
  /** Unrealised PnL, funding included: s·(P − F − J), in USD. */
  readonly unrealisedPnlWad: bigint;
  /** Funding accrued since entry, in USD: positive when received, negative when paid (−s·(F − F0)). */
  readonly accruedFundingWad: bigint;
  /** The mark price. */
  readonly markPriceWad: bigint;
  /** The funding index accrued to now. */
  readonly fundingIndexWad: bigint;
  /** Notional |s|·P, in USD (rounded down). */
  readonly notionalWad: bigint;
  /** Margin ratio = equity / notional, WAD (negative when the equity is). */
  readonly marginRatioWad: bigint;
  /** Maintenance margin needed now, MMR·|s|·P rounded up, in USD. */
  readonly maintenanceMarginWad: bigint;
  /** Effective leverage = notional / equity, WAD (max uint256 when the equity is not positive). */
  readonly effectiveLeverageWad: bigint;
  /** The leverage the ADL tier is based on, E·|s|/m, WAD. */
  readonly chosenLeverageWad: bigint;
  /** Liquidation price (equity = maintenance margin), with funding accrued to now. */
  readonly liquidationPriceWad: bigint;
  /** Bankruptcy price (equity = 0), K + F. */
  readonly bankruptcyPriceWad: bigint;
  /** K: the keeper's liquidation order key. */
  readonly kWad: bigint;
  /** Stored ADL tier (0 = exempt). */
  readonly tier: AdlTier;
  /** A pending drop to a lower tier, with when it may be applied; undefined when none. */
  readonly pendingTierDrop: { readonly tier: AdlTier; readonly since: bigint; readonly dueAt: bigint } | undefined;
  /** True while the position is being liquidated (the owner cannot act on it). */
  readonly inLiquidation: boolean;
  /** Whether equity is below maintenance margin now. */
  readonly liquidatable: boolean;
  /** Its place in the ADL order. */
  readonly adl: AdlStanding;
};

/** Parameters of {@link getPosition}. */
export type GetPositionParameters = ReadContext & {
  /** The owner. */
  account: Address;
  /** The market. */
  marketId: bigint;
};

/**
 * A position with size, entry, margin, equity, PnL, funding, margin ratio, leverage, liquidation and
 * bankruptcy prices, ADL tier, pending tier drop and ADL standing; undefined when there is none.
 *
 * @param parameters - {@link GetPositionParameters}
 */
export async function getPosition(parameters: GetPositionParameters): Promise<PositionDetails | undefined> {
  const { client, deployment, account, marketId } = parameters;
  checkMarketId(marketId);
  return wrap(async () => {
    const blockNumber = parameters.blockNumber ?? (await client.getBlockNumber({ cacheTime: 0 }));
    const [v, config, protocol] = await Promise.all([
      client.readContract({ address: deployment.lens, abi: perpLensAbi, functionName: "positionView", args: [account, marketId], blockNumber }),
      client.readContract({ address: deployment.registry, abi: marketRegistryAbi, functionName: "marketConfig", args: [marketId], blockNumber }),
      client.readContract({ address: deployment.registry, abi: marketRegistryAbi, functionName: "protocolConfig", blockNumber }),
    ]);
    if (v.sizeWad === 0n) return undefined;
    const isLong = v.sizeWad > 0n;
    const queue = await readAdlQueue({ client, deployment, marketId, isLong, blockNumber });
    const notionalWad = notionalDown({ sizeWad: v.sizeWad, priceWad: v.markPriceWad });
    const maintenanceMarginWad = requiredMargin({ sizeWad: v.sizeWad, priceWad: v.markPriceWad, ratioWad: config.mmrWad });
    const unrealisedPnlWad = pnl({ sizeWad: v.sizeWad, jWad: v.jWad, fundingIndexWad: v.fundingIndexWad, priceWad: v.markPriceWad });
    const since = BigInt(v.pendingTierSince);
    return {
      account,
      marketId,
      accountId: v.accountId,
      sizeWad: v.sizeWad,
      side: isLong ? "long" : "short",
      entryPriceWad: v.entryWad,
      jWad: v.jWad,
      f0Wad: v.f0Wad,
      marginWad: v.marginWad,
      equityWad: v.equityWad,
      unrealisedPnlWad,
      accruedFundingWad: -sMulDown(v.sizeWad, v.fundingIndexWad - v.f0Wad),
      markPriceWad: v.markPriceWad,
      fundingIndexWad: v.fundingIndexWad,
      notionalWad,
      marginRatioWad: notionalWad === 0n ? 0n : (v.equityWad * WAD) / notionalWad,
      maintenanceMarginWad,
      effectiveLeverageWad: v.effectiveLeverageWad,
      chosenLeverageWad: v.chosenLeverageWad,
      liquidationPriceWad: v.liquidationPriceWad,
      bankruptcyPriceWad: v.bankruptcyPriceWad,
      kWad: v.kWad,
      tier: v.tier as AdlTier,
      pendingTierDrop: since === 0n ? undefined : { tier: v.pendingTier as AdlTier, since, dueAt: since + BigInt(protocol.tierDropDelay) },
      inLiquidation: v.inLiquidation,
      liquidatable: isLiquidatable({
        sizeWad: v.sizeWad,
        marginWad: v.marginWad,
        jWad: v.jWad,
        fundingIndexWad: v.fundingIndexWad,
        priceWad: v.markPriceWad,
        mmrWad: config.mmrWad,
      }),
      adl: adlStanding({ queue, accountId: v.accountId, priceWad: v.markPriceWad, fundingIndexWad: v.fundingIndexWad }),
    };
  });
}

/** An account: free collateral and open positions. */
export type AccountDetails = {
  /** The account. */
  readonly account: Address;
  /** Its id (0 before its first deposit or trade). */
  readonly accountId: number;
  /** Free collateral, in USD (realised amounts only). */
  readonly freeCollateralWad: bigint;
  /** Realised profit still vesting (part of free collateral that cannot be withdrawn yet), in USD. */
  readonly lockedProfitWad: bigint;
  /** What can be withdrawn now, in USD. */
  readonly withdrawableWad: bigint;
  /** Open positions, by market id ascending. */
  readonly positions: readonly PositionDetails[];
  /** The positions being liquidated. */
  readonly positionsInLiquidation: readonly PositionDetails[];
  /** The positions with a pending ADL tier drop. */
  readonly pendingTierDrops: readonly PositionDetails[];
};

/** Parameters of {@link getAccount}. */
export type GetAccountParameters = ReadContext & {
  /** The account. */
  account: Address;
};

/**
 * An account's free collateral, vesting profit and every open position with its numbers.
 *
 * @param parameters - {@link GetAccountParameters}
 */
export async function getAccount(parameters: GetAccountParameters): Promise<AccountDetails> {
  const { client, deployment, account } = parameters;
  const blockNumber = parameters.blockNumber ?? (await wrap(() => client.getBlockNumber({ cacheTime: 0 })));
  const engine = { address: deployment.engine, abi: perpEngineAbi } as const;
  const [accountId, freeCollateralWad, lockedProfitWad, count] = await wrap(() =>
    Promise.all([
      client.readContract({ ...engine, functionName: "accountIdOf", args: [account], blockNumber }),
      client.readContract({ ...engine, functionName: "freeCollateralWad", args: [account], blockNumber }),
      client.readContract({ ...engine, functionName: "lockedProfitWad", args: [account], blockNumber }),
      client.readContract({ address: deployment.registry, abi: marketRegistryAbi, functionName: "marketCount", blockNumber }),
    ])
  );
  const ids = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
  const positions = (await Promise.all(ids.map((marketId) => getPosition({ client, deployment, account, marketId, blockNumber })))).filter(
    (p): p is PositionDetails => p !== undefined
  );
  return {
    account,
    accountId,
    freeCollateralWad,
    lockedProfitWad,
    withdrawableWad: freeCollateralWad > lockedProfitWad ? freeCollateralWad - lockedProfitWad : 0n,
    positions,
    positionsInLiquidation: positions.filter((p) => p.inLiquidation),
    pendingTierDrops: positions.filter((p) => p.pendingTierDrop !== undefined),
  };
}
