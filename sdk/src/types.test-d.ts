/**
 * Type tests, checked by `npm run typecheck` (never run): the public API's return types are precise, with no
 * `any`, addresses as `0x${string}` and amounts as bigint. A regression fails the type check.
 */
import type { Address, Hash, TransactionReceipt } from "viem";

import type {
  AccountDetails,
  AdlStanding,
  AnyProtocolLog,
  AnyWalletClient,
  BadDebt,
  Market,
  PerpClient,
  PerpReadClient,
  PositionDetails,
  ProtocolDeployment,
  ProtocolError,
  ProtocolErrorType,
  ProtocolLog,
  TradePreview,
  TradeResult,
  VaultState,
  WriteErrorType,
  WriteResult,
} from "./index.ts";
import { createPerpClient } from "./index.ts";
import type { LocalDeployment, LocalNode } from "./testing/index.ts";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type IsAny<T> = 0 extends 1 & T ? true : false;
/** True when `any` appears anywhere inside T (functions, receipts and maps are opaque leaves). */
type HasAny<T> =
  IsAny<T> extends true
    ? true
    : T extends TransactionReceipt | ReadonlyMap<unknown, unknown> | ((...args: never[]) => unknown)
      ? false
      : T extends readonly (infer U)[]
        ? HasAny<U>
        : T extends object
          ? true extends { [K in keyof T]-?: HasAny<T[K]> }[keyof T]
            ? true
            : false
          : false;
const expectTrue = <T extends true>(): T | undefined => undefined;
const expectFalse = <T extends false>(): T | undefined => undefined;

// No `any` anywhere in what the reads, previews and writes return.
expectFalse<HasAny<Market>>();
expectFalse<HasAny<VaultState>>();
expectFalse<HasAny<BadDebt>>();
expectFalse<HasAny<PositionDetails>>();
expectFalse<HasAny<AccountDetails>>();
expectFalse<HasAny<TradePreview>>();
expectFalse<HasAny<AdlStanding>>();
expectFalse<HasAny<ProtocolDeployment>>();
expectFalse<HasAny<LocalDeployment>>();
expectFalse<HasAny<LocalNode>>();
expectFalse<HasAny<AnyProtocolLog>>();
expectFalse<HasAny<ProtocolLog<"Traded">>>();
expectFalse<HasAny<WriteResult["events"]>>();
expectFalse<HasAny<ProtocolError<"BelowInitialMargin">["args"]>>();

// Addresses are `0x${string}`, amounts bigint.
expectTrue<Equals<ProtocolDeployment["engine"], Address>>();
expectTrue<Equals<Address, `0x${string}`>>();
expectTrue<Equals<PositionDetails["account"], `0x${string}`>>();
expectTrue<Equals<PositionDetails["liquidationPriceWad"], bigint>>();
expectTrue<Equals<PositionDetails["sizeWad"], bigint>>();
expectTrue<Equals<PositionDetails["adl"]["level"], 0 | 1 | 2 | 3 | 4 | 5>>();
expectTrue<Equals<PositionDetails["tier"], 0 | 1 | 2 | 3 | 4>>();
expectTrue<Equals<Market["config"]["feed"], `0x${string}`>>();
expectTrue<Equals<Market["fundingRatePerDayWad"], bigint>>();
expectTrue<Equals<VaultState["sharePriceTokenUnits"], bigint>>();
expectTrue<Equals<TradePreview["fills"][number]["fillPriceWad"], bigint>>();
expectTrue<Equals<TradeResult["hash"], Hash>>();

// Event args are typed by event name.
declare const traded: ProtocolLog<"Traded">;
expectTrue<Equals<typeof traded.args.sizeDeltaWad, bigint>>();
expectTrue<Equals<typeof traded.args.account, `0x${string}`>>();
expectTrue<Equals<typeof traded.blockNumber, bigint>>();
declare const fill: ProtocolLog<"AdlFill">;
expectTrue<Equals<typeof fill.args.tier, number>>();
declare const round: ProtocolLog<"AnswerUpdated">;
expectTrue<Equals<typeof round.source, "feed">>();
declare const anyLog: AnyProtocolLog;
if (anyLog.eventName === "Liquidated") expectTrue<Equals<typeof anyLog.args.remainingSizeWad, bigint>>();

// `args` is the full decoded event: every field (indexed or not), required, with its precise type; not viem's
// filter-argument type, where only indexed fields appear, optional and widened to arrays.
expectTrue<
  Equals<
    ProtocolLog<"PositionUpdated">["args"],
    {
      account: `0x${string}`;
      marketId: bigint;
      sizeWad: bigint;
      marginWad: bigint;
      jWad: bigint;
      f0Wad: bigint;
      tier: number;
      pendingTier: number;
      pendingTierSince: number;
    }
  >
>();
expectTrue<
  Equals<
    ProtocolLog<"Liquidated">["args"],
    {
      account: `0x${string}`;
      marketId: bigint;
      keeper: `0x${string}`;
      sizeClosedWad: bigint;
      priceWad: bigint;
      equityWad: bigint;
      keeperRewardWad: bigint;
      liquidationFeeWad: bigint;
      takenOverWad: bigint;
      adlSizeWad: bigint;
      remainingSizeWad: bigint;
    }
  >
>();
expectTrue<Equals<ProtocolLog<"AnswerUpdated">["args"], { current: bigint; roundId: bigint; updatedAt: bigint }>>();
// A narrowed log of a selection of events keeps the full args.
declare const bookLog: ProtocolLog<"PositionUpdated" | "Liquidated">;
if (bookLog.eventName === "PositionUpdated") expectTrue<Equals<typeof bookLog.args.pendingTierSince, number>>();
else expectTrue<Equals<typeof bookLog.args.adlSizeWad, bigint>>();

// Errors narrow their args by name.
declare const error: ProtocolErrorType;
if (error.errorName === "BelowInitialMargin") {
  expectTrue<Equals<typeof error.args.equityWad, bigint>>();
  expectTrue<Equals<typeof error.args.requiredWad, bigint>>();
}
declare const loose: ProtocolError;
if (loose.is("NoPosition")) expectTrue<Equals<typeof loose.args.account, `0x${string}`>>();

// A client without a wallet has no writes; with one, writes return typed results.
declare const readOnly: ReturnType<typeof createPerpClient<undefined>>;
expectTrue<Equals<typeof readOnly, PerpReadClient>>();
// @ts-expect-error a read-only client cannot trade
void readOnly.trade;
declare const full: PerpClient<AnyWalletClient>;
expectTrue<Equals<Awaited<ReturnType<typeof full.trade>>, TradeResult>>();
expectTrue<Equals<Awaited<ReturnType<typeof full.getPosition>>, PositionDetails | undefined>>();
expectTrue<Equals<typeof full.account, `0x${string}`>>();

// A write's error type narrows by name, down to the custom error's arguments.
declare const writeError: WriteErrorType;
if (writeError.name === "ProtocolError" && writeError.errorName === "AcceptablePriceExceeded") {
  expectTrue<Equals<typeof writeError.args.fillPriceWad, bigint>>();
}
if (writeError.name === "TransactionRevertedError") expectTrue<Equals<typeof writeError.receipt.status, "success" | "reverted">>();
if (writeError.name === "RpcError") expectTrue<Equals<typeof writeError.code, number | undefined>>();
