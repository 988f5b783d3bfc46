/**
 * Writes. Each one checks its inputs, reads what it needs, computes the sorted-list hints and the acceptable
 * price itself, simulates the call (a revert is thrown as a typed error before anything is sent), sends it,
 * waits for the receipt and returns it with the protocol events it emitted, decoded. Every write throws only
 * the errors of {@link WriteErrorType}.
 */
import { encodeFunctionData, maxUint256, parseSignature, type Abi, type Account, type Address, type Chain, type Hash, type TransactionReceipt, type Transport, type WalletClient } from "viem";

import { backstopVaultAbi, collateralTokenAbi, marketRegistryAbi, perpEngineAbi } from "../abi/generated.ts";
import { computeInsertHints } from "../adl/queue.ts";
import type { ProtocolDeployment } from "../deployment/deployment.ts";
import { InvalidInputError, SdkError } from "../errors/base.ts";
import { toSdkError } from "../errors/normalize.ts";
import { TransactionRevertedError, type WriteErrorType } from "../errors/protocol.ts";
import { compileSelection, getProtocolLogs, type AnyProtocolLog, type AnyPublicClient } from "../events/logs.ts";
import { chosenLeverage, tierOf, type AdlTier } from "../math/position.ts";
import { previewTrade, type TradePreview } from "./preview.ts";

/** A wallet client with an account (the sender). */
export type AnyWalletClient = WalletClient<Transport, Chain | undefined, Account>;

/** What every write needs. */
export type WriteContext = {
  /** Reads, simulations and receipts. */
  publicClient: AnyPublicClient;
  /** Signs and sends. */
  walletClient: AnyWalletClient;
  /** The protocol's addresses. */
  deployment: ProtocolDeployment;
};

/** What every write returns. */
export type WriteResult = {
  /** The transaction's hash. */
  readonly hash: Hash;
  /** Its receipt (status "success"). */
  readonly receipt: TransactionReceipt;
  /** The protocol events it emitted, decoded, in order. */
  readonly events: readonly AnyProtocolLog[];
};

/** A write that previewed a trade first. */
export type TradeResult = WriteResult & {
  /** The preview the hints and the acceptable price came from. */
  readonly preview: TradePreview;
  /** The acceptable price sent. */
  readonly acceptablePriceWad: bigint;
};

/** Gas added to every estimate on top of 25%. */
const GAS_MARGIN = 50_000n;
/** The per-transaction gas cap since Osaka (EIP-7825): 2^24. */
const MAX_TRANSACTION_GAS = 16_777_216n;

type CallRequest = { address: Address; abi: Abi; functionName: string; args: readonly unknown[] };

/**
 * Simulates, sends and confirms one call. Reverts in the simulation are thrown as {@link ProtocolError} (or
 * {@link ContractRevertError}); a mined revert as {@link TransactionRevertedError}.
 */
export async function execute(context: WriteContext, call: CallRequest): Promise<WriteResult> {
  const { publicClient, walletClient, deployment } = context;
  let hash: Hash;
  let gas: bigint;
  try {
    const { request } = await publicClient.simulateContract({ ...call, account: walletClient.account, chain: walletClient.chain } as never);
    // The estimate is exact for the simulated block; the mined block can take a costlier path (funding accrues
    // once time has passed), so a margin keeps the transaction from running out of gas.
    const estimate = await publicClient.estimateContractGas({ ...call, account: walletClient.account } as never);
    gas = (estimate * 5n) / 4n + GAS_MARGIN;
    if (gas > MAX_TRANSACTION_GAS) gas = MAX_TRANSACTION_GAS;
    hash = await walletClient.writeContract({ ...(request as object), gas } as never);
  } catch (error) {
    throw toSdkError(error);
  }
  let receipt: TransactionReceipt;
  try {
    receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  } catch (error) {
    throw toSdkError(error);
  }
  if (receipt.status !== "success") {
    if (receipt.gasUsed >= gas) {
      throw new TransactionRevertedError({ receipt, functionName: call.functionName, cause: new SdkError({ shortMessage: `ran out of gas (limit ${gas})` }) });
    }
    let cause: unknown;
    try {
      // Replayed on the state the block left: the reason the transaction failed is usually still there.
      const data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args } as never);
      await publicClient.call({ account: walletClient.account.address, to: call.address, data, blockNumber: receipt.blockNumber });
    } catch (error) {
      cause = toSdkError(error);
    }
    throw new TransactionRevertedError({ receipt, functionName: call.functionName, cause });
  }
  const compiled = compileSelection({ deployment });
  const events: AnyProtocolLog[] = [];
  for (const log of receipt.logs) {
    const decoded = compiled.decode({
      address: log.address,
      topics: log.topics,
      data: log.data,
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
      logIndex: log.logIndex,
      transactionHash: log.transactionHash,
      transactionIndex: log.transactionIndex,
    });
    if (decoded !== undefined) events.push(decoded);
  }
  return { hash, receipt, events };
}

