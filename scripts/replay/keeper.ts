/**
 * The keeper the replay runs: the project's own (`@open-waterfall/keeper`), in-process, ticked after every
 * block so what it sends lands in the next one.
 */
import type { Account } from "viem";
import type { ChainConnection } from "./chain.ts";
import type { Deployment } from "./deploy.ts";

/** A keeper as the replay drives it. */
export type ReplayKeeper = { tick(): Promise<unknown>; stop(): Promise<void> };

/** Thrown when the keeper package cannot be loaded or lacks its programmatic API. */
export class KeeperUnavailableError extends Error {
  override name = "KeeperUnavailableError" as const;
}

type KeeperModule = {
  createKeeper?: (p: { config: unknown; publicClient: unknown; walletClients: unknown[] }) => {
    tick(): Promise<unknown>;
    stop(): Promise<void> | void;
  };
};

/** Parameters of {@link createReplayKeeper}. */
export type CreateReplayKeeperParameters = { conn: ChainConnection; d: Deployment; accounts: Account[]; marketIds: bigint[] };

/**
 * Builds the project's keeper over the replay's chain.
 * @throws {KeeperUnavailableError} when `@open-waterfall/keeper` has no `createKeeper` (not built yet: `npm run build:packages`).
 */
export async function createReplayKeeper(p: CreateReplayKeeperParameters): Promise<ReplayKeeper> {
  let mod: KeeperModule;
  try {
    const name = "@open-waterfall/keeper";
    // Loaded by name at run time: the keeper package is built by `npm run build:packages`.
    mod = (await import(name)) as KeeperModule;
  } catch (error) {
    throw new KeeperUnavailableError(`cannot load @open-waterfall/keeper (run \`npm run build:packages\`): ${(error as Error).message}`);
  }
  if (typeof mod.createKeeper !== "function") {
    throw new KeeperUnavailableError("@open-waterfall/keeper does not export createKeeper: build the keeper package (`npm run build:packages`)");
  }
  const keeper = mod.createKeeper({
    config: {
      rpcUrl: p.conn.rpcUrl ?? "http://127.0.0.1:8545",
      chainId: p.conn.chain.id,
      engine: p.d.engine,
      lens: p.d.lens,
      registry: p.d.registry,
      markets: p.marketIds.map(Number),
    },
    publicClient: p.conn.publicClient,
    walletClients: p.accounts.map((a) => p.conn.wallet(a)),
  });
  return { tick: () => keeper.tick(), stop: async () => void (await keeper.stop()) };
}
