/**
 * The retirement scope: one registry-confirmed retirement, checked at build time by the auditor's
 * `verifyCertificate` (request, quorum, burn, certificate, custody head) and packaged with the batch's custody
 * chain, the confirming quorum, and the fills and orders through which the holder bought the units.
 */
import type { Hex } from "viem";
import { AuditNotFoundError } from "../../audit/errors";
import { verifyCertificate } from "../../audit/verifyCertificate";
import { EvidenceInputError } from "../errors";
import { collectChainRecords } from "./chainRecords";
import { collectDatabaseRecords, withDatabaseOrders } from "./databaseRecords";
import type { CollectContext, CollectedRecords, EvidenceScope, RecordCollector } from "./types";

export const retirementCollector: RecordCollector = {
  kind: "retirement",
  async collect(scope: EvidenceScope, ctx: CollectContext): Promise<CollectedRecords> {
    if (scope.kind !== "retirement") throw new EvidenceInputError(`the retirement collector got a ${scope.kind} scope`);
    let report;
    try {
      report = await verifyCertificate({ client: ctx.client, bridge: ctx.bridge, requestId: scope.requestId, chunk: ctx.chunk });
    } catch (error) {
      if (error instanceof AuditNotFoundError)
        throw new EvidenceInputError(`--retirement ${scope.requestId}: ${error.message}`, { requestId: scope.requestId });
      throw error;
    }
    const holder = report.request.holder.toLowerCase();
    const requestId = report.requestId.toLowerCase() as Hex;
    const chain = await collectChainRecords(ctx, BigInt(report.request.batchId), {
      fill: (args) => String(args.buyer).toLowerCase() === holder || String(args.seller).toLowerCase() === holder,
      requestIds: new Set([requestId]),
    });
    const database =
      ctx.database === undefined
        ? undefined
        : await collectDatabaseRecords(ctx.database, {
            batchId: BigInt(report.request.batchId),
            requestIds: [requestId],
            parties: [holder],
          });
    const { latestBlock: _latest, ...stable } = report;
    return {
      batchId: BigInt(report.request.batchId),
      subject: { ...stable, checkedAtBlock: chain.export.toBlock },
      ...chain,
      orders: withDatabaseOrders(chain, database),
      database,
    };
  },
};