function positive(parameter: string, value: bigint): void {
  if (value <= 0n) throw new InvalidInputError({ parameter, reason: `must be positive, got ${value}` });
}

function checkSlippage(slippageBps: number): void {
  if (!Number.isInteger(slippageBps) || slippageBps < 0 || slippageBps > 10_000) {
    throw new InvalidInputError({ parameter: "slippageBps", reason: `must be an integer in 0..10000, got ${slippageBps}` });
  }
}

/**
 * The acceptable price for a fill price and a slippage tolerance: above it when buying (rounded up), below
 * when selling (rounded down).
 *
 * @param parameters - The expected worst fill price, the side and the tolerance in basis points.
 */
export function acceptablePrice({ fillPriceWad, buying, slippageBps }: { fillPriceWad: bigint; buying: boolean; slippageBps: number }): bigint {
  checkSlippage(slippageBps);
  const bps = BigInt(slippageBps);
  return buying ? (fillPriceWad * (10_000n + bps) + 9_999n) / 10_000n : (fillPriceWad * (10_000n - bps)) / 10_000n;
}

async function ensureAllowance(context: WriteContext, spender: Address, amountTokenUnits: bigint): Promise<void> {
  const { publicClient, walletClient, deployment } = context;
  const allowance = await publicClient
    .readContract({ address: deployment.collateral, abi: collateralTokenAbi, functionName: "allowance", args: [walletClient.account.address, spender] })
    .catch((error: unknown) => {
      throw toSdkError(error);
    });
  if (allowance >= amountTokenUnits) return;
  await execute(context, { address: deployment.collateral, abi: collateralTokenAbi, functionName: "approve", args: [spender, maxUint256] });
}

/** Parameters of {@link deposit}. */
export type DepositParameters = {
  /** Amount in the token's decimals (USDC: 6). */
  amountTokenUnits: bigint;
  /** "permit" (default: one transaction, an EIP-2612 signature) or "approve" (an approval first when needed). */
  method?: "permit" | "approve";
  /** Permit deadline, unix seconds (default: an hour from now). */
  deadline?: bigint;
};

/**
 * Deposits collateral into the sender's free collateral, with a permit signature by default.
 *
 * @param context - {@link WriteContext}
 * @param parameters - {@link DepositParameters}
 */
export async function deposit(context: WriteContext, parameters: DepositParameters): Promise<WriteResult> {
  positive("amountTokenUnits", parameters.amountTokenUnits);
  const { publicClient, walletClient, deployment } = context;
  if ((parameters.method ?? "permit") === "approve") {
    await ensureAllowance(context, deployment.engine, parameters.amountTokenUnits);
    return execute(context, { address: deployment.engine, abi: perpEngineAbi, functionName: "deposit", args: [parameters.amountTokenUnits] });
  }
  const owner = walletClient.account.address;
  const deadline = parameters.deadline ?? BigInt(Math.floor(Date.now() / 1000) + 3600);
  let signature: `0x${string}`;
  try {
    const [[, name, version, chainId, verifyingContract], nonce] = await Promise.all([
      publicClient.readContract({ address: deployment.collateral, abi: collateralTokenAbi, functionName: "eip712Domain" }),
      publicClient.readContract({ address: deployment.collateral, abi: collateralTokenAbi, functionName: "nonces", args: [owner] }),
    ]);
    signature = await walletClient.signTypedData({
      account: walletClient.account,
      domain: { name, version, chainId, verifyingContract },
      types: {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      },
      primaryType: "Permit",
      message: { owner, spender: deployment.engine, value: parameters.amountTokenUnits, nonce, deadline },
    });
  } catch (error) {
    throw toSdkError(error);
  }
  const { r, s, v, yParity } = parseSignature(signature);
  const vNumber = v === undefined ? yParity + 27 : Number(v);
  return execute(context, {
    address: deployment.engine,
    abi: perpEngineAbi,
    functionName: "depositWithPermit",
    args: [parameters.amountTokenUnits, deadline, vNumber, r, s],
  });
}

