import Ajv from "ajv";
import { expect } from "chai";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import Fastify from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { App } from "../../../backend/src/api/app";
import auth from "../../../backend/src/api/plugins/app/auth";
import depositRoutes from "../../../backend/src/api/routes/deposits";
import { operatorKey, randomHash, signIn } from "../api/helpers";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { CUSTODY, bearer, depositApp, verifyWallet, verraSerial } from "./helpers";

describe("deposits API: POST/GET /deposits/intents", () => {
  let db: TestDatabase;
  let app: App;
  const holder = privateKeyToAccount(generatePrivateKey());
  const other = privateKeyToAccount(generatePrivateKey());
  let token: string;
  let otherToken: string;
  const now = new Date("2026-11-28T12:00:00.000Z");

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    app = await depositApp(db.pool, { now: () => now });
    await verifyWallet(db.pool, holder.address);
    await verifyWallet(db.pool, other.address);
    token = await signIn(app, holder);
    otherToken = await signIn(app, other);
  });
  after(async () => {
    await app?.close();
    await db?.drop();
  });

  function declare(body: Record<string, unknown>, session = token) {
    return app.inject({
      method: "POST",
      url: "/deposits/intents",
      headers: bearer(session),
      payload: body,
    });
  }

  it("creates an intent for a signed-in, verified wallet: memo, custody account, instructions, 24 h expiry", async () => {
    const serial = verraSerial(9001, 1000n, 1999n);
    const response = await declare({
      registry: "VERRA",
      serial,
      sourceAccount: "SELLER-1",
    });
    expect(response.statusCode, response.body).to.equal(201);
    const intent = response.json();
    expect(intent.intentId).to.match(/^0x[0-9a-f]{64}$/);
    expect(intent).to.include({
      memo: intent.intentId,
      holder: holder.address,
      registry: "VERRA",
      custodyAccount: CUSTODY,
      declaredSerial: serial,
      declaredStart: "1000",
      declaredEnd: "1999",
      sourceAccount: "SELLER-1",
      status: "awaiting_transfer",
      recordId: null,
      expiresAt: "2026-11-29T12:00:00.000Z",
    });
    expect(intent.instructions).to.contain(CUSTODY).and.contain(intent.intentId).and.contain("VERRA");
    const registry = await db.pool.query("SELECT custody_account FROM registries WHERE id = 'VERRA'");
    expect(registry.rows[0]?.custody_account).to.equal(CUSTODY);
    // Another declaration of the same block gets another id (salted), and is refused as overlapping.
    const again = await declare({ registry: "VERRA", serial });
    expect(again.statusCode).to.equal(409);
    expect(again.json().message).to.contain(`your deposit intent ${intent.intentId}`).and.contain("awaiting_transfer");
  });

  it("refuses without a session (401) and for a wallet the IdentityRegistry does not verify (403)", async () => {
    const anonymous = await app.inject({
      method: "POST",
      url: "/deposits/intents",
      payload: { registry: "VERRA", serial: verraSerial(9002, 1n, 10n) },
    });
    expect(anonymous.statusCode).to.equal(401);
    const stranger = privateKeyToAccount(generatePrivateKey());
    const strangerToken = await signIn(app, stranger);
    const unverified = await declare({ registry: "VERRA", serial: verraSerial(9002, 1n, 10n) }, strangerToken);
    expect(unverified.statusCode).to.equal(403);
    expect(unverified.json().message).to.contain("no identity on the IdentityRegistry");
    await verifyWallet(db.pool, stranger.address, Math.floor(now.getTime() / 1000) - 1);
    const expired = await declare({ registry: "VERRA", serial: verraSerial(9002, 1n, 10n) }, strangerToken);
    expect(expired.statusCode).to.equal(403);
    expect(expired.json().message).to.contain("identity expired");
  });

  it("names the bad field: unknown or unserved registry, bad serial, I-REC item, serial without a unit range", async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [
        { registry: "NOPE", serial: verraSerial(9003, 1n, 2n) },
        "body.registry",
        /unknown registry "NOPE"; served here: VERRA, GOLD_STANDARD/,
      ],
      [{ registry: "IN_CCTS", serial: "CCC-IN-2024-1-1-100" }, "body.registry", /IN_CCTS is not served/],
      [{ registry: "VERRA", serial: "9003-12-VCS" }, "body.serial", /expected 11 to 13/],
      [
        {
          registry: "VERRA",
          serial: "9003-20-10-VCS-VCU-500-VER-US-3352-01012024-31122024-0",
        },
        "body.serial",
        /blockEnd/,
      ],
      [{ registry: "GOLD_STANDARD", serial: "GS1-1-CN-GS7604-3-2020-21289" }, "body.serial", /no unit range/],
      [{ registry: "VERRA" }, "body.serial", /.+/],
    ];
    for (const [body, field, message] of cases) {
      const response = await declare(body);
      expect(response.statusCode, JSON.stringify(body)).to.equal(400);
      const error = response.json();
      expect(error.fields[0].field, JSON.stringify(body)).to.equal(field);
      expect(error.message, JSON.stringify(body)).to.match(message);
    }
    const irecApp = await depositApp(db.pool, {
      registries: ["VERRA", "IREC"],
    });
    try {
      const irecToken = await signIn(irecApp, holder);
      const irec = await irecApp.inject({
        method: "POST",
        url: "/deposits/intents",
        headers: bearer(irecToken),
        payload: { registry: "IREC", serial: "0000-0000-0001" },
      });
      expect(irec.statusCode).to.equal(400);
      expect(irec.json().message).to.match(/body\.serial: I-REC certificates carry no unit range/);
    } finally {
      await irecApp.close();
    }
  });

  it("answers 400 naming the field for a NUL or another control character in any text field, and stores nothing " +
    "(issue 12 §2)", async () => {
    const serial = verraSerial(9010, 1n, 10n);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ registry: "VERRA", serial, sourceAccount: "SELLER\u0000-1" }, "body.sourceAccount"],
      [{ registry: "VERRA", serial, sourceAccount: "SELLER-\u0007" }, "body.sourceAccount"],
      [{ registry: "VERRA", serial, sourceAccount: "SELLER\n1" }, "body.sourceAccount"],
      [{ registry: "VERRA", serial, sourceAccount: "SELLER\u0085" }, "body.sourceAccount"],
      [{ registry: "VERRA", serial, sourceAccount: "SELLER\udc00" }, "body.sourceAccount"],
      [{ registry: "VERRA", serial: `${serial}\u0000` }, "body.serial"],
      [{ registry: "VERRA\u0000", serial }, "body.registry"],
    ];
    const before = await db.pool.query("SELECT count(*)::int AS n FROM deposit_intents");
    for (const [body, field] of cases) {
      const response = await declare(body);
      expect(response.statusCode, `${JSON.stringify(body)}: ${response.body}`).to.equal(400);
      const error = response.json();
      expect(error.fields[0].field, JSON.stringify(body)).to.equal(field);
      expect(error.fields[0].message, JSON.stringify(body)).to.match(/control character|invalid UTF-16/);
    }
    const after = await db.pool.query("SELECT count(*)::int AS n FROM deposit_intents");
    expect(after.rows[0].n).to.equal(before.rows[0].n);
    // Printable text, accents included, is still an account name.
    const fine = await declare({ registry: "VERRA", serial, sourceAccount: "Société Générale – compte 7" });
    expect(fine.statusCode, fine.body).to.equal(201);
    expect(fine.json().sourceAccount).to.equal("Société Générale – compte 7");
  });

  it("409 when the range overlaps a minted deposit or another wallet's open intent; a terminal intent frees it", async () => {
    const prefix = "9004-VCS-VCU-500-VER-US-3352-01012024-31122024-0";
    const depositId = randomHash();
    await db.pool.query(
      `INSERT INTO deposits (registry_id, serial_prefix, block_start, block_end, status, deposit_id) VALUES ('VERRA', ` +
        `$1, 500, 599, 'minted', $2)`,
      [prefix, depositId],
    );
    const minted = await declare({
      registry: "VERRA",
      serial: verraSerial(9004, 550n, 700n),
    });
    expect(minted.statusCode).to.equal(409);
    expect(minted.json().message).to.equal(
      `body.serial: units 500-599 of ${prefix} are already tokenized (deposit ${depositId})`,
    );
    const beside = await declare({
      registry: "VERRA",
      serial: verraSerial(9004, 600n, 700n),
    });
    expect(beside.statusCode, beside.body).to.equal(201);
    const taken = await declare({ registry: "VERRA", serial: verraSerial(9004, 650n, 650n) }, otherToken);
    expect(taken.statusCode).to.equal(409);
    expect(taken.json().message).to.contain("units 600-700").and.contain("another wallet's deposit intent");
    expect(taken.json().message).not.to.contain(beside.json().intentId);
    await db.pool.query("UPDATE deposit_intents SET status = 'expired' WHERE intent_id = $1", [beside.json().intentId]);
    const freed = await declare({ registry: "VERRA", serial: verraSerial(9004, 650n, 650n) }, otherToken);
    expect(freed.statusCode, freed.body).to.equal(201);
  });

  it("concurrent declarations of one range: exactly one succeeds", async () => {
    const serial = verraSerial(9005, 1n, 100n);
    const answers = await Promise.all([
      declare({ registry: "VERRA", serial }),
      declare({ registry: "VERRA", serial }, otherToken),
    ]);
    expect(answers.map((answer) => answer.statusCode).sort()).to.deep.equal([201, 409]);
  });

  it("GET one: the holder's own or an operator's; another wallet sees 404; GET list: the holder's, newest first, " +
    "paged", async () => {
    const created = await declare({
      registry: "GOLD_STANDARD",
      serial: "GS1-1-KE-GS7495-16-2025-30645-608-30350",
    });
    expect(created.statusCode, created.body).to.equal(201);
    const { intentId } = created.json();
    const url = `/deposits/intents/${intentId}`;
    const own = await app.inject({
      method: "GET",
      url,
      headers: bearer(token),
    });
    expect(own.statusCode).to.equal(200);
    expect(own.json()).to.include({
      intentId,
      registry: "GOLD_STANDARD",
      declaredStart: "608",
      declaredEnd: "30350",
    });
    expect((await app.inject({ method: "GET", url, headers: bearer(otherToken) })).statusCode).to.equal(404);
    expect((await app.inject({ method: "GET", url })).statusCode).to.equal(401);
    const key = await operatorKey(db.pool, "ops", ["deposits:read"]);
    const byOperator = await app.inject({
      method: "GET",
      url,
      headers: { "x-api-key": key },
    });
    expect(byOperator.statusCode).to.equal(200);
    expect(byOperator.json().holder).to.equal(holder.address);
    const weakKey = await operatorKey(db.pool, "weak", ["jobs:read"]);
    expect(
      (
        await app.inject({
          method: "GET",
          url,
          headers: { "x-api-key": weakKey },
        })
      ).statusCode,
    ).to.equal(403);

    const mine = await db.pool.query<{ intent_id: string }>(
      "SELECT intent_id FROM deposit_intents WHERE holder = $1 ORDER BY created_at DESC, intent_id DESC",
      [holder.address.toLowerCase()],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? "?limit=2" : `?limit=2&cursor=${cursor}`;
      const response = await app.inject({
        method: "GET",
        url: `/deposits/intents${query}`,
        headers: bearer(token),
      });
      expect(response.statusCode).to.equal(200);
      const body = response.json() as {
        items: Array<{ intentId: string; holder: string }>;
        nextCursor: string | null;
      };
      for (const item of body.items) expect(item.holder).to.equal(holder.address);
      seen.push(...body.items.map((item) => item.intentId));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(seen).to.deep.equal(mine.rows.map((row) => row.intent_id));
    expect(seen[0]).to.equal(intentId);
    expect(seen.length).to.be.greaterThan(2);
  });

  it("documents the routes in the OpenAPI document with schemas that compile", async () => {
    const doc = (await app.inject({ method: "GET", url: "/docs/json" })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>>;
    };
    expect(Object.keys(doc.paths)).to.include.members(["/deposits/intents", "/deposits/intents/{intentId}"]);
    const ajv = new Ajv({ strict: false });
    const post = doc.paths["/deposits/intents"]!.post!;
    expect(Object.keys(post.responses)).to.include.members(["201", "400", "401", "409"]);
    for (const response of Object.values(post.responses)) ajv.compile(response.content!["application/json"]!.schema!);
  });

  it("registers as well inside a scope that already has the auth plugin (the domain API)", async () => {
    const scoped = Fastify();
    scoped.setValidatorCompiler(validatorCompiler);
    scoped.setSerializerCompiler(serializerCompiler);
    await scoped.register(async (scope) => {
      await scope.register(auth);
      await scope.register(depositRoutes, { pool: db.pool, custodyAccount: CUSTODY, registries: ["VERRA"] });
    });
    try {
      await scoped.ready();
      const listed = await scoped.inject({ method: "GET", url: "/deposits/intents", headers: bearer(token) });
      expect(listed.statusCode).to.equal(200);
      expect(listed.json().items.length).to.be.greaterThan(0);
    } finally {
      await scoped.close();
    }
  });
});
