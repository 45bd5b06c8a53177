/**
 * The backend's one ABI source: the typed ABIs of the four platform contracts (`generated.ts`, written from the
 * compiled artifacts by `npm run abi:write`, drift-checked by a test), so every read, write and log decode is typed
 * against exactly what was compiled and no process needs the artifacts at run time.
 */
import type { Abi } from "viem";
import { creditTokenAbi, identityRegistryAbi, registryBridgeAbi, settlementAbi } from "./generated";

export { creditTokenAbi, identityRegistryAbi, registryBridgeAbi, settlementAbi };

export const PLATFORM_CONTRACTS = ["CreditToken", "IdentityRegistry", "RegistryBridge", "Settlement"] as const;
export type PlatformContract = (typeof PLATFORM_CONTRACTS)[number];

export const PLATFORM_ABIS: Record<PlatformContract, Abi> = {
  CreditToken: creditTokenAbi,
  IdentityRegistry: identityRegistryAbi,
  RegistryBridge: registryBridgeAbi,
  Settlement: settlementAbi,
};

let errors: Abi | undefined;

/**
 * The custom errors of every platform contract in one ABI. A call into Settlement can revert with a bridge or a
 * token error (they bubble up), so revert data is decoded against all of them.
 */
export function platformErrorsAbi(): Abi {
  if (errors !== undefined) return errors;
  const seen = new Set<string>();
  const out: Abi[number][] = [];
  for (const contract of PLATFORM_CONTRACTS) {
    for (const item of PLATFORM_ABIS[contract]) {
      if (item.type !== "error") continue;
      const key = `${item.name}(${item.inputs.map((input) => input.type).join(",")})`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item);
    }
  }
  errors = out;
  return out;
}
