/**
 * Sends the keeper's transactions from one or more signers, each with its own nonce counter, and sees them through:
 *
 * - Nonces are assigned locally (no `eth_getTransactionCount` per send, no two transactions with one nonce), taken
 *   from the node's pending count at the first send and again after any error that may have desynchronised them.
 * - Local accounts are signed here, so the hash is known before the node answers: "already known" then simply
 *   means sent. "Nonce too low" resynchronises and retries with the next free nonce.
 * - A transaction still unmined after the replacement wait is sent again with the same nonce and fees raised by the
 *   bump (and at least the node's current suggestion); "replacement underpriced" raises them once more. Every hash
 *   sent for a nonce is remembered, so whichever one is mined is found.
 * - Each signer's submissions are serialised (one lock per signer); different signers send concurrently.
 */
import {
  type Account,
  type Address,
  type Chain,
  type Hex,
  keccak256,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";

import type { KeeperLogger } from "../log.ts";
import type { KeeperMetrics } from "../metrics/metrics.ts";
import type { GasPolicy } from "../config/schema.ts";
import { classifySubmissionError, errorText } from "./rpcErrors.ts";

/** What a transaction does, for metrics and logs. */
export type TxKind = "liquidate" | "poke" | "tierDrop" | "solvencyAdl";

/** A transaction to send. */
export type TxRequest = {
  /** Target. */
  readonly to: Address;
  /** Calldata. */
  readonly data: Hex;
  /** Gas limit (from an estimate, with margin). */
  readonly gas: bigint;
  /** What it does. */
  readonly kind: TxKind;
};

/** A transaction handed to the node and not yet settled. */
export type SentTx = {
  /** The request. */
  readonly request: TxRequest;
  /** The signer. */
  readonly signer: Address;
  /** Its nonce. */
  readonly nonce: number;
  /** The latest hash sent for this nonce. */
  hash: Hex;
  /** Every hash sent for this nonce (replacements), oldest first. */
  readonly hashes: Hex[];
  /** Fees of the latest submission, wei. */
  maxFeePerGas: bigint;
  /** Priority fee of the latest submission, wei. */
  maxPriorityFeePerGas: bigint;
  /** Wall-clock ms of the first submission. */
  readonly firstSentAtMs: number;
  /** Wall-clock ms of the latest submission. */
  lastSentAtMs: number;
  /** Replacements sent so far. */
  replacements: number;
};

/** How a transaction ended. */
export type Settlement = {
  /** The transaction. */
  readonly tx: SentTx;
  /** mined (success), reverted, or dropped (its nonce was used by a transaction that is not one of ours). */
  readonly status: "mined" | "reverted" | "dropped";
  /** The receipt, when mined or reverted. */
  readonly receipt: TransactionReceipt | undefined;
};

/** Thrown when a transaction cannot be handed to the node. */
export class SubmissionError extends Error {
  override readonly name = "SubmissionError";
  /** What the node said, classified. */
  readonly kind: string;

  /** @param kind - The classification. @param cause - The node's error. */
  constructor(kind: string, cause: unknown) {
    super(`transaction not accepted (${kind}): ${errorText(cause).slice(0, 300)}`, { cause });
    this.kind = kind;
  }
}

/** A wallet client that has an account. */
export type SignerClient = WalletClient<Transport, Chain | undefined, Account>;

type Signer = {
  readonly client: SignerClient;
  readonly address: Address;
  nextNonce: number | undefined;
  readonly pending: Map<number, SentTx>;
  lock: Promise<unknown>;
};

/** Parameters of the {@link TransactionManager} constructor. */
export type TransactionManagerParameters = {
  /** Reads (nonces, fees, receipts) and raw submissions. */
  publicClient: PublicClient;
  /** One wallet client per signer, each with its account. */
  walletClients: readonly SignerClient[];
  /** Fees and replacement policy. */
  gas: GasPolicy;
  /** Logger. */
  logger: KeeperLogger;
  /** Metrics. */
  metrics: KeeperMetrics;
  /** Wall clock (tests may pass their own). */
  now?: () => number;
};

const SUBMIT_ATTEMPTS = 4;

/** See the module comment. */
export class TransactionManager {
  readonly #publicClient: PublicClient;
  readonly #signers: Signer[];
  readonly #gas: GasPolicy;
  readonly #logger: KeeperLogger;
  readonly #metrics: KeeperMetrics;
  readonly #now: () => number;
  #chainId: number | undefined;

  /** @param parameters - {@link TransactionManagerParameters} */
  constructor(parameters: TransactionManagerParameters) {
    this.#publicClient = parameters.publicClient;
    this.#gas = parameters.gas;
    this.#logger = parameters.logger;
    this.#metrics = parameters.metrics;
    this.#now = parameters.now ?? Date.now;
    this.#signers = parameters.walletClients.map((client) => ({
      client,
      address: client.account.address,
      nextNonce: undefined,
      pending: new Map(),
      lock: Promise.resolve(),
    }));
  }

  /** The signers' addresses, in order. */
  get signers(): Address[] {
    return this.#signers.map((s) => s.address);
  }

  /** Transactions sent and not settled, all signers. */
  pending(): SentTx[] {
    return this.#signers.flatMap((s) => [...s.pending.values()]);
  }

  /**
   * Sends a transaction from a signer with its next nonce. Resolves once the node has accepted it into its pool.
   *
   * @param signerIndex - Which signer.
   * @param request - The transaction.
   * @returns The sent transaction.
   * @throws {SubmissionError} When the node refuses it for a reason a retry cannot fix here.
   */
  async send(signerIndex: number, request: TxRequest): Promise<SentTx> {
    const signer = this.#signers[signerIndex];
    if (signer === undefined) throw new RangeError(`no signer ${signerIndex} (have ${this.#signers.length})`);
    return this.#locked(signer, async () => {
      const fees = await this.#freshFees();
      let lastError: unknown;
      for (let attempt = 0; attempt < SUBMIT_ATTEMPTS; attempt++) {
        signer.nextNonce ??= await this.#pendingNonce(signer);
        const nonce = signer.nextNonce;
        try {
          const hash = await this.#submit(signer, request, nonce, fees);
          signer.nextNonce = nonce + 1;
          const now = this.#now();
          const tx: SentTx = {
            request,
            signer: signer.address,
            nonce,
            hash,
            hashes: [hash],
            maxFeePerGas: fees.maxFeePerGas,
            maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
            firstSentAtMs: now,
            lastSentAtMs: now,
            replacements: 0,
          };
          signer.pending.set(nonce, tx);
          this.#metrics.transactions.inc({ kind: request.kind, event: "sent" });
          this.#logger.info({ kind: request.kind, signer: signer.address, nonce, hash, gas: request.gas, maxFeePerGas: fees.maxFeePerGas }, "transaction sent");
          return tx;
        } catch (error) {
          lastError = error;
          const kind = classifySubmissionError(error);
          // Any failure may mean our counter and the node disagree: read it again before the next send.
          signer.nextNonce = undefined;
          if (kind === "nonceTooLow" || kind === "replacementUnderpriced") {
            // The nonce is taken (by a transaction mined, or one pending from an earlier run): use the next free one.
            this.#logger.warn({ signer: signer.address, nonce, kind }, "nonce already in use; resynchronising");
            continue;
          }
          throw new SubmissionError(kind, error);
        }
      }
      throw new SubmissionError(classifySubmissionError(lastError), lastError);
    });
  }

  /**
   * Checks every pending transaction: settles those whose nonce was used, replaces those stuck past the wait.
   *
   * @returns The transactions settled by this check.
   */
  async poll(): Promise<Settlement[]> {
    const settled = await Promise.all(
      this.#signers.map((signer) => (signer.pending.size === 0 ? Promise.resolve([]) : this.#locked(signer, () => this.#pollSigner(signer))))
    );
    return settled.flat();
  }

  /**
   * Forgets the nonce counters: the next send reads them from the node again (after a restart of the node, or when
   * another process used the same key).
   */
  resync(): void {
    for (const signer of this.#signers) signer.nextNonce = undefined;
  }

  async #pollSigner(signer: Signer): Promise<Settlement[]> {
    const settled: Settlement[] = [];
    const minedNonce = await this.#publicClient.getTransactionCount({ address: signer.address, blockTag: "latest" });
    for (const tx of [...signer.pending.values()].sort((a, b) => a.nonce - b.nonce)) {
      if (tx.nonce < minedNonce) {
        const receipt = await this.#findReceipt(tx);
        const status = receipt === undefined ? "dropped" : receipt.status === "success" ? "mined" : "reverted";
        signer.pending.delete(tx.nonce);
        this.#metrics.transactions.inc({ kind: tx.request.kind, event: status });
        this.#logger.info({ kind: tx.request.kind, signer: signer.address, nonce: tx.nonce, hash: receipt?.transactionHash ?? tx.hash, status, replacements: tx.replacements }, "transaction settled");
        settled.push({ tx, status, receipt });
      } else if (this.#now() - tx.lastSentAtMs >= this.#gas.replacementWaitMs && tx.replacements < this.#gas.maxReplacements) {
        await this.#replace(signer, tx);
      }
    }
    return settled;
  }

  async #findReceipt(tx: SentTx): Promise<TransactionReceipt | undefined> {
    for (const hash of [...tx.hashes].reverse()) {
      try {
        return await this.#publicClient.getTransactionReceipt({ hash });
      } catch (error) {
        if (!/could not be found|not found/i.test(errorText(error))) throw error;
      }
    }
    return undefined;
  }

  async #replace(signer: Signer, tx: SentTx): Promise<void> {
    const fresh = await this.#freshFees();
    let fees = this.#bumped(tx, fresh);
    for (let attempt = 0; attempt < SUBMIT_ATTEMPTS; attempt++) {
      if (fees === undefined) {
        this.#logger.warn({ signer: signer.address, nonce: tx.nonce, hash: tx.hash, cap: this.#gas.maxFeePerGasWei }, "stuck transaction cannot be replaced under the fee cap");
        tx.replacements = this.#gas.maxReplacements;
        return;
      }
      try {
        const hash = await this.#submit(signer, tx.request, tx.nonce, fees);
        tx.hash = hash;
        tx.hashes.push(hash);
        tx.maxFeePerGas = fees.maxFeePerGas;
        tx.maxPriorityFeePerGas = fees.maxPriorityFeePerGas;
        tx.lastSentAtMs = this.#now();
        tx.replacements++;
        this.#metrics.transactions.inc({ kind: tx.request.kind, event: "replaced" });
        this.#logger.warn({ kind: tx.request.kind, signer: signer.address, nonce: tx.nonce, hash, maxFeePerGas: fees.maxFeePerGas, replacement: tx.replacements }, "stuck transaction replaced with a higher fee");
        return;
      } catch (error) {
        const kind = classifySubmissionError(error);
        if (kind === "nonceTooLow") return; // mined meanwhile: the next poll settles it
        if (kind === "replacementUnderpriced" || kind === "feeTooLow") {
          fees = this.#bumped({ maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }, fresh);
          continue;
        }
        throw new SubmissionError(kind, error);
      }
    }
  }

  /** Fees raised by the bump over `previous`, and at least the node's current suggestion; undefined above the cap. */
  #bumped(previous: Fees, fresh: Fees): Fees | undefined {
    const bump = (value: bigint) => (value * BigInt(100 + this.#gas.feeBumpPercent)) / 100n + 1n;
    const priority = max(bump(previous.maxPriorityFeePerGas), fresh.maxPriorityFeePerGas);
    let maxFee = max(bump(previous.maxFeePerGas), fresh.maxFeePerGas, priority);
    const cap = this.#gas.maxFeePerGasWei;
    if (cap !== undefined && maxFee > cap) {
      // Nodes want both fees at least 10% up; below that a replacement is refused anyway.
      if (cap < (previous.maxFeePerGas * 110n) / 100n + 1n) return undefined;
      maxFee = cap;
    }
    return { maxFeePerGas: maxFee, maxPriorityFeePerGas: priority > maxFee ? maxFee : priority };
  }

  async #freshFees(): Promise<Fees> {
    const estimate = await this.#publicClient.estimateFeesPerGas({ type: "eip1559", chain: null });
    let priority = this.#gas.priorityFeeWei ?? estimate.maxPriorityFeePerGas;
    let maxFee = max(estimate.maxFeePerGas, priority);
    const cap = this.#gas.maxFeePerGasWei;
    if (cap !== undefined && maxFee > cap) maxFee = cap;
    if (priority > maxFee) priority = maxFee;
    return { maxFeePerGas: maxFee, maxPriorityFeePerGas: priority };
  }

  async #pendingNonce(signer: Signer): Promise<number> {
    return this.#publicClient.getTransactionCount({ address: signer.address, blockTag: "pending" });
  }

  async #submit(signer: Signer, request: TxRequest, nonce: number, fees: Fees): Promise<Hex> {
    const account = signer.client.account;
    if (account.type === "local") {
      this.#chainId ??= await this.#publicClient.getChainId();
      const serialized = await account.signTransaction({
        type: "eip1559",
        chainId: this.#chainId,
        to: request.to,
        data: request.data,
        gas: request.gas,
        nonce,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        value: 0n,
      });
      const hash = keccak256(serialized);
      try {
        await this.#publicClient.request({ method: "eth_sendRawTransaction", params: [serialized] });
      } catch (error) {
        if (classifySubmissionError(error) !== "alreadyKnown") throw error;
      }
      return hash;
    }
    // A node-held account (eth_sendTransaction): the node signs, so the hash comes back from it.
    return signer.client.sendTransaction({
      account,
      chain: signer.client.chain ?? null,
      to: request.to,
      data: request.data,
      gas: request.gas,
      nonce,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
  }

  async #locked<T>(signer: Signer, work: () => Promise<T>): Promise<T> {
    const run = signer.lock.then(work, work);
    signer.lock = run.catch(() => undefined);
    return run;
  }
}

type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

function max(...values: bigint[]): bigint {
  return values.reduce((a, b) => (a > b ? a : b));
}
