/**
 * A wallet's KYC state as the indexer saw it on the IdentityRegistry (a read of `chain_events`), for the routes that
 * refuse wallets the bridge would not mint to.
 */
import type { Queryable } from "../../db/queryable";

export type WalletVerification = { verified: true } | { verified: false; reason: string };

type IdentityEventRow = {
  event_name: string;
  expiry: string | null;
  frozen: boolean | null;
};

/**
 * Whether the IdentityRegistry verifies `wallet` at `now`, from the indexed events: the latest of
 * IdentityRegistered/Updated/Removed decides (with its expiry), and the latest WalletFrozenSet must not be frozen.
 * The bridge mints only to verified wallets, so a deposit for any other would strand the block in custody.
 */
export async function walletVerification(db: Queryable, wallet: string, now: Date): Promise<WalletVerification> {
  const { rows } = await db.query<IdentityEventRow>(
    `(SELECT event_name, args->>'expiry' AS expiry, NULL::boolean AS frozen FROM chain_events
       WHERE event_name IN ('IdentityRegistered', 'IdentityUpdated', 'IdentityRemoved') AND lower(args->>'wallet') = $1
       ORDER BY block_number DESC, log_index DESC LIMIT 1)
     UNION ALL
     (SELECT event_name, NULL, (args->>'frozen')::boolean FROM chain_events
       WHERE event_name = 'WalletFrozenSet' AND lower(args->>'wallet') = $1
       ORDER BY block_number DESC, log_index DESC LIMIT 1)`,
    [wallet.toLowerCase()],
  );
  const identity = rows.find((row) => row.event_name !== "WalletFrozenSet");
  if (rows.some((row) => row.event_name === "WalletFrozenSet" && row.frozen === true)) {
    return {
      verified: false,
      reason: "the wallet is frozen on the IdentityRegistry",
    };
  }
  if (identity === undefined)
    return {
      verified: false,
      reason: "the wallet has no identity on the IdentityRegistry (KYC first)",
    };
  if (identity.event_name === "IdentityRemoved")
    return {
      verified: false,
      reason: "the wallet's identity was removed from the IdentityRegistry",
    };
  const expiry = BigInt(identity.expiry ?? "0");
  if (expiry <= BigInt(Math.floor(now.getTime() / 1000))) {
    return {
      verified: false,
      reason: `the wallet's identity expired at ${new Date(Number(expiry) * 1000).toISOString()}`,
    };
  }
  return { verified: true };
}
