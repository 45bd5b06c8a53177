// Debug helper (not a test): one step of the walk against the platform debugPlatform.ts keeps running.
import fs from "node:fs";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../../backend/src/platform/devAccounts";
import { connectAndSignIn, launchBrowser, openPage } from "./browser";
void (async () => {
  const p = JSON.parse(fs.readFileSync("/tmp/webdbg/platform.json", "utf8")) as { api: string; rpc: string };
  const browser = await launchBrowser();
  const seller = await openPage(browser, { account: devAccount(DEV_ACCOUNT_INDEX.seller), rpcUrl: p.rpc, chainId: 31337 });
  seller.page.on("console", (m) => console.log("console", m.type(), m.text().slice(0, 300)));
  const listing = (await (await fetch(`${p.api}/listings`)).json()) as { items: Array<{ batchId: string }> };
  await seller.page.goto(`${p.api}/trade/${listing.items[0]!.batchId}`);
  try {
    await connectAndSignIn(seller.page);
    console.log("signed in");
  } catch (error) {
    console.log("FAILED", String(error).slice(0, 500));
  }
  await seller.page.screenshot({ path: "/tmp/webdbg/seller.png", fullPage: true });
  console.log("errors", seller.errors);
  await browser.close();
})();
