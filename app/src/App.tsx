/** The shell: header with the wallet, the wrong-chain prompt, navigation by URL hash, and the pages. */
import { shortAddress } from "@open-waterfall/sdk";
import { useEffect, useState } from "react";
import { useConnect, useConnection, useConnectors, useDisconnect, useSwitchChain } from "wagmi";

import { ErrorBox } from "./components/states.tsx";
import { useApp, useWallet } from "./context.tsx";
import { AccountPage } from "./pages/Account.tsx";
import { LpPage } from "./pages/Lp.tsx";
import { MarketsPage } from "./pages/Markets.tsx";
import { PositionsPage } from "./pages/Positions.tsx";
import { ProtocolPage } from "./pages/Protocol.tsx";
import { TradePage } from "./pages/Trade.tsx";
import { TEST_ACCOUNT_CONNECTOR_TYPE } from "./wallet/testAccount.ts";

const PAGES = {
  markets: { title: "Markets", Page: MarketsPage },
  trade: { title: "Trade", Page: TradePage },
  positions: { title: "Positions", Page: PositionsPage },
  account: { title: "Account", Page: AccountPage },
  protocol: { title: "Protocol", Page: ProtocolPage },
  lp: { title: "LP", Page: LpPage },
} as const;
type PageId = keyof typeof PAGES;

function pageFromHash(): PageId {
  const id = window.location.hash.replace(/^#\/?/, "");
  return id in PAGES ? (id as PageId) : "markets";
}

function Wallet() {
  const { config } = useApp();
  const connection = useConnection();
  const connectors = useConnectors();
  const connect = useConnect();
  const disconnect = useDisconnect();
  const { address, connectorType } = useWallet();
  if (address !== undefined) {
    return (
      <div className="wallet">
        {connectorType === TEST_ACCOUNT_CONNECTOR_TYPE ? <span className="badge devnet">TEST ACCOUNT · devnet</span> : null}
        <span data-testid="connected-address" title={address}>
          {shortAddress(address)}
        </span>
        <button type="button" onClick={() => disconnect.mutate({ connector: connection.connector })}>
          Disconnect
        </button>
      </div>
    );
  }
  return (
    <div className="wallet">
      {connectors.map((c) => (
        <button
          key={c.uid}
          type="button"
          className={c.type === TEST_ACCOUNT_CONNECTOR_TYPE ? "devnet" : ""}
          onClick={() => connect.mutate({ connector: c, chainId: config.chainId })}
          data-testid={c.type === TEST_ACCOUNT_CONNECTOR_TYPE ? "connect-test-account" : "connect-injected"}
          disabled={connect.isPending}
        >
          {c.type === TEST_ACCOUNT_CONNECTOR_TYPE ? c.name : "Connect wallet"}
        </button>
      ))}
      {connect.isError ? <ErrorBox error={connect.error} /> : null}
    </div>
  );
}

function WrongChain() {
  const { config } = useApp();
  const { wrongChain } = useWallet();
  const switchChain = useSwitchChain();
  if (!wrongChain) return null;
  return (
    <div className="banner warn" role="alert" data-testid="wrong-chain">
      Your wallet is on another network. This deployment lives on {config.chainName} (chain id {config.chainId}).
      <button type="button" onClick={() => switchChain.mutate({ chainId: config.chainId })}>
        Switch network
      </button>
      {switchChain.isError ? <ErrorBox error={switchChain.error} /> : null}
    </div>
  );
}

export function App() {
  const { config } = useApp();
  const [page, setPage] = useState<PageId>(pageFromHash);
  useEffect(() => {
    const onHash = () => setPage(pageFromHash());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const { Page } = PAGES[page];
  return (
    <div className="app">
      <header className="top">
        <h1>open-waterfall</h1>
        <span className="chain" data-testid="chain">
          {config.chainName} · {config.chainId}
        </span>
        <Wallet />
      </header>
      <WrongChain />
      <nav>
        {(Object.keys(PAGES) as PageId[]).map((id) => (
          <a key={id} href={`#/${id}`} className={id === page ? "on" : ""} data-testid={`nav-${id}`}>
            {PAGES[id].title}
          </a>
        ))}
      </nav>
      <main>
        <Page />
      </main>
    </div>
  );
}
