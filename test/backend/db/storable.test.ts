import { expect } from "chai";
import fc from "fast-check";
import type { AbiParameter } from "viem";
import { toJson } from "../../../backend/src/indexer/decode";
import { storableText, withStorableStrings, unescapeStorableText } from "../../../backend/src/db/storable";
import { type TestDatabase, createTestDatabase } from "../../support/database";

/** Any UTF-16 code unit, so lone surrogates and NUL appear; and whole code points (fast-check 4's "binary" unit). */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
const hostile = fc.constantFrom("\u0000", "\\", "\\u0000", "\\\\u0000", "\ud800", "\udfff", "\ud83d\ude00", "\u0001", "\u007f");
const anyString = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({ unit: codeUnit }),
  fc.string({ unit: fc.oneof(hostile, codeUnit) }),
);

describe("indexer: chain strings made storable", () => {
  it("escapes NUL as six characters, doubles backslashes and keeps ordinary text unchanged", () => {
    expect(storableText("Acme\u0000Ltd")).to.equal("Acme\\u0000Ltd");
    expect(storableText("C:\\u0000")).to.equal("C:\\\\u0000");
    expect(storableText("\ud800x")).to.equal("\\ud800x");
    expect(storableText("Acme Ltd \ud83d\ude00 \u0001")).to.equal("Acme Ltd \ud83d\ude00 \u0001");
    expect(unescapeStorableText("C:\\\\u0000")).to.equal("C:\\u0000");
  });

  it("round-trips every JS string (property)", () => {
    fc.assert(
      fc.property(anyString, (value) => {
        expect(unescapeStorableText(storableText(value))).to.equal(value);
      }),
      { numRuns: 2000 },
    );
  });

  it("escapes every string the decoder turns into JSON, inside tuples and arrays too (property)", () => {
    const details: AbiParameter = {
      type: "tuple",
      name: "details",
      components: [
        { type: "string", name: "beneficiary" },
        { type: "string", name: "reason" },
      ],
    };
    fc.assert(
      fc.property(anyString, anyString, fc.array(anyString, { maxLength: 4 }), (beneficiary, reason, list) => {
        const out = toJson({ beneficiary, reason }, details) as { beneficiary: string; reason: string };
        expect(out).to.deep.equal({ beneficiary: storableText(beneficiary), reason: storableText(reason) });
        expect(toJson(list, { type: "string[]", name: "names" })).to.deep.equal(list.map(storableText));
      }),
    );
  });

  describe("in PostgreSQL", () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase();
    });
    after(async () => db?.drop());

    it("raw NUL is refused by text and jsonb (why the escape exists)", async () => {
      let textError: unknown;
      await db.pool.query("SELECT $1::text", ["a\u0000b"]).catch((error: unknown) => (textError = error));
      expect((textError as { code?: string } | undefined)?.code).to.equal("22021");
      let jsonError: unknown;
      await db.pool.query("SELECT $1::jsonb", [JSON.stringify({ b: "a\u0000b" })]).catch((error: unknown) => (jsonError = error));
      expect((jsonError as { code?: string } | undefined)?.code).to.match(/^22/);
    });

    it("stores the escaped form of any string in text and jsonb and reads it back exactly (property)", async () => {
      const client = await db.pool.connect();
      try {
        await client.query("CREATE TEMP TABLE storable_probe (t text NOT NULL, j jsonb NOT NULL)");
        await fc.assert(
          fc.asyncProperty(anyString, async (value) => {
            const escaped = storableText(value);
            const { rows } = await client.query<{ t: string; j: { v: string } }>(
              "INSERT INTO storable_probe (t, j) VALUES ($1, $2::jsonb) RETURNING t, j",
              [escaped, JSON.stringify({ v: escaped })],
            );
            expect(rows[0]?.t).to.equal(escaped);
            expect(rows[0]?.j.v).to.equal(escaped);
            expect(unescapeStorableText(rows[0]?.t ?? "")).to.equal(value);
          }),
          { numRuns: 300 },
        );
      } finally {
        client.release();
      }
    });
  });

  it("registry strings: NUL and lone surrogates in values and keys become U+FFFD, backslashes and all else stay", () => {
    const value = { memo: "a\u0000b\\u0000", ["k\u0000"]: ["\ud800", "\ud83d\ude00", 7, null] };
    expect(withStorableStrings(value)).to.deep.equal({ memo: "a\ufffdb\\u0000", "k\ufffd": ["\ufffd", "\ud83d\ude00", 7, null] });
  });

  it("registry strings: every string it gives is accepted by PostgreSQL as text and jsonb (property)", async () => {
    const db = await createTestDatabase();
    try {
      await fc.assert(
        fc.asyncProperty(anyString, async (value) => {
          const parsed = withStorableStrings({ [value]: value }) as Record<string, string>;
          const [key] = Object.keys(parsed);
          await db.pool.query("SELECT $1::text, $2::jsonb", [parsed[key!], JSON.stringify(parsed)]);
        }),
        { numRuns: 200 },
      );
    } finally {
      await db.drop();
    }
  });
});
