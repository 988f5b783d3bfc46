/**
 * One readable sentence per custom error the protocol can revert with, with its arguments in their units.
 * The map's type requires an entry for every error in the generated ABI, so a new contract error without a
 * message fails the type check (and `messages.test.ts`).
 */
import { formatFixed, formatPriceWad, formatRatioWad, formatTokenUnits, formatUsdWad } from "../format/units.ts";
import type { ProtocolErrorArgs, ProtocolErrorName } from "./protocolTypes.ts";

const usd = formatUsdWad;
const price = formatPriceWad;
const ratio = formatRatioWad;
const tokens = formatTokenUnits;
const market = (marketId: bigint): string => `market ${marketId}`;
/** Unix seconds, with the UTC date when it is one a Date can hold. */
const time = (seconds: bigint): string =>
  seconds >= 0n && seconds < 8_640_000_000_000n ? `${seconds} (${new Date(Number(seconds) * 1000).toISOString()})` : `${seconds}`;
const text = (bytes32: `0x${string}`): string => {
  const hex = bytes32.slice(2).replace(/(00)+$/, "");
  let out = "";
  for (let i = 0; i < hex.length; i += 2) out += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return /^[\x20-\x7e]*$/.test(out) ? out : bytes32;
};

/** The message builder of each protocol error. */
export type ProtocolErrorMessages = { readonly [N in ProtocolErrorName]: (args: ProtocolErrorArgs<N>) => string };

