/**
 * Test helpers (`@open-waterfall/sdk/testing`): local nodes, the local deployment, funded dev accounts, a seeded generator for property tests.
 * For tests and demos only: they spawn processes and need the protocol's Hardhat project.
 */
export { devAccount, DEV_MNEMONIC } from "./accounts.ts";
export { deployProtocol, type DeployProtocolParameters, type LocalDeployment } from "./deployProtocol.ts";
export { LocalNodeError, type LocalNodeErrorParameters, type LocalNodeErrorType } from "./errors.ts";
export { freePort, startLocalNode, type LocalNode, type LocalNodeKind, type StartLocalNodeParameters } from "./localNode.ts";
export { findProjectRoot } from "./projectRoot.ts";
export { Prng } from "./prng.ts";
export { waitFor, WaitTimeoutError, type WaitForParameters } from "./waitFor.ts";
