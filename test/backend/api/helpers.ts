import crypto from "node:crypto";
import { Writable } from "node:stream";
import { Pool } from "pg";
import { type ApiContext, type App, buildApp } from "../../../backend/src/api/app";
import { type Logger, createLogger } from "../../../backend/src/logger";
import { createMetrics } from "../../../backend/src/metrics";
import { createReadiness } from "../../../backend/src/readiness";
import type { PrivateKeyAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { API_KEY_PREFIX, hashSecret, newSecret } from "../../../backend/src/auth/secrets";
import type { DomainApiOptions } from "../../../backend/src/api/routes/domain";
import { insertApiKey } from "../../../backend/src/auth/apiKeys";
import { migrate } from "../../../backend/src/db";
import { type TestDatabase, createTestDatabase } from "../../support/database";

export type LogCapture = { lines: () => Array<Record<string, unknown>>; text: () => string };

/** A logger (level info) whose lines are kept in memory for assertions. */
export function logCapture(): { logger: Logger; logs: LogCapture } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: "info", destination });
  const text = () => chunks.join("");
  const lines = () =>
    text()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, logs: { lines, text } };
}

/** An API context over `pool` whose log lines are kept in memory for assertions. */
export function apiContext(pool: Pool): { ctx: ApiContext; logs: LogCapture } {
  const { logger, logs } = logCapture();
  const ctx: ApiContext = { logger, metrics: createMetrics(), readiness: createReadiness(), db: { pool } };
  return { ctx, logs };
}

/** A pool to a port nothing listens on: every query fails with ECONNREFUSED. */
export function deadPool(port: number): Pool {
  const pool = new Pool({ connectionString: `postgres://nobody:pw@127.0.0.1:${port}/none`, connectionTimeoutMillis: 1000 });
  pool.on("error", () => undefined);
  return pool;
}

// --- Domain API (routes/) -------------------------------------------------------------------------------------

export const TEST_CHAIN_ID = 31337;
export const TEST_SETTLEMENT = "0x5e771e0000000000000000000000000000000001" as const;
export const TEST_SIWE_DOMAIN = "carbon.test";

/** A fresh migrated database and an app over it with the domain routes configured for tests. */
export async function domainApp(
  options: DomainApiOptions = {},
): Promise<{ app: App; db: TestDatabase; logs: LogCapture; close(): Promise<void> }> {
  const db = await createTestDatabase();
  await migrate({ url: db.url, logger: createLogger({ level: "silent" }) });
  const { ctx, logs } = apiContext(db.pool);
  ctx.api = {
    settlement: { chainId: TEST_CHAIN_ID, address: TEST_SETTLEMENT },
    siwe: { domain: TEST_SIWE_DOMAIN, chainId: TEST_CHAIN_ID },
    ...options,
  };
  const app = await buildApp(ctx);
  await app.ready();
  return {
    app,
    db,
    logs,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

/** A registry and a batch row (the indexer's projection), returning the batch id. */
export async function insertBatch(
  pool: Pool,
  batchId: string,
  registryId = "VERRA",
  prefix = `PREFIX-${batchId}`,
): Promise<string> {
  await pool.query("INSERT INTO registries (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING", [registryId]);
  await pool.query(
    "INSERT INTO batches (batch_id, registry_id, serial_prefix, project_id, vintage_start) VALUES ($1, $2, $3, 'P-1', " +
      "'2024-01-01')",
    [batchId, registryId, prefix],
  );
  return batchId;
}

let logCounter = 0;
/** An indexed chain log; block number grows with each call so chain order is insertion order. */
export async function insertEvent(
  pool: Pool,
  eventName: string,
  args: Record<string, unknown>,
  batchIds: string[] = [],
  contract: string = TEST_SETTLEMENT,
): Promise<void> {
  logCounter += 1;
  const hash = `0x${logCounter.toString(16).padStart(64, "0")}`;
  await pool.query(
    `INSERT INTO chain_events (block_number, block_hash, tx_hash, log_index, contract, event_name, args, batch_ids)
     VALUES ($1, $2, $2, 0, $3, $4, $5, $6::numeric[])`,
    [logCounter, hash, contract.toLowerCase(), eventName, JSON.stringify(args), batchIds],
  );
}

/** The indexer's balance row of `holder` (lowercase, as the indexer writes it). */
export async function setBalance(pool: Pool, batchId: string, holder: string, amount: string): Promise<void> {
  await pool.query(
    `INSERT INTO balances (batch_id, holder, amount, updated_block) VALUES ($1, $2, $3, 1)
     ON CONFLICT (batch_id, holder) DO UPDATE SET amount = excluded.amount`,
    [batchId, holder.toLowerCase(), amount],
  );
}

/** A random bytes32 as 0x hex. */
export function randomHash(): `0x${string}` {
  return `0x${crypto.randomBytes(32).toString("hex")}`;
}

/** Signs in `account` through GET /auth/nonce and POST /auth/siwe; returns the session token. */
export async function signIn(app: App, account: PrivateKeyAccount): Promise<string> {
  const nonce = (await app.inject({ method: "GET", url: "/auth/nonce" })).json().nonce as string;
  const message = createSiweMessage({
    address: account.address,
    chainId: TEST_CHAIN_ID,
    domain: TEST_SIWE_DOMAIN,
    nonce,
    uri: `https://${TEST_SIWE_DOMAIN}/`,
    version: "1",
    issuedAt: new Date(),
  });
  const signature = await account.signMessage({ message });
  const response = await app.inject({ method: "POST", url: "/auth/siwe", payload: { message, signature } });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`);
  return response.json().token as string;
}

/** Creates an operator API key with `scopes` (default every scope) and returns the key itself (only its hash is stored). */
export async function operatorKey(pool: Pool, name = "ops", scopes: string[] = ["*"]): Promise<string> {
  const key = newSecret(API_KEY_PREFIX);
  await insertApiKey(pool, name, hashSecret(key), scopes);
  return key;
}

export type RequestFixture = {
  kind?: "retirement" | "withdrawal";
  holder: string;
  batchId: string;
  amount: string;
  status?: string;
  registryReference?: string;
};

/** A request row (the indexer's / workers' projection); returns its id. */
export async function insertRequest(pool: Pool, request: RequestFixture): Promise<string> {
  const id = randomHash();
  const kind = request.kind ?? "retirement";
  await pool.query(
    `INSERT INTO requests (request_id, kind, holder, batch_id, amount, status, registry_reference, destination_account,
                           retirement)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      kind,
      request.holder.toLowerCase(),
      request.batchId,
      request.amount,
      request.status ?? "requested",
      request.registryReference ?? null,
      kind === "withdrawal" ? "ACCOUNT-1" : null,
      kind === "retirement" ? JSON.stringify({ beneficiary: "Acme", reason: "2026 offset" }) : null,
    ],
  );
  return id;
}

export type DealFixture = { seller: string; buyer: string; batchId: string; amount: string; status?: string };

/** A deal row (the indexer's projection); returns its id. */
export async function insertDeal(pool: Pool, deal: DealFixture): Promise<string> {
  const id = randomHash();
  await pool.query(
    `INSERT INTO deals (deal_id, seller, buyer, batch_id, amount, payment_token, payment_amount, deadline, status)
     VALUES ($1, $2, $3, $4, $5, NULL, 1000, now() + interval '1 day', $6)`,
    [id, deal.seller.toLowerCase(), deal.buyer.toLowerCase(), deal.batchId, deal.amount, deal.status ?? "open"],
  );
  return id;
}
