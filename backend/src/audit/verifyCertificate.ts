/**
 * `carbon audit verify-certificate`: rebuilds one retirement from chain logs and state alone (no database) and
 * checks every link of it. See {@link verifyCertificate} for the list of checks.
 */
import {
  type AbiFunction,
  type Address,
  type Hex,
  type PublicClient,
  decodeFunctionData,
  encodeAbiParameters,
  getAddress,
  domainSeparator,
  isAddressEqual,
  keccak256,
  recoverAddress,
  slice,
  toFunctionSelector,
  zeroAddress,
} from "viem";
import {
  type AttestationKind,
  type RetirementConfirmed,
  bridgeDomain,
  detailsHashOf,
  hashAttestation,
  requestIdOf,
} from "../chain/attestations";
import { BaseError } from "../errors";
import { REQUEST_KIND, REQUEST_STATUS, REQUEST_STATUS_NAMES, bridgeAbi, ensureAbiMatchesArtifacts, tokenAbi } from "./abi";
import { headAt, sameHex } from "./custodyHead";
import {
  type DecodedLog,
  AuditRpcError,
  connect,
  fetchTransferLogs,
  findDeploymentBlock,
  hasCodeAt,
  headBefore,
  getLogsChunked,
  movementsOf,
  readAt,
} from "./history";
import { type OracleSet, oracleSetAtEndOf, oracleSetBefore, oracleSetHistory } from "./oracleSet";

/** The request does not exist, is not a retirement or is not confirmed: there is no certificate to verify. */
export class AuditNotFoundError extends BaseError {
  override name = "AuditNotFoundError";
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { code: "AUDIT_NOT_FOUND", retryable: false, details });
  }
}

export type Check = { id: string; label: string; ok: boolean; detail?: string | undefined };

export type SignerReport = {
  index: number;
  signature: Hex;
  signer: Address | null;
  inOracleSet: boolean;
  duplicate: boolean;
  ok: boolean;
  note?: string | undefined;
};

export type CertificateReport = {
  requestId: Hex;
  chainId: number;
  contracts: { registryBridge: Address; creditToken: Address };
  latestBlock: string;
  request: {
    holder: Address;
    batchId: string;
    amount: string;
    idempotencyKey: Hex;
    deadline: string;
    beneficiary: string;
    reason: string;
    detailsHash: Hex;
    blockNumber: string;
    transactionHash: Hex;
  };
  confirmation: {
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
  oracleSet: { epoch: number; oracles: Address[]; threshold: number; installedAtBlock: string | null } | null;
  signers: SignerReport[];
  custody: {
    scanFromBlock: string;
    startHead: Hex;
    movements: number;
    atConfirmation: { blockNumber: string; recomputed: Hex; onChain: Hex; ok: boolean };
    atLatest: { blockNumber: string; recomputed: Hex; onChain: Hex; ok: boolean };
    /** Supply and non-zero balances recomputed from the logs at latest; null when scanning from a checkpoint. */
    holdings: { supply: string; balances: Record<string, string> } | null;
  };
  checks: Check[];
  verdict: "VERIFIED" | "FAILED";
};

export type VerifyCertificateParameters = {
  client: PublicClient;
  bridge: Address;
  requestId: Hex;
  /** First block to scan; default: the deployment block of each contract (or 0 if the node cannot tell). */
  fromBlock?: bigint | undefined;
  /** Blocks per `eth_getLogs` query. */
  chunk?: bigint | undefined;
};

type RequestedArgs = {
  requestId: Hex;
  holder: Address;
  batchId: bigint;
  amount: bigint;
  idempotencyKey: Hex;
  deadline: number;
  details: { beneficiary: string; reason: string };
};
type ConfirmedArgs = {
  requestId: Hex;
  holder: Address;
  batchId: bigint;
  amount: bigint;
  retirementIdHash: Hex;
  serialRangeHash: Hex;
};
type RequestState = {
  kind: number;
  status: number;
  overdueFlagged: boolean;
  deadline: number;
  paramsTag: Hex;
  certificate: Hex;
};

const eventsNamed = (...names: string[]) =>
  bridgeAbi.filter(
    (item): item is Extract<(typeof bridgeAbi)[number], { type: "event" }> =>
      item.type === "event" && names.includes(item.name),
  );

/** First 16 bytes of `keccak256(abi.encode(uint8 kind, holder, batchId, amount, extra))` (RegistryBridge._tagOf). */
export function paramsTagOf(kind: number, holder: Address, batchId: bigint, amount: bigint, extra: Hex): Hex {
  return slice(
    keccak256(
      encodeAbiParameters(
        [{ type: "uint8" }, { type: "address" }, { type: "uint256" }, { type: "uint256" }, { type: "bytes32" }],
        [kind, holder, batchId, amount, extra],
      ),
    ),
    0,
    16,
  );
}

/** First 15 bytes of `keccak256(abi.encode(registryRefHash, serialRangeHash))` (RegistryBridge._certificateOf). */
export function certificateTagOf(registryRefHash: Hex, serialRangeHash: Hex): Hex {
  return slice(
    keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [registryRefHash, serialRangeHash])),
    0,
    15,
  );
}

