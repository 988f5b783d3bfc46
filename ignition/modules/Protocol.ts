import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractFuture, Future } from "@nomicfoundation/ignition-core";
import { MARKET_PRESETS, PROTOCOL_CONFIG, feedAnswer, marketConfig, symbolBytes32 } from "../presets.js";

/**
 * The whole system on a local chain: the mock USDC and one mock feed per preset market, then the registry,
 * the engine and the backstop vault, wired together, with ETH-USD and BTC-USD listed.
 * On a real network use `ProductionProtocol` with a parameters file naming the token and the feeds.
 */
export default buildModule("Protocol", (m) => {
  const admin = m.getAccount(0);
  const usdc = m.contract("MockUSDC", []);

  const registry = m.contract("MarketRegistry", [admin, PROTOCOL_CONFIG]);
  const solvencyModule = m.contract("SolvencyModule", [usdc, registry]);
  const liquidationModule = m.contract("LiquidationModule", [usdc, registry, solvencyModule]);
  const engine = m.contract("PerpEngine", [usdc, registry, liquidationModule, admin]);
  const vault = m.contract("BackstopVault", [usdc, engine]);
  m.call(engine, "setVault", [vault]);
  // From here on every listing and parameter change is published to the engine.
  const bound = m.call(registry, "bindEngine", [engine]);
  const lens = m.contract("PerpLens", [engine]);

  const feeds: Record<string, ContractFuture<string>> = {};
  let previous: Future = bound;
  for (const preset of Object.values(MARKET_PRESETS)) {
    const id = preset.symbol.replace("-", "");
    const feed = m.contract("MockAggregator", [8, `${preset.symbol} mock`, feedAnswer(preset.initialPrice)], {
      id: `Feed${id}`,
    });
    feeds[id] = feed;
    // Listing order fixes the market ids (1, 2, ...), so each listing waits for the previous one.
    previous = m.call(registry, "listMarket", [symbolBytes32(preset.symbol), marketConfig(preset, feed)], {
      id: `List${id}`,
      after: [previous, feed],
    });
  }

  return { usdc, registry, solvencyModule, liquidationModule, engine, vault, lens, feedETHUSD: feeds.ETHUSD, feedBTCUSD: feeds.BTCUSD };
});
