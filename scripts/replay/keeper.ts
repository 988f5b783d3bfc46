/**
 * The keeper the replay runs: the project's own (keeper/), in-process, configured through its own schema and
 * ticked after every block so what it sends lands in the next one.
 */
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
// The keeper's public entry point, from its source: Node strips the types, so the replay does not wait for
// the keeper package's build.
import { createKeeper, createLogger, loadConfig } from "../../keeper/src/index.ts";
import type { ChainConnection } from "./chain.ts";
import type { Deployment } from "./deploy.ts";

/** A keeper as the replay drives it. */
export type ReplayKeeper = { tick(): Promise<unknown>; stop(): Promise<void> };

/** Parameters of {@link createReplayKeeper}. */
export type CreateReplayKeeperParameters = {
  conn: ChainConnection;
  d: Deployment;
  /** The keeper's signer keys (funded accounts). */
  privateKeys: Hex[];
  marketIds: bigint[];
  /** First block the keeper reads events from (the deployment's). */
  fromBlock: bigint;
  /**
   * pino level of the keeper's logs, written to stderr. Default: KEEPER_LOG_LEVEL when set, else silent, so the
   * progress bar stays readable (the CLI's --verbose sets info).
   */
  logLevel?: string;
};

/** Builds the project's keeper over the replay's chain, configured by its own schema (validated first). */
export function createReplayKeeper(p: CreateReplayKeeperParameters): ReplayKeeper {
  const config = loadConfig({
    env: {
      KEEPER_RPC_URLS: p.conn.rpcUrl ?? "http://127.0.0.1:8545",
      KEEPER_ENGINE_ADDRESS: p.d.engine,
      KEEPER_LENS_ADDRESS: p.d.lens,
      KEEPER_FROM_BLOCK: String(p.fromBlock),
      KEEPER_MARKETS: p.marketIds.join(","),
      KEEPER_PRIVATE_KEYS: p.privateKeys.join(","),
      KEEPER_LOG_LEVEL: "warn",
      KEEPER_MAX_TX_GAS: String(p.conn.txGasCap),
    },
  });
  const level = p.logLevel ?? process.env.KEEPER_LOG_LEVEL ?? "silent";
  const logger = createLogger({ level, destination: process.stderr });
  const keeper = createKeeper({ config, logger, publicClient: p.conn.publicClient, walletClients: p.privateKeys.map((k) => p.conn.wallet(privateKeyToAccount(k))) });
  return { tick: () => keeper.tick(), stop: () => keeper.stop() };
}
