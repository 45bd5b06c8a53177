/**
 * `carbon audit verify-certificate`: rebuilds one retirement from chain logs and state alone (no database) and
 * checks every link of it. See {@link verifyCertificate} for the list of checks, and `certificateChecks.ts` for them.
 */
import { type Address, type Hex, type PublicClient, getAddress } from "viem";
import { registryBridgeAbi } from "../chain/abi";
import { detailsHashOf } from "../chain/attestations";
import { REQUEST_KIND, REQUEST_STATUS, REQUEST_STATUS_NAMES } from "../chain/bridge";
import { ValidationError } from "../errors";
import {
  type ConfirmationReport,
  type ConfirmedArgs,
  type CustodyReport,
  type OracleSetReport,
  type RequestState,
  type RequestedArgs,
  type Retirement,
  type SignerReport,
  checkCustody,
  checkQuorum,
  checkRequest,
  checkState,
} from "./certificateChecks";
import { type Check, verdictOf } from "./checks";
import { AuditNotFoundError, AuditRpcError } from "./errors";
import { connect, fetchTransferLogs, findDeploymentBlock, getLogsChunked, movementsOf, readAt } from "./history";

export { findConfirmationCall, type ConfirmationCall } from "./confirmationCall";
export type { Check } from "./checks";
export type { SignerReport } from "./certificateChecks";

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
  confirmation: ConfirmationReport;
  oracleSet: OracleSetReport;
  signers: SignerReport[];
  custody: CustodyReport;
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

const eventsNamed = (...names: string[]) =>
  registryBridgeAbi.filter(
    (item): item is Extract<(typeof registryBridgeAbi)[number], { type: "event" }> =>
      item.type === "event" && names.includes(item.name),
  );

/** The request id as the bridge keys it, or a ValidationError naming what is wrong with it. */
export function parseRequestId(text: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text)) throw new ValidationError("requestId", `expected 0x + 64 hex digits, got ${text}`);
  return text.toLowerCase() as Hex;
}

/** Why `state` holds no certificate under `requestId` (for a request without the events a certificate needs). */
function notFound(
  requestId: Hex,
  state: RequestState,
  bridgeFrom: bigint,
  latest: bigint,
  requested: boolean,
): AuditNotFoundError {
  if (!requested) {
    const what =
      state.kind === REQUEST_KIND.Withdrawal
        ? "is a withdrawal, not a retirement"
        : state.kind === REQUEST_KIND.None
          ? "does not exist on this bridge"
          : `has no RetirementRequested event in blocks ${bridgeFrom}..${latest} (try an earlier --from-block)`;
    return new AuditNotFoundError(`request ${requestId} ${what}`, { requestId });
  }
  if (state.status === REQUEST_STATUS.Confirmed) {
    return new AuditNotFoundError(
      `request ${requestId} is confirmed on-chain but its RetirementConfirmed event is not in blocks ` +
        `${bridgeFrom}..${latest} (try an earlier --from-block)`,
      { requestId },
    );
  }
  const status = REQUEST_STATUS_NAMES[state.status] ?? String(state.status);
  const refused = state.status === REQUEST_STATUS.Rejected ? ": the registry refused it" : "";
  return new AuditNotFoundError(`request ${requestId} is not confirmed (status ${status}${refused}): no certificate to verify`, {
    requestId,
    status,
  });
}

/** Reads the retirement from the chain: contracts, request and confirmation events, stored state, the batch's movements. */
async function loadRetirement(p: VerifyCertificateParameters): Promise<Retirement> {
  const { client, chunk } = p;
  const requestId = parseRequestId(p.requestId);
  const bridge = getAddress(p.bridge);
  const { chainId, latest } = await connect(client);
  const bridgeFrom = p.fromBlock ?? (await findDeploymentBlock(client, bridge, latest));
  let token: Address;
  try {
    token = getAddress(
      await readAt<Address>(client, { address: bridge, abi: registryBridgeAbi, functionName: "token", blockNumber: latest }),
    );
  } catch (error) {
    throw new AuditRpcError(`${bridge} does not answer token(): is it the RegistryBridge on chain ${chainId}?`, error);
  }
  const tokenFrom = p.fromBlock ?? (await findDeploymentBlock(client, token, latest));
  const logsOf = (name: string) =>
    getLogsChunked(client, {
      address: bridge,
      events: eventsNamed(name),
      args: { requestId },
      fromBlock: bridgeFrom,
      toBlock: latest,
      chunk,
    });
  const requested = await logsOf("RetirementRequested");
  const state = await readAt<RequestState>(client, {
    address: bridge,
    abi: registryBridgeAbi,
    functionName: "requestOf",
    args: [requestId],
    blockNumber: latest,
  });
  if (requested.length === 0) throw notFound(requestId, state, bridgeFrom, latest, false);
  const confirmed = await logsOf("RetirementConfirmed");
  const requestLog = requested[0];
  const confirmedLog = confirmed[0];
  if (requestLog === undefined || confirmedLog === undefined) throw notFound(requestId, state, bridgeFrom, latest, true);
  const req = requestLog.args as RequestedArgs;
  const movements = movementsOf(await fetchTransferLogs(client, token, tokenFrom, latest, chunk), req.batchId);
  return {
    client,
    chunk,
    requestId,
    chainId,
    latest,
    bridge,
    token,
    bridgeFrom,
    tokenFrom,
    requested,
    confirmed,
    requestLog,
    confirmedLog,
    req,
    conf: confirmedLog.args as ConfirmedArgs,
    state,
    detailsHash: detailsHashOf(req.details),
    movements,
  };
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
 * Throws a `ValidationError` for a malformed request id and an {@link AuditNotFoundError} when there is no
 * confirmed retirement under it.
 */
export async function verifyCertificate(p: VerifyCertificateParameters): Promise<CertificateReport> {
  const r = await loadRetirement(p);
  const quorum = await checkQuorum(r);
  const custody = await checkCustody(r);
  const checks = [...checkRequest(r), ...quorum.checks, ...(await checkState(r)), ...custody.checks];
  const { req, requestLog } = r;
  return {
    requestId: r.requestId,
    chainId: r.chainId,
    contracts: { registryBridge: r.bridge, creditToken: r.token },
    latestBlock: r.latest.toString(),
    request: {
      holder: req.holder,
      batchId: req.batchId.toString(),
      amount: req.amount.toString(),
      idempotencyKey: req.idempotencyKey,
      deadline: String(req.deadline),
      beneficiary: req.details.beneficiary,
      reason: req.details.reason,
      detailsHash: r.detailsHash,
      blockNumber: requestLog.blockNumber.toString(),
      transactionHash: requestLog.transactionHash,
    },
    confirmation: quorum.confirmation,
    oracleSet: quorum.oracleSet,
    signers: quorum.signers,
    custody: custody.custody,
    checks,
    verdict: verdictOf(checks),
  };
}
