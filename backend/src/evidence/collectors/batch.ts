/** The batch scope: a batch's whole custody history, every retirement quorum, every fill and order of it. */
import { EvidenceInputError } from "../errors";
import { collectChainRecords } from "./chainRecords";
import { collectDatabaseRecords, withDatabaseOrders } from "./databaseRecords";
import type { CollectContext, CollectedRecords, EvidenceScope, RecordCollector } from "./types";

export const batchCollector: RecordCollector = {
  kind: "batch",
  async collect(scope: EvidenceScope, ctx: CollectContext): Promise<CollectedRecords> {
    if (scope.kind !== "batch") throw new EvidenceInputError(`the batch collector got a ${scope.kind} scope`);
    const batchId = BigInt(scope.batchId);
    const chain = await collectChainRecords(ctx, batchId);
    if (!chain.export.events.some((e) => e.event !== "OracleSetUpdated")) {
      throw new EvidenceInputError(
        `--batch ${scope.batchId}: no custody records of this batch on chain in blocks ` +
          `${chain.export.fromBlock}..${chain.export.toBlock} (unknown batch id?)`,
        { batchId: scope.batchId },
      );
    }
    const database = ctx.database === undefined ? undefined : await collectDatabaseRecords(ctx.database, { batchId });
    const requests = chain.export.events.filter(
      (e) => e.event === "RetirementRequested" || e.event === "WithdrawalRequested",
    ).length;
    return {
      batchId,
      subject: {
        batchId: scope.batchId,
        movements: chain.export.movements,
        requests,
        fills: chain.fills.length,
        head: chain.export.finalHead,
        onChainHead: chain.export.onChainHead,
      },
      ...chain,
      orders: withDatabaseOrders(chain, database),
      database,
    };
  },
};
