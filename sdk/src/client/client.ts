/**
 * The client: the reads, previews, writes and subscriptions bound to one public client, one deployment and,
 * for writes, one wallet client. Every method is also a standalone function taking the clients first.
 */
import type { Address } from "viem";

import { adlStanding, readAdlQueue, type AdlQueue, type AdlStanding } from "../adl/queue.ts";
import type { ProtocolDeployment } from "../deployment/deployment.ts";
import { getProtocolLogs, type AnyPublicClient, type GetProtocolLogsParameters, type ProtocolEventName, type ProtocolLog } from "../events/logs.ts";
import { watchProtocolEvents, type ProtocolEventWatcher, type WatchProtocolEventsParameters } from "../events/watch.ts";
import { previewTrade, type TradePreview } from "./preview.ts";
import {
  getAccount,
  getBadDebt,
  getInsuranceFund,
  getMarket,
  getMarkets,
  getPosition,
  getVault,
  type AccountDetails,
  type BadDebt,
  type Market,
  type PositionDetails,
  type VaultState,
} from "./reads.ts";
import {
  addMargin,
  applyTierDrop,
  closePosition,
  continueLiquidations,
  deleverageForSolvency,
  deposit,
  liquidate,
  liquidateBatch,
  lpDeposit,
  lpWithdraw,
  removeMargin,
  trade,
  withdraw,
  type AnyWalletClient,
  type DepositParameters,
  type TradeParameters,
  type TradeResult,
  type WriteResult,
} from "./writes.ts";

/** Parameters of {@link createPerpClient}. */
export type CreatePerpClientParameters<W extends AnyWalletClient | undefined = AnyWalletClient | undefined> = {
  /** Reads, simulations, receipts and logs. */
  publicClient: AnyPublicClient;
  /** Signs and sends the writes (with an account); omit for a read-only client. */
  walletClient?: W;
  /** The protocol's addresses. */
  deployment: ProtocolDeployment;
};

/** Reads, previews and subscriptions. */
export type PerpReadClient = {
  /** The deployment the client talks to. */
  readonly deployment: ProtocolDeployment;
  /** Every listed market. */
  getMarkets(parameters?: { blockNumber?: bigint }): Promise<Market[]>;
  /** One market. */
  getMarket(parameters: { marketId: bigint; blockNumber?: bigint }): Promise<Market>;
  /** The insurance fund's balance, in USD (WAD). */
  getInsuranceFund(parameters?: { blockNumber?: bigint }): Promise<bigint>;
  /** The vault's share price, equity, utilisation and limits. */
  getVault(parameters?: { blockNumber?: bigint }): Promise<VaultState>;
  /** Bad debt per market and in total. */
  getBadDebt(parameters?: { blockNumber?: bigint }): Promise<BadDebt>;
  /** An account's free collateral, vesting profit and positions. */
  getAccount(parameters: { account: Address; blockNumber?: bigint }): Promise<AccountDetails>;
  /** A position with all its numbers; undefined when none. */
  getPosition(parameters: { account: Address; marketId: bigint; blockNumber?: bigint }): Promise<PositionDetails | undefined>;
  /** A market side's ADL lists. */
  getAdlQueue(parameters: { marketId: bigint; isLong: boolean; blockNumber?: bigint }): Promise<AdlQueue>;
  /** A position's ADL standing from a queue, at a price and funding index. */
  adlStanding(parameters: { queue: AdlQueue; accountId: number; priceWad: bigint; fundingIndexWad: bigint }): AdlStanding;
  /** Previews a trade for an account. */
  previewTrade(parameters: { account: Address; marketId: bigint; sizeDeltaWad: bigint; marginWad?: bigint; timestamp?: bigint }): Promise<TradePreview>;
  /** The protocol's logs over a block range, decoded. */
  getLogs<E extends ProtocolEventName = ProtocolEventName>(parameters?: Omit<GetProtocolLogsParameters<E>, "client" | "deployment">): Promise<ProtocolLog<E>[]>;
  /** Polls the protocol's logs (see {@link watchProtocolEvents}). */
  watchEvents<E extends ProtocolEventName = ProtocolEventName>(parameters: Omit<WatchProtocolEventsParameters<E>, "client" | "deployment">): ProtocolEventWatcher;
};

