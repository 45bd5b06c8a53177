/** The API's answers as the app reads them (the OpenAPI document at /docs is the reference). */
export type RegistryStatus = { paused: boolean | null; circuit: "closed" | "open" | "half_open" | "unknown"; detail?: string };

export type ClientConfig = {
  chainId: number;
  rpcUrl: string;
  appUrl: string;
  contracts: { identityRegistry: `0x${string}`; creditToken: `0x${string}`; registryBridge: `0x${string}`; settlement: `0x${string}` };
  paymentTokens: Array<{ address: `0x${string}`; symbol: string; name: string; decimals: number }>;
  eip712: { settlement: { domain: { name: string; version: string; chainId: number; verifyingContract: `0x${string}` }; typeStrings: Record<string, string> } };
  fees: { recipient: string; feeBps: number; rounding: string };
  registries: Array<{ id: string; name: string; number: number; custodyAccount: string; status: RegistryStatus }>;
  oracles: { addresses: string[]; threshold: number | null };
  siwe: { domain: string; chainId: number; statement: string };
};

export type Batch = {
  batchId: string;
  registryId: string;
  serialPrefix: string;
  projectId: string | null;
  vintageStart: string | null;
  vintageEnd: string | null;
  unitType: string | null;
  custody: { totalSupply: string; available: string; escrowed: string; pendingRetirement: string; pendingWithdrawal: string; retired: string; withdrawn: string };
  frozen: boolean;
  registryStatus: RegistryStatus;
  availability: { trading: string; retirement: string; withdrawal: string; escrowDeals: string; reasons: string[] };
};

export type Order = {
  orderHash: `0x${string}`;
  side: "sell" | "buy";
  maker: `0x${string}`;
  taker: `0x${string}`;
  batchId: string;
  amount: string;
  filled: string;
  remaining: string;
  minFill: string;
  unitPrice: string;
  paymentToken: `0x${string}`;
  salt: string;
  counter: string;
  expiry: string;
  status: string;
  signature: `0x${string}`;
  createdAt: string;
  cancelledAt: string | null;
  maxFeeBps?: number;
};

export type Trade = { id: string; orderHash: string; batchId: string; side: string; maker: string; taker: string; amount: string; unitPrice: string; paymentToken: string; paymentAmount: string; blockNumber: string; txHash: string; indexedAt: string };

export type InventoryItem = { batchId: string; registryId: string; serialPrefix: string; available: string; escrowed: string; pendingRetirement: string; pendingWithdrawal: string; retired: string; withdrawn: string };

export type ChainEvent = { blockNumber: string; txHash: string; logIndex: number; contract: string; event: string; args: Record<string, unknown> };

export type RetirementRequest = {
  requestId: `0x${string}`;
  kind: "retirement" | "withdrawal";
  holder: string;
  batchId: string;
  registryId: string;
  amount: string;
  status: string;
  registryStatus: string | null;
  registryReference: string | null;
  destinationAccount: string | null;
  retirement: { beneficiary?: string; reason?: string } | null;
  chainStatus: string;
  requestedTxHash: string | null;
  answeredTxHash: string | null;
  createdAt: string;
};

export type TimelineStage = { key: string; label: string; state: "done" | "current" | "waiting" | "failed"; at: string | null; detail: string; txHash: string | null };

export type Certificate = {
  certificateId: string;
  title: string;
  statement: string;
  registry: { id: string; name: string };
  project: { registryProjectId: string | null; name: string | null; methodology: string | null; type: string | null; country: string | null };
  vintage: { start: string | null; end: string | null };
  serialRange: { serial: string | null; first: string | null; last: string | null; matchesOnChainHash: boolean | null };
  quantity: string;
  unit: { type: string | null; name: string | null; metric: string | null };
  holder: string;
  beneficiary: string;
  reason: string;
  registryRetirementReference: { reference: string | null; matchesOnChainHash: boolean | null };
  registryStatus: string | null;
  dates: { requestedAt: string | null; sentToRegistryAt: string | null; retiredAtRegistry: string | null; confirmedOnChainAt: string | null };
  onChainProof: {
    chainId: string;
    registryBridge: string;
    requestId: string;
    transactionHash: string;
    blockNumber: string;
    logIndex: string;
    retirementIdHash: string;
    serialRangeHash: string;
    requestTransactionHash: string | null;
    blockTimestamp: string | null;
    attestedBy: { signers: string[]; threshold: number | null; oracleSetSize: number | null };
  };
  onChainRecordSha256: string;
  pdfSha256: string;
  pdfUrl: string;
  verificationUrl: string;
};

export type Verification = { certificateId: string; verdict: "VERIFIED" | "FAILED"; checks: Array<{ id: string; group: string; label: string; ok: boolean; detail: string }>; checkedAt: string };

export type DepositIntent = {
  intentId: string;
  memo: string;
  registry: string;
  custodyAccount: string;
  declaredSerial: string;
  status: string;
  statusDetail: string | null;
  batchId: string | null;
  quantity: string | null;
  mintTxHash: string | null;
  expiresAt: string;
  createdAt: string;
  instructions: string;
};

export type DealRow = {
  dealId: `0x${string}`;
  seller: string;
  buyer: string;
  batchId: string;
  amount: string;
  paymentToken: string | null;
  paymentAmount: string;
  conditions: unknown;
  conditionsSatisfied: unknown;
  deadline: string;
  status: string;
  sellerProceeds: string | null;
  fee: string | null;
};
