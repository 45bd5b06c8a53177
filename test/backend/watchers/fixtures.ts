import type { AddressInfo } from "node:net";
import type { Pool } from "pg";
import { type App, buildApp } from "../../../backend/src/api/app";
import webhookRoutes from "../../../backend/src/api/routes/webhooks";
import { createRegistryGuard } from "../../../backend/src/guard";
import { createRegistryAdapters } from "../../../backend/src/registries/adapters";
import type { RegistryPort } from "../../../backend/src/registries/port";
import { type RunningSimulator, startSimulator } from "../../../backend/src/simulators";
import { type ChangeApplier, createChangeApplier } from "../../../backend/src/watchers";
import { apiContext } from "../api/helpers";
import { testContext } from "../../support/context";
import type { TestDatabase } from "../../support/database";

export const SECRET = "watchers-test-secret";
export const CUSTODY = "PLATFORM-CUSTODY";
export const HOLDER = "HOLDER-1";

/** A Verra serial of issuance batch `batch` covering `start..end` (prefix: `verraPrefix(batch)`). */
export function verraSerial(batch: number, start: bigint, end: bigint): string {
  return `${batch}-${start}-${end}-VCS-VCU-261-VER-US-14-1060-01012019-31122019-0`;
}

export function verraPrefix(batch: number): string {
  return `${batch}-VCS-VCU-261-VER-US-14-1060-01012019-31122019-0`;
}

/** Polls `check` until it returns a value other than undefined/false (no fixed sleeps). */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A Verra simulator with the custody account (platform) and a holder, and adapters signed with SECRET. */
export async function startVerra(): Promise<{ sim: RunningSimulator; adapter: RegistryPort; adapters: { VERRA: RegistryPort } }> {
  const sim = await startSimulator("VERRA", { port: 0 });
  sim.admin.addAccount({ id: CUSTODY, platform: true });
  sim.admin.addAccount({ id: HOLDER });
  const adapters = createRegistryAdapters({ urls: { VERRA: sim.url }, webhookSecret: SECRET }) as { VERRA: RegistryPort };
  return { sim, adapter: adapters.VERRA, adapters };
}

/** The guard the watchers call through, generous enough that tests never wait for a token. */
export async function testGuard(db: TestDatabase) {
  const ctx = testContext(db);
  const guard = createRegistryGuard(ctx, { registries: { VERRA: { capacity: 1_000, refillPerSec: 1_000 } } });
  await guard.init();
  return guard;
}

/** The API (buildApp) with the webhook plugin over `adapters`, listening on a free port; deliveries are drained by `applier`. */
export async function startWebhookApi(
  pool: Pool,
  adapters: { VERRA: RegistryPort },
  applier: ChangeApplier,
): Promise<{ app: App; url: string; metrics: ReturnType<typeof apiContext>["ctx"]["metrics"] }> {
  const { ctx } = apiContext(pool);
  const app = await buildApp(ctx);
  await app.register(webhookRoutes, { pool, adapters, metrics: ctx.metrics, onChanges: (registry) => applier.drain(registry) });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, metrics: ctx.metrics };
}

export function applierFor(
  db: TestDatabase,
  adapters: { VERRA: RegistryPort },
  guard: Awaited<ReturnType<typeof testGuard>>,
): ChangeApplier {
  return createChangeApplier(testContext(db), { adapters, guard, custodyAccount: CUSTODY });
}

/** Empties what the watchers write (each test starts a fresh simulator, whose event ids start again at EV-1). */
export async function clearWatcherState(pool: Pool): Promise<void> {
  await pool.query("TRUNCATE registry_events, registry_poll_cursors, custody_blocks, requests, batches, registries CASCADE");
}

export type MirrorRow = {
  native_id: string;
  status: string;
  holder_account: string | null;
  memo: string | null;
  quantity: string;
};

export async function mirrorRows(pool: Pool): Promise<MirrorRow[]> {
  const { rows } = await pool.query<MirrorRow>(
    "SELECT native_id, status::text AS status, holder_account, memo, quantity::text FROM custody_blocks ORDER BY " +
      "native_id::bigint",
  );
  return rows;
}

export async function requestRow(
  pool: Pool,
  requestId: string,
): Promise<{ registry_status: string | null; registry_reference: string | null }> {
  const { rows } = await pool.query("SELECT registry_status, registry_reference FROM requests WHERE request_id = $1", [
    requestId,
  ]);
  return rows[0];
}

export async function eventCount(pool: Pool): Promise<{ total: number; unapplied: number }> {
  const { rows } = await pool.query<{ total: string; unapplied: string }>(
    "SELECT count(*)::text AS total, count(*) FILTER (WHERE applied_at IS NULL)::text AS unapplied FROM registry_events",
  );
  return { total: Number(rows[0]!.total), unapplied: Number(rows[0]!.unapplied) };
}
