/**
 * Positions: size, entry, mark, PnL, margin, leverage, liquidation price, the ADL tier, the five lights and the
 * exact standing; add or remove margin, resize, close.
 */
import { formatDuration, formatLeverage, formatPercent, formatPrice, formatSignedUsd, formatSize, formatUsd, type PositionDetails } from "@open-waterfall/sdk";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { ActionButton } from "../components/Action.tsx";
import { Lights } from "../components/Lights.tsx";
import { Empty, QueryView } from "../components/states.tsx";
import { standingText } from "../adl/standing.ts";
import { useApp, usePerpWriter, useWallet } from "../context.tsx";
import { parseAmount } from "../format/input.ts";
import { assetOf, useMarkets } from "./Markets.tsx";

function PositionCard({ position, symbol }: { position: PositionDetails; symbol: string }) {
  const writer = usePerpWriter();
  const [marginText, setMarginText] = useState("100");
  const [resizeText, setResizeText] = useState("");
  const asset = assetOf(symbol);
  const disabled = writer === undefined || position.inLiquidation;
  const marginWad = () => parseAmount({ text: marginText, decimals: 6, field: "margin" }) * 10n ** 12n;
  return (
    <article className={`card position ${position.side}`} data-testid={`position-${symbol}`}>
      <header>
        <h3>
          {symbol} <span className={`badge ${position.side}`}>{position.side}</span>
        </h3>
        {position.inLiquidation ? <span className="badge bad">being liquidated</span> : position.liquidatable ? <span className="badge bad">liquidatable</span> : null}
      </header>
      <dl className="stats">
        <div>
          <dt>Size</dt>
          <dd data-testid="pos-size">{formatSize(position.sizeWad, asset)}</dd>
        </div>
        <div>
          <dt>Entry</dt>
          <dd>{formatPrice(position.entryPriceWad)}</dd>
        </div>
        <div>
          <dt>Mark</dt>
          <dd>{formatPrice(position.markPriceWad)}</dd>
        </div>
        <div>
          <dt>PnL</dt>
          <dd className={position.unrealisedPnlWad >= 0n ? "good" : "bad"}>{formatSignedUsd(position.unrealisedPnlWad)}</dd>
        </div>
        <div>
          <dt>Margin</dt>
          <dd>{formatUsd(position.marginWad)}</dd>
        </div>
        <div>
          <dt>Margin ratio</dt>
          <dd>{formatPercent(position.marginRatioWad)}</dd>
        </div>
        <div>
          <dt>Leverage</dt>
          <dd title="effective: notional / equity">
            {formatLeverage(position.effectiveLeverageWad)} (chosen {formatLeverage(position.chosenLeverageWad)})
          </dd>
        </div>
        <div>
          <dt>Liquidation price</dt>
          <dd data-testid="pos-liq">{formatPrice(position.liquidationPriceWad)}</dd>
        </div>
        <div>
          <dt>ADL tier</dt>
          <dd data-testid="pos-tier">
            {position.tier}
            {position.pendingTierDrop === undefined ? null : (
              <small>
                {" "}
                (drops to {position.pendingTierDrop.tier} after {formatDuration(position.pendingTierDrop.dueAt - BigInt(Math.floor(Date.now() / 1000)))})
              </small>
            )}
          </dd>
        </div>
      </dl>
      <div className="standing">
        <Lights level={position.adl.level} />
        <span data-testid="pos-standing">{standingText({ standing: position.adl, side: position.side, tier: position.tier })}</span>
      </div>
      <div className="forms compact">
        <label>
          Margin (USDC)
          <input inputMode="decimal" value={marginText} onChange={(e) => setMarginText(e.target.value)} data-testid="margin-amount" />
        </label>
        <ActionButton testId="add-margin" disabled={disabled} run={async () => writer?.addMargin({ marketId: position.marketId, amountWad: marginWad() })}>
          Add margin
        </ActionButton>
        <ActionButton testId="remove-margin" disabled={disabled} run={async () => writer?.removeMargin({ marketId: position.marketId, amountWad: marginWad() })}>
          Remove margin
        </ActionButton>
        <label>
          Resize by ({asset}, negative reduces a long)
          <input inputMode="decimal" value={resizeText} onChange={(e) => setResizeText(e.target.value)} data-testid="resize-amount" placeholder="e.g. -0.5" />
        </label>
        <ActionButton
          testId="resize"
          disabled={disabled}
          run={async () => {
            const negative = resizeText.trim().startsWith("-");
            const magnitude = parseAmount({ text: negative ? resizeText.trim().slice(1) : resizeText, decimals: 18, field: "resize" });
            return writer?.trade({ marketId: position.marketId, sizeDeltaWad: negative ? -magnitude : magnitude });
          }}
        >
          Resize
        </ActionButton>
        <ActionButton testId="close" disabled={disabled} run={async () => writer?.closePosition({ marketId: position.marketId })}>
          Close
        </ActionButton>
      </div>
    </article>
  );
}

export function PositionsPage() {
  const { perp } = useApp();
  const { address } = useWallet();
  const markets = useMarkets();
  const account = useQuery({
    queryKey: ["positions", address],
    enabled: address !== undefined,
    refetchInterval: 2_000,
    queryFn: () => perp.getAccount({ account: address as `0x${string}` }),
  });
  if (address === undefined) return <Empty>Connect a wallet to see your positions.</Empty>;
  const symbolOf = (id: bigint) => markets.data?.find((m) => m.marketId === id)?.symbol ?? `Market ${id}`;
  return (
    <section>
      <h2>Positions</h2>
      <QueryView query={account} what="positions">
        {(details) => {
          const positions = details.positions;
          return positions.length === 0 ? (
            <Empty>No open position. Open one from the Trade page.</Empty>
          ) : (
            <div className="grid">
              {positions.map((p) => (
                <PositionCard key={p.marketId.toString()} position={p} symbol={symbolOf(p.marketId)} />
              ))}
            </div>
          );
        }}
      </QueryView>
    </section>
  );
}
