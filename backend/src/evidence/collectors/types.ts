/**
 * The scope of an evidence package and the seam every scope plugs into: a `RecordCollector` turns a scope into the
 * records, chain events and signatures the package holds. Retirement and batch collect today; the CCTS
 * (`--entity --year`) and KYC (`--case`) scopes add one collector each when their modules exist.
 */
import type { Address, Hex, PublicClient } from "viem";
import type { Pool } from "pg";
import type { CustodyExport } from "../../audit/exportHistory";

export type EvidenceScope =
  | { kind: "retirement"; requestId: Hex }
  | { kind: "batch"; batchId: string }
  | { kind: "entity"; entityId: string; year: string }
  | { kind: "case"; caseId: string };

export type CollectContext = {
  client: PublicClient;
  bridge: Address;
  /** Settlement address when known; otherwise found from the batch's movements (the operator of fills). */
  settlement?: Address | undefined;
  /** The platform's database (orders, registry instructions and answers); absent: chain-only. */
  database?: Pool | undefined;
  chunk?: bigint | undefined;
};

/** EIP-712 typed data as the package records it: every number a decimal string. */
export type TypedRecord = {
  domain: { name: string; version: string; chainId: string; verifyingContract: Address };
  types: Record<string, ReadonlyArray<{ name: string; type: string }>>;
  primaryType: string;
  message: Record<string, unknown>;
};

export type AttestationRecord = TypedRecord & {
  kind: string;
  transactionHash: Hex;
  blockNumber: string;
  entryPoint: string;
  requestIds: Hex[];
  signatures: Hex[];
  /** Signers as recovered by the builder (for reading; the verifier recovers them itself). */
  signers: string[];
};

export type OrderRecord = TypedRecord & {
  orderHash: Hex;
  signature: Hex;
  sources: Array<"chain" | "database">;
  database?: Record<string, unknown>;
};

export type EventRecord = CustodyExport["events"][number] & { topics: Hex[]; data: Hex };

export type CollectedRecords = {
  batchId: bigint;
  /** The scope's subject for `records/<kind>.json` (e.g. the retirement and the build-time chain checks). */
  subject: Record<string, unknown>;
  export: CustodyExport;
  /** Settlement's OrderFilled logs of the batch in scope (decoded like the export's entries). */
  fills: CustodyExport["events"];
  settlement: Address | undefined;
  attestations: AttestationRecord[];
  orders: OrderRecord[];
  /** Rows read from the platform's database, by table; undefined when chain-only. */
  database: Record<string, Array<Record<string, unknown>>> | undefined;
};

export interface RecordCollector {
  readonly kind: EvidenceScope["kind"];
  collect(scope: EvidenceScope, ctx: CollectContext): Promise<CollectedRecords>;
}
