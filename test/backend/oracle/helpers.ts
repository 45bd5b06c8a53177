/**
 * The oracle tests' stage: a fresh deployment (2-of-3 oracle set) on the shared node, a real Verra simulator with
 * the platform's custody account, the real indexer filling `requests` / `batches` from the chain, and what the
 * registry workers and the deposit flow would do at the registry, done by hand through an adapter of the test's own.
 */
import { type Address, type Hex, type PublicClient, keccak256, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { Secret } from "../../../backend/src/config";
import { type Indexer, createIndexer } from "../../../backend/src/indexer";
import { createRegistryAdapters } from "../../../backend/src/registries/adapters";
import type { RegistryPort } from "../../../backend/src/registries/port";
import { createRelayer } from "../../../backend/src/relayer";
import { type RunningSimulator, startVerraSimulator } from "../../../backend/src/simulators";
import { testChain, testPublicClient, useAutomine } from "../../support/chain";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { type TestPlatform, deployTestPlatform } from "../support/platform";

export const CUSTODY = "PLATFORM-CUSTODY";
export const HOLDER_ACCOUNT = "HOLDER-1";
export const BUYER_ACCOUNT = "BUYER-1";
const MNEMONIC = "test test test test test test test test test test test junk";

/** Polls `check` until it returns a value other than undefined/false. */
export async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export type Stage = Awaited<ReturnType<typeof createStage>>;

export async function createStage() {
  const db: TestDatabase = await createTestDatabase({ migrate: true });
  await useAutomine();
  const platform: TestPlatform = await deployTestPlatform();
  const chainNode = await testChain();
  const publicClient: PublicClient = await testPublicClient();
  const sim: RunningSimulator = await startVerraSimulator({ port: 0 });
  sim.admin.addAccount({ id: CUSTODY, platform: true });
  sim.admin.addAccount({ id: HOLDER_ACCOUNT });
  sim.admin.addAccount({ id: BUYER_ACCOUNT });
  await db.pool.query("insert into registries (id, name, custody_account) values ('VERRA', 'Verra', $1) on conflict do nothing", [
    CUSTODY,
  ]);
  const ctx = testContext(db);
  const indexer: Indexer = createIndexer(ctx, {
    client: publicClient,
    deployment: platform.deployment,
    confirmations: 0,
    name: "oracle-test",
  });
  const registry = createRegistryAdapters({ urls: { VERRA: sim.url } }).VERRA as RegistryPort;
  const relayerKey = mnemonicToAccount(MNEMONIC, { addressIndex: 9 }).getHdKey().privateKey as Uint8Array;
  const relayer = createRelayer(ctx, { rpcUrl: chainNode.url, keys: [new Secret(toHex(relayerKey))], pollIntervalMs: 20 });
  let intents = 0;

  /**
   * The deposit flow at the registry: the holder moves a seeded block into custody with the intent id as memo, the
   * platform immobilizes it, and the intent row says `immobilized` (the oracles' to-do).
   */
  async function depositAtRegistry(serial: string, holder: Address) {
    const block = sim.admin.seedBlock({ account: HOLDER_ACCOUNT, serial });
    const quantity = block.blockEnd - block.blockStart + 1n;
    const intentId = keccak256(toHex(`intent-${++intents}-${serial}`));
    const moved = await registry.transfer({
      fromAccount: HOLDER_ACCOUNT,
      toAccount: CUSTODY,
      recordId: block.id,
      quantity,
      memo: intentId,
    });
    const recordId = moved.resultRecordIds[0] as string;
    await registry.immobilize({ account: CUSTODY, recordId, quantity, memo: `immobilize:${intentId}` });
    await db.pool.query(
      `insert into deposit_intents (intent_id, holder, registry_id, declared_serial, status, record_id, expires_at)
       values ($1, $2, 'VERRA', $3, 'immobilized', $4, now() + interval '1 hour')`,
      [intentId, holder.toLowerCase(), serial, recordId],
    );
    return { intentId, recordId, quantity };
  }

  /** What a registry worker does: retire at the registry with the request id as memo. */
  function retireAtRegistry(
    recordId: string,
    requestId: Hex,
    quantity: bigint,
    details: { beneficiary: string; reason: string },
  ) {
    return registry.retire({
      account: CUSTODY,
      recordId,
      quantity,
      memo: requestId,
      beneficiary: details.beneficiary,
      reason: details.reason,
    });
  }

  async function close() {
    await relayer.close();
    await sim.close();
    await db.drop();
  }

  return {
    db,
    platform,
    chainNode,
    publicClient,
    sim,
    ctx,
    indexer,
    registry,
    relayer,
    depositAtRegistry,
    retireAtRegistry,
    close,
  };
}
