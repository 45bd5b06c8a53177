/**
 * Escrow-deal steps of the fiat scenario (ISSUE 7, scenario 7) against the running platform: deal terms signed by
 * seller and buyer, the buyer's bank transfer booked at the platform's bank simulator, the chain's clock, and what
 * the oracle nodes published about a deal condition.
 */
import { Client } from "pg";
import { type Hex, type HDAccount, type LocalAccount, zeroAddress } from "viem";
import { hardhat } from "viem/chains";
import { settlementAbi } from "../../../backend/src/chain/abi";
import { type Deal, buildDeal, hashDeal, settlementDomain, signDeal } from "../../../backend/src/chain/orders";
import { registryAccountToBytes32 } from "../../../backend/src/chain/registryAccount";
import { type OnChainDeal, createChainReader } from "../../../backend/src/chain/reader";
import type { PlatformProcess } from "../../support/platformProcess";
import { publicClientOf } from "./trading";

export type SignedDeal = { deal: Deal; dealId: Hex; sellerSignature: Hex; buyerSignature: Hex };

/**
 * Fiat-paid terms delivered into `buyerRegistryAccount` (conditions FIAT_PAYMENT_RECEIVED | REGISTRY_DELIVERY), signed
 * by both.
 */
export async function signFiatDeliveryDeal(
  platform: PlatformProcess,
  parties: { seller: LocalAccount | HDAccount; buyer: LocalAccount | HDAccount },
  terms: {
    batchId: bigint;
    amount: bigint;
    unitPriceMinor: bigint;
    buyerRegistryAccount: string;
    deadline: bigint;
    salt: bigint;
  },
): Promise<SignedDeal> {
  const domain = settlementDomain({ chainId: hardhat.id, verifyingContract: platform.address("settlement") });
  const deal = buildDeal({
    seller: parties.seller.address,
    buyer: parties.buyer.address,
    batchId: terms.batchId,
    amount: terms.amount,
    unitPrice: terms.unitPriceMinor,
    paymentToken: zeroAddress,
    conditions: 3n,
    buyerRegistryAccount: registryAccountToBytes32(terms.buyerRegistryAccount),
    deadline: terms.deadline,
    salt: terms.salt,
  });
  const [sellerSignature, buyerSignature] = await Promise.all([
    signDeal({ signer: parties.seller, domain, deal }),
    signDeal({ signer: parties.buyer, domain, deal }),
  ]);
  return { deal, dealId: hashDeal({ domain, deal }), sellerSignature, buyerSignature };
}

/** The oracle nodes' reader of the deal, plus the two reclaim flags they do not need. */
export type OnChainDealView = OnChainDeal & { creditsReclaimed: boolean; paymentReclaimed: boolean };

export const DEAL_STATUS = { Open: 1, Delivering: 2, Settled: 3, Expired: 4 } as const;

export function settlementOf(platform: PlatformProcess) {
  return { address: platform.address("settlement"), abi: settlementAbi };
}

/** The platform's own chain reader (the oracle nodes'), over the running platform's contracts. */
function chainOf(platform: PlatformProcess) {
  const [registryBridge, creditToken, settlement] = (["registryBridge", "creditToken", "settlement"] as const).map((name) =>
    platform.address(name),
  );
  return createChainReader(publicClientOf(platform), {
    registryBridge: registryBridge!,
    creditToken: creditToken!,
    settlement: settlement!,
  });
}

export async function dealOf(platform: PlatformProcess, dealId: Hex): Promise<OnChainDealView> {
  return (await chainOf(platform).deal(dealId)) as OnChainDealView;
}

/** The chain's clock: the latest block's timestamp (Unix seconds). */
export function chainNow(platform: PlatformProcess): Promise<bigint> {
  return chainOf(platform).latestTimestamp();
}

export type BookedCredit = { transactionId: string; amountMinor: string; currency: string; reference: string; bookedAt: string };

/** "The buyer's bank transfer arrived": the bank simulator books a credit into the collection account. */
export async function bookCredit(
  platform: PlatformProcess,
  credit: { reference: string; amountMinor: bigint; currency?: string; payer?: string },
): Promise<BookedCredit> {
  const response = await fetch(`${platform.bankUrl()}/_admin/credits`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      reference: credit.reference,
      amountMinor: credit.amountMinor.toString(),
      currency: credit.currency ?? "USD",
      payer: credit.payer ?? "Buyer Ltd, ACME Bank",
    }),
  });
  if (response.status !== 201) throw new Error(`booking a credit: ${response.status} ${await response.text()}`);
  return (await response.json()) as BookedCredit;
}

/** What the oracle nodes signed about `subject` (`dealId:condition`): one row per signer and digest. */
export async function observationsOf(
  platform: PlatformProcess,
  subject: string,
): Promise<Array<{ signer: string; digest: string; message: Record<string, unknown> }>> {
  const db = new Client({ connectionString: platform.databaseUrl() });
  await db.connect();
  try {
    const { rows } = await db.query("select signer, digest, message from oracle_observations where subject = $1 order by id", [
      subject,
    ]);
    return rows;
  } finally {
    await db.end();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
