/**
 * What an auditor recomputes from the credit token's ERC-1155 logs alone: every movement in log order, and each
 * batch's custody head from them (`backend/src/chain/attestations.ts` `custodyHeadsOf`).
 */
import type { Hex } from "viem";
import { type CustodyMovement, custodyHeadsOf } from "../../backend/src/chain/attestations";
import type { CreditToken } from "../../typechain-types";

type Address = `0x${string}`;

/** Every movement of the token from its TransferSingle / TransferBatch logs, in log order. */
export async function movementsFromLogs(token: CreditToken): Promise<CustodyMovement[]> {
  const single = await token.queryFilter(token.filters.TransferSingle());
  const batch = await token.queryFilter(token.filters.TransferBatch());
  type Entry = { block: number; index: number; moves: CustodyMovement[] };
  const entries: Entry[] = [
    ...single.map((e) => ({
      block: e.blockNumber,
      index: e.index,
      moves: [{ batchId: e.args[3], from: e.args[1] as Address, to: e.args[2] as Address, value: e.args[4] }],
    })),
    ...batch.map((e) => {
      // positional: a Result's `.values` is Array.prototype.values
      const ids = [...e.args[3]];
      const values = [...e.args[4]];
      return {
        block: e.blockNumber,
        index: e.index,
        moves: ids.map((batchId, i) => ({
          batchId,
          from: e.args[1] as Address,
          to: e.args[2] as Address,
          value: values[i] ?? 0n,
        })),
      };
    }),
  ];
  entries.sort((a, b) => a.block - b.block || a.index - b.index);
  return entries.flatMap((e) => e.moves);
}

/** Custody heads per batch recomputed from the token's ERC-1155 logs alone (what an auditor does). */
export async function custodyHeadsFromLogs(token: CreditToken): Promise<Map<bigint, Hex>> {
  return custodyHeadsOf(await movementsFromLogs(token));
}
