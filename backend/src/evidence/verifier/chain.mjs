// The records against the chain data inside the package: block headers hash to their block hashes, receipts to
// the headers' receiptsRoot, every recorded event is a log of those receipts, the custody head chain recomputes
// from the movements in them, and the oracle attestations and orders carry valid signatures of the right keys.
import { bytesToBigInt, concatBytes, fromHex, toHex, word } from "./bytes.mjs";
import { decodeLog, encodeTwoStrings, topicOf, typedDataDigest } from "./abi.mjs";
import { keccak256 } from "./keccak.mjs";
import { indexKey, rlpDecode, trieRoot } from "./rlp.mjs";
import { recoverAddress } from "./secp256k1.mjs";
import { jsonEntry } from "./integrity.mjs";

const BLOCKS = "proofs/blocks.json";
const EVENTS = "records/events.json";
const HEADS = "proofs/custody-heads.json";
const ATTESTATIONS = "records/attestations.json";
const ORDERS = "records/orders.json";

const lower = (v) => (typeof v === "string" ? v.toLowerCase() : Array.isArray(v) ? v.map(lower) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, lower(x)])) : v);
const same = (a, b) => JSON.stringify(lower(a)) === JSON.stringify(lower(b));

/** Logs of a receipt (typed or legacy) as `{ address, topics, data }`. */
function receiptLogs(raw) {
  const typed = raw[0] < 0x80;
  const fields = rlpDecode(typed ? raw.subarray(1) : raw);
  return fields[3].map(([address, topics, data]) => ({ address: toHex(address), topics: topics.map(toHex), data: toHex(data) }));
}

/** Verifies every block of proofs/blocks.json; returns the logs by block hash (`logIndex` numbered across the block). */
export function checkBlocks(ctx) {
  const file = jsonEntry(ctx, BLOCKS);
  const byHash = new Map();
  if (file === undefined) {
    ctx.check("blocks", `${BLOCKS} present`, false, ctx.entries.get(BLOCKS)?.problem ?? "missing", BLOCKS);
    return byHash;
  }
  const failures = [];
  for (const block of file.blocks) {
    try {
      const header = fromHex(block.headerRlp);
      const fields = rlpDecode(header);
      if (toHex(keccak256(header)) !== block.hash.toLowerCase()) throw new Error("keccak-256 of its RLP header is not its hash");
      if (bytesToBigInt(fields[8]).toString() !== block.number) throw new Error("header number differs");
      const receipts = block.receipts.map(fromHex);
      const root = toHex(trieRoot(receipts.map((r, i) => [indexKey(i), r])));
      if (root !== toHex(fields[5])) throw new Error(`receipts trie root ${root} is not the header's receiptsRoot ${toHex(fields[5])}`);
      const logs = [];
      receipts.forEach((raw, txIndex) => {
        for (const log of receiptLogs(raw)) logs.push({ ...log, txIndex, logIndex: logs.length });
      });
      byHash.set(block.hash.toLowerCase(), { number: block.number, parentHash: toHex(fields[0]), timestamp: bytesToBigInt(fields[11]).toString(), logs });
    } catch (error) {
      failures.push(`block ${block.number}: ${error.message}`);
    }
  }
  ctx.check(
    "blocks",
    `every block header hashes to its block hash and its receipts to its receiptsRoot (${file.blocks.length} blocks)`,
    failures.length === 0,
    failures.length ? failures.slice(0, 3).join("; ") : undefined,
    BLOCKS,
  );
  const range = ctx.manifest.header.system.chain.blockRange;
  for (const end of ["from", "to"]) {
    const b = byHash.get(String(range[end].hash).toLowerCase());
    ctx.check(`blocks.${end}`, `the header of the range's ${end} block ${range[end].number} is in the package and verifies`, b !== undefined && b.number === range[end].number, undefined, BLOCKS);
  }
  return byHash;
}

