/**
 * The bank statement adapter: `PaymentPort` over the statement API of the platform's collection account (the API
 * the bank simulator serves, `simulators/bank`). It reads every page of entries carrying the reference and keeps
 * only booked credits with exactly that reference, whatever the bank's own filter did.
 */
import { z } from "zod";
import { parseRetryAfter } from "../registries/http";
import { PaymentSourceProtocolError, PaymentSourceRejectedError, PaymentSourceUnavailableError } from "./errors";
import type { PaymentCredit, PaymentPort } from "./port";

export type CreateBankStatementAdapterParameters = {
  baseUrl: string;
  /** Sent as `authorization: Bearer <apiKey>`; never logged. */
  apiKey: string;
  /** The collection account's id at the bank. */
  account: string;
  timeoutMs?: number | undefined;
};

const entrySchema = z.object({
  transactionId: z.string().min(1),
  direction: z.string(),
  status: z.string(),
  amountMinor: z.string().regex(/^[0-9]+$/, "expected a decimal integer"),
  currency: z.string(),
  reference: z.string(),
  counterparty: z.object({ name: z.string() }).partial().optional(),
  bookedAt: z.iso.datetime({ offset: true }),
});
const pageSchema = z.object({ data: z.array(entrySchema), nextCursor: z.string().nullable() });

/** Most pages read for one reference (a deal is paid by a handful of transfers, not thousands). */
const MAX_PAGES = 20;
const PAGE_SIZE = 200;

export function createBankStatementAdapter(params: CreateBankStatementAdapterParameters): PaymentPort {
  const timeoutMs = params.timeoutMs ?? 10_000;
  const base = params.baseUrl.endsWith("/") ? params.baseUrl : `${params.baseUrl}/`;

  async function page(reference: string, cursor: string | undefined): Promise<z.output<typeof pageSchema>> {
    const url = new URL(`v1/accounts/${encodeURIComponent(params.account)}/transactions`, base);
    url.searchParams.set("reference", reference);
    url.searchParams.set("limit", String(PAGE_SIZE));
    if (cursor !== undefined) url.searchParams.set("cursor", cursor);
    const where = `bank GET ${url.pathname}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { accept: "application/json", authorization: `Bearer ${params.apiKey}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new PaymentSourceUnavailableError(`${where}: could not connect or timed out after ${timeoutMs} ms`, { cause: error });
    }
    const text = await response.text();
    const status = response.status;
    if (status === 429 || status >= 500) {
      throw new PaymentSourceUnavailableError(`${where}: ${status} ${text.slice(0, 200)}`, {
        status,
        retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
      });
    }
    if (status >= 400) throw new PaymentSourceRejectedError(`${where}: ${status} ${text.slice(0, 200)}`, { status });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new PaymentSourceProtocolError(`${where}: unreadable JSON`, { status, cause: error });
    }
    const parsed = pageSchema.safeParse(body);
    if (!parsed.success)
      throw new PaymentSourceProtocolError(`${where}: unexpected shape: ${z.prettifyError(parsed.error)}`, { status });
    return parsed.data;
  }

  return {
    async findCredits(reference) {
      const credits: PaymentCredit[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < MAX_PAGES; pages++) {
        const { data, nextCursor } = await page(reference, cursor);
        for (const entry of data) {
          if (entry.direction !== "credit" || entry.status !== "booked" || entry.reference !== reference) continue;
          credits.push({
            transactionId: entry.transactionId,
            reference: entry.reference,
            amountMinor: BigInt(entry.amountMinor),
            currency: entry.currency,
            payer: entry.counterparty?.name ?? "",
            bookedAt: new Date(entry.bookedAt),
          });
        }
        if (nextCursor === null) return credits;
        cursor = nextCursor;
      }
      throw new PaymentSourceProtocolError(`bank: more than ${MAX_PAGES} pages of entries with reference ${reference}`);
    },
  };
}
