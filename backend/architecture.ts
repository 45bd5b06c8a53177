/**
 * The backend's structure as data (ARCHITECTURE.md §4.1, docs/backend-core.md "Who writes what"): the layer order
 * imports must follow, the one owner of every table, and the layout rules. `backend/tools/checkArchitecture.ts`
 * enforces it (`npm run lint`, test/backend/architecture.test.ts); a new module or table is an entry here.
 */

/**
 * The modules of `backend/src` (a folder, or a file at its root), top first. A module imports only modules of a
 * lower layer: never one above, never a peer of its own layer. Imports outside `backend/src` are not checked.
 */
export const LAYERS: readonly (readonly string[])[] = [
  // entry points and process wiring
  ["cli"],
  ["platform"],
  ["api"],
  // evidence packages and retirement certificates, built on the auditor's checks
  ["evidence", "certificates"],
  ["audit", "simulators"],
  // services: the processes' loops and handlers
  ["oracle", "watchers", "workers", "deals"],
  ["indexer", "reconciliation"],
  // the owners of the domain tables
  ["deposits"],
  ["requests", "orders", "auth", "claims", "dealOffers"],
  // compliance calculations (pure, over configured parameters) and sanctions screening
  ["ccts", "screening"],
  ["mrv"],
  ["guard"],
  ["queue"],
  // ports to the outside: the chain (through the relayer) and the registries and the bank
  ["relayer"],
  ["payments"],
  ["chain"],
  ["registries"],
  // foundation
  ["context", "serviceLoop"],
  ["readiness", "shutdown"],
  ["db"],
  ["config"],
  ["metrics", "logger", "sleep", "net"],
  ["errors"],
];

/**
 * The one module that writes each table (INSERT, UPDATE, DELETE, COPY); every other module calls it. Reads may join
 * any table. `null`: a table nothing writes (kept because applied migrations are never edited).
 */
export const TABLE_OWNERS: Readonly<Record<string, string | null>> = {
  // the indexer's projections of chain_events
  chain_events: "indexer",
  checkpoints: "indexer",
  indexer_poison_events: "indexer",
  batches: "indexer",
  balances: "indexer",
  deals: "indexer",
  // the domain owners
  requests: "requests",
  deposit_intents: "deposits",
  deposits: "deposits",
  orders: "orders",
  deal_offers: "dealOffers",
  fills: "orders",
  registries: "registries",
  api_keys: "auth",
  siwe_nonces: "auth",
  api_sessions: "auth",
  // the queue and the guard
  jobs: "queue",
  job_redrives: "queue",
  rate_buckets: "guard",
  // what the registries did, and reconciliation against it
  registry_events: "watchers",
  registry_poll_cursors: "watchers",
  custody_blocks: "watchers",
  registry_snapshots: "reconciliation",
  registry_snapshot_blocks: "reconciliation",
  reconciliation_runs: "reconciliation",
  discrepancies: "reconciliation",
  // the oracle network's board
  oracle_observations: "oracle",
  oracle_batches: "oracle",
  oracle_batch_votes: "oracle",
  oracle_relays: "oracle",
  // the hash-chained log of evidence exports and its on-chain anchors
  evidence_log: "evidence",
  evidence_log_anchors: "evidence",
  // rendered certificate PDFs, by hash, for the public verification page
  certificate_documents: "certificates",
  // migration 0001's first registry mirror, superseded by custody_blocks (0009)
  registry_blocks: null,
};

/**
 * Migration numbers missing from the sequence, each with why. Numbers run without gaps from here on; an applied
 * migration is never renumbered (node-pg-migrate records file names in `pgmigrations`).
 */
export const MIGRATION_GAPS: Readonly<Record<string, string>> = {
  "0007":
    "no 0007 was ever committed: the number was skipped when 0008_oracle was added (commit c19636b); 0008 onwards are " +
      "applied as numbered",
};

/** Folders whose file names mirror another naming scheme and are left out of the camelCase rule. */
export const NAMING_EXCEPTIONS: readonly string[] = [
  // test files of a contract carry the contract's name (CreditToken.test.ts), as OpenZeppelin's tests do
  "test/contracts",
  // applied migrations keep the names they were applied under
  "backend/src/db/migrations",
];
