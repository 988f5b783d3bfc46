import { mnemonicToAccount, type HDAccount } from "viem/accounts";

/** The mnemonic both Hardhat's node and anvil fund their default accounts from. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/**
 * The `index`-th default development account (funded with ETH on both local nodes; index 0 deploys).
 *
 * @param index - 0..19.
 */
export function devAccount(index: number): HDAccount {
  if (!Number.isInteger(index) || index < 0 || index > 19) {
    throw new RangeError(`devAccount index must be an integer in 0..19, got ${index}`);
  }
  return mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
}
