/**
 * The test-account connector: a wagmi connector backed by a funded development key, so the app can be used and
 * tested on the local devnet without a browser extension. It signs in the page; it is offered only when the
 * deployment config lists test accounts, which the config allows on the local chain only.
 */
import { createWalletClient, http, numberToHex, type Chain, type EIP1193RequestFn, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createConnector } from "wagmi";

/** The connector type wagmi reports, also used to label the connection as a test account in the UI. */
export const TEST_ACCOUNT_CONNECTOR_TYPE = "testAccount";

/** Parameters of {@link testAccountConnector}. */
export type TestAccountConnectorParameters = {
  /** The development key. */
  privateKey: Hex;
  /** Shown in the connect menu. */
  label: string;
  /** The local chain. */
  chain: Chain;
  /** Its JSON-RPC URL. */
  rpcUrl: string;
};

/**
 * A connector for one development key.
 *
 * @param parameters - {@link TestAccountConnectorParameters}
 */
export function testAccountConnector({ privateKey, label, chain, rpcUrl }: TestAccountConnectorParameters) {
  const account = privateKeyToAccount(privateKey);
  const rpc = http(rpcUrl)({ chain });
  let connected = false;
  const request: EIP1193RequestFn = async ({ method, params }) => {
    if (method === "eth_accounts" || method === "eth_requestAccounts") return (connected || method === "eth_requestAccounts" ? [account.address] : []) as never;
    if (method === "eth_chainId") return numberToHex(chain.id) as never;
    return rpc.request({ method, params } as never) as never;
  };
  const provider = { request };
  return createConnector<typeof provider>((config) => ({
    id: `test-account-${account.address.toLowerCase()}`,
    name: `Test account · ${label}`,
    type: TEST_ACCOUNT_CONNECTOR_TYPE,
    async connect(parameters) {
      connected = true;
      const accounts = parameters?.withCapabilities === true ? [{ address: account.address, capabilities: {} }] : [account.address];
      return { accounts: accounts as never, chainId: chain.id };
    },
    async disconnect() {
      connected = false;
    },
    async getAccounts() {
      return connected ? [account.address] : [];
    },
    async getChainId() {
      return chain.id;
    },
    async getProvider() {
      return provider;
    },
    // Writes sign with the local key: wagmi hands this client to the app instead of one over the provider.
    async getClient() {
      return createWalletClient({ account, chain, transport: http(rpcUrl) });
    },
    async isAuthorized() {
      return false;
    },
    onAccountsChanged(accounts) {
      config.emitter.emit("change", { accounts: accounts as Hex[] });
    },
    onChainChanged(chainId) {
      config.emitter.emit("change", { chainId: Number(chainId) });
    },
    onDisconnect() {
      connected = false;
      config.emitter.emit("disconnect");
    },
  }));
}
