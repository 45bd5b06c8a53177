/**
 * The contract interface the auditor reads, as typed viem fragments, checked against the Hardhat artifacts so the
 * two cannot drift: every fragment must appear in the compiled ABI with the same name, parameter types and
 * `indexed` flags, or loading fails with the fragment named. Missing artifacts fail with the command to run.
 */
import { type Abi, type AbiParameter, parseAbi } from "viem";
import { ArtifactError, artifactsRoot, loadAbi } from "../chain/artifacts";
import { BaseError } from "../errors";

const RETIREMENT_CONFIRMATION =
  "(bytes32 requestId, address holder, uint256 batchId, uint256 amount, bytes32 detailsHash, bytes32 retirementIdHash, bytes32 serialRangeHash)";

/** RegistryBridge: the events and functions the auditor uses. */
export const bridgeAbi = parseAbi([
  "event OracleSetUpdated(uint32 indexed epoch, address[] oracles, uint8 threshold)",
  "event DepositConfirmed(bytes32 indexed depositId, address indexed holder, uint256 indexed batchId, bytes32 blockKey, uint64 blockStart, uint64 blockEnd)",
  "event RetirementRequested(bytes32 indexed requestId, address indexed holder, uint256 indexed batchId, uint256 amount, bytes32 idempotencyKey, uint40 deadline, (string beneficiary, string reason) details)",
  "event RetirementConfirmed(bytes32 indexed requestId, address indexed holder, uint256 indexed batchId, uint256 amount, bytes32 retirementIdHash, bytes32 serialRangeHash)",
  "event RetirementRejected(bytes32 indexed requestId, address indexed holder, uint256 indexed batchId, uint256 amount, bytes32 reasonHash)",
  "event WithdrawalRequested(bytes32 indexed requestId, address indexed holder, uint256 indexed batchId, uint256 amount, bytes32 idempotencyKey, uint40 deadline, bytes32 registryAccount)",
  "event WithdrawalConfirmed(bytes32 indexed requestId, address indexed holder, uint256 indexed batchId, uint256 amount, bytes32 registryTxHash, bytes32 serialRangeHash)",
  "event WithdrawalRejected(bytes32 indexed requestId, address indexed holder, uint256 indexed batchId, uint256 amount, bytes32 reasonHash)",
  "event BlockKeyReleased(bytes32 indexed blockKey, bytes32 indexed requestId)",
  "event RequestOverdue(bytes32 indexed requestId, uint40 deadline, address indexed flaggedBy)",
  "event ReserveAttested(uint256 indexed batchId, uint256 units, uint256 supply, uint64 asOf)",
  "event ReserveShortfall(uint256 indexed batchId, uint256 units, uint256 supply)",
  `function confirmRetirement(${RETIREMENT_CONFIRMATION} confirmation, bytes[] signatures)`,
  `function confirmRetirements(${RETIREMENT_CONFIRMATION}[] confirmations, bytes[] signatures)`,
  "function token() view returns (address)",
  "function oracles() view returns (address[])",
  "function threshold() view returns (uint8)",
  "function oracleEpoch() view returns (uint32)",
  "function domainSeparator() view returns (bytes32)",
  "function requestOf(bytes32 requestId) view returns ((uint8 kind, uint8 status, bool overdueFlagged, uint40 deadline, bytes16 paramsTag, bytes15 certificate))",
  "function certificateOf(bytes32 requestId, bytes32 registryRefHash, bytes32 serialRangeHash) view returns (bool)",
]);

