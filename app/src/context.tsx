/**
 * The app's shared state: the deployment config, the public client and the SDK's read client; and the SDK's
 * write client for the connected wallet when it is on the right chain.
 */
import { createPerpClient, type AnyWalletClient, type PerpReadClient, type PerpWriteActions } from "@open-waterfall/sdk";
import { createContext, useContext, useMemo } from "react";
import type { PublicClient } from "viem";
import { useConnection, useWalletClient } from "wagmi";

import type { AppConfig } from "./config/appConfig.ts";

/** What every page reads through. */
export type AppContextValue = {
  readonly config: AppConfig;
  readonly publicClient: PublicClient;
  readonly perp: PerpReadClient;
};

export const AppContext = createContext<AppContextValue | undefined>(undefined);

/** The app context; throws outside the provider. */
export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (value === undefined) throw new Error("useApp outside AppContext");
  return value;
}

/** The connected account and whether its chain is the deployment's. */
export function useWallet(): { address: `0x${string}` | undefined; wrongChain: boolean; connectorType: string | undefined } {
  const { config } = useApp();
  const connection = useConnection();
  const address = connection.status === "connected" ? connection.address : undefined;
  const wrongChain = address !== undefined && connection.chainId !== config.chainId;
  return { address, wrongChain, connectorType: connection.connector?.type };
}

/** The SDK's writes for the connected wallet; undefined when none is connected or it is on another chain. */
export function usePerpWriter(): (PerpReadClient & PerpWriteActions) | undefined {
  const { config, publicClient } = useApp();
  const { wrongChain } = useWallet();
  const { data: walletClient } = useWalletClient({ chainId: config.chainId });
  return useMemo(() => {
    if (walletClient === undefined || wrongChain) return undefined;
    return createPerpClient({ publicClient, walletClient: walletClient as unknown as AnyWalletClient, deployment: config.deployment });
  }, [walletClient, wrongChain, publicClient, config.deployment]);
}
