/**
 * One local node with the protocol deployed, for a test file: clients for the dev accounts and a test client
 * (snapshots, time, mining) that works on both Hardhat's node and anvil.
 */
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  type Address,
  type Chain,
  type HDAccount,
  type HttpTransport,
  type PublicClient,
  type TestClient,
  type WalletClient,
  type WriteContractParameters,
} from "viem";
import { foundry } from "viem/chains";

import { collateralTokenAbi, mockAggregatorAbi } from "../abi/generated.ts";
import { deployProtocol, devAccount, startLocalNode, type LocalDeployment, type LocalNode, type LocalNodeKind } from "../testing/index.ts";

export type TestWalletClient = WalletClient<HttpTransport, Chain, HDAccount>;

export type TestEnv = {
  kind: LocalNodeKind;
  node: LocalNode;
  deployment: LocalDeployment;
  chain: Chain;
  publicClient: PublicClient<HttpTransport, Chain>;
  testClient: TestClient<"anvil" | "hardhat", HttpTransport, Chain>;
  accounts: HDAccount[];
  walletFor(account: HDAccount): TestWalletClient;
  adminWrite(request: WriteContractParameters): Promise<void>;
  setFeedAnswer(feed: Address, answer: bigint): Promise<void>;
  mint(to: Address, amountTokenUnits: bigint): Promise<void>;
  stop(): Promise<void>;
};

/** Starts a node of `kind`, deploys the protocol onto it and builds the clients. */
export async function startEnv(kind: LocalNodeKind, rpcUrlOverride?: (node: LocalNode) => string): Promise<TestEnv> {
  const node = await startLocalNode({ kind });
  try {
    const deployment: LocalDeployment = await deployProtocol({
      rpcUrl: node.rpcUrl,
      deploymentId: `sdk-test-${kind}-${node.port}-${process.pid}`,
      cleanup: true,
    });
    const chain: Chain = { ...foundry, id: node.chainId };
    const rpcUrl = rpcUrlOverride?.(node) ?? node.rpcUrl;
    const publicClient: PublicClient<HttpTransport, Chain> = createPublicClient({ chain, transport: http(rpcUrl, { retryCount: 0 }), pollingInterval: 50, cacheTime: 0 });
    const testClient: TestClient<"anvil" | "hardhat", HttpTransport, Chain> = createTestClient({ chain, mode: kind, transport: http(node.rpcUrl, { retryCount: 0 }) });
    const accounts: HDAccount[] = [0, 1, 2, 3, 4, 5, 6].map((i) => devAccount(i));
    const walletFor = (account: HDAccount): TestWalletClient => createWalletClient({ chain, account, transport: http(rpcUrl, { retryCount: 0 }) });
    const admin = walletFor(accounts[0] as HDAccount);

    /** Sends a transaction from the admin and waits for it. */
    async function adminWrite(request: WriteContractParameters): Promise<void> {
      const hash = await admin.writeContract(request as never);
      const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      if (receipt.status !== "success") throw new Error(`admin transaction reverted: ${hash}`);
    }

    return {
      kind,
      node,
      deployment,
      chain,
      publicClient,
      testClient,
      accounts,
      walletFor,
      adminWrite,
      /** Publishes a new round on a feed, `answer` in the feed's 8 decimals. */
      async setFeedAnswer(feed: Address, answer: bigint): Promise<void> {
        await adminWrite({ address: feed, abi: mockAggregatorAbi, functionName: "setPrice", args: [answer], account: admin.account, chain });
      },
      /** Mints mock USDC (6 decimals) to an address. */
      async mint(to: Address, amountTokenUnits: bigint): Promise<void> {
        await adminWrite({ address: deployment.collateral, abi: collateralTokenAbi, functionName: "mint", args: [to, amountTokenUnits], account: admin.account, chain });
      },
      stop: () => node.stop(),
    };
  } catch (error) {
    await node.stop();
    throw error;
  }
}