const eqAddr = (a: string, b: string): boolean => isAddressEqual(getAddress(a), getAddress(b));

const CONFIRM_SELECTORS = bridgeAbi
  .filter((item) => item.type === "function" && (item.name === "confirmRetirement" || item.name === "confirmRetirements"))
  .map((item) => toFunctionSelector(item as AbiFunction).slice(2));

export type ConfirmationCall = {
  functionName: "confirmRetirement" | "confirmRetirements";
  /** Byte offset of the call in the transaction input (0 for a direct call). */
  offset: number;
  items: readonly RetirementConfirmed[];
  itemIndex: number;
  signatures: readonly Hex[];
};

/**
 * The `confirmRetirement` / `confirmRetirements` call naming `requestId` in a transaction's input: the input itself
 * when the transaction calls the bridge, else (a relayer, multisig or forwarder contract) the first ABI-encoded call
 * found embedded at any byte offset. An embedded call is only a candidate: the caller still checks that its
 * signatures recover to a quorum over its digest, which is what proves the attestation.
 */
export function findConfirmationCall(input: Hex, requestId: Hex, direct: boolean): ConfirmationCall | undefined {
  const body = input.slice(2).toLowerCase();
  const offsets: number[] = [];
  if (direct) offsets.push(0);
  else {
    for (const selector of CONFIRM_SELECTORS) {
      for (let i = body.indexOf(selector); i >= 0; i = body.indexOf(selector, i + 1)) {
        if (i % 2 === 0) offsets.push(i / 2);
      }
    }
    offsets.sort((a, b) => a - b);
  }
  for (const offset of offsets) {
    try {
      const decoded = decodeFunctionData({ abi: bridgeAbi, data: `0x${body.slice(offset * 2)}` });
      if (decoded.functionName === "confirmRetirement") {
        const [c, signatures] = decoded.args as unknown as [RetirementConfirmed, readonly Hex[]];
        if (!direct && !sameHex(c.requestId, requestId)) continue;
        return { functionName: "confirmRetirement", offset, items: [c], itemIndex: 0, signatures };
      }
      if (decoded.functionName === "confirmRetirements") {
        const [items, signatures] = decoded.args as unknown as [readonly RetirementConfirmed[], readonly Hex[]];
        const itemIndex = items.findIndex((c) => sameHex(c.requestId, requestId));
        if (!direct && itemIndex < 0) continue;
        return { functionName: "confirmRetirements", offset, items, itemIndex, signatures };
      }
    } catch {
      // not a decodable call at this offset
    }
  }
  return undefined;
}

/**
 * Verifies retirement `requestId` from chain data alone. Checks, each reported with ✓/✗:
 * - the request: `RetirementRequested` exists once, its id is `keccak256(abi.encode(holder, idempotencyKey))`, and
 *   the lock moved `amount` of the batch from the holder to the bridge in the same transaction;
 * - the confirmation: `RetirementConfirmed` exists once and names the same holder, batch and amount, and the burn
 *   of `amount` from the bridge happened in the same transaction;
 * - the confirming call: the transaction calls the bridge's `confirmRetirement` or `confirmRetirements` directly;
 *   the decoded item carries the event's request, holder, batch, amount, registry reference hash and serial range
 *   hash, and the details hash of the request's beneficiary and reason;
 * - the quorum: the bridge's EIP-712 domain separator matches the one computed for this chain and address; every
 *   signature recovers over the attestation digest; every signer is in the oracle set in force before the
 *   confirmation log (replayed from `OracleSetUpdated`), no signer twice, at least `threshold` valid signers; the
 *   replayed set at the end of the confirmation block equals `oracles()`/`threshold()`/`oracleEpoch()` read there;
 * - the stored request (latest): kind Retirement, status Confirmed, params tag and certificate tag equal to the
 *   ones computed from the events, and `certificateOf(requestId, registryRefHash, serialRangeHash)` true;
 * - custody: the head recomputed from every TransferSingle/TransferBatch of the batch equals `custodyHead(batchId)`
 *   read at the confirmation block and at the latest block; when the scan starts at the token's deployment, the
 *   supply and every balance of the batch recomputed from the same logs equal `totalSupply` / `balanceOfBatch`.
 *
 * The confirming call is read from the transaction input: directly when the transaction calls the bridge, else
 * the first `confirmRetirement(s)` call naming the request found embedded in the input (relayers, multisigs).
 * Throws {@link AuditNotFoundError} when there is no confirmed retirement under `requestId`.
 */
