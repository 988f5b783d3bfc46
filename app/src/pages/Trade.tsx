/** The trade ticket: side, size or leverage, margin, slippage; a live SDK preview; decoded errors. */
import { formatPrice } from "@open-waterfall/sdk";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { ActionButton } from "../components/Action.tsx";
import { Lights } from "../components/Lights.tsx";
import { Empty, ErrorBox, Loading, QueryView } from "../components/states.tsx";
import { useApp, usePerpWriter, useWallet } from "../context.tsx";
import { buildTradeRequest, previewRows, type TicketInput, type TradeRequest } from "../ticket/ticket.ts";
import { assetOf, useMarkets } from "./Markets.tsx";

const INITIAL: TicketInput = { side: "long", mode: "leverage", size: "1", leverage: "10", margin: "500", slippagePercent: "0.5" };

export function TradePage() {
  const markets = useMarkets();
  const { perp } = useApp();
  const { address } = useWallet();
  const writer = usePerpWriter();
  const [marketId, setMarketId] = useState(1n);
  const [input, setInput] = useState<TicketInput>(INITIAL);
  const market = markets.data?.find((m) => m.marketId === marketId);
  let request: TradeRequest | undefined;
  let inputError: unknown;
  try {
    if (market !== undefined) request = buildTradeRequest({ input, priceWad: market.priceWad });
  } catch (error) {
    inputError = error;
  }
  const preview = useQuery({
    queryKey: ["preview", address, marketId.toString(), request?.sizeDeltaWad.toString(), request?.marginWad.toString()],
    enabled: address !== undefined && request !== undefined,
    refetchInterval: 3_000,
    retry: false,
    queryFn: () =>
      perp.previewTrade({ account: address as `0x${string}`, marketId, sizeDeltaWad: (request as TradeRequest).sizeDeltaWad, marginWad: (request as TradeRequest).marginWad }),
  });
  const set = (patch: Partial<TicketInput>) => setInput((old) => ({ ...old, ...patch }));
  return (
    <section>
      <h2>Trade</h2>
      <QueryView query={markets} what="markets">
        {(list) => (
          <form className="card ticket" onSubmit={(e) => e.preventDefault()}>
            <label>
              Market
              <select value={marketId.toString()} onChange={(e) => setMarketId(BigInt(e.target.value))} data-testid="ticket-market">
                {list.map((m) => (
                  <option key={m.marketId.toString()} value={m.marketId.toString()}>
                    {m.symbol} · {formatPrice(m.priceWad)}
                  </option>
                ))}
              </select>
            </label>
            <div className="toggle" role="group" aria-label="Side">
              {(["long", "short"] as const).map((side) => (
                <button key={side} type="button" className={input.side === side ? `on ${side}` : ""} onClick={() => set({ side })} data-testid={`side-${side}`}>
                  {side === "long" ? "Long" : "Short"}
                </button>
              ))}
            </div>
            <div className="toggle" role="group" aria-label="Size by">
              {(["leverage", "size"] as const).map((mode) => (
                <button key={mode} type="button" className={input.mode === mode ? "on" : ""} onClick={() => set({ mode })} data-testid={`mode-${mode}`}>
                  {mode === "leverage" ? "By leverage" : "By size"}
                </button>
              ))}
            </div>
            {input.mode === "size" ? (
              <label>
                Size ({assetOf(market?.symbol ?? "")})
                <input inputMode="decimal" value={input.size} onChange={(e) => set({ size: e.target.value })} data-testid="ticket-size" />
              </label>
            ) : (
              <label>
                Leverage (×)
                <input inputMode="decimal" value={input.leverage} onChange={(e) => set({ leverage: e.target.value })} data-testid="ticket-leverage" />
              </label>
            )}
            <label>
              Margin (USDC, from free collateral)
              <input inputMode="decimal" value={input.margin} onChange={(e) => set({ margin: e.target.value })} data-testid="ticket-margin" />
            </label>
            <label>
              Slippage tolerance (%)
              <input inputMode="decimal" value={input.slippagePercent} onChange={(e) => set({ slippagePercent: e.target.value })} data-testid="ticket-slippage" />
            </label>
            <div className="preview" data-testid="ticket-preview">
              <h3>Preview</h3>
              {inputError !== undefined ? (
                <ErrorBox error={inputError} testId="ticket-input-error" />
              ) : address === undefined ? (
                <Empty>Connect a wallet to preview against your free collateral.</Empty>
              ) : preview.isError ? (
                <ErrorBox error={preview.error} testId="ticket-preview-error" />
              ) : preview.data === undefined ? (
                <Loading what="preview" />
              ) : (
                <dl className="rows">
                  {previewRows({ preview: preview.data, asset: assetOf(market?.symbol ?? "") }).map((row) => (
                    <div key={row.key} data-testid={`preview-${row.key}`}>
                      <dt>{row.label}</dt>
                      <dd>
                        {row.value}
                        {row.key === "adl" ? <Lights level={preview.data.adl.level} /> : null}
                      </dd>
                    </div>
                  ))}
                </dl>
              )}
            </div>
            <ActionButton
              testId="ticket-submit"
              disabled={writer === undefined || request === undefined}
              run={async () => {
                if (writer === undefined || request === undefined) return;
                return writer.trade({ marketId, sizeDeltaWad: request.sizeDeltaWad, marginWad: request.marginWad, slippageBps: request.slippageBps });
              }}
            >
              {input.side === "long" ? "Buy / Long" : "Sell / Short"}
            </ActionButton>
          </form>
        )}
      </QueryView>
    </section>
  );
}