/** Every recorded event is the log at its position in a verified receipt, and its decoded arguments are the log's. */
export function checkEvents(ctx, blocks) {
  const file = jsonEntry(ctx, EVENTS);
  if (file === undefined) return [];
  const failures = [];
  for (const e of file.events) {
    const where = `event #${e.index} ${e.event} (block ${e.blockNumber}, log ${e.logIndex})`;
    const block = blocks.get(String(e.blockHash).toLowerCase());
    const log = block?.logs[e.logIndex];
    const inputs = file.fragments[`${e.contract}.${e.event}`];
    let problem;
    if (block === undefined) problem = `its block ${e.blockHash} is not among the verified blocks`;
    else if (log === undefined) problem = "no such log in the block's receipts";
    else if (!same(log.address, e.address) || !same(log.topics, e.topics) || !same(log.data, e.data)) problem = "differs from the log in the receipts";
    else if (!Array.isArray(inputs)) problem = `no ABI fragment for ${e.contract}.${e.event}`;
    else {
      // A damaged fragment (a type or a component list altered) fails this event's check, never the verifier.
      try {
        if (topicOf(e.event, inputs) !== log.topics[0]) problem = "topic 0 is not the event's signature";
        else {
          const args = decodeLog(inputs, log);
          if (!same(args, e.args)) problem = `recorded arguments differ from the log's (${JSON.stringify(args).slice(0, 160)})`;
        }
      } catch (error) {
        problem = `cannot decode with the recorded ABI fragment: ${error.message}`;
      }
    }
    if (problem !== undefined) failures.push(`${where}: ${problem}`);
  }
  ctx.check(
    "events",
    `every recorded chain event is the log at its place in a verified receipt, with the arguments recorded (${file.events.length} events)`,
    failures.length === 0,
    failures.length ? failures.slice(0, 3).join("; ") : undefined,
    EVENTS,
  );
  return failures.length === 0 ? file.events : [];
}

const headStep = (head, from, to, value) =>
  toHex(keccak256(concatBytes(fromHex(head), word(BigInt(from)), word(BigInt(to)), word(BigInt(value)))));

/** The custody head chain of the batch, recomputed from the movements in the verified receipts. */
export function checkCustodyHeads(ctx, blocks, fragments) {
  const file = jsonEntry(ctx, HEADS);
  if (file === undefined) return undefined;
  const token = file.token.toLowerCase();
  const single = fragments["CreditToken.TransferSingle"];
  const batch = fragments["CreditToken.TransferBatch"];
  let topics;
  try {
    topics = { [topicOf("TransferSingle", single)]: single, [topicOf("TransferBatch", batch)]: batch };
  } catch (error) {
    const why = `the recorded CreditToken transfer fragments are missing or damaged (${error.message})`;
    ctx.check("custody.steps", `custody head chain of batch ${file.batchId} recomputed from the verified movements`, false, why, EVENTS);
    return undefined;
  }
  const movements = [];
  const ordered = [...blocks.values()].sort((a, b) => Number(BigInt(a.number) - BigInt(b.number)));
  for (const block of ordered) {
    for (const log of block.logs) {
      const inputs = topics[log.topics[0]];
      if (log.address !== token || inputs === undefined) continue;
      const a = decodeLog(inputs, log);
      const ids = a.ids ?? [a.id];
      const values = a.values ?? [a.value];
      ids.forEach((id, i) => {
        if (id === file.batchId) movements.push({ blockNumber: block.number, logIndex: log.logIndex, from: a.from, to: a.to, value: values[i] });
      });
    }
  }
  let head = file.startHead;
  let problem;
  if (movements.length !== file.steps.length) problem = `${movements.length} movements of batch ${file.batchId} in the verified receipts, ${file.steps.length} steps recorded`;
  movements.forEach((m, i) => {
    head = headStep(head, m.from, m.to, m.value);
    const step = file.steps[i];
    if (problem === undefined && (step === undefined || step.blockNumber !== m.blockNumber || step.logIndex !== m.logIndex || !same(step.headAfter, head) || step.value !== m.value)) {
      problem = `step ${i} (block ${m.blockNumber}, log ${m.logIndex}): recorded head ${step?.headAfter}, recomputed ${head}`;
    }
  });
  ctx.check("custody.steps", `custody head chain of batch ${file.batchId} recomputed from ${movements.length} verified movements = the recorded steps`, problem === undefined, problem, HEADS);
  ctx.check("custody.final", `recomputed head = the custodyHead(batch) the package states at block ${file.toBlock}`, same(head, file.finalHead) && same(head, file.onChainHead), `recomputed ${head}, stated ${file.onChainHead}`, HEADS);
  const fromZero = /^0x0{64}$/.test(file.startHead);
  ctx.check("custody.start", "the chain starts from the zero head (the batch's whole history, from the token's deployment)", true, fromZero ? undefined : `starts from checkpoint ${file.startHead}, read on-chain: check it with --rpc`, HEADS, !fromZero);
  return { batchId: file.batchId, token, toBlock: file.toBlock, head };
}

function recoverAll(digest, signatures) {
  return signatures.map((s) => {
    try {
      return recoverAddress(digest, fromHex(s));
    } catch (error) {
      return `unrecoverable (${error.message})`;
    }
  });
}

/** The oracle set in force just before `position` (replayed from the verified OracleSetUpdated events). */
function oracleSetBefore(events, position) {
  let set;
  for (const e of events) {
    if (e.event !== "OracleSetUpdated") continue;
    const before = BigInt(e.blockNumber) < BigInt(position.blockNumber) || (e.blockNumber === position.blockNumber && e.logIndex < position.logIndex);
    if (before) set = { epoch: e.args.epoch, oracles: e.args.oracles.map((o) => o.toLowerCase()), threshold: Number(e.args.threshold) };
  }
  return set;
}

