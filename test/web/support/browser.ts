/**
 * Debian's Chromium driven by playwright-core (TOOLCHAIN.md "Browser tests"), with a browser wallet of our own: an
 * EIP-1193 provider added by `page.addInitScript` and announced through EIP-6963, whose requests reach a function
 * exposed with `page.exposeFunction` that signs with a development key (a viem account) and forwards everything else
 * to the chain's JSON-RPC, as a wallet extension does. The app under test uses wagmi's real injected connector.
 */
import fs from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { type Hex, type LocalAccount, createWalletClient, hexToString, http, isHex, toHex } from "viem";
import { hardhat } from "viem/chains";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
export const SCREENSHOTS = path.resolve(__dirname, "..", "..", "..", "docs", "screenshots");

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export type WalletPage = { context: BrowserContext; page: Page; errors: string[] };

/** A browser context with `account` as its wallet (none: a visitor without a wallet). */
export async function openPage(browser: Browser, options: { account?: LocalAccount; rpcUrl: string; chainId: number; viewport?: { width: number; height: number } }): Promise<WalletPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  const account = options.account;
  if (account !== undefined) {
    const wallet = createWalletClient({ account, chain: { ...hardhat, id: options.chainId }, transport: http(options.rpcUrl) });
    // As a wallet extension: no account is exposed to the site until it asks for one (eth_requestAccounts).
    let authorized = false;
    await page.exposeFunction("__testWallet", async (method: string, params: unknown[]) => {
      switch (method) {
        case "eth_requestAccounts":
          authorized = true;
          return [account.address];
        case "eth_accounts":
          return authorized ? [account.address] : [];
        case "eth_chainId":
          return toHex(options.chainId);
        case "wallet_switchEthereumChain":
        case "wallet_addEthereumChain":
          return null;
        case "personal_sign": {
          const [message] = params as [Hex];
          return account.signMessage({ message: isHex(message) ? { raw: message } : hexToString(message) });
        }
        case "eth_signTypedData_v4": {
          const typed = JSON.parse((params as [string, string])[1]) as { domain: never; types: Record<string, unknown>; primaryType: string; message: never };
          const { EIP712Domain: _domain, ...types } = typed.types;
          return account.signTypedData({ domain: typed.domain, types, primaryType: typed.primaryType, message: typed.message } as never);
        }
        case "eth_sendTransaction": {
          const [tx] = params as [{ to: Hex; data?: Hex; value?: Hex; gas?: Hex }];
          return wallet.sendTransaction({ to: tx.to, data: tx.data, value: tx.value === undefined ? undefined : BigInt(tx.value), gas: tx.gas === undefined ? undefined : BigInt(tx.gas) });
        }
        default: {
          const response = await fetch(options.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
          const body = (await response.json()) as { result?: unknown; error?: { message: string } };
          if (body.error !== undefined) throw new Error(body.error.message);
          return body.result;
        }
      }
    });
    await page.addInitScript((address: string) => {
      const provider = {
        isTestWallet: true,
        request: ({ method, params }: { method: string; params?: unknown[] }) => (window as unknown as { __testWallet(m: string, p: unknown[]): Promise<unknown> }).__testWallet(method, params ?? []),
        on: () => undefined,
        removeListener: () => undefined,
      };
      (window as unknown as { ethereum: unknown }).ethereum = provider;
      const info = { uuid: "5b1c2d3e-0000-4000-8000-0000000000aa", name: `Test wallet ${address.slice(0, 6)}`, icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E", rdns: "test.carbon.wallet" };
      const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
      window.addEventListener("eip6963:requestProvider", announce);
      announce();
    }, account.address);
  }
  return { context, page, errors };
}

/** Connects the page's wallet and signs in with SIWE through the app's own buttons. */
export async function connectAndSignIn(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Connect wallet" }).click();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("signed in", { exact: true }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
