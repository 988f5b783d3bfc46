/**
 * A whole crash replay: validate the price file, connect, deploy with Ignition, list the replayed market, fund
 * the vault and the insurance fund, seed the traders, start the keeper, replay, then read the report and the
 * invariants back from the chain and write the outputs.
 */
import { writeFile, mkdir } from "node:fs/promises";
import { dirname, basename } from "node:path";
import { marketRegistryAbi, mockAggregatorAbi } from "@open-waterfall/sdk";
import { formatUnits, keccak256, stringToHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { connectChain, type ChainConnection } from "./chain.ts";
import { deployProtocol, prepareReplayMarket } from "./deploy.ts";
import type { FeedMode } from "./feed.ts";
import { mainChartSvg, reportHtml } from "./html.ts";
import { checkInvariants, type InvariantResult } from "./invariants.ts";
import { createReplayKeeper } from "./keeper.ts";
import { Miner } from "./miner.ts";
import { marketParams, maxLeverageOf, type MarketParams } from "./params.ts";
import { planPopulation } from "./population.ts";
import { loadPrices } from "./prices.ts";
import { ProgressBar } from "./progress.ts";
import { runReplay } from "./replay.ts";
import { readReport, type ReportFigures, type SeriesPoint } from "./report.ts";
import { ETHER_PER_ACCOUNT, seedLp, seedTraders, withdrawLpToFloor } from "./seed.ts";
import { summaryTable } from "./table.ts";
import { WAD, usdToWad } from "./units.ts";

/** What a scenario is run with (the CLI's flags). */
export type ScenarioOptions = {
  prices: string;
  rpc?: string;
  traders: number;
  seed: number;
  insuranceUsd: number;
  /** Vault size in USD; default $5M per 500 traders (at least $5M). */
  vaultUsd?: number;
  lpWithdrawToFloor: boolean;
  feed: FeedMode;
  /** Deviation threshold in percent, when given. */
  deviationPercent?: number;
  heartbeatSec: number;
  out?: string;
  html?: string;
  /** Show progress bars on stderr. */
  progress: boolean;
  /** Show the keeper's logs (level info, or KEEPER_LOG_LEVEL) on stderr; quiet otherwise. */
  verbose?: boolean;
  /**
   * Called with the chain and the result after the report is written, before the connection closes (the
   * in-process network is gone after that): lets a caller read the chain the replay ran on.
   */
  inspect?: (conn: ChainConnection, result: ScenarioResult) => Promise<void>;
};

/** A scenario's result. */
export type ScenarioResult = {
  figures: ReportFigures;
  invariants: InvariantResult["invariants"];
  failures: string[];
  parameters: Record<string, string | number>;
  series: SeriesPoint[];
  table: string;
  seconds: number;
  blocks: { seedFrom: number; from: number; to: number };
  addresses: Record<string, string>;
  marketId: number;
};

const pct = (wad: bigint) => `${formatUnits(wad * 100n, 18)}%`;

/** The parameters a report prints. */
function describe(params: MarketParams, o: ScenarioOptions, vaultUsd: number): Record<string, string | number> {
  return {
    priceFile: basename(o.prices),
    market: params.symbol,
    parametersFrom: params.origin === "preset" ? "DESIGN local defaults for the asset" : "the deviation flag, at DESIGN's bounds",
    deviation: pct(params.deviationWad),
    heartbeatSeconds: params.heartbeatSec,
    tradingFeePerSide: pct(params.tradingFeeWad),
    latencyBuffer: pct(params.latencyBufferWad),
    mmr: pct(params.mmrWad),
    imr: pct(params.imrWad),
    maxLeverage: `${maxLeverageOf(params).toFixed(1)}x`,
    oiCapPerSideUsd: formatUnits(params.oiCapUsdWad, 18),
    feed: o.feed,
    traders: o.traders,
    seed: o.seed,
    vaultUsd,
    insuranceUsd: o.insuranceUsd,
    lpWithdrawToFloor: String(o.lpWithdrawToFloor),
    node: o.rpc ?? "in-process Hardhat network",
  };
}

/** A deterministic key for one of the replay's own roles (LP, oracle, keeper). */
const roleKey = (role: string, seed: number) => keccak256(stringToHex(`open-waterfall ${role} ${seed}`));
const roleAccount = (role: string, seed: number) => privateKeyToAccount(roleKey(role, seed));

/**
 * Runs one scenario end to end.
 * @throws {PriceFileError} before anything is deployed when the price file is malformed.
 */
export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const path = await loadPrices(o.prices);
  const params = marketParams({
    asset: path.asset,
    deviationWad: o.deviationPercent === undefined ? undefined : usdToWad((o.deviationPercent / 100).toFixed(12)),
    heartbeatSec: o.heartbeatSec,
  });
  const vaultUsd = o.vaultUsd ?? Math.max(5_000_000, Math.round((5_000_000 * o.traders) / 500));
  const conn = await connectChain(o.rpc);
  try {
    const d = await deployProtocol(conn);
    // Room for the population: the expected notional per side of the replayed market, twice over.
    const minOiCapUsdWad = usdToWad(Math.ceil(o.traders * 0.7 * 40_000 * 0.55 * 2));
    const market = await prepareReplayMarket(conn, d, {
      params,
      initialPriceWad: path.rows[0].priceWad,
      minOiCapUsdWad,
      reuseListed: params.origin === "preset",
    });
    await conn.setAutomine(false);
    const miner = await Miner.start(conn);
    const lp = roleAccount("lp", o.seed);
    const oracle = roleAccount("oracle", o.seed);
    const keeperKeys = [roleKey("keeper-1", o.seed), roleKey("keeper-2", o.seed)];
    const keepers = keeperKeys.map((k) => privateKeyToAccount(k));
    for (const a of [oracle, ...keepers]) await conn.setBalance(a.address, ETHER_PER_ACCOUNT);
    await seedLp({ conn, miner, d, lp, vaultUsd, insuranceUsd: o.insuranceUsd });

    const seedFromBlock = (await conn.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
    const others = [1n, 2n].filter((id) => id !== market.marketId);
    const configs = await Promise.all(
      [market.marketId, ...others].map((id) => conn.publicClient.readContract({ address: d.registry, abi: marketRegistryAbi, functionName: "marketConfig", args: [id] })),
    );
    const plans = planPopulation({
      traders: o.traders,
      seed: o.seed,
      markets: [
        { marketId: market.marketId, maxLeverage: maxLeverageOf(market.params), traderShare: 0.7, shortProbability: 0.55 },
        ...others.map((id, i) => ({ marketId: id, maxLeverage: Number(WAD) / Number(configs[i + 1].imrWad), traderShare: 0.3 / others.length, shortProbability: 0.5 })),
      ],
    });
    const bar = new ProgressBar("traders", o.progress);
    const seeded = await seedTraders({
      conn,
      miner,
      d,
      plans,
      markets: [market.marketId, ...others].map((id, i) => ({ marketId: id, tradingFeeWad: BigInt(configs[i].tradingFeeWad), tierBoundsX1e4: configs[i].tierBoundsX1e4 })),
      onProgress: (done, total) => bar.update(done / total, `${done}/${total}`),
    });
    bar.done(`${seeded.opened} opened`);
    if (o.lpWithdrawToFloor) await withdrawLpToFloor({ conn, miner, d, lp });

    const keeper = createReplayKeeper({ conn, d, privateKeys: keeperKeys, marketIds: [market.marketId, ...others], fromBlock: 0n, logLevel: o.verbose ? (process.env.KEEPER_LOG_LEVEL ?? "info") : undefined });
    const replayBar = new ProgressBar("replay", o.progress);
    const now = miner.nowSec;
    const otherFeeds = await Promise.all(
      others.map(async (id, i) => ({
        feed: d.feeds[Number(id)],
        heartbeatSec: Number(configs[i + 1].heartbeat),
        answer: (await conn.publicClient.readContract({ address: d.feeds[Number(id)], abi: mockAggregatorAbi, functionName: "latestRoundData" }))[1],
        lastPublishedSec: now - 1,
      })),
    );
    let run;
    try {
      run = await runReplay({
        conn,
        miner,
        oracle,
        feed: market.feed,
        path,
        mode: o.feed,
        deviationWad: market.params.deviationWad,
        heartbeatSec: market.params.heartbeatSec,
        otherFeeds,
        keeper,
        onProgress: (share) => replayBar.update(share, `block ${miner.blocksMined}`),
      });
    } finally {
      await keeper.stop();
    }
    replayBar.done();

    const reportBar = new ProgressBar("report", o.progress);
    reportBar.update(0, "reading the chain");
    const { figures, series } = await readReport({
      conn,
      d,
      marketId: market.marketId,
      feed: market.feed,
      traders: o.traders,
      seedFromBlock,
      fromBlock: run.fromBlock,
      toBlock: run.toBlock,
    });
    const inv = await checkInvariants(conn, d, run.toBlock, [...keepers, lp, oracle].map((a) => a.address));
    reportBar.done();
    const parameters = describe(market.params, o, vaultUsd);
    const table = summaryTable(figures, inv.invariants);
    const result: ScenarioResult = {
      figures,
      invariants: inv.invariants,
      failures: inv.failures,
      parameters,
      series,
      table,
      seconds: (Date.now() - started) / 1000,
      blocks: { seedFrom: Number(seedFromBlock), from: Number(run.fromBlock), to: Number(run.toBlock) },
      addresses: { engine: d.engine, vault: d.vault, registry: d.registry, lens: d.lens, usdc: d.usdc, feed: market.feed },
      marketId: Number(market.marketId),
    };
    await writeOutputs(o, result, market.symbol);
    await o.inspect?.(conn, result);
    return result;
  } finally {
    if (o.rpc) await conn.setAutomine(true).catch(() => undefined);
    await conn.close();
  }
}

async function writeOutputs(o: ScenarioOptions, r: ScenarioResult, symbol: string): Promise<void> {
  if (o.out) {
    await mkdir(dirname(o.out), { recursive: true });
    const json = { ...r.figures, invariants: r.invariants, invariantFailures: r.failures, parameters: r.parameters, blocks: r.blocks, addresses: r.addresses, marketId: r.marketId, runSeconds: r.seconds };
    await writeFile(o.out, `${JSON.stringify(json, null, 2)}\n`);
  }
  if (o.html) {
    await mkdir(dirname(o.html), { recursive: true });
    const title = `Crash replay: ${symbol}, ${basename(o.prices)}`;
    await writeFile(o.html, reportHtml({ title, symbol, figures: r.figures, invariants: r.invariants, parameters: r.parameters, series: r.series, table: r.table }));
    await writeFile(o.html.replace(/\.html?$/i, "") + ".svg", mainChartSvg(r.series, symbol, true));
  }
}
