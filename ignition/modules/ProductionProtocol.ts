import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Future } from "@nomicfoundation/ignition-core";
import { MARKET_PRESETS, PROTOCOL_CONFIG, marketConfig, symbolBytes32 } from "../presets.js";

const DEFAULT_ADMIN_ROLE = "0x0000000000000000000000000000000000000000000000000000000000000000";
const PAUSER_ROLE = "0x65d7a28e3265b37a6474929f336521b332c1681b933f6cb9f3376673440d862a"; // keccak256("PAUSER_ROLE")

/**
 * The system on a real network, from a parameters file (see ignition/parameters/): the collateral token and
 * the Chainlink feeds are existing contracts; nothing is mocked. The deployer lists the markets, then hands
 * every role to `admin` (a timelock or multisig) and `pauseGuardian`, and renounces its own.
 *
 *   npx hardhat ignition deploy ignition/modules/ProductionProtocol.ts --network <net> \
 *     --parameters ignition/parameters/arbitrum-one.example.json (copy it and set admin and pauseGuardian first)
 */
export default buildModule("ProductionProtocol", (m) => {
  const deployer = m.getAccount(0);
  const admin = m.getParameter<string>("admin");
  const pauseGuardian = m.getParameter<string>("pauseGuardian");
  const collateral = m.getParameter<string>("collateral");

  const registry = m.contract("MarketRegistry", [deployer, PROTOCOL_CONFIG]);
  const solvencyModule = m.contract("SolvencyModule", [collateral, registry]);
  const liquidationModule = m.contract("LiquidationModule", [collateral, registry, solvencyModule]);
  const engine = m.contract("PerpEngine", [collateral, registry, liquidationModule, deployer]);
  const vault = m.contract("BackstopVault", [collateral, engine]);
  const vaultSet = m.call(engine, "setVault", [vault]);
  const lens = m.contract("PerpLens", [engine]);
  // From here on every listing and parameter change is published to the engine.
  const bound = m.call(registry, "bindEngine", [engine]);
  const sequencerSet = m.call(
    registry,
    "setSequencerFeed",
    [m.getParameter<string>("sequencerFeed"), m.getParameter<number>("sequencerGracePeriod", 3600)],
    { after: [bound] },
  );

  let previous: Future = sequencerSet;
  for (const preset of Object.values(MARKET_PRESETS)) {
    const id = preset.symbol.replace("-", "");
    // Risk parameters come from the presets (a δ at least the feed's own keeps margins conservative);
    // the feed and its heartbeat are the network's.
    const config = {
      ...marketConfig(preset, m.getParameter<string>(`${id}Feed`)),
      heartbeat: m.getParameter<number>(`${id}Heartbeat`, preset.heartbeatSeconds),
    };
    previous = m.call(registry, "listMarket", [symbolBytes32(preset.symbol), config], {
      id: `List${id}`,
      after: [previous],
    });
  }

  // Hand over: the admin and guardian get their roles, then the deployer renounces its own.
  const grants = [
    m.call(registry, "grantRole", [DEFAULT_ADMIN_ROLE, admin], { id: "RegistryAdmin", after: [previous] }),
    m.call(engine, "grantRole", [DEFAULT_ADMIN_ROLE, admin], { id: "EngineAdmin", after: [vaultSet] }),
    m.call(engine, "grantRole", [PAUSER_ROLE, pauseGuardian], { id: "EnginePauser", after: [vaultSet] }),
  ];
  m.call(engine, "renounceRole", [PAUSER_ROLE, deployer], { id: "EngineRenouncePauser", after: grants });
  m.call(engine, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], { id: "EngineRenounceAdmin", after: grants });
  m.call(registry, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], { id: "RegistryRenounceAdmin", after: grants });

  return { registry, solvencyModule, liquidationModule, engine, vault, lens };
});