/**
 * Withdraws free collateral to the sender.
 *
 * @param context - {@link WriteContext}
 * @param parameters - The amount in the token's decimals.
 */
export async function withdraw(context: WriteContext, parameters: { amountTokenUnits: bigint }): Promise<WriteResult> {
  positive("amountTokenUnits", parameters.amountTokenUnits);
  return execute(context, { address: context.deployment.engine, abi: perpEngineAbi, functionName: "withdraw", args: [parameters.amountTokenUnits] });
}

/** Parameters of {@link trade}. */
export type TradeParameters = {
  /** The market. */
  marketId: bigint;
  /** Signed size to buy (> 0) or sell (< 0), in units. */
  sizeDeltaWad: bigint;
  /** Collateral moved from free collateral into the position when opening or increasing (fee included). */
  marginWad?: bigint;
  /** Slippage tolerance on the previewed worst fill, in basis points (default 50 = 0.5%). */
  slippageBps?: number;
  /** An explicit acceptable price instead of the slippage tolerance. */
  acceptablePriceWad?: bigint;
};

/**
 * Opens, increases, reduces or flips a position: previews it, sets the acceptable price and the list hints,
 * simulates and sends.
 *
 * @param context - {@link WriteContext}
 * @param parameters - {@link TradeParameters}
 */
export async function trade(context: WriteContext, parameters: TradeParameters): Promise<TradeResult> {
  checkSlippage(parameters.slippageBps ?? 50);
  const { publicClient, walletClient, deployment } = context;
  const preview = await previewTrade({
    client: publicClient,
    deployment,
    account: walletClient.account.address,
    marketId: parameters.marketId,
    sizeDeltaWad: parameters.sizeDeltaWad,
    ...(parameters.marginWad === undefined ? {} : { marginWad: parameters.marginWad }),
  });
  const acceptable =
    parameters.acceptablePriceWad ??
    acceptablePrice({ fillPriceWad: preview.worstFillPriceWad, buying: parameters.sizeDeltaWad > 0n, slippageBps: parameters.slippageBps ?? 50 });
  const result = await execute(context, {
    address: deployment.engine,
    abi: perpEngineAbi,
    functionName: "trade",
    args: [parameters.marketId, parameters.sizeDeltaWad, parameters.marginWad ?? 0n, acceptable, preview.hints],
  });
  return { ...result, preview, acceptablePriceWad: acceptable };
}

/**
 * Closes the sender's whole position in a market at an acceptable price from the slippage tolerance.
 *
 * @param context - {@link WriteContext}
 * @param parameters - The market and the tolerance in basis points (default 50).
 * @throws {InvalidInputError} When there is no position.
 */
export async function closePosition(context: WriteContext, parameters: { marketId: bigint; slippageBps?: number }): Promise<TradeResult> {
  const slippageBps = parameters.slippageBps ?? 50;
  checkSlippage(slippageBps);
  const { publicClient, walletClient, deployment } = context;
  const position = await publicClient
    .readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "positionOf", args: [walletClient.account.address, parameters.marketId] })
    .catch((error: unknown) => {
      throw toSdkError(error);
    });
  if (position.sizeWad === 0n) throw new InvalidInputError({ parameter: "marketId", reason: `no position in market ${parameters.marketId}` });
  const preview = await previewTrade({ client: publicClient, deployment, account: walletClient.account.address, marketId: parameters.marketId, sizeDeltaWad: -position.sizeWad });
  const acceptable = acceptablePrice({ fillPriceWad: preview.worstFillPriceWad, buying: position.sizeWad < 0n, slippageBps });
  const result = await execute(context, { address: deployment.engine, abi: perpEngineAbi, functionName: "closePosition", args: [parameters.marketId, acceptable] });
  return { ...result, preview, acceptablePriceWad: acceptable };
}

/**
 * Moves free collateral into a position's margin (or, with `fromWallet`, tokens straight from the wallet).
 *
 * @param context - {@link WriteContext}
 * @param parameters - The market and the amount (`amountWad` from free collateral, or `amountTokenUnits` from the wallet).
 */
