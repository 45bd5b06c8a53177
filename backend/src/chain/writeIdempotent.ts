import type { Abi, Address, Hex } from "viem";

/** The part of a viem WalletClient a platform write needs (a real `createWalletClient(...)` fits; tests pass fakes). */
export type ContractWriter = {
  account?: unknown;
  chain?: unknown;
  // viem's writeContract is generic over the ABI; `any` keeps a real WalletClient assignable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  writeContract(parameters: any): Promise<Hex>;
};

export type ContractCall = { address: Address; abi: Abi; functionName: string; args: readonly unknown[] };

/**
 * Sends one state-setting call (pause, freeze) with the client's own account and chain. When the contract refuses
 * because the state is already the wanted one (its `unchangedError` revert: another process got there first), the
 * goal is met: answers "unchanged" instead of throwing.
 */
export async function writeIdempotent(
  client: ContractWriter,
  call: ContractCall,
  unchangedError: string,
): Promise<Hex | "unchanged"> {
  try {
    return await client.writeContract({
      ...call,
      ...(client.account === undefined ? {} : { account: client.account }),
      ...(client.chain === undefined ? {} : { chain: client.chain }),
    });
  } catch (error) {
    if ((error instanceof Error ? error.message : String(error)).includes(unchangedError)) return "unchanged";
    throw error;
  }
}
