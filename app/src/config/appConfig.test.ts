import assert from "node:assert/strict";
import { test } from "node:test";

import { AppConfigError, parseAppConfig } from "./appConfig.ts";

const addresses = {
  "Protocol#MockUSDC": "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  "Protocol#MarketRegistry": "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
  "Protocol#PerpEngine": "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
  "Protocol#BackstopVault": "0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9",
  "Protocol#PerpLens": "0xdc64a140aa3e981100a9beca4e685f962f0cf6c9",
  "Protocol#FeedETHUSD": "0x5fc8d32690cc91d4c39d9d3abcbd16989f875707",
};
const key = `0x${"ab".repeat(32)}`;

test("test_parseAppConfig_readsIgnitionAddressesAndTestAccounts", () => {
  const config = parseAppConfig({ chainId: 31337, rpcUrl: "http://127.0.0.1:8545", deployedAddresses: addresses, deploymentBlock: "3", testAccounts: [{ label: "Trader", privateKey: key }] });
  assert.equal(config.deployment.engine, "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0");
  assert.equal(config.deployment.deploymentBlock, 3n);
  assert.equal(config.deployment.feeds["ETHUSD"], "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707");
  assert.equal(config.chainName, "Local devnet");
  assert.equal(config.testAccounts[0]?.privateKey, key);
});

test("test_parseAppConfig_refusesTestAccountsOffTheLocalChain", () => {
  assert.throws(
    () => parseAppConfig({ chainId: 1, rpcUrl: "http://127.0.0.1:8545", deployedAddresses: addresses, testAccounts: [{ label: "Trader", privateKey: key }] }),
    (e: unknown) => e instanceof AppConfigError && /testAccounts: test accounts are offered on the local devnet only/.test(e.message)
  );
});

test("test_parseAppConfig_listsEveryProblem", () => {
  assert.throws(
    () => parseAppConfig({ chainId: -1, rpcUrl: "nope", deployedAddresses: addresses }),
    (e: unknown) => e instanceof AppConfigError && /chainId/.test(e.message) && /rpcUrl/.test(e.message)
  );
});

test("test_parseAppConfig_missingContractIsAnError", () => {
  const { ["Protocol#PerpEngine"]: _omitted, ...partial } = addresses;
  assert.throws(() => parseAppConfig({ chainId: 31337, rpcUrl: "http://127.0.0.1:8545", deployedAddresses: partial }), (e: unknown) => e instanceof AppConfigError && /engine/.test(e.message));
});
