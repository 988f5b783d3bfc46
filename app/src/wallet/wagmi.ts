/**
 * The wagmi config for a deployment: its chain, an injected EIP-1193 wallet (MetaMask and the like) and, on the
 * local devnet, one test-account connector per funded development key.
 */
import { createPublicClient, defineChain, http, type Chain, type PublicClient } from "viem";
import { createConfig, type Config } from "wagmi";
import { injected } from "wagmi/connectors";

import type { AppConfig } from "../config/appConfig.ts";
import { testAccountConnector } from "./testAccount.ts";

/**
 * The deployment's chain as viem describes chains.
 *
 * @param config - The app config.
 */
export function chainOf(config: AppConfig): Chain {
  return defineChain({
    id: config.chainId,
    name: config.chainName,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
}

/**
 * The wagmi config.
 *
 * @param config - The app config.
 */
export function createWagmiConfig(config: AppConfig): Config {
  const chain = chainOf(config);
  return createConfig({
    chains: [chain],
    connectors: [
      injected(),
      ...config.testAccounts.map((a) => testAccountConnector({ privateKey: a.privateKey, label: a.label, chain, rpcUrl: config.rpcUrl })),
    ],
    transports: { [chain.id]: http(config.rpcUrl) },
    multiInjectedProviderDiscovery: false,
  });
}

/**
 * The public client the app reads through (the SDK's reads, previews and logs).
 *
 * @param config - The app config.
 */
export function createAppPublicClient(config: AppConfig): PublicClient {
  return createPublicClient({ chain: chainOf(config), transport: http(config.rpcUrl), pollingInterval: 1_000 }) as PublicClient;
}
