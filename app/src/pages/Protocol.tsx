/**
 * The protocol page, the point of the design: each market's ADL order by tier with the head of each list, the
 * positions in liquidation, the insurance fund over time, the vault's equity, bad debt, and a live feed of
 * liquidations and ADL fills with their haircuts.
 */
import { adlHeads, FEED_EVENTS, feedItems, firstBlockWhere, formatLeverage, formatPercent, formatSignedUsd, formatSize, formatUsd, formatUsdCompact, perpEngineAbi, readHistory, sampleBlocks, shortAddress, type FeedLog, type Market } from "@open-waterfall/sdk";
import { useQuery } from "@tanstack/react-query";

import { LineChart } from "../components/Chart.tsx";
import { Empty, QueryView } from "../components/states.tsx";
import { useApp } from "../context.tsx";
import { assetOf, useMarkets } from "./Markets.tsx";

const HISTORY_SAMPLES = 16;

function AdlSide({ market, isLong }: { market: Market; isLong: boolean }) {
  const { publicClient, config, perp } = useApp();
  const heads = useQuery({
    queryKey: ["adlHeads", market.marketId.toString(), isLong],
    refetchInterval: 3_000,
    queryFn: async () => {
      const queue = await perp.getAdlQueue({ marketId: market.marketId, isLong });
      return adlHeads({ client: publicClient, deployment: config.deployment, queue });
    },
  });
  const asset = assetOf(market.symbol);
  return (
    <div className="adl-side" data-testid={`adl-${market.symbol}-${isLong ? "long" : "short"}`}>
      <h4>{isLong ? "Longs" : "Shorts"}: ADL order</h4>
      <QueryView query={heads} what="ADL lists">
        {(tiers) => (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Tier</th>
                  <th>Positions</th>
                  <th>Head</th>
                  <th>Size</th>
                  <th>Chosen lev.</th>
                  <th>Profit</th>
                </tr>
              </thead>
              <tbody>
                {tiers.map((t) => (
                  <tr key={t.tier}>
                    <td>{t.tier}</td>
                    <td>
                      {t.members}
                      {t.inLiquidation > 0 ? <small className="bad"> ({t.inLiquidation} in liq.)</small> : null}
                    </td>
                    {t.head === undefined ? (
                      <td colSpan={4} className="muted">
                        empty
                      </td>
                    ) : (
                      <>
                        <td>{shortAddress(t.head.account)}</td>
                        <td>{formatSize(t.head.sizeWad < 0n ? -t.head.sizeWad : t.head.sizeWad, asset)}</td>
                        <td>{formatLeverage(t.head.chosenLeverageWad)}</td>
                        <td className={t.head.unrealisedPnlWad > 0n ? "good" : t.head.unrealisedPnlWad < 0n ? "bad" : "muted"}>{formatSignedUsd(t.head.unrealisedPnlWad)}</td>
                      </>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </div>
  );
}

function Solvency() {
  const { perp, publicClient, config } = useApp();
  const state = useQuery({
    queryKey: ["solvency"],
    refetchInterval: 3_000,
    queryFn: async () => {
      const [vault, insuranceWad, badDebt] = await Promise.all([perp.getVault(), perp.getInsuranceFund(), perp.getBadDebt()]);
      return { vault, insuranceWad, badDebt };
    },
  });
  // History is sampled apart from the live numbers (reads at past blocks are slower), with one engine read per
  // sample and number.
  const history = useQuery({
    queryKey: ["solvencyHistory"],
    refetchInterval: 10_000,
    queryFn: async () => {
      const head = await publicClient.getBlockNumber();
      // The deployment's first block may come before the engine's: sample from the first block it has code.
      const start = await firstBlockWhere({
        fromBlock: config.deployment.deploymentBlock,
        toBlock: head,
        holds: async (blockNumber) => ((await publicClient.getCode({ address: config.deployment.engine, blockNumber })) ?? "0x") !== "0x",
      });
      if (start === undefined) return { insurance: [], equity: [] };
      const blocks = sampleBlocks({ fromBlock: start, toBlock: head, count: HISTORY_SAMPLES });
      const engine = { address: config.deployment.engine, abi: perpEngineAbi } as const;
      const [insurance, equity] = await Promise.all([
        readHistory({ client: publicClient, blocks, read: (blockNumber) => publicClient.readContract({ ...engine, functionName: "insuranceFundWad", blockNumber }) }),
        readHistory({ client: publicClient, blocks, read: (blockNumber) => publicClient.readContract({ ...engine, functionName: "vaultEquityWad", blockNumber }) }),
      ]);
      return { insurance, equity };
    },
  });
  const toPoints = (h: readonly { timestamp: bigint; valueWad: bigint }[]) => h.map((p) => ({ timestamp: p.timestamp, priceWad: p.valueWad }));
  return (
    <QueryView query={state} what="solvency">
      {(s) => (
        <div className="grid">
          <article className="card" data-testid="insurance-card">
            <h3>Insurance fund</h3>
            <strong className="big" data-testid="insurance-fund">
              {formatUsd(s.insuranceWad)}
            </strong>
            <QueryView query={history} what="history">
              {(h) => <LineChart points={toPoints(h.insurance)} label="Insurance fund over time" format={formatUsdCompact} />}
            </QueryView>
          </article>
          <article className="card">
            <h3>Vault equity</h3>
            <strong className="big" data-testid="vault-equity">
              {formatUsd(s.vault.equityWad)}
            </strong>
            <QueryView query={history} what="history">
              {(h) => <LineChart points={toPoints(h.equity)} label="Vault equity over time" format={formatUsdCompact} />}
            </QueryView>
            <dl className="stats">
              <div>
                <dt>Cash</dt>
                <dd>{formatUsdCompact(s.vault.cashWad)}</dd>
              </div>
              <div>
                <dt>Solvency floor</dt>
                <dd>{formatUsdCompact(s.vault.floorWad)}</dd>
              </div>
              <div>
                <dt>Traders' profit / equity</dt>
                <dd>{s.vault.equityWad > 0n ? formatPercent(s.vault.profitRatioWad) : "—"}</dd>
              </div>
              <div>
                <dt>Profit paid (φ)</dt>
                <dd>{formatPercent(s.vault.profitScaleWad)}</dd>
              </div>
              <div>
                <dt>Positions in liquidation</dt>
                <dd data-testid="in-liquidation">{s.vault.positionsInLiquidation.toString()}</dd>
              </div>
            </dl>
          </article>
          <article className="card">
            <h3>Bad debt</h3>
            <strong className={s.badDebt.totalWad > 0n ? "big bad" : "big"} data-testid="bad-debt">
              {formatUsd(s.badDebt.totalWad)}
            </strong>
            <p className="hint">Deficits beyond the insurance fund, the vault's floor and ADL haircuts. No loss is silent.</p>
          </article>
        </div>
      )}
    </QueryView>
  );
}

function Feed({ markets }: { markets: readonly Market[] }) {
  const { perp } = useApp();
  const logs = useQuery({
    queryKey: ["feed"],
    refetchInterval: 2_000,
    queryFn: () => perp.getLogs({ events: [...FEED_EVENTS] }) as Promise<FeedLog[]>,
  });
  const symbols = new Map(markets.map((m) => [m.marketId, m.symbol] as const));
  return (
    <QueryView query={logs} what="the feed">
      {(list) => {
        const items = feedItems({ logs: list, symbols });
        return items.length === 0 ? (
          <Empty>No liquidation or ADL fill yet.</Empty>
        ) : (
          <ol className="feed" data-testid="feed">
            {items.map((item) => (
              <li key={item.key} className={item.kind} data-testid={`feed-${item.kind}`}>
                <span className="block">#{item.blockNumber.toString()}</span> {item.text}
              </li>
            ))}
          </ol>
        );
      }}
    </QueryView>
  );
}

export function ProtocolPage() {
  const markets = useMarkets();
  return (
    <section>
      <h2>Protocol</h2>
      <p className="hint">
        Every loss has a public path: the liquidated margin, then the insurance fund, the vault down to its floor, ADL haircuts on the most
        leveraged profitable positions (tier 4 first), and only then bad debt.
      </p>
      <Solvency />
      <h3>Live feed: liquidations and ADL fills</h3>
      <QueryView query={markets} what="markets">
        {(list) => <Feed markets={list} />}
      </QueryView>
      <h3>ADL order</h3>
      <QueryView query={markets} what="markets">
        {(list) =>
          list.map((m) => (
            <article className="card" key={m.marketId.toString()}>
              <h3>{m.symbol}</h3>
              <div className="grid two">
                <AdlSide market={m} isLong />
                <AdlSide market={m} isLong={false} />
              </div>
            </article>
          ))
        }
      </QueryView>
    </section>
  );
}
