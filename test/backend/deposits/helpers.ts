import type { Pool } from "pg";
import type { Address } from "viem";
import { type App, buildApp } from "../../../backend/src/api/app";
import depositRoutes, { type DepositRoutesOptions } from "../../../backend/src/api/routes/deposits";
import type { RegistryName } from "../../../backend/src/registries/ids";
import { TEST_CHAIN_ID, TEST_SIWE_DOMAIN, apiContext, insertEvent } from "../api/helpers";

export const CUSTODY = "PLATFORM-CUSTODY";
export const SELLER = "SELLER-1";

/** The API (SIWE configured) with the deposit routes registered the way app.ts does it. */
export async function depositApp(pool: Pool, options: Partial<Omit<DepositRoutesOptions, "pool">> = {}): Promise<App> {
  const { ctx } = apiContext(pool);
  ctx.api = { siwe: { domain: TEST_SIWE_DOMAIN, chainId: TEST_CHAIN_ID } };
  const app = await buildApp(ctx);
  const registries: RegistryName[] = ["VERRA", "GOLD_STANDARD"];
  await app.register(depositRoutes, {
    pool,
    custodyAccount: CUSTODY,
    registries,
    ...options,
  });
  await app.ready();
  return app;
}

/** The IdentityRegistry verified `wallet` (as the indexer stores the event), until `expiry` (Unix seconds). */
export async function verifyWallet(pool: Pool, wallet: Address, expiry = 4_000_000_000): Promise<void> {
  await insertEvent(pool, "IdentityRegistered", {
    wallet: wallet.toLowerCase(),
    country: "840",
    expiry: String(expiry),
  });
}

/** A Verra VCU serial of batch `batch` for units `start..end`. */
export function verraSerial(batch: number, start: bigint, end: bigint): string {
  return `${batch}-${start}-${end}-VCS-VCU-500-VER-US-3352-01012024-31122024-0`;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