/** Readable messages, by custom error name. */
export const PROTOCOL_ERROR_MESSAGES: ProtocolErrorMessages = {
  AcceptablePriceExceeded: (a) => `fill price ${price(a.fillPriceWad)} is worse than the acceptable price ${price(a.acceptablePriceWad)}`,
  AccessControlBadConfirmation: () => "role renouncement must be confirmed by the account itself",
  AccessControlUnauthorizedAccount: (a) => `account ${a.account} lacks the role ${a.neededRole}`,
  AdlBudgetSpent: () => "the call's ADL fill budget is spent; continue the liquidation in another call",
  AnswerBoundsInvalid: (a) => `circuit-breaker bounds must satisfy 0 ≤ min < max, got min ${a.minAnswer} and max ${a.maxAnswer}`,
  BelowInitialMargin: (a) => `position below initial margin: equity ${usd(a.equityWad)}, required ${usd(a.requiredWad)}`,
  BelowMinNotional: (a) => `position below the minimum notional: ${usd(a.notionalWad)}, minimum ${usd(a.minNotionalWad)}`,
  ECDSAInvalidSignature: () => "invalid signature",
  ECDSAInvalidSignatureLength: (a) => `invalid signature length ${a.length}`,
  ECDSAInvalidSignatureS: (a) => `invalid signature s value ${a.s}`,
  EnforcedPause: () => "the protocol is paused: no new risk until it resumes (closing, reducing, adding margin and withdrawing still work)",
  ERC20InsufficientAllowance: (a) => `token allowance too low for ${a.spender}: ${tokens(a.allowance)} approved, ${tokens(a.needed)} needed`,
  ERC20InsufficientBalance: (a) => `token balance too low for ${a.sender}: ${tokens(a.balance)} held, ${tokens(a.needed)} needed`,
  ERC20InvalidApprover: (a) => `invalid token approver ${a.approver}`,
  ERC20InvalidReceiver: (a) => `invalid token receiver ${a.receiver}`,
  ERC20InvalidSender: (a) => `invalid token sender ${a.sender}`,
  ERC20InvalidSpender: (a) => `invalid token spender ${a.spender}`,
  ERC2612ExpiredSignature: (a) => `the permit expired at ${time(a.deadline)}`,
  ERC2612InvalidSigner: (a) => `the permit was signed by ${a.signer}, not by the owner ${a.owner}`,
  ERC4626ExceededMaxDeposit: (a) => `vault deposit of ${tokens(a.assets)} for ${a.receiver} exceeds the maximum ${tokens(a.max)}`,
  ERC4626ExceededMaxMint: (a) => `vault mint of ${formatFixed(a.shares, 6)} shares for ${a.receiver} exceeds the maximum ${formatFixed(a.max, 6)}`,
  ERC4626ExceededMaxRedeem: (a) => `vault redemption of ${formatFixed(a.shares, 6)} shares by ${a.owner} exceeds the maximum ${formatFixed(a.max, 6)}`,
  ERC4626ExceededMaxWithdraw: (a) => `vault withdrawal of ${tokens(a.assets)} by ${a.owner} exceeds the maximum ${tokens(a.max)}`,
  ExpectedPause: () => "the protocol is not paused",
  EngineAlreadyBound: (a) => `the registry is already bound to its engine ${a.engine}`,
  EngineRegistryMismatch: (a) => `the engine ${a.engine} was deployed with another registry (${a.registry})`,
  FeeBelowDeviationFloor: (a) => `trading fee ${ratio(a.feeWad)} is below half the deviation threshold (${ratio(a.floorWad)})`,
  FeedDecimalsUnsupported: (a) => `the feed reports ${a.decimals} decimals; at most 18 are supported`,
  InitialMarginTooLow: (a) => `initial margin ratio ${ratio(a.imrWad)} is below the required ${ratio(a.requiredWad)}`,
  InsufficientFreeCollateral: (a) => `free collateral too low: ${usd(a.availableWad)} available, ${usd(a.requiredWad)} required`,
  InsufficientMargin: (a) => `cannot remove ${usd(a.requestedWad)}: the position holds ${usd(a.marginWad)} of margin`,
  InsufficientTreasury: (a) => `cannot withdraw ${usd(a.requestedWad)} from the treasury: it holds ${usd(a.availableWad)}`,
  InvalidAccountNonce: (a) => `invalid nonce for ${a.account}: the current nonce is ${a.currentNonce}`,
  InvalidFillPrice: () => "the trade's price impact would push the fill price to zero or below",
  InvalidShortString: () => "invalid short string",
  LiquidationsPending: (a) => `LP deposits and withdrawals wait while ${a.positionsInLiquidation} position(s) are being liquidated`,
  MaintenanceMarginTooLow: (a) => `maintenance margin ratio ${ratio(a.mmrWad)} is below the required ${ratio(a.requiredWad)}`,
  MarginBelowFee: (a) => `margin ${usd(a.marginWad)} does not cover the fee ${usd(a.feeWad)}`,
  MarginOnDecrease: () => "no margin may be given with a reducing order",
  MarginRaiseTooFast: (a) => `margin ratio ${ratio(a.newWad)} rises faster than allowed today (at most ${ratio(a.maxTodayWad)})`,
  MarketNotListed: (a) => `${market(a.marketId)} is not listed`,
  MarketRampingUp: (a) => `${market(a.marketId)} is reduce-only while its margins ramp up to the risk constraint`,
  MinNotionalTooSmall: (a) => `minimum notional ${usd(a.minNotionalUsdWad)} is too small: at least ${usd(a.requiredUsdWad)} needed to pay a keeper`,
  NegativeEquity: (a) => `the position's equity is negative (${usd(a.equityWad)}): only a liquidation can close it`,
  NoPosition: (a) => `${a.account} has no position in ${market(a.marketId)}`,
  NoTierDropPending: (a) => `no ADL tier drop is pending for ${a.account} in ${market(a.marketId)}`,
  NotRegistry: (a) => `only the market registry may publish market parameters (caller ${a.caller})`,
  NotVault: (a) => `${a.caller} is not the vault`,
  OpenInterestCapExceeded: (a) => `${market(a.marketId)}: open interest would reach ${usd(a.notionalWad)}, above the cap of ${usd(a.capWad)}`,
  OraclePriceAtBound: (a) => `${market(a.marketId)} is reduce-only: the oracle price ${price(a.priceWad)} is at its circuit-breaker bound`,
  OraclePriceNotPositive: (a) => `${market(a.marketId)}: the oracle's answer ${a.answer} is not positive`,
  OraclePriceStale: (a) => `${market(a.marketId)}: the oracle's last update (${time(a.updatedAt)}) is older than its heartbeat of ${a.heartbeat} s`,
  OracleRoundIncomplete: (a) => `${market(a.marketId)}: oracle round ${a.roundId} is incomplete (answered in round ${a.answeredInRound})`,
  ParameterOutOfBounds: (a) => `parameter ${text(a.name)} = ${a.value} is outside its bounds [${a.min}, ${a.max}]`,
  ParamsPublishFailed: (a) => `the parameter blob of ${market(a.marketId)} could not be created`,
  PositionInLiquidation: (a) => `the position of ${a.account} in ${market(a.marketId)} is being liquidated; its owner cannot act on it`,
  PositionNotLiquidatable: (a) =>
    `the position of ${a.account} in ${market(a.marketId)} is not liquidatable: equity ${usd(a.equityWad)}, maintenance ${usd(a.maintenanceWad)}`,
  ProceedsBelowFee: (a) => `the reduction's proceeds ${usd(a.proceedsWad)} do not cover its fee ${usd(a.feeWad)}`,
  ProfitStillVesting: (a) =>
    `cannot withdraw ${usd(a.requestedWad)}: only ${usd(a.withdrawableWad)} is withdrawable while ${usd(a.lockedWad)} of profit is vesting`,
  ReentrancyGuardReentrantCall: () => "reentrant call",
  SafeCastOverflowedIntDowncast: (a) => `value ${a.value} does not fit in int${a.bits}`,
  SafeCastOverflowedIntToUint: (a) => `negative value ${a.value} cannot be converted to an unsigned integer`,
  SafeCastOverflowedUintDowncast: (a) => `value ${a.value} does not fit in uint${a.bits}`,
  SafeCastOverflowedUintToInt: (a) => `value ${a.value} does not fit in int256`,
  SafeERC20FailedOperation: (a) => `the token ${a.token} failed a transfer`,
  SequencerDown: () => "the L2 sequencer is down",
  SequencerGracePeriod: () => "the sequencer just came back up: new risk and liquidations wait for its grace period",
  SolvencyAdlNotTriggered: (a) =>
    `vault-solvency ADL is not triggered: the side's profit ${usd(a.sideProfitWad)} is within ${ratio(a.triggerRatioWad)} of the vault's equity ${usd(a.vaultEquityWad)}`,
  StaleHints: (a) => `the list hints are stale: account ${a.accountId} found no place within ${a.maxSteps} steps; compute fresh hints`,
  StringTooLong: (a) => `string too long: ${JSON.stringify(a.str)}`,
  SymbolTaken: (a) => `symbol ${text(a.symbol)} is already listed`,
  ThresholdsNotOrdered: () => "vault thresholds must be ordered withdrawal stop < ADL target < ADL trigger < scaling",
  TierBoundsInvalid: () => "ADL tier bounds must ascend strictly and start above 1x",
  TierDropNotDue: (a) => `the tier drop is not due until ${time(a.dueAt)}`,
  TooManyMarkets: (a) => `the registry already holds its maximum of ${a.max} markets`,
  TransferAmountMismatch: (a) => `the token delivered ${tokens(a.received)} instead of ${tokens(a.expected)} (fee-on-transfer tokens are not supported)`,
  VaultAlreadySet: (a) => `the vault is already set (${a.vault})`,
  VaultAtSolvencyFloor: (a) => `no new risk: the vault's equity ${usd(a.vaultEquityWad)} is at or below its solvency floor ${usd(a.floorWad)}`,
  VaultCashInsufficient: (a) => `the vault's cash ${usd(a.cashWad)} cannot pay ${usd(a.requestedWad)}`,
  VaultEquityNotPositive: (a) => `LP deposits are closed while the vault's equity is not positive (${usd(a.vaultEquityWad)})`,
  VaultExposureCapExceeded: (a) => `${market(a.marketId)}: the vault's net exposure would reach ${usd(a.exposureWad)}, above its cap of ${usd(a.capWad)}`,
  VaultWithdrawalBelowFloor: (a) => `the LP withdrawal would leave the vault's equity at ${usd(a.equityAfterWad)}, below its solvency floor ${usd(a.floorWad)}`,
  VaultWithdrawalProfitStop: (a) =>
    `LP withdrawals are stopped: traders' unrealised profit ${usd(a.tradersProfitWad)} reaches ${ratio(a.stopRatioWad)} of the vault's equity after it (${usd(a.equityAfterWad)})`,
  ZeroAddress: () => "an address argument is zero",
  ZeroAmount: () => "the amount is zero",
  ZeroShares: () => "the vault operation would issue or burn no shares",
  ZeroSizeDelta: () => "the trade's size delta is zero",
};
