/**
 * The evidence primitives against published vectors where they exist: RFC 8785 (the RFC's and its reference
 * implementation's examples, the number table of RFC 8785 appendix B), RFC 6962 (the Certificate Transparency
 * reference tree and audit paths), and, where there is no published vector, against viem on random inputs
 * (keccak-256, secp256k1 recovery, EIP-712 digests, ABI log decoding). The ZIP writer is checked for byte identity
 * and read back with the verifier's reader; the verifier bundle must load with node alone.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { encodeAbiParameters, encodeEventTopics, hashTypedData, keccak256, parseAbi, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { attestationTypes } from "../../../backend/src/chain/attestations";
import { orderTypes } from "../../../backend/src/chain/orders";
import { bundleVerifier, verifierModules } from "../../../backend/src/evidence/verifier";
import { buildZip } from "../../../backend/src/evidence/zip";
import { toCsv } from "../../../backend/src/evidence/csv";
import { istDateTime } from "../../../backend/src/evidence/time";

const { jcs, merkle, keccak, secp256k1, abi, unzip } = verifierModules();
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

describe("evidence primitives", () => {
  describe("RFC 8785 JSON canonicalization", () => {
    it("canonicalizes the reference example to its published UTF-8 bytes", () => {
      const input = JSON.parse(
        '{"numbers":[1E30,4.50,6,2e-3,0.000000000000000000000000001],' +
          '"escaping":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","other":[null,true,false]}',
      );
      const bytes =
        "7b22657363617069 6e67223a22e282ac245c7530303066 5c6e4127425c225c5c5c5c5c222f222c226e756d62657273223a5b31652b3330 " +
        "2c342e352c362c302e3030322c31652d32375d2c226f74686572223a5b6e756c6c2c747275652c66616c73655d7d";
      expect(hex(jcs.canonicalBytes(input))).to.equal(bytes.replace(/ /g, ""));
    });
    it("sorts members by UTF-16 code units (RFC 8785 section 3.2.3)", () => {
      const input = JSON.parse(
        '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",' +
          '"\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
      );
      const keys = [...jcs.canonicalize(input).matchAll(/"([^"]*)":"[^"]*"/g)].map((m) => m[1]);
      expect(keys).to.deep.equal(["\\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"]);
    });
    it("serializes numbers as RFC 8785 appendix B does", () => {
      const table: Array<[string, string]> = [
        ["0000000000000000", "0"],
        ["8000000000000000", "0"],
        ["0000000000000001", "5e-324"],
        ["8000000000000001", "-5e-324"],
        ["7fefffffffffffff", "1.7976931348623157e+308"],
        ["ffefffffffffffff", "-1.7976931348623157e+308"],
        ["4340000000000000", "9007199254740992"],
        ["c340000000000000", "-9007199254740992"],
        ["4430000000000000", "295147905179352830000"],
        ["44b52d02c7e14af5", "9.999999999999997e+22"],
        ["44b52d02c7e14af6", "1e+23"],
        ["44b52d02c7e14af7", "1.0000000000000001e+23"],
        ["444b1ae4d6e2ef4e", "999999999999999700000"],
        ["444b1ae4d6e2ef4f", "999999999999999900000"],
        ["444b1ae4d6e2ef50", "1e+21"],
        ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
        ["3eb0c6f7a0b5ed8d", "0.000001"],
        ["41b3de4355555553", "333333333.3333332"],
        ["41b3de4355555554", "333333333.33333325"],
        ["41b3de4355555555", "333333333.3333333"],
        ["41b3de4355555556", "333333333.3333334"],
        ["41b3de4355555557", "333333333.33333343"],
        ["becbf647612f3696", "-0.0000033333333333333333"],
        ["43143ff3c1cb0959", "1424953923781206.2"],
      ];
      for (const [bits, expected] of table)
        expect(jcs.canonicalize(Buffer.from(bits, "hex").readDoubleBE(0)), bits).to.equal(expected);
    });
    it("refuses what I-JSON cannot hold: NaN, Infinity, lone surrogates, BigInt, undefined", () => {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, "\ud800", 1n, { a: undefined }])
        expect(() => jcs.canonicalize(bad)).to.throw(/JCS/);
    });
    it("is stable: canonicalizing the parse of a canonical text gives the same text", () => {
      fc.assert(
        fc.property(fc.jsonValue(), (v) => jcs.canonicalize(JSON.parse(jcs.canonicalize(v))) === jcs.canonicalize(v)),
        { numRuns: 300 },
      );
    });
  });

  describe("RFC 6962 Merkle tree", () => {
    const DATA = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(unhex);
    const ROOTS = [
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    const leaves = DATA.map(merkle.leafHash);
    it("gives the Certificate Transparency reference roots for every size 0..8", () => {
      for (let n = 0; n <= 8; n++) expect(hex(merkle.rootOf(leaves.slice(0, n))), `size ${n}`).to.equal(ROOTS[n]);
    });
    it("gives the reference audit paths of leaves 0 and 5 in the tree of 8", () => {
      expect(merkle.inclusionPath(leaves, 0).map(hex)).to.deep.equal([
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
      ]);
      expect(merkle.inclusionPath(leaves, 5).map(hex)).to.deep.equal([
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      ]);
    });
    it("verifies every leaf's proof in trees of 1..40 leaves, and no proof for another index, leaf or root", () => {
      const many = Array.from({ length: 40 }, (_, i) => merkle.leafHash(new Uint8Array([i, i * 7])));
      for (let n = 1; n <= many.length; n++) {
        const tree = many.slice(0, n);
        const root = merkle.rootOf(tree);
        for (let i = 0; i < n; i++) {
          const p = merkle.inclusionPath(tree, i);
          expect(merkle.verifyInclusion(tree[i] as Uint8Array, i, n, p, root)).to.equal(true);
          if (n > 1) expect(merkle.verifyInclusion(tree[i] as Uint8Array, (i + 1) % n, n, p, root)).to.equal(false);
          expect(merkle.verifyInclusion(merkle.leafHash(new Uint8Array([99])), i, n, p, root)).to.equal(false);
        }
      }
    });
  });

  describe("keccak-256, secp256k1 recovery, EIP-712 and ABI decoding in plain JavaScript, against viem", () => {
    it("keccak-256 equals viem's on random inputs of every length around the rate (136 bytes)", () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 0, maxLength: 600 }),
          (data) => hex(keccak.keccak256(data)) === keccak256(data).slice(2),
        ),
        { numRuns: 500 },
      );
    });
    it("recovers the signer of 200 random keys' signatures as viem signs them", async () => {
      for (let i = 0; i < 200; i++) {
        const account = privateKeyToAccount(generatePrivateKey());
        const digest = keccak256(toHex(`message ${i} ${Math.random()}`));
        const signature = await account.sign({ hash: digest });
        expect(secp256k1.recoverAddress(unhex(digest.slice(2)), unhex(signature.slice(2)))).to.equal(
          account.address.toLowerCase(),
        );
      }
    });
    it("refuses malleable (high-s) and malformed signatures", async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const digest = keccak256(toHex("x"));
      const sig = unhex((await account.sign({ hash: digest })).slice(2));
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const high = new Uint8Array(sig);
      high.set(unhex((n - BigInt(`0x${hex(sig.subarray(32, 64))}`)).toString(16).padStart(64, "0")), 32);
      high[64] = sig[64] === 27 ? 28 : 27;
      expect(() => secp256k1.recoverAddress(unhex(digest.slice(2)), high)).to.throw(/upper half/);
      expect(() => secp256k1.recoverAddress(unhex(digest.slice(2)), sig.subarray(0, 64))).to.throw(/65 bytes/);
    });
    it("computes the EIP-712 digests of orders and batched attestations as viem does", () => {
      const domain = {
        name: "CarbonSettlement",
        version: "1",
        chainId: 31337,
        verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const,
      };
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.bigInt({ min: 1n, max: 2n ** 128n }), (salt, amount) => {
          const message = {
            side: 0,
            maker: domain.verifyingContract,
            taker: domain.verifyingContract,
            batchId: salt,
            amount,
            unitPrice: 5n,
            paymentToken: domain.verifyingContract,
            maxFeeBps: 100,
            minFill: 0n,
            expiry: 99n,
            salt,
            counter: 1n,
          };
          const ours = abi.typedDataDigest({
            domain: { ...domain, chainId: "31337" },
            types: orderTypes,
            primaryType: "Order",
            message: JSON.parse(JSON.stringify(message, (_k, v) => (typeof v === "bigint" ? v.toString() : v))),
          });
          return `0x${hex(ours)}` === hashTypedData({ domain, types: orderTypes, primaryType: "Order", message });
        }),
        { numRuns: 100 },
      );
      const item = {
        requestId: keccak256(toHex("r")),
        holder: domain.verifyingContract,
        batchId: 7n,
        amount: 3n,
        detailsHash: keccak256(toHex("d")),
        retirementIdHash: keccak256(toHex("ref")),
        serialRangeHash: keccak256(toHex("s")),
      };
      const types = attestationTypes.RetirementConfirmedBatch;
      const viemDigest = hashTypedData({
        domain,
        types,
        primaryType: "RetirementConfirmedBatch",
        message: { items: [item, item] },
      });
      const strings = JSON.parse(JSON.stringify({ items: [item, item] }, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
      expect(
        `0x${hex(abi.typedDataDigest({ domain, types, primaryType: "RetirementConfirmedBatch", message: strings }))}`,
      ).to.equal(viemDigest);
    });
    it("decodes logs with dynamic arrays and tuples as viem encodes them", () => {
      const [event] = parseAbi([
        // eslint-disable-next-line max-len -- parseAbi types the event from one literal; a concatenation is a plain string
        "event RetirementRequested(bytes32 indexed requestId, address indexed holder, uint256 indexed batchId, uint256 amount, bytes32 idempotencyKey, uint40 deadline, (string beneficiary, string reason) details)",
      ]);
      const args = {
        requestId: keccak256(toHex("q")),
        holder: "0x00000000000000000000000000000000000000aa",
        batchId: 5n,
      } as const;
      const topics = encodeEventTopics({ abi: [event], eventName: "RetirementRequested", args });
      const data = encodeAbiParameters(event.inputs.slice(3), [
        9n,
        keccak256(toHex("k")),
        77,
        { beneficiary: "Acme Ltd ✓", reason: "FY2026 scope 3" },
      ]);
      const decoded = abi.decodeLog(event.inputs, { topics, data });
      expect(decoded).to.deep.equal({
        requestId: args.requestId,
        holder: args.holder,
        batchId: "5",
        amount: "9",
        idempotencyKey: keccak256(toHex("k")),
        deadline: "77",
        details: { beneficiary: "Acme Ltd ✓", reason: "FY2026 scope 3" },
      });
      const [batch] = parseAbi([
        // eslint-disable-next-line max-len -- parseAbi types the event from one literal; a concatenation is a plain string
        "event TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values)",
      ]);
      const batchData = encodeAbiParameters(batch.inputs.slice(3), [
        [1n, 2n, 3n],
        [4n, 5n, 6n],
      ]);
      const t = encodeEventTopics({
        abi: [batch],
        eventName: "TransferBatch",
        args: { operator: args.holder, from: args.holder, to: args.holder },
      });
      const decodedBatch = abi.decodeLog(batch.inputs, { topics: t, data: batchData });
      expect([decodedBatch.ids, decodedBatch.values]).to.deep.equal([
        ["1", "2", "3"],
        ["4", "5", "6"],
      ]);
    });
  });

  describe("deterministic ZIP, CSV, IST", () => {
    const entries = [
      { name: "a.txt", data: new Uint8Array(Buffer.from("hello")) },
      { name: "records/b.json", data: new Uint8Array(Buffer.from("{}".repeat(500))) },
    ];
    it("writes the same bytes twice and in another time zone, and reads back with the verifier's reader", async () => {
      const a = await buildZip(entries);
      const b = await buildZip(entries);
      expect(a.equals(b)).to.equal(true);
      const zipModule = JSON.stringify(path.resolve(__dirname, "../../../backend/src/evidence/zip.ts"));
      const plainEntries = JSON.stringify(entries.map((e) => ({ name: e.name, data: [...e.data] })));
      const script =
        `require("ts-node/register/transpile-only"); ` +
        `require(${zipModule}).buildZip(${plainEntries}.map((e) => ({ name: e.name, data: Uint8Array.from(e.data) })))` +
        `.then((z) => process.stdout.write(z.toString("hex")))`;
      const inKolkata = execFileSync(process.execPath, ["-e", script], {
        env: { ...process.env, TZ: "Asia/Kolkata" },
        encoding: "utf8",
      });
      expect(inKolkata).to.equal(a.toString("hex"));
      expect(unzip.readZip(a).map((e) => [e.name, Buffer.from(e.data).toString(), e.problem])).to.deep.equal(
        entries.map((e) => [e.name, Buffer.from(e.data).toString(), undefined]),
      );
    });
    it("quotes CSV fields as RFC 4180 does", () => {
      expect(toCsv(["a", "b"], [{ a: 'x,"y"', b: { k: 1 } }])).to.equal('a,b\r\n"x,""y""","{""k"":1}"\r\n');
    });
    it("states times in IST (UTC+05:30)", () => {
      expect(istDateTime(0)).to.equal("1970-01-01 05:30:00 IST (UTC+05:30)");
    });
  });

  it("bundles the verifier into one file that node loads with no node_modules", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-bundle-"));
    try {
      fs.writeFileSync(path.join(dir, "verify.mjs"), bundleVerifier());
      const out = execFileSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          "const m = await import('./verify.mjs'); console.log(typeof m.verifyEvidence, typeof m.keccak256, typeof " +
            "m.recoverAddress)",
        ],
        { cwd: dir, encoding: "utf8" },
      );
      expect(out.trim()).to.equal("function function function");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
