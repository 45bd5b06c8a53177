import { expect } from "chai";
import fc from "fast-check";
import { type Abi, type Address, type Hex, type Log, encodeAbiParameters, encodeEventTopics, keccak256, toHex } from "viem";
import { PLATFORM_ABIS } from "../../../backend/src/chain/abi";
import { type ContractBook, decodeLog } from "../../../backend/src/indexer/decode";
import { unescapeStorableText } from "../../../backend/src/db/storable";
import { storeStep } from "../../../backend/src/indexer/store";
import { type TestDatabase, createTestDatabase } from "../../support/database";

/**
 * Random payloads through the real decoder, store and projections into PostgreSQL: a batch registration whose
 * serial prefix is any byte string, then a retirement request on it whose beneficiary and reason are any bytes
 * (valid UTF-8 with NULs and controls, or not UTF-8 at all, as a contract accepts). No payload may stop the step,
 * and the stored text and the kept bytes must give the original back.
 */
const TOKEN = "0x00000000000000000000000000000000000000a1" as Address;
const BRIDGE = "0x00000000000000000000000000000000000000b2" as Address;
const book: ContractBook = {
  addresses: [TOKEN, BRIDGE],
  byAddress: new Map([
    [TOKEN, { name: "CreditToken", abi: PLATFORM_ABIS.CreditToken as Abi }],
    [BRIDGE, { name: "RegistryBridge", abi: PLATFORM_ABIS.RegistryBridge as Abi }],
  ]),
};

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
/** Bytes as a contract may hold them: UTF-8 of any string (NUL, controls, emoji), or arbitrary bytes. */
const chainBytes = fc.oneof(
  fc.string({ unit: "binary" }).map((s) => toHex(new TextEncoder().encode(s))),
  fc
    .string({ unit: fc.oneof(fc.constant("\u0000"), fc.constant("\\"), codeUnit) })
    .map((s) => toHex(new TextEncoder().encode(s))),
  fc.uint8Array({ maxLength: 64 }).map((b) => toHex(b)),
  fc.constant("0x" as Hex),
);

let logIndex = 0;
function log(address: Address, topics: Hex[], data: Hex, block: bigint): Log {
  return {
    address,
    topics: topics as [Hex, ...Hex[]],
    data,
    blockNumber: block,
    blockHash: keccak256(toHex(`block-${block}`)),
    transactionHash: keccak256(toHex(`tx-${block}-${logIndex}`)),
    logIndex: logIndex++,
    transactionIndex: 0,
    removed: false,
  };
}

describe("indexer: random string payloads through decoder, store and projections (property)", function () {
  this.timeout(120_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrate: true });
  });
  after(async () => db?.drop());

  it("projects every payload; text unescapes to the decoded string and the kept bytes are the emitted bytes", async () => {
    let block = 1n;
    await fc.assert(
      fc.asyncProperty(chainBytes, chainBytes, chainBytes, async (randomPrefix, who, why) => {
        block++;
        // One batch per run, as on chain (the id derives from the prefix): a unique tail keeps prefixes distinct.
        const prefix = `${randomPrefix}${toHex(`#${block}`).slice(2)}` as Hex;
        const id = BigInt(keccak256(prefix));
        const registered = log(
          TOKEN,
          encodeEventTopics({
            abi: PLATFORM_ABIS.CreditToken,
            eventName: "BatchRegistered",
            args: { batchId: id, registryId: 1, projectId: keccak256(toHex("p")) },
          }) as Hex[],
          encodeAbiParameters([{ type: "uint16" }, { type: "uint8" }, { type: "bytes" }], [2021, 1, prefix]),
          block,
        );
        const requestId = keccak256(toHex(`request-${block}`));
        const requested = log(
          BRIDGE,
          encodeEventTopics({
            abi: PLATFORM_ABIS.RegistryBridge,
            eventName: "RetirementRequested",
            args: { requestId, holder: TOKEN, batchId: id },
          }) as Hex[],
          encodeAbiParameters(
            [
              { type: "uint256" },
              { type: "bytes32" },
              { type: "uint40" },
              { type: "tuple", components: [{ type: "bytes", name: "beneficiary" }, { type: "bytes", name: "reason" }] },
            ],
            [5n, keccak256(toHex("key")), 1_900_000_000, { beneficiary: who, reason: why }],
          ),
          block,
        );
        const events = [decodeLog(book, registered), decodeLog(book, requested)];
        expect(events.every((event) => event !== undefined)).to.equal(true);
        const decodedPrefix = events[0]?.args.serialPrefix;
        const result = await storeStep(db.pool, {
          name: `fuzz-${block}`,
          expected: undefined,
          next: { blockNumber: block, blockHash: registered.blockHash as Hex },
          events: events.filter((event) => event !== undefined),
        });
        expect(result.skipped).to.deep.equal([]);

        const batch = await db.pool.query("SELECT serial_prefix FROM batches WHERE batch_id = $1", [id.toString()]);
        expect(batch.rows[0]?.serial_prefix).to.equal(decodedPrefix);
        const { rows } = await db.pool.query("SELECT retirement, retirement_bytes FROM requests WHERE request_id = $1", [
          requestId,
        ]);
        expect(rows[0]?.retirement_bytes).to.deep.equal({ beneficiary: who, reason: why });
        const stored = await db.pool.query("SELECT string_bytes FROM chain_events WHERE tx_hash = $1", [
          registered.transactionHash,
        ]);
        expect(stored.rows[0]?.string_bytes).to.deep.equal({ serialPrefix: prefix });
        // Valid UTF-8 round-trips through the text as well; other bytes only through the kept hex.
        const text = new TextDecoder("utf-8", { fatal: false });
        const original = text.decode(Buffer.from(who.slice(2), "hex"));
        expect(unescapeStorableText(rows[0]?.retirement.beneficiary)).to.equal(original);
      }),
      { numRuns: 150 },
    );
  });
});
