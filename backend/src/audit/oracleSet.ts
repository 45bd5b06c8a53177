/**
 * The oracle set in force at any point of the chain, replayed from `OracleSetUpdated(epoch, oracles, threshold)`
 * events (the constructor emits epoch 1). When the scan does not start at the bridge's deployment, the set in force
 * just before the first scanned block is read from contract state at that block (a checkpoint).
 */
import type { Address, PublicClient } from "viem";
import { registryBridgeAbi } from "../chain/abi";
import { type LogPosition, comparePositions, getLogsChunked, readAt } from "./history";

export type OracleSet = {
  epoch: number;
  oracles: Address[];
  threshold: number;
  /** Where the set was installed; undefined for a checkpoint read from state. */
  installedAt?: LogPosition | undefined;
  /** Block of the state read, for a checkpoint. */
  checkpointBlock?: bigint | undefined;
};

const oracleSetUpdated = registryBridgeAbi.filter(
  (item): item is Extract<(typeof registryBridgeAbi)[number], { type: "event"; name: "OracleSetUpdated" }> =>
    item.type === "event" && item.name === "OracleSetUpdated",
);

/** Every oracle set of `bridge` from `fromBlock` to `toBlock`, in chain order (with a checkpoint first if needed). */
export async function oracleSetHistory(
  client: PublicClient,
  bridge: Address,
  fromBlock: bigint,
  toBlock: bigint,
  chunk?: bigint,
): Promise<OracleSet[]> {
  const sets: OracleSet[] = [];
  if (fromBlock > 0n) {
    const at = fromBlock - 1n;
    const read = async <T>(functionName: "oracles" | "threshold" | "oracleEpoch"): Promise<T | undefined> =>
      readAt<T>(client, { address: bridge, abi: registryBridgeAbi, functionName, blockNumber: at }).catch(() => undefined);
    const [oracles, threshold, epoch] = await Promise.all([
      read<readonly Address[]>("oracles"),
      read<number>("threshold"),
      read<number>("oracleEpoch"),
    ]);
    // No code yet at `at` (scan starts at or before deployment): nothing to carry over.
    if (oracles !== undefined && threshold !== undefined && epoch !== undefined && epoch > 0) {
      sets.push({ epoch, oracles: [...oracles], threshold, checkpointBlock: at });
    }
  }
  const logs = await getLogsChunked(client, { address: bridge, events: oracleSetUpdated, fromBlock, toBlock, chunk });
  for (const log of logs) {
    const a = log.args as { epoch: number; oracles: readonly Address[]; threshold: number };
    sets.push({
      epoch: a.epoch,
      oracles: [...a.oracles],
      threshold: a.threshold,
      installedAt: {
        blockNumber: log.blockNumber,
        blockHash: log.blockHash,
        transactionHash: log.transactionHash,
        transactionIndex: log.transactionIndex,
        logIndex: log.logIndex,
      },
    });
  }
  return sets;
}

/** The set in force just before the log at `position` (sets installed at an earlier block or log index). */
export function oracleSetBefore(
  history: readonly OracleSet[],
  position: Pick<LogPosition, "blockNumber" | "logIndex">,
): OracleSet | undefined {
  let current: OracleSet | undefined;
  for (const set of history) {
    if (set.installedAt === undefined || comparePositions(set.installedAt, position) < 0) current = set;
  }
  return current;
}

/** The set in force at the end of block `blockNumber`. */
export function oracleSetAtEndOf(history: readonly OracleSet[], blockNumber: bigint): OracleSet | undefined {
  return oracleSetBefore(history, { blockNumber: blockNumber + 1n, logIndex: -1 });
}
