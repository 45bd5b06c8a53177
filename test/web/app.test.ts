/**
 * The web app in a real browser (Debian's Chromium through playwright-core) against the platform as `npm start`
 * runs it, with wallets that sign with development keys: what each kind of user does, page by page, with a
 * screenshot of each page for docs/screenshots/. One platform for the whole walk; the steps build on each other.
 */
import { expect } from "chai";
import jsQR from "jsqr";
import { PDFParse } from "pdf-parse";
import type { Browser, Page } from "playwright-core";
import type { HDAccount } from "viem";
import { PLATFORM_CUSTODY_ACCOUNT, SELLER_REGISTRY_ACCOUNT } from "../../backend/src/platform/demo";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../backend/src/platform/devAccounts";
import { createRegistryAdapters } from "../../backend/src/registries/adapters";
import type { RegistryPort } from "../../backend/src/registries/port";
import { type PlatformProcess, getJson, startPlatformProcess, until } from "../support/platformProcess";
import { type WalletPage, connectAndSignIn, launchBrowser, openPage, screenshot } from "./support/browser";

const { PNG } = require("pngjs") as { PNG: { sync: { read(data: Buffer): { width: number; height: number; data: Buffer } } } };

const SECOND_VERRA_BLOCK = "20002-2000010001-2000015000-VCS-VCU-500-VER-US-3352-01012024-31122024-0";

