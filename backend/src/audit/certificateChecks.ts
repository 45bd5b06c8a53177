/**
 * The four groups of checks of a retirement certificate (`verifyCertificate`), each over the retirement as read
 * from the chain and each returning its `Check[]` (with what the report shows of it):
 *
 * - request: the request and confirmation events, the request id, the lock and the burn;
 * - quorum: the confirming call, its EIP-712 domain and digest, the oracle set in force and every signature;
 * - state: the request as the bridge stores it (kind, status, params tag, certificate tag, `certificateOf`);
 * - custody: the batch's custody head recomputed from the logs, and supply and balances where the scan allows.
 */
import {
  type Address,
  type Hex,
  type PublicClient,
  domainSeparator,
  getAddress,
  isAddressEqual,
  recoverAddress,
  zeroAddress,
} from "viem";
import { creditTokenAbi, registryBridgeAbi } from "../chain/abi";
import {
  type AttestationKind,
  type RetirementConfirmed,
  bridgeDomain,
  hashAttestation,
  requestIdOf,
} from "../chain/attestations";
import { REQUEST_KIND, REQUEST_STATUS, REQUEST_STATUS_NAMES, certificateTagOf, paramsTagOf } from "../chain/bridge";
import { type Check, createCheckRecorder } from "./checks";
import { findConfirmationCall } from "./confirmationCall";
import { headAt, sameHex } from "./custodyHead";
import { type DecodedLog, type Movement, hasCodeAt, headBefore, readAt } from "./history";
import { type OracleSet, oracleSetAtEndOf, oracleSetBefore, oracleSetHistory } from "./oracleSet";

export type RequestedArgs = {
  requestId: Hex;
  holder: Address;
  batchId: bigint;
  amount: bigint;
  idempotencyKey: Hex;
  deadline: number;
  details: { beneficiary: string; reason: string };
};

export type ConfirmedArgs = {
  requestId: Hex;
  holder: Address;
  batchId: bigint;
  amount: bigint;
  retirementIdHash: Hex;
  serialRangeHash: Hex;
};

export type RequestState = {
  kind: number;
  status: number;
  overdueFlagged: boolean;
  deadline: number;
  paramsTag: Hex;
  certificate: Hex;
};

/** A retirement as read from the chain: what every check group works on. */
export type Retirement = {
  client: PublicClient;
  chunk: bigint | undefined;
  requestId: Hex;
  chainId: number;
  latest: bigint;
  bridge: Address;
  token: Address;
  bridgeFrom: bigint;
  tokenFrom: bigint;
  requested: readonly DecodedLog[];
  confirmed: readonly DecodedLog[];
  requestLog: DecodedLog;
  confirmedLog: DecodedLog;
  req: RequestedArgs;
  conf: ConfirmedArgs;
  state: RequestState;
  detailsHash: Hex;
  /** Every movement of the batch from `tokenFrom` to `latest`, in chain order. */
  movements: readonly Movement[];
};

export type SignerReport = {
  index: number;
  signature: Hex;
  signer: Address | null;
  inOracleSet: boolean;
  duplicate: boolean;
  ok: boolean;
  note?: string | undefined;
};

export type ConfirmationReport = {
  blockNumber: string;
  blockHash: Hex;
  transactionHash: Hex;
  logIndex: number;
  registryReferenceHash: Hex;
  serialRangeHash: Hex;
  entryPoint: string;
  attestationKind: AttestationKind;
  itemIndex: number;
  itemCount: number;
  digest: Hex | null;
};

export type OracleSetReport = { epoch: number; oracles: Address[]; threshold: number; installedAtBlock: string | null } | null;

export type HeadReport = { blockNumber: string; recomputed: Hex; onChain: Hex; ok: boolean };

export type CustodyReport = {
  scanFromBlock: string;
  startHead: Hex;
  movements: number;
  atConfirmation: HeadReport;
  atLatest: HeadReport;
  /** Supply and non-zero balances recomputed from the logs at latest; null when scanning from a checkpoint. */
  holdings: { supply: string; balances: Record<string, string> } | null;
};

const eqAddr = (a: string, b: string): boolean => isAddressEqual(getAddress(a), getAddress(b));

function readBridge<T>(r: Retirement, functionName: string, args: readonly unknown[], blockNumber: bigint): Promise<T> {
  return readAt<T>(r.client, { address: r.bridge, abi: registryBridgeAbi, functionName, args, blockNumber });
}

