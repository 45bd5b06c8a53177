/**
 * EIP-712 pieces the platform's contracts use: the two domains (Settlement for orders and deals, RegistryBridge for
 * the oracles' attestations), and `encodeType`, the type string a contract hashes (`Order(uint8 side,...)`), so a
 * client can compare what it signs with what the contract publishes.
 */
import type { Address, TypedDataDomain } from "viem";

export const SETTLEMENT_DOMAIN_NAME = "CarbonSettlement";
export const BRIDGE_DOMAIN_NAME = "CarbonRegistryBridge";
export const DOMAIN_VERSION = "1";

export type DomainParameters = { chainId: number | bigint; verifyingContract: Address };

export function settlementDomain({ chainId, verifyingContract }: DomainParameters): TypedDataDomain {
  return { name: SETTLEMENT_DOMAIN_NAME, version: DOMAIN_VERSION, chainId: Number(chainId), verifyingContract };
}

export function bridgeDomain({ chainId, verifyingContract }: DomainParameters): TypedDataDomain {
  return { name: BRIDGE_DOMAIN_NAME, version: DOMAIN_VERSION, chainId: Number(chainId), verifyingContract };
}

export type TypedFields = Record<string, readonly { readonly name: string; readonly type: string }[]>;

/** EIP-712 `encodeType(primary)`: the primary struct, then the structs it references in alphabetical order. */
export function encodeType(types: TypedFields, primary: string): string {
  const found = new Set<string>();
  const visit = (name: string) => {
    if (found.has(name) || types[name] === undefined) return;
    found.add(name);
    for (const field of types[name]) visit(field.type.replace(/\[\d*\]$/, ""));
  };
  visit(primary);
  const ordered = [primary, ...[...found].filter((name) => name !== primary).sort()];
  return ordered.map((name) => `${name}(${(types[name] ?? []).map((f) => `${f.type} ${f.name}`).join(",")})`).join("");
}

/** The `EIP712Domain` fields of a domain (what `eth_signTypedData_v4` wants in `types`). */
export const EIP712_DOMAIN_FIELDS = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
] as const;