/** Each oracle attestation: a quorum of the set in force signed exactly what the confirmation event records. */
export function checkAttestations(ctx, events) {
  const file = jsonEntry(ctx, ATTESTATIONS);
  if (file === undefined) return;
  const chain = ctx.manifest.header.system.chain;
  const failures = [];
  for (const a of file.attestations) {
    const where = `attestation in tx ${a.transactionHash}`;
    const digest = typedDataDigest(a);
    const signers = recoverAll(digest, a.signatures);
    const items = a.primaryType.endsWith("Batch") ? a.message.items : [a.message];
    const confirmations = items.map((item) => events.find((e) => e.event === "RetirementConfirmed" && same(e.args.requestId, item.requestId)));
    const first = confirmations[0];
    const set = first === undefined ? undefined : oracleSetBefore(events, first);
    let problem;
    if (!same(a.domain.verifyingContract, chain.contracts.registryBridge) || String(a.domain.chainId) !== String(chain.chainId)) problem = "signed for another chain or bridge";
    else if (confirmations.some((c) => c === undefined || !same(c.transactionHash, a.transactionHash))) problem = "an item has no verified RetirementConfirmed event in this transaction";
    else if (set === undefined) problem = "no verified OracleSetUpdated event before the confirmation";
    else {
      const valid = signers.filter((s, i) => set.oracles.includes(s) && signers.indexOf(s) === i);
      const ascending = signers.every((s, i) => i === 0 || BigInt(signers[i - 1]) < BigInt(s));
      if (valid.length !== signers.length) problem = `signers ${signers.join(", ")} are not distinct members of oracle set epoch ${set.epoch}`;
      else if (valid.length < set.threshold) problem = `${valid.length} signers, threshold ${set.threshold}`;
      else if (!ascending) problem = "signatures not in ascending signer order";
    }
    items.forEach((item, i) => {
      const c = confirmations[i];
      if (problem !== undefined || c === undefined) return;
      const fields = ["holder", "batchId", "amount", "retirementIdHash", "serialRangeHash"];
      const wrong = fields.filter((f) => !same(item[f], c.args[f]));
      if (wrong.length) problem = `signed ${wrong.join(", ")} differ from the RetirementConfirmed event`;
      const request = events.find((e) => e.event === "RetirementRequested" && same(e.args.requestId, item.requestId));
      const details = request && toHex(keccak256(encodeTwoStrings(request.args.details.beneficiary, request.args.details.reason)));
      if (problem === undefined && request !== undefined && !same(details, item.detailsHash)) problem = "signed details hash is not keccak256(abi.encode(beneficiary, reason)) of the request";
    });
    if (problem !== undefined) failures.push(`${where}: ${problem}`);
    a.verifiedSigners = signers;
  }
  ctx.check(
    "attestations",
    `every oracle attestation: EIP-712 signatures of a quorum of the oracle set in force, over the confirmed request's fields (${file.attestations.length})`,
    failures.length === 0,
    failures.length ? failures.slice(0, 3).join("; ") : undefined,
    ATTESTATIONS,
  );
}

/** Each order: its EIP-712 hash, its maker's signature, and the verified OrderFilled logs under that hash. */
export function checkOrders(ctx, events) {
  const file = jsonEntry(ctx, ORDERS);
  if (file === undefined) return;
  const settlement = ctx.manifest.header.system.chain.contracts.settlement;
  const failures = [];
  let filled = 0;
  for (const o of file.orders) {
    const digest = toHex(typedDataDigest(o));
    let problem;
    if (digest !== o.orderHash.toLowerCase()) problem = `EIP-712 hash ${digest} is not the recorded order hash`;
    else if (settlement == null || !same(o.domain.verifyingContract, settlement)) problem = "signed for another Settlement contract";
    else {
      const [signer] = recoverAll(fromHex(digest), [o.signature]);
      if (!same(signer, o.message.maker)) problem = `signature recovers to ${signer}, not the maker ${o.message.maker}`;
    }
    const fills = events.filter((e) => e.event === "OrderFilled" && same(e.args.orderHash, o.orderHash));
    if (fills.length > 0) filled += 1;
    if (problem === undefined && o.sources.includes("chain") && fills.length === 0) problem = "recorded from a fill, but no verified OrderFilled log has its hash";
    if (problem !== undefined) failures.push(`order ${o.orderHash}: ${problem}`);
  }
  ctx.check(
    "orders",
    `every order: EIP-712 hash, the maker's signature, and (${filled} filled) its verified OrderFilled logs (${file.orders.length} orders)`,
    failures.length === 0,
    failures.length ? failures.slice(0, 3).join("; ") : undefined,
    ORDERS,
  );
}
