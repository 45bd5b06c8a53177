import type { RegistryName } from "./ids";
import type { CreditBlock, RegistryChange, RegistryOperation } from "./model";

/**
 * The one seam between the platform and a registry. One adapter per registry implements it; workers, oracle
 * nodes and reconciliation use only this. Every method throws typed registry errors (registries/errors.ts).
 * Every write carries `memo`, the platform's idempotency key: look it up with `findOperationByMemo` before any
 * retry, so the registry receives exactly one effective instruction.
 */
export type ListHoldingsParameters = {
  account: string;
  /** Narrow to one project (Verra/GS project, I-REC device, CCTS issuing entity). */
  projectId?: string | undefined;
};

export type ListHoldingsReturnType = {
  /** Live blocks held by the account (active, immobilized, on hold), every page collected and counted. */
  blocks: CreditBlock[];
  /** Rows the registry reported for the query as sent (before any client-side narrowing). */
  registryTotal: number;
  /**
   * Native filters the registry silently ignored on this call. The adapter noticed (rows that did not match)
   * and applied them itself, so `blocks` is still exact.
   */
  ignoredFilters: string[];
};

export type TransferParameters = { fromAccount: string; toAccount: string; recordId: string; quantity: bigint; memo: string };
export type ImmobilizeParameters = { account: string; recordId: string; quantity: bigint; memo: string };
export type RetireParameters = {
  account: string;
  recordId: string;
  quantity: bigint;
  memo: string;
  beneficiary?: string | undefined;
  reason?: string | undefined;
  details?: string | undefined;
  periodStart?: string | undefined;
  periodEnd?: string | undefined;
};

export type PollChangesReturnType = { changes: RegistryChange[]; cursor: string };

export type VerifyWebhookReturnType = { ok: true; change: RegistryChange } | { ok: false; reason: string };

export type WebhookHeaders = Record<string, string | string[] | undefined>;

export interface RegistryPort {
  readonly registry: RegistryName;
  listHoldings(params: ListHoldingsParameters): Promise<ListHoldingsReturnType>;
  /** The block by the registry's record id, whatever its status; undefined when the registry has no such record. */
  getBlock(recordId: string): Promise<CreditBlock | undefined>;
  transfer(params: TransferParameters): Promise<RegistryOperation>;
  immobilize(params: ImmobilizeParameters): Promise<RegistryOperation>;
  /** Retires (I-REC: redeems) `quantity` units of the block; a partial retirement splits it, low end first. */
  retire(params: RetireParameters): Promise<RegistryOperation>;
  findOperationByMemo(memo: string): Promise<RegistryOperation | undefined>;
  /** Changes after `cursor` (opaque; omit for the beginning). */
  pollChanges(cursor?: string): Promise<PollChangesReturnType>;
  /** Checks HMAC and timestamp tolerance, then maps the body. Never throws for a bad signature. */
  verifyWebhook(headers: WebhookHeaders, rawBody: string | Buffer): VerifyWebhookReturnType;
}
