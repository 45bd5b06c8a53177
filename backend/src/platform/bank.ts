/**
 * The fiat side of the platform: the bank statement API of the collection account that oracle nodes read for
 * FIAT_PAYMENT_RECEIVED. With BANK_API_URL the configured bank is used (BANK_API_KEY); without it the embedded
 * stack starts the bank simulator on BANK_SIMULATOR_PORT with the collection account open.
 */
import type { Config } from "../config";
import type { Context } from "../context";
import { type PaymentPort, createBankStatementAdapter } from "../payments";
import { BANK_SIMULATOR_API_KEY, type RunningBankSimulator, startBankSimulator } from "../simulators";

/** Where the bank is and the key to read it (the simulator's own when it is the embedded one). */
export type BankAccess = { url: string; apiKey: string };

/** The configured bank, or undefined when none is (BANK_API_URL absent). */
export function configuredBank(config: Config): BankAccess | undefined {
  const { bankUrl, bankApiKey } = config.payments;
  if (bankUrl === undefined) return undefined;
  return { url: bankUrl, apiKey: bankApiKey?.reveal() ?? "" };
}

/** The configured bank, or a bank simulator started for this process (closed with the services). */
export async function startBank(ctx: Context): Promise<BankAccess & { simulator: RunningBankSimulator | undefined }> {
  const configured = configuredBank(ctx.config);
  if (configured !== undefined) return { ...configured, simulator: undefined };
  const { collectionAccount, currency, simulatorPort } = ctx.config.payments;
  const simulator = await startBankSimulator({
    port: simulatorPort,
    apiKey: BANK_SIMULATOR_API_KEY,
    account: { accountId: collectionAccount, currency },
  });
  ctx.shutdown.register("services", "simulator:bank", () => simulator.close());
  return { url: simulator.url, apiKey: BANK_SIMULATOR_API_KEY, simulator };
}

/**
 * A payment source for one oracle node: its own statement reader of the collection account, and the fiat
 * currency. Every node builds its own, as with registry adapters.
 */
export function paymentSourceFor(config: Config, bank: BankAccess): { port: PaymentPort; currency: string } {
  const port = createBankStatementAdapter({ baseUrl: bank.url, apiKey: bank.apiKey, account: config.payments.collectionAccount });
  return { port, currency: config.payments.currency };
}
