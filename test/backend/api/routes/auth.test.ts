import { expect } from "chai";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { TEST_CHAIN_ID, TEST_SIWE_DOMAIN, domainApp, signIn } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

describe("api routes: auth (Sign-In with Ethereum)", () => {
  let h: Harness;
  const wallet = privateKeyToAccount(generatePrivateKey());
  const intruder = privateKeyToAccount(generatePrivateKey());

  before(async () => {
    h = await domainApp();
  });
  after(async () => {
    await h?.close();
  });

  async function nonce(): Promise<string> {
    const response = await h.app.inject({ method: "GET", url: "/auth/nonce" });
    expect(response.statusCode).to.equal(200);
    return response.json().nonce;
  }

  function message(fields: Partial<Parameters<typeof createSiweMessage>[0]> & { nonce: string }): string {
    return createSiweMessage({
      address: wallet.address,
      chainId: TEST_CHAIN_ID,
      domain: TEST_SIWE_DOMAIN,
      uri: `https://${TEST_SIWE_DOMAIN}/login`,
      version: "1",
      issuedAt: new Date(),
      statement: "Sign in to the carbon custody platform",
      ...fields,
    });
  }

  const siwe = (payload: { message: string; signature: string }) => h.app.inject({ method: "POST", url: "/auth/siwe", payload });

  it("GET /auth/nonce hands out fresh nonces with the domain and chain to sign for", async () => {
    const a = (await h.app.inject({ method: "GET", url: "/auth/nonce" })).json();
    const b = await nonce();
    expect(a.nonce)
      .to.match(/^[0-9a-f]{32}$/)
      .and.not.equal(b);
    expect(a).to.include({ domain: TEST_SIWE_DOMAIN, chainId: TEST_CHAIN_ID });
    expect(new Date(a.expiresAt).getTime()).to.be.greaterThan(Date.now());
  });

  it("full flow: nonce -> viem-signed message -> session token -> authenticated call -> logout", async () => {
    const text = message({ nonce: await nonce() });
    const signature = await wallet.signMessage({ message: text });
    const response = await siwe({ message: text, signature });
    expect(response.statusCode, response.body).to.equal(200);
    const { token, address, expiresAt } = response.json();
    expect(token).to.match(/^cs_[A-Za-z0-9_-]{43}$/);
    expect(address).to.equal(wallet.address);
    expect(new Date(expiresAt).getTime()).to.be.greaterThan(Date.now());
    const { rows } = await h.db.pool.query("SELECT token_hash FROM api_sessions");
    expect(JSON.stringify(rows)).not.to.contain(token.slice(3));

    const session = await h.app.inject({ method: "GET", url: "/auth/session", headers: { authorization: `Bearer ${token}` } });
    expect(session.statusCode).to.equal(200);
    expect(session.json().address).to.equal(wallet.address);

    const logout = await h.app.inject({ method: "POST", url: "/auth/logout", headers: { authorization: `Bearer ${token}` } });
    expect(logout.json()).to.deep.equal({ status: "signed_out" });
    const after = await h.app.inject({ method: "GET", url: "/auth/session", headers: { authorization: `Bearer ${token}` } });
    expect(after.statusCode).to.equal(401);
  });

  it("refuses a replayed nonce", async () => {
    const text = message({ nonce: await nonce() });
    const signature = await wallet.signMessage({ message: text });
    expect((await siwe({ message: text, signature })).statusCode).to.equal(200);
    const replay = await siwe({ message: text, signature });
    expect(replay.statusCode).to.equal(401);
    expect(replay.json().fields[0].field).to.equal("body.message.nonce");
  });

  it("refuses a nonce it never issued and an expired one", async () => {
    const made = message({ nonce: "abcdef0123456789abcdef0123456789" });
    const unknown = await siwe({ message: made, signature: await wallet.signMessage({ message: made }) });
    expect(unknown.statusCode).to.equal(401);
    expect(unknown.json().fields[0].field).to.equal("body.message.nonce");
    const stale = await nonce();
    await h.db.pool.query("UPDATE siwe_nonces SET expires_at = now() - interval '1 second' WHERE nonce = $1", [stale]);
    const text = message({ nonce: stale });
    const expired = await siwe({ message: text, signature: await wallet.signMessage({ message: text }) });
    expect(expired.json().fields[0].field).to.equal("body.message.nonce");
  });

  it("refuses the wrong domain and chain id, an expired or not-yet-valid message, naming the part (nonce kept)", async () => {
    const n = await nonce();
    const cases: Array<[Partial<Parameters<typeof createSiweMessage>[0]>, string]> = [
      [{ domain: "evil.example" }, "body.message.domain"],
      [{ chainId: 1 }, "body.message.chainId"],
      [{ expirationTime: new Date(Date.now() - 1000) }, "body.message.expirationTime"],
      [{ notBefore: new Date(Date.now() + 60_000) }, "body.message.notBefore"],
    ];
    for (const [fields, field] of cases) {
      const text = message({ nonce: n, ...fields });
      const response = await siwe({ message: text, signature: await wallet.signMessage({ message: text }) });
      expect(response.statusCode, field).to.equal(401);
      expect(response.json().fields[0].field).to.equal(field);
    }
    const text = message({ nonce: n });
    expect((await siwe({ message: text, signature: await wallet.signMessage({ message: text }) })).statusCode).to.equal(200);
  });

  it("refuses a signature by another key (401 naming body.signature)", async () => {
    const text = message({ nonce: await nonce() });
    const response = await siwe({ message: text, signature: await intruder.signMessage({ message: text }) });
    expect(response.statusCode).to.equal(401);
    expect(response.json().fields[0].field).to.equal("body.signature");
  });

  it("answers 400 naming the field for a body that is not a SIWE sign-in", async () => {
    const notSiwe = await siwe({ message: "hello", signature: `0x${"11".repeat(65)}` });
    expect(notSiwe.statusCode).to.equal(400);
    expect(notSiwe.json().fields[0].field).to.equal("body.message");
    const badSig = await h.app.inject({ method: "POST", url: "/auth/siwe", payload: { message: "x", signature: "0x1" } });
    expect(badSig.statusCode).to.equal(400);
    expect(badSig.json().fields[0].field).to.equal("body.signature");
  });

  it("answers 400 naming body.message for a NUL or another control " +
    "character in the message, never a 500 (issue 12 §2)", async () => {
    for (const bad of ["\u0000", "\u0007", "\u001b[31m", "\u007f", "\ud800"]) {
      const text = message({ nonce: await nonce() }).replace(/^Nonce: (.*)$/m, `Nonce: $1${bad}`);
      const response = await siwe({ message: text, signature: await wallet.signMessage({ message: text }) });
      expect(response.statusCode, `${JSON.stringify(bad)}: ${response.body}`).to.equal(400);
      expect(response.json().fields[0].field).to.equal("body.message");
      expect(response.json().message).to.match(/control character|invalid UTF-16/);
    }
    // Line breaks (and tabs) are what an EIP-4361 message is made of: still accepted.
    const good = message({ nonce: await nonce() });
    expect((await siwe({ message: good, signature: await wallet.signMessage({ message: good }) })).statusCode).to.equal(200);
  });

  it("answers 401 for a missing, malformed or expired session token", async () => {
    expect((await h.app.inject({ method: "GET", url: "/auth/session" })).statusCode).to.equal(401);
    expect((await h.app.inject({ method: "POST", url: "/auth/logout" })).statusCode).to.equal(401);
    const basic = await h.app.inject({ method: "GET", url: "/auth/session", headers: { authorization: "Basic dTpw" } });
    expect(basic.statusCode).to.equal(401);
    const token = await signIn(h.app, wallet);
    await h.db.pool.query("UPDATE api_sessions SET expires_at = now() - interval '1 second'");
    const expired = await h.app.inject({ method: "GET", url: "/auth/session", headers: { authorization: `Bearer ${token}` } });
    expect(expired.statusCode).to.equal(401);
    expect(expired.json().message).to.match(/expired/);
  });
});

describe("api routes: auth rate limit", () => {
  it("answers 429 with Retry-After past the per-client budget, on the auth routes only", async () => {
    const h = await domainApp({ siwe: { domain: TEST_SIWE_DOMAIN, chainId: TEST_CHAIN_ID, rateLimitPerMinute: 3 } });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await h.app.inject({ method: "GET", url: "/auth/nonce" })).statusCode).to.equal(200);
      }
      const limited = await h.app.inject({ method: "GET", url: "/auth/nonce" });
      expect(limited.statusCode).to.equal(429);
      expect(limited.json()).to.include({ error: "rate_limited" });
      expect(limited.json().message).to.match(/at most 3 a minute/);
      expect(Number(limited.headers["retry-after"])).to.be.greaterThan(0);
      const other = await h.app.inject({ method: "GET", url: "/batches" });
      expect(other.statusCode).to.equal(200);
    } finally {
      await h.close();
    }
  });
});