/** The writes, sent from the wallet client's account. */
export type PerpWriteActions = {
  /** The sender. */
  readonly account: Address;
  /** Deposits collateral (permit by default). */
  deposit(parameters: DepositParameters): Promise<WriteResult>;
  /** Withdraws free collateral. */
  withdraw(parameters: { amountTokenUnits: bigint }): Promise<WriteResult>;
  /** Opens, resizes or flips a position. */
  trade(parameters: TradeParameters): Promise<TradeResult>;
  /** Closes a position. */
  closePosition(parameters: { marketId: bigint; slippageBps?: number }): Promise<TradeResult>;
  /** Adds margin from free collateral (or from the wallet). */
  addMargin(parameters: { marketId: bigint; amountWad: bigint } | { marketId: bigint; amountTokenUnits: bigint; fromWallet: true }): Promise<WriteResult>;
  /** Removes margin to free collateral. */
  removeMargin(parameters: { marketId: bigint; amountWad: bigint }): Promise<WriteResult>;
  /** Applies a due tier drop. */
  applyTierDrop(parameters: { account: Address; marketId: bigint }): Promise<WriteResult>;
  /** Deposits into the backstop vault. */
  lpDeposit(parameters: { assetsTokenUnits: bigint; receiver?: Address }): Promise<WriteResult>;
  /** Withdraws (assets) or redeems (shares) from the backstop vault. */
  lpWithdraw(parameters: ({ assetsTokenUnits: bigint } | { shares: bigint }) & { receiver?: Address }): Promise<WriteResult>;
  /** Liquidates one position. */
  liquidate(parameters: { account: Address; marketId: bigint }): Promise<WriteResult>;
  /** Liquidates several positions of a market. */
  liquidateBatch(parameters: { marketId: bigint; accounts: readonly Address[] }): Promise<WriteResult>;
  /** Continues the liquidations in progress in a market. */
  continueLiquidations(parameters: { marketId: bigint; accounts?: readonly Address[] }): Promise<WriteResult>;
  /** Vault-solvency ADL of one side. */
  deleverageForSolvency(parameters: { marketId: bigint; isLong: boolean }): Promise<WriteResult>;
};

/** A client with writes when made with a wallet client, read-only otherwise. */
export type PerpClient<W extends AnyWalletClient | undefined = AnyWalletClient | undefined> = W extends AnyWalletClient
  ? PerpReadClient & PerpWriteActions
  : PerpReadClient;

const at = (p: { blockNumber?: bigint } | undefined): { blockNumber?: bigint } => (p?.blockNumber === undefined ? {} : { blockNumber: p.blockNumber });

/**
 * Makes the client.
 *
 * @param parameters - {@link CreatePerpClientParameters}
 * @returns Reads, previews and subscriptions; writes too when a wallet client is given.
 * @example
 * const perp = createPerpClient({ publicClient, walletClient, deployment });
 * await perp.trade({ marketId: 1n, sizeDeltaWad: 10n ** 18n, marginWad: 500n * 10n ** 18n });
 * const position = await perp.getPosition({ account: perp.account, marketId: 1n });
 */
export function createPerpClient<W extends AnyWalletClient | undefined = undefined>(parameters: CreatePerpClientParameters<W>): PerpClient<W> {
  const { publicClient: client, deployment } = parameters;
  const read: PerpReadClient = {
    deployment,
    getMarkets: (p) => getMarkets({ client, deployment, ...at(p) }),
    getMarket: (p) => getMarket({ client, deployment, ...p }),
    getInsuranceFund: (p) => getInsuranceFund({ client, deployment, ...at(p) }),
    getVault: (p) => getVault({ client, deployment, ...at(p) }),
    getBadDebt: (p) => getBadDebt({ client, deployment, ...at(p) }),
    getAccount: (p) => getAccount({ client, deployment, ...p }),
    getPosition: (p) => getPosition({ client, deployment, ...p }),
    getAdlQueue: (p) => readAdlQueue({ client, deployment, ...p }),
    adlStanding: (p) => adlStanding(p),
    previewTrade: (p) => previewTrade({ client, deployment, ...p }),
    getLogs: (p) => getProtocolLogs({ client, deployment, ...p }),
    watchEvents: (p) => watchProtocolEvents({ client, deployment, ...p }),
  };
  const walletClient = parameters.walletClient;
  if (walletClient === undefined) return read as PerpClient<W>;
  const context = { publicClient: client, walletClient, deployment };
  const write: PerpWriteActions = {
    account: walletClient.account.address,
    deposit: (p) => deposit(context, p),
    withdraw: (p) => withdraw(context, p),
    trade: (p) => trade(context, p),
    closePosition: (p) => closePosition(context, p),
    addMargin: (p) => addMargin(context, p),
    removeMargin: (p) => removeMargin(context, p),
    applyTierDrop: (p) => applyTierDrop(context, p),
    lpDeposit: (p) => lpDeposit(context, p),
    lpWithdraw: (p) => lpWithdraw(context, p),
    liquidate: (p) => liquidate(context, p),
    liquidateBatch: (p) => liquidateBatch(context, p),
    continueLiquidations: (p) => continueLiquidations(context, p),
    deleverageForSolvency: (p) => deleverageForSolvency(context, p),
  };
  return { ...read, ...write } as PerpClient<W>;
}
