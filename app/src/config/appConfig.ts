/**
 * The app's deployment config: which chain, which RPC, which contracts. The devnet writes it as JSON next to the
 * app (`/deployment.json`), or it comes inline from the `VITE_DEPLOYMENT` variable at build time. The addresses
 * are Ignition's `deployed_addresses.json` as is, read with the SDK's parser.
 */
import { parseIgnitionDeployment, type ProtocolDeployment } from "@open-waterfall/sdk";
import { z } from "zod";

/** Chain id of local nodes (Hardhat and anvil): the only chain where test accounts may be offered. */
export const LOCAL_CHAIN_ID = 31337;

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "a 32-byte hex private key");

/** The JSON the devnet writes. */
export const appConfigSchema = z
  .object({
    /** The chain id the contracts live on. */
    chainId: z.number().int().positive(),
    /** A name for the chain, shown in the header. */
    chainName: z.string().min(1).default("Local devnet"),
    /** The JSON-RPC URL the app reads through. */
    rpcUrl: z.url(),
    /** Ignition's `deployed_addresses.json` (future id → address). */
    deployedAddresses: z.record(z.string(), z.string()),
    /** First block of the deployment (log scans start there), as a decimal string or number. */
    deploymentBlock: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).default(0),
    /** Funded development keys the test-account connector may use; local devnet only. */
    testAccounts: z.array(z.object({ label: z.string().min(1), privateKey: hex32 })).default([]),
  })
  .refine((c) => c.testAccounts.length === 0 || c.chainId === LOCAL_CHAIN_ID, {
    message: `test accounts are offered on the local devnet only (chain id ${LOCAL_CHAIN_ID})`,
    path: ["testAccounts"],
  });

/** The parsed config. */
export type AppConfig = {
  readonly chainId: number;
  readonly chainName: string;
  readonly rpcUrl: string;
  readonly deployment: ProtocolDeployment;
  readonly testAccounts: readonly { readonly label: string; readonly privateKey: `0x${string}` }[];
};

/** Thrown when the deployment config is missing or malformed. */
export class AppConfigError extends Error {
  override name = "AppConfigError" as const;
}

/**
 * Validates the config JSON and reads its addresses.
 *
 * @param json - The parsed JSON.
 * @param source - Where it came from, for messages.
 * @returns The config.
 * @throws {AppConfigError} Listing every problem.
 */
export function parseAppConfig(json: unknown, source = "deployment.json"): AppConfig {
  const result = appConfigSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new AppConfigError(`${source}: ${problems}`);
  }
  const c = result.data;
  let deployment: ProtocolDeployment;
  try {
    deployment = parseIgnitionDeployment({ deployedAddresses: JSON.stringify(c.deployedAddresses), deploymentBlock: BigInt(c.deploymentBlock), source });
  } catch (error) {
    throw new AppConfigError(error instanceof Error ? error.message : String(error));
  }
  return {
    chainId: c.chainId,
    chainName: c.chainName,
    rpcUrl: c.rpcUrl,
    deployment,
    testAccounts: c.testAccounts.map((a) => ({ label: a.label, privateKey: a.privateKey as `0x${string}` })),
  };
}