/** CreditToken: the ERC-1155 movement events, the batch's own events and the custody head. */
export const tokenAbi = parseAbi([
  "event TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value)",
  "event TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values)",
  "event BatchRegistered(uint256 indexed batchId, uint8 indexed registryId, bytes32 indexed projectId, uint16 vintage, uint8 unitType, string serialPrefix)",
  "event BatchFrozen(uint256 indexed batchId, uint16 reasonCode, address indexed agent)",
  "event BatchUnfrozen(uint256 indexed batchId, uint16 reasonCode, address indexed agent)",
  "event ForcedTransfer(address indexed from, address indexed to, uint256 indexed batchId, uint256 amount, uint16 reasonCode, address agent)",
  "event WalletRecovered(address indexed lostWallet, address indexed newWallet, address indexed agent, uint256[] batchIds, uint256[] amounts, uint16 reasonCode)",
  "function custodyHead(uint256 batchId) view returns (bytes32)",
  "function balanceOfBatch(address[] accounts, uint256[] ids) view returns (uint256[])",
  "function totalSupply(uint256 batchId) view returns (uint256)",
  "function batchRegistry(uint256 batchId) view returns (uint8)",
  "function bridge() view returns (address)",
]);

/** Request kind and status codes of `IRegistryBridge.RequestKind` / `RequestStatus`. */
export const REQUEST_KIND = { None: 0, Retirement: 1, Withdrawal: 2 } as const;
export const REQUEST_STATUS = { None: 0, Pending: 1, Confirmed: 2, Rejected: 3 } as const;
export const REQUEST_STATUS_NAMES = ["None", "Pending", "Confirmed", "Rejected"] as const;

/** The artifacts are missing, unreadable or disagree with the auditor's fragments. */
export class AuditAbiError extends BaseError {
  override name = "AuditAbiError";
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { code: "AUDIT_ABI", retryable: false, details });
  }
}

type AuditedContract = "RegistryBridge" | "CreditToken";

/** `artifacts/` of the repository (override with CARBON_ARTIFACTS_DIR): the one of `chain/artifacts.ts`. */
export const artifactsDir = artifactsRoot;

function canonicalParam(p: AbiParameter, withIndexed: boolean): string {
  const components = "components" in p && p.components !== undefined ? p.components : undefined;
  const type =
    components !== undefined
      ? `(${components.map((c) => canonicalParam(c, false)).join(",")})${p.type.slice("tuple".length)}`
      : p.type;
  return withIndexed && "indexed" in p && p.indexed === true ? `${type} indexed` : type;
}

function canonical(item: Abi[number]): string | undefined {
  if (item.type !== "event" && item.type !== "function") return undefined;
  const inputs = item.inputs.map((p) => canonicalParam(p, item.type === "event")).join(",");
  const outputs = item.type === "function" ? `:${item.outputs.map((p) => canonicalParam(p, false)).join(",")}` : "";
  return `${item.type} ${item.name}(${inputs})${outputs}`;
}

/** The compiled ABI through the shared loader; its errors become the auditor's (the CLI maps them to exit 2). */
function loadArtifactAbi(dir: string, contract: AuditedContract): Abi {
  try {
    return loadAbi(contract, dir);
  } catch (error) {
    if (error instanceof ArtifactError) throw new AuditAbiError(error.message, error.details);
    throw error;
  }
}

function checkAgainst(dir: string, contract: AuditedContract, fragments: Abi): void {
  const compiled = new Set(loadArtifactAbi(dir, contract).map(canonical).filter((s): s is string => s !== undefined));
  for (const fragment of fragments) {
    const sig = canonical(fragment);
    if (sig !== undefined && !compiled.has(sig)) {
      throw new AuditAbiError(
        `ABI drift: \`${sig}\` is not in the compiled ${contract} ABI (contracts/${contract}.sol); recompile or update backend/src/audit/abi.ts`,
        { contract, fragment: sig },
      );
    }
  }
}

const checkedDirs = new Set<string>();

/** Verifies (once per process and folder) that the fragments match the compiled contracts in `dir`. */
export function ensureAbiMatchesArtifacts(dir: string = artifactsDir()): void {
  if (checkedDirs.has(dir)) return;
  checkAgainst(dir, "RegistryBridge", bridgeAbi);
  checkAgainst(dir, "CreditToken", tokenAbi);
  checkedDirs.add(dir);
}
