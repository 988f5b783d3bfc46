/**
 * Where the protocol lives on a chain: the addresses the SDK talks to and the block from which its logs are
 * worth reading. Built from the files Hardhat Ignition writes ({@link readIgnitionDeployment}) or from
 * addresses passed in ({@link defineDeployment}), so one SDK works on a local node and on any network.
 */
import { getAddress, isAddress, type Address } from "viem";

import { DeploymentError } from "../errors/deployment.ts";

/** The protocol's contracts on one chain. */
export type ProtocolDeployment = {
  /** The engine's address: the whole IPerpEngine surface (engine, liquidation and solvency modules). */
  readonly engine: Address;
  /** The market registry (markets, parameters, oracle reads). */
  readonly registry: Address;
  /** The backstop vault (ERC-4626 over the collateral token). */
  readonly vault: Address;
  /** The read-only lens (position views, ADL list pages, hints). */
  readonly lens: Address;
  /** The collateral token (USDC, 6 decimals). */
  readonly collateral: Address;
  /** Price feeds deployed with the protocol, by name (`ETHUSD`, `BTCUSD` for the local mocks); empty when the
   * feeds are external (read them from the registry's market configs instead). */
  readonly feeds: Readonly<Record<string, Address>>;
  /** The first block of the deployment: log scans start here. 0n when unknown. */
  readonly deploymentBlock: bigint;
};

/** Parameters of {@link defineDeployment}: addresses as strings in any checksum case. */
export type DefineDeploymentParameters = {
  /** The engine's address. */
  engine: string;
  /** The registry's address. */
  registry: string;
  /** The vault's address. */
  vault: string;
  /** The lens's address. */
  lens: string;
  /** The collateral token's address. */
  collateral: string;
  /** Feeds by name (optional). */
  feeds?: Readonly<Record<string, string>>;
  /** The deployment's first block (default 0n). */
  deploymentBlock?: bigint;
};

/** Parameters of {@link readIgnitionDeployment}'s options. */
export type ReadIgnitionDeploymentOptions = {
  /** The collateral token, when the module did not deploy it (ProductionProtocol takes it as a parameter). */
  collateral?: string;
  /** The deployment's first block, when the journal is not there to tell. */
  deploymentBlock?: bigint;
};

function checkedAddress(field: string, value: string | undefined, source: string): Address {
  if (value === undefined) {
    throw new DeploymentError({ source, details: `no address for ${field}` });
  }
  if (!isAddress(value, { strict: false })) {
    throw new DeploymentError({ source, details: `${field} is not an address: ${JSON.stringify(value)}` });
  }
  return getAddress(value);
}

/**
 * A deployment from addresses passed in, checked and checksummed.
 *
 * @param parameters - {@link DefineDeploymentParameters}
 * @returns The deployment.
 * @throws {DeploymentError} When an address is malformed or the block is negative.
 * @example
 * const deployment = defineDeployment({ engine: "0x…", registry: "0x…", vault: "0x…", lens: "0x…", collateral: "0x…" });
 */
export function defineDeployment(parameters: DefineDeploymentParameters): ProtocolDeployment {
  const source = "defineDeployment";
  const feeds: Record<string, Address> = {};
  for (const [name, address] of Object.entries(parameters.feeds ?? {})) {
    feeds[name] = checkedAddress(`feed ${name}`, address, source);
  }
  const deploymentBlock = parameters.deploymentBlock ?? 0n;
  if (deploymentBlock < 0n) {
    throw new DeploymentError({ source, details: `deploymentBlock must not be negative, got ${deploymentBlock}` });
  }
  return Object.freeze({
    engine: checkedAddress("engine", parameters.engine, source),
    registry: checkedAddress("registry", parameters.registry, source),
    vault: checkedAddress("vault", parameters.vault, source),
    lens: checkedAddress("lens", parameters.lens, source),
    collateral: checkedAddress("collateral", parameters.collateral, source),
    feeds: Object.freeze(feeds),
    deploymentBlock,
  });
}

/** Ignition future ids look like `Module#Contract`; the contract part tells what the address is. */
const CONTRACT_FIELDS: Record<string, "engine" | "registry" | "vault" | "lens" | "collateral"> = {
  PerpEngine: "engine",
  MarketRegistry: "registry",
  BackstopVault: "vault",
  PerpLens: "lens",
  MockUSDC: "collateral",
};

