/** `README.txt` for a court clerk: what the package is, how to check it, what each part proves and does not. */
export function readmeText(p: { scopeLine: string; asOfIst: string; chainId: number; fileName: string }): string {
  return `EVIDENCE PACKAGE: ${p.scopeLine}
Records of the carbon-custody platform and its chain (chain id ${p.chainId}) as of ${p.asOfIst}.

WHAT THIS IS
This ZIP file holds copies of electronic records (chain events and receipts, signed orders, oracle
attestations, and, where the platform's database was read, its records) together with what is needed to
check, without trusting the platform, that they are complete copies of what the chain holds and that nothing
in the package was changed after it was made.

HOW TO CHECK IT (Node.js 18 or newer; nothing else to install; no network needed)
  1. Make an empty folder and put this ZIP file in it.
  2. Take verify.mjs out of the ZIP into the same folder (any unzip tool, e.g. "unzip ${p.fileName} verify.mjs").
  3. Run:  node verify.mjs ${p.fileName}
It prints one line per check and a verdict. VERIFIED means every check passed. Any failed check is marked
with a cross and names the file concerned; the program then exits with a non-zero code. Adding
"--rpc <url of a node of the chain>" also compares the package with the live chain.

WHAT EACH PART IS
  manifest.json          the list of every file with its SHA-256 value, what was asked (scope), the systems
                         and identifiers, and one Merkle root (RFC 6962) over all of it.
  timestamp.tsr          an RFC 3161 time stamp of that root by a time-stamping authority (TSA). If the TSA
                         could not be reached, timestamp-missing.json says why instead.
  records/               the records, as JSON (for programs) and CSV (for spreadsheets).
  proofs/                block headers and receipts of the chain, the custody hash chain of the batch, and a
                         proof that each file is part of the Merkle root.
  section63-partA.*      the certificate under section 63 of the Bharatiya Sakshya Adhiniyam 2023, Part A,
                         pre-filled, for the person producing the records to complete and sign (PDF and text).
  section63-partB-template.*  Part B, for the expert.
  verify.mjs             the checking program (readable JavaScript).

WHAT THE CHECKS PROVE
  - Every file is exactly as it was when the manifest was made (SHA-256 values and the Merkle root).
  - With a valid time stamp: the package existed in this form no later than the time the TSA certifies.
  - The chain events in records/ are exactly those in the blocks whose headers are in proofs/ (each header
    hashes to its block hash, each block's receipts to its receipts root).
  - The custody hash chain of the batch, recomputed from those events, gives the value the package states
    the chain held at the end of the range; with --rpc, the value the live chain holds.
  - Oracle attestations and orders carry valid signatures of the keys named in the chain's own records.

WHAT THEY DO NOT PROVE
  - Offline, that the blocks are the chain's: a block hash is only as good as the chain it belongs to. Run
    with --rpc against a node you trust (or compare the block hashes with one) to settle that.
  - That the registry's own books agree: the registry (Verra, Gold Standard, I-REC, CCTS) is the legal
    source of truth; the package shows what the platform's oracles attested about it.
  - That the platform's database rows (records/database*.*) are true: they are the platform's own word.
  - Anything about the time stamp authority beyond its certificate: compare the root certificate's
    fingerprint that verify.mjs prints with the one the TSA publishes.
  - The identity of the signers of the section 63 certificate: that is for the signatures on paper.
`;
}