function readToken<T>(r: Retirement, functionName: string, args: readonly unknown[], blockNumber: bigint): Promise<T> {
  return readAt<T>(r.client, { address: r.token, abi: creditTokenAbi, functionName, args, blockNumber });
}

/** The request and confirmation events, the request id, and the lock and burn movements of their transactions. */
export function checkRequest(r: Retirement): Check[] {
  const { check, checks } = createCheckRecorder();
  const { req, conf, requestLog, confirmedLog, bridge } = r;
  check("request.unique", "one RetirementRequested event", r.requested.length === 1, `${r.requested.length} found`);
  check("confirmation.unique", "one RetirementConfirmed event", r.confirmed.length === 1, `${r.confirmed.length} found`);
  check(
    "request.id",
    "request id = keccak256(abi.encode(holder, idempotencyKey))",
    sameHex(requestIdOf(req.holder, req.idempotencyKey), r.requestId),
  );
  check(
    "confirmation.matchesRequest",
    "confirmation names the request's holder, batch and amount",
    eqAddr(conf.holder, req.holder) && conf.batchId === req.batchId && conf.amount === req.amount,
    `request ${req.holder} batch ${req.batchId} amount ${req.amount}; confirmation ` +
      `${conf.holder} batch ${conf.batchId} amount ${conf.amount}`,
    true,
  );
  check(
    "confirmation.afterRequest",
    "confirmation comes after the request",
    confirmedLog.blockNumber > requestLog.blockNumber ||
      (confirmedLog.blockNumber === requestLog.blockNumber && confirmedLog.logIndex > requestLog.logIndex),
  );
  const lock = r.movements.find(
    (m) =>
      m.transactionHash === requestLog.transactionHash &&
      eqAddr(m.from, req.holder) &&
      eqAddr(m.to, bridge) &&
      m.value === req.amount,
  );
  check(
    "request.lock",
    "lock: holder -> bridge of the amount in the request transaction",
    lock !== undefined,
    lock === undefined ? `no matching transfer in ${requestLog.transactionHash}` : `log ${lock.logIndex}`,
  );
  const burn = r.movements.find(
    (m) =>
      m.transactionHash === confirmedLog.transactionHash &&
      eqAddr(m.from, bridge) &&
      eqAddr(m.to, zeroAddress) &&
      m.value === conf.amount,
  );
  check(
    "confirmation.burn",
    "burn: bridge -> 0x0 of the amount in the confirmation transaction",
    burn !== undefined,
    burn === undefined ? `no matching burn in ${confirmedLog.transactionHash}` : `log ${burn.logIndex}`,
  );
  return checks;
}

type DecodedConfirmation = {
  report: ConfirmationReport;
  direct: boolean;
  /** Why no confirming call was found (when none was). */
  notFound: string;
  item: RetirementConfirmed | undefined;
  signatures: readonly Hex[];
};

/** The confirming call in the confirmation transaction, decoded, with its attestation digest. */
async function decodeConfirmation(r: Retirement): Promise<DecodedConfirmation> {
  const { confirmedLog, conf } = r;
  const domain = bridgeDomain({ chainId: r.chainId, verifyingContract: r.bridge });
  const tx = await r.client.getTransaction({ hash: confirmedLog.transactionHash });
  const direct = tx.to !== null && eqAddr(tx.to, r.bridge);
  const call = findConfirmationCall(tx.input, r.requestId, direct);
  const notFound = direct
    ? `selector ${tx.input.slice(0, 10)} of ${tx.hash} is not a retirement confirmation entry point`
    : `transaction ${tx.hash} calls ${tx.to ?? "(contract creation)"}, and no confirmRetirement(s) call naming the ` +
      `request was found in its calldata`;
  const report: ConfirmationReport = {
    blockNumber: confirmedLog.blockNumber.toString(),
    blockHash: confirmedLog.blockHash,
    transactionHash: confirmedLog.transactionHash,
    logIndex: confirmedLog.logIndex,
    registryReferenceHash: conf.retirementIdHash,
    serialRangeHash: conf.serialRangeHash,
    entryPoint: "unknown",
    attestationKind: "RetirementConfirmed",
    itemIndex: 0,
    itemCount: 0,
    digest: null,
  };
  if (call === undefined) return { report, direct, notFound, item: undefined, signatures: [] };
  const item = call.items[call.itemIndex];
  report.entryPoint =
    call.offset === 0 ? call.functionName : `${call.functionName} (embedded at byte ${call.offset} of a call to ${tx.to ?? "?"})`;
  report.itemIndex = call.itemIndex;
  report.itemCount = call.items.length;
  if (call.functionName === "confirmRetirement") {
    report.digest = item === undefined ? null : hashAttestation({ domain, kind: "RetirementConfirmed", message: item });
  } else {
    report.attestationKind = "RetirementConfirmedBatch";
    report.digest = hashAttestation({ domain, kind: "RetirementConfirmedBatch", message: { items: call.items } });
  }
  return { report, direct, notFound, item, signatures: call.signatures };
}