export async function verifyCertificate(p: VerifyCertificateParameters): Promise<CertificateReport> {
  ensureAbiMatchesArtifacts();
  const { client } = p;
  const bridge = getAddress(p.bridge);
  const requestId = p.requestId.toLowerCase() as Hex;
  if (!/^0x[0-9a-f]{64}$/.test(requestId)) {
    throw new AuditNotFoundError(`request id must be 32 bytes of hex (0x + 64 digits), got ${p.requestId}`);
  }
  const { chainId, latest } = await connect(client);
  const bridgeDeployed = p.fromBlock ?? (await findDeploymentBlock(client, bridge, latest));
  const read = <T>(address: Address, abi: typeof bridgeAbi | typeof tokenAbi, functionName: string, args: unknown[], blockNumber: bigint) =>
    readAt<T>(client, { address, abi, functionName, args, blockNumber });

  let token: Address;
  try {
    token = getAddress(await read<Address>(bridge, bridgeAbi, "token", [], latest));
  } catch (error) {
    throw new AuditRpcError(`${bridge} does not answer token(): is it the RegistryBridge on chain ${chainId}?`, error);
  }
  const tokenFrom = p.fromBlock ?? (await findDeploymentBlock(client, token, latest));
  const checks: Check[] = [];
  /** Records a check; with `detailOnFailure`, the detail is kept only when the check fails. */
  const check = (id: string, label: string, ok: boolean, detail?: string, detailOnFailure = false): boolean => {
    checks.push({ id, label, ok, detail: ok && detailOnFailure ? undefined : detail });
    return ok;
  };

  // ---- request and confirmation events
  const requested = await getLogsChunked(client, {
    address: bridge,
    events: eventsNamed("RetirementRequested"),
    args: { requestId },
    fromBlock: bridgeDeployed,
    toBlock: latest,
    chunk: p.chunk,
  });
  const state = await read<RequestState>(bridge, bridgeAbi, "requestOf", [requestId], latest);
  if (requested.length === 0) {
    const what =
      state.kind === REQUEST_KIND.Withdrawal
        ? "is a withdrawal, not a retirement"
        : state.kind === REQUEST_KIND.None
          ? "does not exist on this bridge"
          : `has no RetirementRequested event in blocks ${bridgeDeployed}..${latest} (try an earlier --from-block)`;
    throw new AuditNotFoundError(`request ${requestId} ${what}`, { requestId, bridge, chainId });
  }
  const confirmed = await getLogsChunked(client, {
    address: bridge,
    events: eventsNamed("RetirementConfirmed"),
    args: { requestId },
    fromBlock: bridgeDeployed,
    toBlock: latest,
    chunk: p.chunk,
  });
  const confirmedLog = confirmed[0];
  if (confirmedLog === undefined && state.status === REQUEST_STATUS.Confirmed) {
    throw new AuditNotFoundError(
      `request ${requestId} is confirmed on-chain but its RetirementConfirmed event is not in blocks ${bridgeDeployed}..${latest} (try an earlier --from-block)`,
      { requestId },
    );
  }
  if (confirmedLog === undefined) {
    const status = REQUEST_STATUS_NAMES[state.status] ?? String(state.status);
    throw new AuditNotFoundError(
      `request ${requestId} is not confirmed (status ${status}${state.status === REQUEST_STATUS.Rejected ? ": the registry refused it" : ""}): no certificate to verify`,
      { requestId, status },
    );
  }
  const requestLog = requested[0] as DecodedLog;
  const req = requestLog.args as RequestedArgs;
  const conf = confirmedLog.args as ConfirmedArgs;
  const detailsHash = detailsHashOf(req.details);
  const batchId = req.batchId;

  check("request.unique", "one RetirementRequested event", requested.length === 1, `${requested.length} found`);
  check("confirmation.unique", "one RetirementConfirmed event", confirmed.length === 1, `${confirmed.length} found`);
  check(
    "request.id",
    "request id = keccak256(abi.encode(holder, idempotencyKey))",
    sameHex(requestIdOf(req.holder, req.idempotencyKey), requestId),
  );
  check(
    "confirmation.matchesRequest",
    "confirmation names the request's holder, batch and amount",
    eqAddr(conf.holder, req.holder) && conf.batchId === req.batchId && conf.amount === req.amount,
    `request ${req.holder} batch ${req.batchId} amount ${req.amount}; confirmation ${conf.holder} batch ${conf.batchId} amount ${conf.amount}`,
    true,
  );
  check(
    "confirmation.afterRequest",
    "confirmation comes after the request",
    confirmedLog.blockNumber > requestLog.blockNumber ||
      (confirmedLog.blockNumber === requestLog.blockNumber && confirmedLog.logIndex > requestLog.logIndex),
  );

  // ---- custody movements of the batch
  const transferLogs = await fetchTransferLogs(client, token, tokenFrom, latest, p.chunk);
  const movements = movementsOf(transferLogs, batchId);
  const lock = movements.find(
    (m) => m.transactionHash === requestLog.transactionHash && eqAddr(m.from, req.holder) && eqAddr(m.to, bridge) && m.value === req.amount,
  );
  check(
    "request.lock",
    "lock: holder -> bridge of the amount in the request transaction",
    lock !== undefined,
    lock === undefined ? `no matching transfer in ${requestLog.transactionHash}` : `log ${lock.logIndex}`,
  );
  const burn = movements.find(
    (m) => m.transactionHash === confirmedLog.transactionHash && eqAddr(m.from, bridge) && eqAddr(m.to, zeroAddress) && m.value === conf.amount,
  );
  check(
    "confirmation.burn",
    "burn: bridge -> 0x0 of the amount in the confirmation transaction",
    burn !== undefined,
    burn === undefined ? `no matching burn in ${confirmedLog.transactionHash}` : `log ${burn.logIndex}`,
  );

  // ---- the confirming call and its quorum
  const domain = bridgeDomain({ chainId, verifyingContract: bridge });
  const onChainSeparator = await read<Hex>(bridge, bridgeAbi, "domainSeparator", [], latest).catch(() => undefined);
  check(
    "quorum.domain",
    "bridge EIP-712 domain (CarbonRegistryBridge v1, chain id, address) matches domainSeparator()",
    onChainSeparator !== undefined && sameHex(onChainSeparator, domainSeparator({ domain })),
    onChainSeparator === undefined ? "domainSeparator() not readable" : undefined,
  );

  const tx = await client.getTransaction({ hash: confirmedLog.transactionHash });
  let entryPoint = "unknown";
  let kind: AttestationKind = "RetirementConfirmed";
  let item: RetirementConfirmed | undefined;
  let itemIndex = 0;
  let itemCount = 0;
  let signatures: readonly Hex[] = [];
  let digest: Hex | null = null;
  const direct = tx.to !== null && eqAddr(tx.to, bridge);
  const call = findConfirmationCall(tx.input, requestId, direct);
  if (call !== undefined) {
    entryPoint = call.offset === 0 ? call.functionName : `${call.functionName} (embedded at byte ${call.offset} of a call to ${tx.to ?? "?"})`;
    item = call.items[call.itemIndex];
    itemIndex = call.itemIndex;
    itemCount = call.items.length;
    signatures = call.signatures;
    if (call.functionName === "confirmRetirement") {
      kind = "RetirementConfirmed";
      digest = item === undefined ? null : hashAttestation({ domain, kind: "RetirementConfirmed", message: item });
    } else {
      kind = "RetirementConfirmedBatch";
      digest = hashAttestation({ domain, kind: "RetirementConfirmedBatch", message: { items: call.items } });
    }
  }
  check(
    "call.decoded",
    direct
      ? "confirmation calldata decodes as confirmRetirement / confirmRetirements"
      : "confirmation relayed through a contract: a confirmRetirement(s) call for the request is embedded in its calldata",
    digest !== null,
    digest === null
      ? direct
        ? `selector ${tx.input.slice(0, 10)} of ${tx.hash} is not a retirement confirmation entry point`
        : `transaction ${tx.hash} calls ${tx.to ?? "(contract creation)"}, and no confirmRetirement(s) call naming the request was found in its calldata`
      : entryPoint,
  );
  if (digest !== null) {
    check(
      "call.item",
      "signed item = confirmation event (request, holder, batch, amount, registry reference, serial range)",
      item !== undefined &&
        sameHex(item.requestId, requestId) &&
        eqAddr(item.holder, conf.holder) &&
        item.batchId === conf.batchId &&
        item.amount === conf.amount &&
        sameHex(item.retirementIdHash, conf.retirementIdHash) &&
        sameHex(item.serialRangeHash, conf.serialRangeHash),
      item === undefined ? "request id not among the signed items" : `item ${itemIndex + 1} of ${itemCount}`,
    );
    check(
      "call.detailsHash",
      "signed details hash = keccak256(abi.encode(beneficiary, reason)) of the request",
      item !== undefined && sameHex(item.detailsHash, detailsHash),
      item === undefined || sameHex(item.detailsHash, detailsHash) ? undefined : `signed ${item.detailsHash}, request ${detailsHash}`,
    );
  }

  // ---- oracle set in force at the confirmation
  const sets = await oracleSetHistory(client, bridge, bridgeDeployed, latest, p.chunk);
  const set: OracleSet | undefined = oracleSetBefore(sets, confirmedLog);
  check(
    "quorum.oracleSet",
    "oracle set in force at the confirmation found (OracleSetUpdated replay)",
    set !== undefined,
    set === undefined ? `no OracleSetUpdated before block ${confirmedLog.blockNumber}; try an earlier --from-block` : `epoch ${set.epoch}`,
  );
  const endOfBlock = oracleSetAtEndOf(sets, confirmedLog.blockNumber);
  if (endOfBlock !== undefined) {
    const [oracles, threshold, epoch] = await Promise.all([
      read<readonly Address[]>(bridge, bridgeAbi, "oracles", [], confirmedLog.blockNumber),
      read<number>(bridge, bridgeAbi, "threshold", [], confirmedLog.blockNumber),
      read<number>(bridge, bridgeAbi, "oracleEpoch", [], confirmedLog.blockNumber),
    ]);
    const same =
      epoch === endOfBlock.epoch &&
      threshold === endOfBlock.threshold &&
      oracles.length === endOfBlock.oracles.length &&
      oracles.every((o, i) => eqAddr(o, endOfBlock.oracles[i] ?? zeroAddress));
    check(
      "quorum.replayMatchesState",
      `replayed oracle set = oracles()/threshold()/oracleEpoch() at block ${confirmedLog.blockNumber}`,
      same,
      `replay epoch ${endOfBlock.epoch} ${endOfBlock.threshold}-of-${endOfBlock.oracles.length}; state epoch ${epoch} ${threshold}-of-${oracles.length}`,
    );
  }

  const signers: SignerReport[] = [];
  if (digest !== null) {
    const seen = new Set<string>();
    for (const [index, signature] of signatures.entries()) {
      let signer: Address | null = null;
      let note: string | undefined;
      try {
        signer = await recoverAddress({ hash: digest, signature });
      } catch (error) {
        note = `does not recover: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
      }
      const inOracleSet = signer !== null && set !== undefined && set.oracles.some((o) => eqAddr(o, signer as Address));
      const duplicate = signer !== null && seen.has(signer.toLowerCase());
      if (signer !== null) seen.add(signer.toLowerCase());
      if (signer !== null && !inOracleSet) note = `not in the oracle set of epoch ${set?.epoch ?? "?"}`;
      if (duplicate) note = "signed twice";
      signers.push({ index, signature, signer, inOracleSet, duplicate, ok: signer !== null && inOracleSet && !duplicate, note });
    }
    const valid = signers.filter((s) => s.ok).length;
    check(
      "quorum.allValid",
      "every signature recovers to a distinct oracle of that set",
      signers.length > 0 && signers.every((s) => s.ok),
      signers.filter((s) => !s.ok).map((s) => `#${s.index}: ${s.note ?? "invalid"}`).join("; ") || undefined,
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

  // ---- stored request and certificate
  const expectedTag = paramsTagOf(REQUEST_KIND.Retirement, req.holder, req.batchId, req.amount, detailsHash);
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
  const certificateOk = await read<boolean>(
    bridge,
    bridgeAbi,
    "certificateOf",
    [requestId, conf.retirementIdHash, conf.serialRangeHash],
    latest,
  );
  check("state.certificateOf", "certificateOf(requestId, registryRefHash, serialRangeHash) is true", certificateOk);

  // ---- custody head
  const startHead = await headBefore(client, token, batchId, tokenFrom);
  const headCheck = async (blockNumber: bigint, id: string, label: string) => {
    const recomputed = headAt(movements, blockNumber, startHead);
    const onChain = await read<Hex>(token, tokenAbi, "custodyHead", [batchId], blockNumber);
    const ok = check(id, label, sameHex(recomputed, onChain), `recomputed ${recomputed}, on-chain ${onChain}`);
    return { blockNumber: blockNumber.toString(), recomputed, onChain, ok };
  };
  const atConfirmation = await headCheck(
    confirmedLog.blockNumber,
    "custody.atConfirmation",
    `custody head recomputed from logs = custodyHead(batch) at confirmation block ${confirmedLog.blockNumber}`,
  );
  const atLatest = await headCheck(latest, "custody.atLatest", `custody head recomputed from logs = custodyHead(batch) at latest block ${latest}`);

  // ---- supply and balances (only when the scan starts at the token's deployment: nothing before it to carry over)
  let holdings: CertificateReport["custody"]["holdings"] = null;
  if (!(await hasCodeAt(client, token, tokenFrom - 1n))) {
    const balances = new Map<string, bigint>();
    let supply = 0n;
    for (const m of movements) {
      if (eqAddr(m.from, zeroAddress)) supply += m.value;
      else balances.set(getAddress(m.from), (balances.get(getAddress(m.from)) ?? 0n) - m.value);
      if (eqAddr(m.to, zeroAddress)) supply -= m.value;
      else balances.set(getAddress(m.to), (balances.get(getAddress(m.to)) ?? 0n) + m.value);
    }
    const accounts = [...balances.keys()] as Address[];
    const [onChainSupply, onChainBalances] = await Promise.all([
      read<bigint>(token, tokenAbi, "totalSupply", [batchId], latest),
      read<readonly bigint[]>(token, tokenAbi, "balanceOfBatch", [accounts, accounts.map(() => batchId)], latest),
    ]);
    const wrong = accounts.filter((a, i) => onChainBalances[i] !== balances.get(a));
    check(
      "custody.supply",
      `totalSupply(batch) at latest = minted - burned in the logs`,
      onChainSupply === supply,
      `logs ${supply}, on-chain ${onChainSupply}`,
    );
    check(
      "custody.balances",
      `every balance of the batch at latest = its sum of movements in the logs (${accounts.length} accounts)`,
      wrong.length === 0,
      wrong.map((a) => `${a}: logs ${balances.get(a)}, on-chain ${onChainBalances[accounts.indexOf(a)]}`).join("; ") || undefined,
    );
    holdings = {
      supply: supply.toString(),
      balances: Object.fromEntries(accounts.filter((a) => balances.get(a) !== 0n).map((a) => [a, (balances.get(a) ?? 0n).toString()])),
    };
  }

  const report: CertificateReport = {
    requestId,
    chainId,
    contracts: { registryBridge: bridge, creditToken: token },
    latestBlock: latest.toString(),
    request: {
      holder: req.holder,
      batchId: batchId.toString(),
      amount: req.amount.toString(),
      idempotencyKey: req.idempotencyKey,
      deadline: String(req.deadline),
      beneficiary: req.details.beneficiary,
      reason: req.details.reason,
      detailsHash,
      blockNumber: requestLog.blockNumber.toString(),
      transactionHash: requestLog.transactionHash,
    },
    confirmation: {
      blockNumber: confirmedLog.blockNumber.toString(),
      blockHash: confirmedLog.blockHash,
      transactionHash: confirmedLog.transactionHash,
      logIndex: confirmedLog.logIndex,
      registryReferenceHash: conf.retirementIdHash,
      serialRangeHash: conf.serialRangeHash,
      entryPoint,
      attestationKind: kind,
      itemIndex,
      itemCount,
      digest,
    },
    oracleSet:
      set === undefined
        ? null
        : {
            epoch: set.epoch,
            oracles: set.oracles,
            threshold: set.threshold,
            installedAtBlock: set.installedAt?.blockNumber.toString() ?? null,
          },
    signers,
    custody: {
      scanFromBlock: tokenFrom.toString(),
      startHead,
      movements: movements.length,
      atConfirmation,
      atLatest,
      holdings,
    },
    checks,
    verdict: checks.every((c) => c.ok) ? "VERIFIED" : "FAILED",
  };
  return report;
}