export async function addMargin(
  context: WriteContext,
  parameters: { marketId: bigint; amountWad: bigint } | { marketId: bigint; amountTokenUnits: bigint; fromWallet: true }
): Promise<WriteResult> {
  const { deployment } = context;
  if ("fromWallet" in parameters) {
    positive("amountTokenUnits", parameters.amountTokenUnits);
    await ensureAllowance(context, deployment.engine, parameters.amountTokenUnits);
    return execute(context, { address: deployment.engine, abi: perpEngineAbi, functionName: "depositAndAddMargin", args: [parameters.marketId, parameters.amountTokenUnits] });
  }
  positive("amountWad", parameters.amountWad);
  return execute(context, { address: deployment.engine, abi: perpEngineAbi, functionName: "addMargin", args: [parameters.marketId, parameters.amountWad] });
}

/** The hints for re-inserting a position into `tier` at its J (none for tier 0, which is in no list). */
async function hintsFor(context: WriteContext, marketId: bigint, isLong: boolean, tier: AdlTier, jWad: bigint, accountId: number): Promise<number[]> {
  if (tier === 0) return [];
  return computeInsertHints({ client: context.publicClient, deployment: context.deployment, marketId, isLong, tier, jWad, accountId });
}

/**
 * Moves margin back to free collateral; when the higher leverage raises the ADL tier, the hints for the new
 * list are computed.
 *
 * @param context - {@link WriteContext}
 * @param parameters - The market and the amount in USD (WAD).
 */
export async function removeMargin(context: WriteContext, parameters: { marketId: bigint; amountWad: bigint }): Promise<WriteResult> {
  positive("amountWad", parameters.amountWad);
  const { publicClient, walletClient, deployment } = context;
  const account = walletClient.account.address;
  const [p, id, config] = await Promise.all([
    publicClient.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "positionOf", args: [account, parameters.marketId] }),
    publicClient.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "accountIdOf", args: [account] }),
    publicClient.readContract({ address: deployment.registry, abi: marketRegistryAbi, functionName: "marketConfig", args: [parameters.marketId] }),
  ]).catch((error: unknown) => {
    throw toSdkError(error);
  });
  let hints: number[] = [];
  if (p.sizeWad !== 0n && parameters.amountWad <= p.marginWad) {
    const b = config.tierBoundsX1e4;
    const target = tierOf({
      leverageWad: chosenLeverage({ sizeWad: p.sizeWad, marginWad: p.marginWad - parameters.amountWad, jWad: p.jWad, f0Wad: p.f0Wad }),
      tierBoundsX1e4: [b[0] ?? 0, b[1] ?? 0, b[2] ?? 0, b[3] ?? 0],
    });
    if (target > p.tier) hints = await hintsFor(context, parameters.marketId, p.sizeWad > 0n, target, p.jWad, id);
  }
  return execute(context, { address: deployment.engine, abi: perpEngineAbi, functionName: "removeMargin", args: [parameters.marketId, parameters.amountWad, hints] });
}

/**
 * Applies a position's pending ADL tier drop once due (anyone may), with hints for the lower tier's list.
 *
 * @param context - {@link WriteContext}
 * @param parameters - The position's owner and market.
 */
export async function applyTierDrop(context: WriteContext, parameters: { account: Address; marketId: bigint }): Promise<WriteResult> {
  const { publicClient, deployment } = context;
  const [p, id] = await Promise.all([
    publicClient.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "positionOf", args: [parameters.account, parameters.marketId] }),
    publicClient.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "accountIdOf", args: [parameters.account] }),
  ]).catch((error: unknown) => {
    throw toSdkError(error);
  });
  const hints = p.pendingTierSince === 0 ? [] : await hintsFor(context, parameters.marketId, p.sizeWad > 0n, p.pendingTier as AdlTier, p.jWad, id);
  return execute(context, { address: deployment.engine, abi: perpEngineAbi, functionName: "applyTierDrop", args: [parameters.account, parameters.marketId, hints] });
}

/**
 * Deposits assets into the backstop vault (ERC-4626), approving it first when needed.
 *
 * @param context - {@link WriteContext}
 * @param parameters - Assets in token units and the share receiver (default the sender).
 */
