/**
 * The embedded chain's accounts: Hardhat's development mnemonic and which index plays which role. Kept apart from
 * the deployment code (`embeddedChain.ts`) so that reading them loads no contract artifacts or generated types.
 */
import { type Hex, toHex } from "viem";
import type { HDAccount } from "viem/accounts";
import { mnemonicToAccount } from "viem/accounts";

/** Hardhat's well-known development mnemonic: the embedded chain's accounts are public test keys, never real. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Roles of the embedded chain's accounts, by index in the development mnemonic. */
export const DEV_ACCOUNT_INDEX = {
  deployer: 0,
  oracles: [1, 2, 3],
  guardian: 4,
  seller: 5,
  buyer: 6,
  secondBuyer: 7,
  /** Sends the oracle aggregator's quorum transactions. */
  relayer: 8,
  /** Sends the deal keeper's startDelivery / settleDeal transactions. */
  keeper: 9,
} as const;

export function devAccount(index: number): HDAccount {
  return mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
}

/** The private key of development account `index` (a public test key), as 0x hex. */
export function devPrivateKey(index: number): Hex {
  return toHex(devAccount(index).getHdKey().privateKey as Uint8Array);
}
