/** Markets: price, a price chart from the oracle rounds, open interest per side, skew and funding rate. */
import { formatFundingRate, formatPrice, formatSize, formatUsdCompact, getPriceHistory, type Market } from "@open-waterfall/sdk";
import { useQuery } from "@tanstack/react-query";

import { LineChart } from "../components/Chart.tsx";
import { Empty, QueryView } from "../components/states.tsx";
import { useApp } from "../context.tsx";

/** "ETH-USD" → "ETH". */
export const assetOf = (symbol: string): string => symbol.split("-")[0] ?? symbol;

/** Every market, refreshed every 2 s. */
export function useMarkets() {
  const { perp } = useApp();
  return useQuery({ queryKey: ["markets"], queryFn: () => perp.getMarkets(), refetchInterval: 2_000 });
}

function MarketCard({ market }: { market: Market }) {
  const { publicClient, config } = useApp();
  const history = useQuery({
    queryKey: ["priceHistory", market.marketId.toString()],
    queryFn: () => getPriceHistory({ client: publicClient, deployment: config.deployment, marketId: market.marketId }),
    refetchInterval: 4_000,
  });
  const asset = assetOf(market.symbol);
  const skewSide = market.skewWad > 0n ? "long" : market.skewWad < 0n ? "short" : "flat";
  return (
    <article className="card market" data-testid={`market-${market.symbol}`}>
      <header>
        <h3>{market.symbol}</h3>
        <strong className="price" data-testid="market-price">
          {formatPrice(market.priceWad)}
        </strong>
        {market.priceFresh ? null : <span className="badge warn">stale oracle: last good price</span>}
      </header>
      <QueryView query={history} what="price history">
        {(points) => <LineChart points={points} label={`${market.symbol} oracle rounds`} format={formatPrice} />}
      </QueryView>
      <dl className="stats">
        <div>
          <dt>Open interest long</dt>
          <dd>{formatUsdCompact(market.longOpenInterestUsdWad)}</dd>
        </div>
        <div>
          <dt>Open interest short</dt>
          <dd>{formatUsdCompact(market.shortOpenInterestUsdWad)}</dd>
        </div>
        <div>
          <dt>Skew</dt>
          <dd>
            {formatSize(market.skewWad < 0n ? -market.skewWad : market.skewWad, asset)} {skewSide}
          </dd>
        </div>
        <div>
          <dt>Funding</dt>
          <dd title="positive: longs pay shorts">{formatFundingRate(market.fundingRatePerDayWad)}</dd>
        </div>
        <div>
          <dt>Bad debt</dt>
          <dd>{formatUsdCompact(market.badDebtWad)}</dd>
        </div>
      </dl>
    </article>
  );
}

export function MarketsPage() {
  const markets = useMarkets();
  return (
    <section>
      <h2>Markets</h2>
      <QueryView query={markets} what="markets">
        {(list) =>
          list.length === 0 ? (
            <Empty>No market is listed.</Empty>
          ) : (
            <div className="grid">
              {list.map((m) => (
                <MarketCard key={m.marketId.toString()} market={m} />
              ))}
            </div>
          )
        }
      </QueryView>
    </section>
  );
}
