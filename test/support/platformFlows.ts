/**
 * A holder's steps against the running platform (`platformProcess.ts`), for the end-to-end tests, the scenarios and
 * the benchmarks: Sign-In with Ethereum over HTTP, a deposit from the seller's registry account through the API, and
 * the platform fee a maker signs as an order's `maxFeeBps`.
 */
import { type HDAccount, createPublicClient, http } from "viem";
import { hardhat } from "viem/chains";
import { createSiweMessage } from "viem/siwe";
import { settlementAbi } from "../../backend/src/chain/abi";
import { batchIdOfSerial } from "../../backend/src/chain/deposits";
import { PLATFORM_CUSTODY_ACCOUNT, SELLER_REGISTRY_ACCOUNT } from "../../backend/src/platform/demo";
import { createRegistryAdapters } from "../../backend/src/registries/adapters";
import type { RegistryPort } from "../../backend/src/registries/port";
import { parseSerial } from "../../backend/src/registries/serials";
import { type PlatformProcess, getJson, until } from "./platformProcess";

/** GET /auth/nonce, a SIWE message for the API's host signed by `account`, POST /auth/siwe: the session token. */
export async function signIn(api: string, account: HDAccount): Promise<string> {
  const { nonce } = await getJson(`${api}/auth/nonce`);
  const message = createSiweMessage({
    address: account.address,
    chainId: hardhat.id,
    domain: new URL(api).host,
    nonce,
    uri: `${api}/`,
    version: "1",
    issuedAt: new Date(),
  });
  const response = await fetch(`${api}/auth/siwe`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message, signature: await account.signMessage({ message }) }),
  });
  if (response.status !== 200) throw new Error(`sign-in: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/**
 * Tokenizes one of the seller's Verra blocks the way a holder does: a deposit intent through the API, the registry
 * transfer of the whole block into custody with the intent id as memo; the platform immobilizes, the oracles attest
 * and the bridge mints. Resolves with the batch id once the intent is minted.
 */
export async function depositSellerBlock(
  platform: PlatformProcess,
  holder: HDAccount,
  serial: string,
  timeoutMs = 150_000,
): Promise<bigint> {
  const { api } = platform;
  const verra = createRegistryAdapters({ urls: { VERRA: platform.simulatorUrl("VERRA") } }).VERRA as RegistryPort;
  const token = await signIn(api, holder);
  const created = await fetch(`${api}/deposits/intents`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ registry: "VERRA", serial }),
  });
  if (created.status !== 201) throw new Error(`deposit intent: ${created.status} ${await created.text()}`);
  const intent = (await created.json()) as { intentId: string };
  const { blocks } = await verra.listHoldings({ account: SELLER_REGISTRY_ACCOUNT });
  const block = blocks.find((candidate) => candidate.serial === serial);
  if (block === undefined) throw new Error(`no block ${serial} in ${SELLER_REGISTRY_ACCOUNT}`);
  await verra.transfer({
    fromAccount: SELLER_REGISTRY_ACCOUNT,
    toAccount: PLATFORM_CUSTODY_ACCOUNT,
    recordId: block.registryRecordId,
    quantity: block.quantity,
    memo: intent.intentId,
  });
  await until(
    "the deposit's mint",
    async () => {
      const response = await fetch(`${api}/deposits/intents/${intent.intentId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await response.json()) as { status: string }).status === "minted" ? true : undefined;
    },
    timeoutMs,
  );
  return batchIdOfSerial(parseSerial({ serial }));
}

/** The first batch the API lists: on a fresh platform, the demo Verra batch `npm start` tokenizes (waits for its index). */
export async function demoBatch(platform: PlatformProcess): Promise<{ batchId: string; custody: Record<string, string> }> {
  return until("the demo batch", async () => (await getJson(`${platform.api}/batches`)).items[0], 60_000);
}

/** The platform fee in force on the running platform's Settlement (`fee()`), which a maker signs as `maxFeeBps`. */
export async function platformFeeBps(platform: PlatformProcess): Promise<number> {
  const client = createPublicClient({ chain: hardhat, transport: http(platform.rpc) });
  const address = platform.address("settlement");
  const [, feeBps] = await client.readContract({ address, abi: settlementAbi, functionName: "fee" });
  return Number(feeBps);
}