describe("web app: every page in a real browser, against the platform as npm start runs it", function () {
  this.timeout(600_000);
  let platform: PlatformProcess;
  let browser: Browser;
  let seller: WalletPage;
  let buyer: WalletPage;
  let batchId: string;
  let retirementId: string;
  const sellerAccount: HDAccount = devAccount(DEV_ACCOUNT_INDEX.seller);
  const buyerAccount: HDAccount = devAccount(DEV_ACCOUNT_INDEX.buyer);
  const pages: WalletPage[] = [];

  const open = async (account?: HDAccount, viewport?: { width: number; height: number }) => {
    const opened = await openPage(browser, { account, rpcUrl: platform.rpc, chainId: 31337, ...(viewport === undefined ? {} : { viewport }) });
    pages.push(opened);
    return opened;
  };
  const go = (page: Page, path: string) => page.goto(`${platform.api}${path}`);

  before(async () => {
    // WEB_TEST_ATTACH=<file>: use a platform already running (its api, rpc, operator key and Verra URL as JSON) while
    // working on this suite; otherwise start one as npm start does.
    const attach = process.env.WEB_TEST_ATTACH;
    platform =
      attach === undefined
        ? await startPlatformProcess()
        : (() => {
            const running = JSON.parse(require("node:fs").readFileSync(attach, "utf8")) as { api: string; rpc: string; key: string; verra: string };
            return { ...running, operatorKey: () => running.key, simulatorUrl: () => running.verra, stop: async () => undefined } as unknown as PlatformProcess;
          })();
    browser = await launchBrowser();
    await until("the demo batch in the listing", async () => {
      const listing = (await getJson(`${platform.api}/listings`)) as { items: Array<{ batchId: string; totalSupply: string }> };
      const first = listing.items.find((item) => BigInt(item.totalSupply) > 0n);
      return first?.batchId;
    }, 120_000).then((id) => (batchId = id));
    seller = await open(sellerAccount);
    buyer = await open(buyerAccount);
  });

  after(async () => {
    const errors = pages.flatMap((p) => p.errors);
    await browser?.close();
    await platform?.stop();
    // Any script error on any page fails the walk (reported after the browser is gone).
    expect(errors, "script errors in the browser").to.deep.equal([]);
  });

  it("first visit without a wallet: the market with the demo Verra batch, a wallet connection offered, no script error", async () => {
    const visitor = await open();
    await go(visitor.page, "/");
    await visitor.page.getByRole("heading", { name: "Market" }).waitFor();
    await visitor.page.getByRole("cell", { name: /Verra/ }).first().waitFor();
    expect(await visitor.page.getByRole("cell", { name: /3352/ }).count()).to.be.greaterThan(0);
    expect(await visitor.page.getByRole("button", { name: "Connect wallet" }).isVisible()).to.equal(true);
    // Bad input in a filter gets an inline message.
    await visitor.page.getByLabel("Vintage year").fill("20x4");
    await visitor.page.getByText("Enter a four-digit year, e.g. 2024").waitFor();
    await visitor.page.getByLabel("Vintage year").fill("");
    await screenshot(visitor.page, "market");
    const phone = await open(undefined, { width: 390, height: 844 });
    await go(phone.page, "/market");
    await phone.page.getByRole("cell", { name: /Verra/ }).first().waitFor();
    await screenshot(phone.page, "market-phone");
    expect(visitor.errors).to.deep.equal([]);
  });

  it("the seller signs in and posts a sell order after reading it in words", async () => {
    await go(seller.page, `/trade/${batchId}`);
    await connectAndSignIn(seller.page);
    const form = seller.page.getByRole("form", { name: "Sell order" });
    await form.getByLabel("Quantity to sell (tCO2e)").fill("1.5");
    await form.getByLabel("Price per tCO2e (TUSD)").fill("2.50");
    await form.getByRole("button", { name: "Review order" }).click();
    await form.getByText("Quantity must be a whole number of units (no decimals)").waitFor();
    await form.getByLabel("Quantity to sell (tCO2e)").fill("100");
    await form.getByRole("button", { name: "Review order" }).click();
    const review = seller.page.getByRole("region", { name: "What you are signing" });
    await review.getByText("You give").waitFor();
    const words = await review.innerText();
    expect(words).to.contain("100 tCO2e").and.contain("You get").and.contain("Fee cap").and.contain("Expiry").and.contain("248.75 TUSD");
    await review.getByRole("button", { name: "Sign order" }).click();
    await seller.page.getByText(/is on the book/).waitFor();
    await screenshot(seller.page, "trade");
  });

  it("the buyer fills part of the ask; the rest stays on the book", async () => {
    await go(buyer.page, `/trade/${batchId}`);
    await connectAndSignIn(buyer.page);
    await buyer.page.getByRole("button", { name: /Buy from the ask at 2.50 TUSD/ }).click();
    const form = buyer.page.getByRole("form", { name: "Buy from this order" });
    await form.getByLabel("Quantity to buy (tCO2e)").fill("500");
    await form.getByRole("button", { name: "Buy", exact: true }).click();
    await form.getByText("At most 100 are left in this order").waitFor();
    await form.getByLabel("Quantity to buy (tCO2e)").fill("40");
    await form.getByRole("button", { name: "Buy", exact: true }).click();
    await buyer.page.getByText(/Bought 40 tCO2e for 100.00 TUSD/).waitFor({ timeout: 60_000 });
    await until("the partial fill in the book", async () => {
      const book = (await getJson(`${platform.api}/batches/${batchId}/orders`)) as { items: Array<{ remaining: string }> };
      return book.items.some((o) => o.remaining === "60") ? true : undefined;
    }, 30_000);
    await buyer.page.getByRole("cell", { name: "60", exact: true }).first().waitFor();
  });

  it("the buyer sells part of what it bought, and the seller cancels its order on chain", async () => {
    const form = buyer.page.getByRole("form", { name: "Sell order" });
    const approve = buyer.page.getByRole("button", { name: "Approve credits for Settlement" });
    // The buyer never sold before: the app asks it to let Settlement deliver its credits first.
    if (await approve.waitFor({ timeout: 10_000 }).then(() => true, () => false)) {
      await approve.click();
      await buyer.page.getByText("Settlement may now deliver your credits to buyers.").waitFor({ timeout: 60_000 });
    }
    await form.getByLabel("Quantity to sell (tCO2e)").fill("5");
    await form.getByLabel("Price per tCO2e (TUSD)").fill("3");
    await form.getByRole("button", { name: "Review order" }).click();
    await buyer.page.getByRole("region", { name: "What you are signing" }).getByRole("button", { name: "Sign order" }).click();
    await buyer.page.getByText(/is on the book/).waitFor();

    await seller.page.reload();
    const cancel = seller.page.getByRole("button", { name: /Cancel order .* on chain/ }).first();
    await cancel.waitFor({ timeout: 30_000 });
    await cancel.click();
    await seller.page.getByText("Cancelled on chain: the signed order can no longer fill.").waitFor({ timeout: 60_000 });
    await until("the on-chain cancel in the index", async () => {
      const mine = (await getJson(`${platform.api}/orders?maker=${sellerAccount.address}&status=cancelled`)) as { items: unknown[] };
      return mine.items.length > 0 ? true : undefined;
    }, 30_000);
  });

  it("the buyer retires with a beneficiary and follows the timeline to burned", async () => {
    await go(buyer.page, "/retire");
    const form = buyer.page.getByRole("form", { name: "Retirement" });
    await form.getByLabel("Quantity to retire (tCO2e)").fill("10");
    await form.getByRole("button", { name: "Retire" }).click();
    await form.getByText("Name who the retirement is for (a company or a person)").waitFor();
    await form.getByLabel("Beneficiary").fill("Acme Steel Ltd");
    await form.getByLabel("Retirement reason").fill("FY2026 scope 1 offset");
    await form.getByRole("button", { name: "Retire" }).click();
    await buyer.page.waitForURL(/\/retire\/0x[0-9a-f]{64}$/, { timeout: 60_000 });
    retirementId = buyer.page.url().split("/").pop()!;
    const timeline = buyer.page.getByRole("list", { name: "Retirement stages" });
    await timeline.getByText("Units locked for retirement").waitFor({ timeout: 60_000 });
    await timeline.getByRole("listitem").filter({ hasText: "Burned on chain" }).getByText("done", { exact: true }).waitFor({ timeout: 180_000 });
    const text = await timeline.innerText();
    expect(text).to.contain("Sent to the registry").and.contain("Registry confirmed").and.match(/Attested by \d of 3 oracles/);
    await screenshot(buyer.page, "retire");
  });

  it("the certificate states it in words; its PDF carries the same text and a QR code to the verification page", async () => {
    // The registry's own record of the retired block (its serial range) reaches the custody mirror by its webhook.
    await until("the retired serial range on the certificate", async () => {
      const c = (await getJson(`${platform.api}/certificates/${retirementId}`)) as { serialRange: { serial: string | null } };
      return c.serialRange.serial ?? undefined;
    }, 60_000);
    await buyer.page.getByRole("link", { name: "View the certificate" }).click();
    await buyer.page.getByText("Acme Steel Ltd").first().waitFor();
    const facts = await buyer.page.getByRole("definition").allInnerTexts();
    const page = facts.join("\n");
    expect(page).to.contain("Verra (Verified Carbon Standard)").and.contain("3352").and.contain("FY2026 scope 1 offset").and.contain("Verified Carbon Unit");
    expect(page).to.match(/20001-2000000001-2000000010-VCS-VCU-500-VER-US-3352|\d+-\d+-\d+-VCS-VCU-500-VER-US-3352/);
    await screenshot(buyer.page, "certificate");
    const certificate = (await getJson(`${platform.api}/certificates/${retirementId}`)) as { verificationUrl: string; pdfSha256: string; serialRange: { serial: string } };
    const [download] = await Promise.all([buyer.page.waitForEvent("download"), buyer.page.getByRole("link", { name: "Download the PDF" }).click()]);
    const file = await download.path();
    const pdf = require("node:fs").readFileSync(file) as Buffer;
    expect(require("node:crypto").createHash("sha256").update(pdf).digest("hex")).to.equal(certificate.pdfSha256);
    const parser = new PDFParse({ data: new Uint8Array(pdf) });
    const text = (await parser.getText()).text.replace(/\s+/g, "");
    for (const words of ["Acme Steel Ltd", "FY2026 scope 1 offset", certificate.serialRange.serial, "Verra (Verified Carbon Standard)"]) expect(text, words).to.contain(words.replace(/\s+/g, ""));
    const shot = await parser.getScreenshot({ scale: 3, partial: [1] });
    await parser.destroy();
    const png = PNG.sync.read(Buffer.from(shot.pages[0]!.data));
    const qr = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(qr?.data).to.equal(certificate.verificationUrl);
    expect(qr?.data.startsWith(`${platform.api}/verify/${retirementId}`)).to.equal(true);
  });

  it("anyone verifies it on the public page, by the QR link and by the PDF's hash; a tampered id fails", async () => {
    const certificate = (await getJson(`${platform.api}/certificates/${retirementId}`)) as { verificationUrl: string; pdfSha256: string };
    const visitor = await open();
    await visitor.page.goto(certificate.verificationUrl);
    await visitor.page.getByRole("heading", { name: "Verified", exact: true }).waitFor({ timeout: 60_000 });
    const checks = await visitor.page.getByRole("table", { name: "Checks" }).innerText();
    expect(checks).to.contain("one RetirementConfirmed event").and.contain("The registry shows the units as retired").and.not.contain("FAILED");
    await screenshot(visitor.page, "verify");
    await go(visitor.page, "/verify");
    await visitor.page.getByLabel("Certificate id or PDF SHA-256").fill(certificate.pdfSha256);
    await visitor.page.getByRole("button", { name: "Verify" }).click();
    await visitor.page.getByRole("heading", { name: "Verified", exact: true }).waitFor({ timeout: 60_000 });
    const tampered = `${retirementId.slice(0, -1)}${retirementId.endsWith("0") ? "1" : "0"}`;
    await go(visitor.page, `/verify/${tampered}`);
    await visitor.page.getByText(/Not verified: No retirement request/).waitFor({ timeout: 30_000 });
    await go(visitor.page, "/verify");
    await visitor.page.getByLabel("Certificate id or PDF SHA-256").fill("not-a-hash");
    await visitor.page.getByRole("button", { name: "Verify" }).click();
    await visitor.page.getByText(/Paste a certificate id/).waitFor();
  });

  it("the seller deposits a block: intent, the exact registry instruction with memo, progress to minted", async () => {
    await go(seller.page, "/deposit");
    const form = seller.page.getByRole("form", { name: "Deposit intent" });
    await form.getByRole("button", { name: "Declare deposit" }).click();
    await form.getByText("The serial of the block, with its unit range, is required").waitFor();
    await form.getByLabel("Serial of the block").fill("20002-2000010001-VCS");
    await form.getByRole("button", { name: "Declare deposit" }).click();
    await form.getByRole("alert").first().waitFor();
    await form.getByLabel("Serial of the block").fill(SECOND_VERRA_BLOCK);
    await form.getByRole("button", { name: "Declare deposit" }).click();
    const instruction = seller.page.getByRole("region", { name: "Registry transfer instruction" });
    await instruction.waitFor();
    const memo = (await instruction.innerText()).match(/0x[0-9a-f]{64}/)?.[0] ?? "";
    expect(memo).to.match(/^0x[0-9a-f]{64}$/);
    expect(await instruction.innerText()).to.contain(PLATFORM_CUSTODY_ACCOUNT);
    await screenshot(seller.page, "deposits");
    // The holder's transfer at the registry, as the instruction says (the simulator's API, as the holder would use Verra's).
    const verra = createRegistryAdapters({ urls: { VERRA: platform.simulatorUrl("VERRA") } }).VERRA as RegistryPort;
    const block = (await verra.listHoldings({ account: SELLER_REGISTRY_ACCOUNT })).blocks.find((b) => b.serial === SECOND_VERRA_BLOCK)!;
    await verra.transfer({ fromAccount: SELLER_REGISTRY_ACCOUNT, toAccount: PLATFORM_CUSTODY_ACCOUNT, recordId: block.registryRecordId, quantity: block.quantity, memo });
    await seller.page.getByRole("table", { name: "Deposit intents" }).getByRole("cell", { name: "minted" }).waitFor({ timeout: 150_000 });
  });

  it("an escrow deal between two wallets: proposed, signed by both, opened and settled", async () => {
    await go(seller.page, "/escrow");
    const propose = seller.page.getByRole("form", { name: "Propose a deal" });
    await propose.getByLabel("Other party's wallet").fill("0x1234");
    await propose.getByRole("button", { name: "Sign the terms" }).click();
    await propose.getByText(/Enter the other party's wallet address/).waitFor();
    await propose.getByLabel("Other party's wallet").fill(buyerAccount.address);
    await propose.getByLabel("Batch id").fill(batchId);
    await propose.getByLabel("Quantity (tCO2e)").fill("20");
    await propose.getByLabel("Price per tCO2e (TUSD)").fill("3.00");
    await propose.getByRole("button", { name: "Sign the terms" }).click();
    const offer = await seller.page.getByLabel("Your signed offer").inputValue();
    expect(JSON.parse(offer).signature).to.match(/^0x[0-9a-f]{130}$/);
    await go(buyer.page, "/escrow");
    const accept = buyer.page.getByRole("form", { name: "Accept a deal" });
    await accept.getByLabel("Offer you received").fill(offer);
    await accept.getByText("60.00 TUSD, escrowed on chain").waitFor();
    await accept.getByRole("button", { name: "Sign and open the deal" }).click();
    await accept.getByText(/opened: credits and payment are escrowed/).waitFor({ timeout: 60_000 });
    const deals = buyer.page.getByRole("table", { name: "Deals" });
    await deals.getByRole("cell", { name: "open", exact: true }).waitFor({ timeout: 30_000 });
    await deals.getByRole("button", { name: "Settle" }).click();
    await deals.getByRole("cell", { name: "settled", exact: true }).waitFor({ timeout: 60_000 });
    await screenshot(buyer.page, "deals");
  });

  it("the auditor reads the batch's custody trail from the chain, sees the checks hold and exports it", async () => {
    const auditor = await open(buyerAccount);
    await go(auditor.page, "/auditor");
    await auditor.page.getByLabel("Batch id or wallet address").fill("batch seven");
    await auditor.page.getByRole("button", { name: "Read the trail from the chain" }).click();
    await auditor.page.getByText(/Enter a batch id/).waitFor();
    await auditor.page.getByLabel("Batch id or wallet address").fill(batchId);
    await auditor.page.getByRole("button", { name: "Read the trail from the chain" }).click();
    const findings = auditor.page.getByRole("table", { name: "Findings" });
    // The table renders at once (empty, saying so); wait for the checks' results, not for the table.
    await findings.getByRole("cell", { name: /^(holds|DOES NOT HOLD)$/ }).first().waitFor({ timeout: 60_000 });
    expect(await findings.innerText()).to.contain("holds").and.not.contain("DOES NOT HOLD");
    const [download] = await Promise.all([auditor.page.waitForEvent("download"), auditor.page.getByRole("button", { name: "Export the trail (JSON)" }).click()]);
    const exported = JSON.parse(require("node:fs").readFileSync(await download.path(), "utf8")) as { events: Array<{ event: string }> };
    expect(exported.events.map((e) => e.event)).to.include.members(["TransferSingle", "RetirementRequested", "RetirementConfirmed"]);
    await screenshot(auditor.page, "auditor");
  });

  it("the operations console shows the registry's breaker and the maintenance reason during a maintenance window", async () => {
    const ops = await open();
    await go(ops.page, "/console");
    await ops.page.getByLabel("Operator API key").fill("ck_wrong");
    await ops.page.getByRole("button", { name: "Use key" }).click();
    await ops.page.getByText(/This key was refused/).waitFor({ timeout: 30_000 });
    await ops.page.getByLabel("Operator API key").fill(platform.operatorKey());
    await ops.page.getByRole("button", { name: "Use key" }).click();
    await ops.page.getByRole("table", { name: "Jobs per registry, kind and state" }).waitFor({ timeout: 30_000 });
    const start = Date.now();
    await fetch(`${platform.simulatorUrl("VERRA")}/_admin/knobs`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ maintenance: [{ start, end: start + 90_000 }] }) });
    try {
      const health = ops.page.getByRole("table", { name: "Registry health" });
      const verra = health.getByRole("row").filter({ hasText: "Verra" });
      await verra.getByRole("cell", { name: "open", exact: true }).waitFor({ timeout: 120_000 });
      await verra.getByText(/Scheduled maintenance/).waitFor({ timeout: 60_000 });
      expect(await ops.page.getByText(/Indexer lag: \d+ blocks/).count()).to.equal(1);
      await screenshot(ops.page, "console");
    } finally {
      await fetch(`${platform.simulatorUrl("VERRA")}/_admin/knobs`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ maintenance: [] }) });
    }
  });

  it("the portfolio shows holdings, what is locked and the history", async () => {
    await go(buyer.page, "/portfolio");
    await buyer.page.getByRole("table", { name: "Holdings" }).waitFor();
    await buyer.page.getByRole("table", { name: "Requests" }).getByRole("link", { name: "Certificate" }).first().waitFor();
    await screenshot(buyer.page, "portfolio");
  });
});