/** The signed item against the confirmation event and the request's details. */
function checkSignedItem(
  r: Retirement,
  decoded: DecodedConfirmation,
  check: ReturnType<typeof createCheckRecorder>["check"],
): void {
  const { item, report } = decoded;
  const { conf, detailsHash } = r;
  check(
    "call.item",
    "signed item = confirmation event (request, holder, batch, amount, registry reference, serial range)",
    item !== undefined &&
      sameHex(item.requestId, r.requestId) &&
      eqAddr(item.holder, conf.holder) &&
      item.batchId === conf.batchId &&
      item.amount === conf.amount &&
      sameHex(item.retirementIdHash, conf.retirementIdHash) &&
      sameHex(item.serialRangeHash, conf.serialRangeHash),
    item === undefined ? "request id not among the signed items" : `item ${report.itemIndex + 1} of ${report.itemCount}`,
  );
  check(
    "call.detailsHash",
    "signed details hash = keccak256(abi.encode(beneficiary, reason)) of the request",
    item !== undefined && sameHex(item.detailsHash, detailsHash),
    item === undefined || sameHex(item.detailsHash, detailsHash)
      ? undefined
      : `signed ${item.detailsHash}, request ${detailsHash}`,
  );
}

/** The signer of `signature` over `digest`, or null with why it does not recover. */
async function recoverOrNote(digest: Hex, signature: Hex): Promise<{ signer: Address | null; note?: string }> {
  try {
    return { signer: await recoverAddress({ hash: digest, signature }) };
  } catch (error) {
    return { signer: null, note: `does not recover: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
  }
}

/** Every signature recovered over the digest and judged against the oracle set in force. */
async function signersOf(digest: Hex, signatures: readonly Hex[], set: OracleSet | undefined): Promise<SignerReport[]> {
  const signers: SignerReport[] = [];
  const seen = new Set<string>();
  for (const [index, signature] of signatures.entries()) {
    const recovered = await recoverOrNote(digest, signature);
    const signer = recovered.signer;
    let note = recovered.note;
    const inOracleSet = signer !== null && set !== undefined && set.oracles.some((o) => eqAddr(o, signer as Address));
    const duplicate = signer !== null && seen.has(signer.toLowerCase());
    if (signer !== null) seen.add(signer.toLowerCase());
    if (signer !== null && !inOracleSet) note = `not in the oracle set of epoch ${set?.epoch ?? "?"}`;
    if (duplicate) note = "signed twice";
    signers.push({ index, signature, signer, inOracleSet, duplicate, ok: signer !== null && inOracleSet && !duplicate, note });
  }
  return signers;
}

/** The replayed oracle set at the end of the confirmation block against `oracles()` / `threshold()` / `oracleEpoch()`. */
async function checkReplay(
  r: Retirement,
  sets: readonly OracleSet[],
  check: ReturnType<typeof createCheckRecorder>["check"],
): Promise<void> {
  const block = r.confirmedLog.blockNumber;
  const endOfBlock = oracleSetAtEndOf(sets, block);
  if (endOfBlock === undefined) return;
  const [oracles, threshold, epoch] = await Promise.all([
    readBridge<readonly Address[]>(r, "oracles", [], block),
    readBridge<number>(r, "threshold", [], block),
    readBridge<number>(r, "oracleEpoch", [], block),
  ]);
  const same =
    epoch === endOfBlock.epoch &&
    threshold === endOfBlock.threshold &&
    oracles.length === endOfBlock.oracles.length &&
    oracles.every((o, i) => eqAddr(o, endOfBlock.oracles[i] ?? zeroAddress));
  check(
    "quorum.replayMatchesState",
    `replayed oracle set = oracles()/threshold()/oracleEpoch() at block ${block}`,
    same,
    `replay epoch ${endOfBlock.epoch} ${endOfBlock.threshold}-of-${endOfBlock.oracles.length}; state epoch ${epoch} ` +
      `${threshold}-of-${oracles.length}`,
  );
}

function checkSignatures(
  signers: readonly SignerReport[],
  set: OracleSet | undefined,
  check: ReturnType<typeof createCheckRecorder>["check"],
): void {
  const valid = signers.filter((s) => s.ok).length;
  check(
    "quorum.allValid",
    "every signature recovers to a distinct oracle of that set",
    signers.length > 0 && signers.every((s) => s.ok),
    signers
      .filter((s) => !s.ok)
      .map((s) => `#${s.index}: ${s.note ?? "invalid"}`)
      .join("; ") || undefined,
  );
  check(
    "quorum.threshold",
    "distinct valid oracle signers >= threshold",
    set !== undefined && valid >= set.threshold,
    `${valid} valid, ${set?.threshold ?? "?"} needed`,
  );
  const ascending = signers.every((x, i) => {
    const prev = signers[i - 1];
    return i === 0 || (x.signer !== null && prev?.signer != null && BigInt(prev.signer) < BigInt(x.signer));
  });
  check("quorum.ascending", "signatures sorted by strictly ascending signer (as the bridge requires)", ascending);
}

export type QuorumChecks = {
  checks: Check[];
  confirmation: ConfirmationReport;
  oracleSet: OracleSetReport;
  signers: SignerReport[];
};

/** The bridge's domain, the confirming call and its item, the oracle set in force and every signature of the quorum. */
export async function checkQuorum(r: Retirement): Promise<QuorumChecks> {
  const { check, checks } = createCheckRecorder();
  const domain = bridgeDomain({ chainId: r.chainId, verifyingContract: r.bridge });
  const onChainSeparator = await readBridge<Hex>(r, "domainSeparator", [], r.latest).catch(() => undefined);
  check(
    "quorum.domain",
    "bridge EIP-712 domain (CarbonRegistryBridge v1, chain id, address) matches domainSeparator()",
    onChainSeparator !== undefined && sameHex(onChainSeparator, domainSeparator({ domain })),
    onChainSeparator === undefined ? "domainSeparator() not readable" : undefined,
  );
  const decoded = await decodeConfirmation(r);
  const { report, direct } = decoded;
  check(
    "call.decoded",
    direct
      ? "confirmation calldata decodes as confirmRetirement / confirmRetirements"
      : "confirmation relayed through a contract: a confirmRetirement(s) call for the request is embedded in its calldata",
    report.digest !== null,
    report.digest === null ? decoded.notFound : report.entryPoint,
  );
  if (report.digest !== null) checkSignedItem(r, decoded, check);

  const sets = await oracleSetHistory(r.client, r.bridge, r.bridgeFrom, r.latest, r.chunk);
  const set = oracleSetBefore(sets, r.confirmedLog);
  check(
    "quorum.oracleSet",
    "oracle set in force at the confirmation found (OracleSetUpdated replay)",
    set !== undefined,
    set === undefined
      ? `no OracleSetUpdated before block ${r.confirmedLog.blockNumber}; try an earlier --from-block`
      : `epoch ${set.epoch}`,
  );
  await checkReplay(r, sets, check);
  const signers = report.digest === null ? [] : await signersOf(report.digest, decoded.signatures, set);
  if (report.digest !== null) checkSignatures(signers, set, check);
  const oracleSet: OracleSetReport =
    set === undefined
      ? null
      : {
          epoch: set.epoch,
          oracles: set.oracles,
          threshold: set.threshold,
          installedAtBlock: set.installedAt?.blockNumber.toString() ?? null,
        };
  return { checks, confirmation: report, oracleSet, signers };
}

/** The request as the bridge stores it at the latest block, against the tags computed from the events. */
export async function checkState(r: Retirement): Promise<Check[]> {
  const { check, checks } = createCheckRecorder();
  const { req, conf, state } = r;
  const expectedTag = paramsTagOf(REQUEST_KIND.Retirement, req.holder, req.batchId, req.amount, r.detailsHash);
  const expectedCertificate = certificateTagOf(conf.retirementIdHash, conf.serialRangeHash);
  check(
    "state.request",
    "stored request: kind Retirement, status Confirmed",
    state.kind === REQUEST_KIND.Retirement && state.status === REQUEST_STATUS.Confirmed,
    `kind ${state.kind}, status ${REQUEST_STATUS_NAMES[state.status] ?? state.status}`,
  );
  check("state.paramsTag", "stored params tag = tag of the request event's parameters", sameHex(state.paramsTag, expectedTag));
  check(
    "state.certificate",
    "stored certificate = tag of (registry reference hash, serial range hash) of the event",
    sameHex(state.certificate, expectedCertificate),
  );
  const certificateOk = await readBridge<boolean>(
    r,
    "certificateOf",
    [r.requestId, conf.retirementIdHash, conf.serialRangeHash],
    r.latest,
  );
  check("state.certificateOf", "certificateOf(requestId, registryRefHash, serialRangeHash) is true", certificateOk);
  return checks;
}

/** Supply and every balance of the batch recomputed from its movements, against the token at latest. */
async function checkHoldings(
  r: Retirement,
  check: ReturnType<typeof createCheckRecorder>["check"],
): Promise<CustodyReport["holdings"]> {
  const batchId = r.req.batchId;
  const balances = new Map<string, bigint>();
  let supply = 0n;
  for (const m of r.movements) {
    if (eqAddr(m.from, zeroAddress)) supply += m.value;
    else balances.set(getAddress(m.from), (balances.get(getAddress(m.from)) ?? 0n) - m.value);
    if (eqAddr(m.to, zeroAddress)) supply -= m.value;
    else balances.set(getAddress(m.to), (balances.get(getAddress(m.to)) ?? 0n) + m.value);
  }
  const accounts = [...balances.keys()] as Address[];
  const [onChainSupply, onChainBalances] = await Promise.all([
    readToken<bigint>(r, "totalSupply", [batchId], r.latest),
    readToken<readonly bigint[]>(r, "balanceOfBatch", [accounts, accounts.map(() => batchId)], r.latest),
  ]);
  const wrong = accounts.filter((a, i) => onChainBalances[i] !== balances.get(a));
  check(
    "custody.supply",
    "totalSupply(batch) at latest = minted - burned in the logs",
    onChainSupply === supply,
    `logs ${supply}, on-chain ${onChainSupply}`,
  );
  check(
    "custody.balances",
    `every balance of the batch at latest = its sum of movements in the logs (${accounts.length} accounts)`,
    wrong.length === 0,
    wrong.map((a) => `${a}: logs ${balances.get(a)}, on-chain ${onChainBalances[accounts.indexOf(a)]}`).join("; ") || undefined,
  );
  const kept = accounts.filter((a) => balances.get(a) !== 0n);
  return { supply: supply.toString(), balances: Object.fromEntries(kept.map((a) => [a, (balances.get(a) ?? 0n).toString()])) };
}

export type CustodyChecks = { checks: Check[]; custody: CustodyReport };

/**
 * The custody head recomputed from every movement of the batch against `custodyHead(batchId)` at the confirmation
 * block and at latest; when the scan starts at the token's deployment (nothing before it to carry over), supply and
 * balances too.
 */
export async function checkCustody(r: Retirement): Promise<CustodyChecks> {
  const { check, checks } = createCheckRecorder();
  const batchId = r.req.batchId;
  const startHead = await headBefore(r.client, r.token, batchId, r.tokenFrom);
  const headCheck = async (blockNumber: bigint, id: string, label: string): Promise<HeadReport> => {
    const recomputed = headAt(r.movements, blockNumber, startHead);
    const onChain = await readToken<Hex>(r, "custodyHead", [batchId], blockNumber);
    const ok = check(id, label, sameHex(recomputed, onChain), `recomputed ${recomputed}, on-chain ${onChain}`);
    return { blockNumber: blockNumber.toString(), recomputed, onChain, ok };
  };
  const block = r.confirmedLog.blockNumber;
  const atConfirmation = await headCheck(
    block,
    "custody.atConfirmation",
    `custody head recomputed from logs = custodyHead(batch) at confirmation block ${block}`,
  );
  const atLatest = await headCheck(
    r.latest,
    "custody.atLatest",
    `custody head recomputed from logs = custodyHead(batch) at latest block ${r.latest}`,
  );
  const holdings = (await hasCodeAt(r.client, r.token, r.tokenFrom - 1n)) ? null : await checkHoldings(r, check);
  const custody = {
    scanFromBlock: r.tokenFrom.toString(),
    startHead,
    movements: r.movements.length,
    atConfirmation,
    atLatest,
    holdings,
  };
  return { checks, custody };
}
