/** Entry: load the deployment config, then mount wagmi, react-query and the app. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createPerpClient } from "@open-waterfall/sdk";
import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { WagmiProvider } from "wagmi";

import { App } from "./App.tsx";
import { ErrorBox, Loading } from "./components/states.tsx";
import { loadAppConfig } from "./config/loadConfig.ts";
import { AppContext, type AppContextValue } from "./context.tsx";
import "./styles.css";
import { createAppPublicClient, createWagmiConfig } from "./wallet/wagmi.ts";

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 1_000 } } });

type Boot = { state: "loading" } | { state: "error"; error: unknown } | { state: "ready"; app: AppContextValue; wagmi: ReturnType<typeof createWagmiConfig> };

function Root() {
  const [boot, setBoot] = useState<Boot>({ state: "loading" });
  useEffect(() => {
    loadAppConfig().then(
      (config) => {
        const publicClient = createAppPublicClient(config);
        const perp = createPerpClient({ publicClient, deployment: config.deployment });
        setBoot({ state: "ready", app: { config, publicClient, perp }, wagmi: createWagmiConfig(config) });
      },
      (error: unknown) => setBoot({ state: "error", error })
    );
  }, []);
  if (boot.state === "loading") return <Loading what="the deployment" />;
  if (boot.state === "error") return <ErrorBox error={boot.error} />;
  return (
    <WagmiProvider config={boot.wagmi}>
      <QueryClientProvider client={queryClient}>
        <AppContext.Provider value={boot.app}>
          <App />
        </AppContext.Provider>
      </QueryClientProvider>
    </WagmiProvider>
  );
}

const container = document.getElementById("root");
if (container === null) throw new Error("no #root element");
createRoot(container).render(
  <StrictMode>
    <Root />
  </StrictMode>
);