/** The lowest block number among the receipts Ignition journaled: the deployment's first block. */
function firstJournaledBlock(journal: string): bigint | undefined {
  let first: bigint | undefined;
  for (const line of journal.split("\n")) {
    if (!line.includes('"receipt"')) continue;
    const entry = JSON.parse(line) as { receipt?: { blockNumber?: number | string } };
    const block = entry.receipt?.blockNumber;
    if (block === undefined) continue;
    const value = BigInt(block);
    if (first === undefined || value < first) first = value;
  }
  return first;
}

/** Parameters of {@link parseIgnitionDeployment}. */
export type ParseIgnitionDeploymentParameters = ReadIgnitionDeploymentOptions & {
  /** The text of Ignition's `deployed_addresses.json`. */
  deployedAddresses: string;
  /** The text of Ignition's `journal.jsonl`, for the deployment's first block (optional). */
  journal?: string;
  /** Where the text came from, for error messages. */
  source?: string;
};

/**
 * A deployment from the text of the files Hardhat Ignition writes, in any environment (a browser can fetch
 * them): `deployed_addresses.json` (future ids such as `Protocol#PerpEngine` to addresses) and, for the first
 * block, `journal.jsonl`.
 *
 * @param parameters - {@link ParseIgnitionDeploymentParameters}
 * @returns The deployment.
 * @throws {DeploymentError} When the text is malformed or a contract is missing.
 */
export function parseIgnitionDeployment(parameters: ParseIgnitionDeploymentParameters): ProtocolDeployment {
  const file = parameters.source ?? "deployed_addresses.json";
  let parsed: unknown;
  try {
    parsed = JSON.parse(parameters.deployedAddresses);
  } catch (cause) {
    throw new DeploymentError({ source: file, details: `not valid JSON (${(cause as Error).message})` });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new DeploymentError({ source: file, details: "expected an object of future ids to addresses" });
  }
  const found: Partial<Record<"engine" | "registry" | "vault" | "lens" | "collateral", string>> = {};
  const feeds: Record<string, string> = {};
  for (const [futureId, address] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof address !== "string") {
      throw new DeploymentError({ source: file, details: `${futureId} is not a string` });
    }
    const contract = futureId.slice(futureId.indexOf("#") + 1);
    const field = CONTRACT_FIELDS[contract];
    if (field !== undefined) found[field] = address;
    else if (contract.startsWith("Feed")) feeds[contract.slice("Feed".length)] = address;
  }
  const collateral = parameters.collateral ?? found.collateral;
  const journalBlock = parameters.journal === undefined ? undefined : firstJournaledBlock(parameters.journal);
  return defineDeployment({
    engine: checkedAddress("engine (PerpEngine)", found.engine, file),
    registry: checkedAddress("registry (MarketRegistry)", found.registry, file),
    vault: checkedAddress("vault (BackstopVault)", found.vault, file),
    lens: checkedAddress("lens (PerpLens)", found.lens, file),
    collateral: checkedAddress("collateral (MockUSDC, or pass the collateral option)", collateral, file),
    feeds,
    deploymentBlock: parameters.deploymentBlock ?? journalBlock ?? 0n,
  });
}

/**
 * Reads a deployment written by Hardhat Ignition from disk (Node only): `deployed_addresses.json` in `dir`
 * (e.g. `ignition/deployments/<deployment id>`), and the first block from the journal beside it.
 *
 * @param dir - The Ignition deployment directory.
 * @param options - {@link ReadIgnitionDeploymentOptions}: what the files cannot tell.
 * @returns The deployment.
 * @throws {DeploymentError} When the file is missing or malformed, or a contract is missing.
 * @example
 * const deployment = await readIgnitionDeployment("ignition/deployments/chain-31337");
 */
export async function readIgnitionDeployment(dir: string, options: ReadIgnitionDeploymentOptions = {}): Promise<ProtocolDeployment> {
  // Loaded on use, so the main entry point stays free of Node built-ins for browsers.
  const { readFile } = await import("node:fs/promises");
  const separator = dir.endsWith("/") ? "" : "/";
  const file = `${dir}${separator}deployed_addresses.json`;
  let deployedAddresses: string;
  try {
    deployedAddresses = await readFile(file, "utf8");
  } catch {
    throw new DeploymentError({ source: file, details: "file not found (has the module been deployed?)" });
  }
  let journal: string | undefined;
  try {
    journal = await readFile(`${dir}${separator}journal.jsonl`, "utf8");
  } catch {
    journal = undefined;
  }
  return parseIgnitionDeployment({
    ...options,
    deployedAddresses,
    source: file,
    ...(journal === undefined ? {} : { journal }),
  });
}
