/**
 * The head of each ADL tier list of a market side, with the numbers the protocol page shows: who it is, the
 * leverage it chose, its profit, and how many positions the tier holds.
 */
import type { Address } from "viem";

import { getPosition } from "../client/reads.ts";
import type { ProtocolDeployment } from "../deployment/deployment.ts";
import type { AnyPublicClient } from "../events/logs.ts";
import { accountOfId, type AdlQueue } from "./queue.ts";

/** A tier's head. */
export type AdlHead = {
  readonly tier: 1 | 2 | 3 | 4;
  /** Positions in the tier list. */
  readonly members: number;
  /** Members flagged as being liquidated. */
  readonly inLiquidation: number;
  /** The head (undefined for an empty list). */
  readonly head:
    | {
        readonly account: Address;
        readonly sizeWad: bigint;
        readonly chosenLeverageWad: bigint;
        readonly unrealisedPnlWad: bigint;
      }
    | undefined;
};

/** Parameters of {@link adlHeads}. */
export type AdlHeadsParameters = {
  client: AnyPublicClient;
  deployment: ProtocolDeployment;
  /** The side's lists (SDK `readAdlQueue`). */
  queue: AdlQueue;
};

/**
 * Each tier's head, tier 4 first (the ADL order).
 *
 * @param parameters - {@link AdlHeadsParameters}
 */
export async function adlHeads({ client, deployment, queue }: AdlHeadsParameters): Promise<AdlHead[]> {
  const tiers = [4, 3, 2, 1] as const;
  return Promise.all(
    tiers.map(async (tier): Promise<AdlHead> => {
      const list = queue.tiers[tier - 1] ?? [];
      const inLiquidation = list.filter((m) => m.inLiquidation).length;
      const first = list[0];
      if (first === undefined) return { tier, members: 0, inLiquidation, head: undefined };
      const account = await accountOfId(client, deployment, first.accountId);
      const position = await getPosition({ client, deployment, account, marketId: queue.marketId });
      return {
        tier,
        members: list.length,
        inLiquidation,
        head: {
          account,
          sizeWad: first.sizeWad,
          chosenLeverageWad: position?.chosenLeverageWad ?? 0n,
          unrealisedPnlWad: position?.unrealisedPnlWad ?? 0n,
        },
      };
    })
  );
}