export async function lpDeposit(context: WriteContext, parameters: { assetsTokenUnits: bigint; receiver?: Address }): Promise<WriteResult> {
  positive("assetsTokenUnits", parameters.assetsTokenUnits);
  await ensureAllowance(context, context.deployment.vault, parameters.assetsTokenUnits);
  return execute(context, {
    address: context.deployment.vault,
    abi: backstopVaultAbi,
    functionName: "deposit",
    args: [parameters.assetsTokenUnits, parameters.receiver ?? context.walletClient.account.address],
  });
}

/**
 * Withdraws assets from the backstop vault: `assetsTokenUnits` (ERC-4626 withdraw) or `shares` (redeem).
 *
 * @param context - {@link WriteContext}
 * @param parameters - The amount and the receiver (default the sender).
 */
export async function lpWithdraw(
  context: WriteContext,
  parameters: ({ assetsTokenUnits: bigint } | { shares: bigint }) & { receiver?: Address }
): Promise<WriteResult> {
  const owner = context.walletClient.account.address;
  const receiver = parameters.receiver ?? owner;
  if ("shares" in parameters) {
    positive("shares", parameters.shares);
    return execute(context, { address: context.deployment.vault, abi: backstopVaultAbi, functionName: "redeem", args: [parameters.shares, receiver, owner] });
  }
  positive("assetsTokenUnits", parameters.assetsTokenUnits);
  return execute(context, { address: context.deployment.vault, abi: backstopVaultAbi, functionName: "withdraw", args: [parameters.assetsTokenUnits, receiver, owner] });
}

/**
 * Liquidates (or continues the liquidation of) one position.
 *
 * @param context - {@link WriteContext}
 * @param parameters - The position's owner and market.
 */
export async function liquidate(context: WriteContext, parameters: { account: Address; marketId: bigint }): Promise<WriteResult> {
  return execute(context, { address: context.deployment.engine, abi: perpEngineAbi, functionName: "liquidate", args: [parameters.account, parameters.marketId] });
}

/**
 * Liquidates (or continues) several positions of one market in one call; positions no longer liquidatable are
 * skipped (LiquidationSkipped), not reverted.
 *
 * @param context - {@link WriteContext}
 * @param parameters - The market and the owners.
 */
export async function liquidateBatch(context: WriteContext, parameters: { marketId: bigint; accounts: readonly Address[] }): Promise<WriteResult> {
  if (parameters.accounts.length === 0) throw new InvalidInputError({ parameter: "accounts", reason: "the list is empty" });
  return execute(context, { address: context.deployment.engine, abi: perpEngineAbi, functionName: "liquidateBatch", args: [parameters.marketId, parameters.accounts] });
}

/**
 * Continues the liquidations left in progress in a market (found from the Liquidated events with size
 * remaining, unless `accounts` is given).
 *
 * @param context - {@link WriteContext}
 * @param parameters - The market, optionally the owners.
 * @throws {InvalidInputError} When no position of the market is in liquidation.
 */
export async function continueLiquidations(context: WriteContext, parameters: { marketId: bigint; accounts?: readonly Address[] }): Promise<WriteResult> {
  const { publicClient, deployment } = context;
  let accounts = parameters.accounts;
  if (accounts === undefined) {
    const logs = await getProtocolLogs({ client: publicClient, deployment, events: ["Liquidated"] });
    const candidates = [...new Set(logs.filter((l) => l.args.marketId === parameters.marketId && l.args.remainingSizeWad > 0n).map((l) => l.args.account))];
    const states = await Promise.all(
      candidates.map((account) => publicClient.readContract({ address: deployment.engine, abi: perpEngineAbi, functionName: "positionOf", args: [account, parameters.marketId] }))
    ).catch((error: unknown) => {
      throw toSdkError(error);
    });
    accounts = candidates.filter((_, i) => states[i]?.inLiquidation === true);
  }
  if (accounts.length === 0) throw new InvalidInputError({ parameter: "marketId", reason: `no position in market ${parameters.marketId} is in liquidation` });
  return liquidateBatch(context, { marketId: parameters.marketId, accounts });
}

/**
 * Vault-solvency ADL: deleverages a side whose profit exceeds the trigger ratio of the vault's equity.
 *
 * @param context - {@link WriteContext}
 * @param parameters - The market and the side.
 */
export async function deleverageForSolvency(context: WriteContext, parameters: { marketId: bigint; isLong: boolean }): Promise<WriteResult> {
  return execute(context, { address: context.deployment.engine, abi: perpEngineAbi, functionName: "deleverageForSolvency", args: [parameters.marketId, parameters.isLong] });
}
