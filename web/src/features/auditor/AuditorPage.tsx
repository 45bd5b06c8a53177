/**
 * Auditor: the custody trail of a batch or a wallet read from the chain itself (the token's and the bridge's logs,
 * through the wallet's RPC, not the platform's database), checked in words (the trail's mints and burns add up to
 * the token's supply; the custody head recomputed from every movement equals the one the token keeps), and
 * exported in one click as JSON.
 */
import { creditTokenAbi, registryBridgeAbi } from "@carbon-custody/sdk";
import { useState } from "react";
import { type Hex, encodeAbiParameters, isAddress, keccak256, zeroAddress } from "viem";
import { usePublicClient } from "wagmi";
import { Field, Notice, Page, Panel, Table, errorText } from "../../components/ui";
import { formatCount } from "../../lib/format";
import { useClientConfig } from "../../lib/wallet";

type TrailEntry = { blockNumber: string; transactionHash: string; logIndex: number; contract: string; event: string; args: Record<string, string> };
type Finding = { label: string; ok: boolean; detail: string };

const ZERO_HEAD = `0x${"00".repeat(32)}` as Hex;
const json = (value: unknown): string => (typeof value === "bigint" ? value.toString() : typeof value === "object" && value !== null ? JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) : String(value));

export function AuditorPage() {
  const config = useClientConfig();
  const client = usePublicClient();
  const [subject, setSubject] = useState("");
  const [error, setError] = useState<string>();
  const [trail, setTrail] = useState<TrailEntry[]>();
  const [findings, setFindings] = useState<Finding[]>([]);
  const [busy, setBusy] = useState(false);

  async function load() {
    const text = subject.trim();
    const wallet = isAddress(text);
    if (!wallet && !/^\d+$/.test(text)) {
      setError("Enter a batch id (a decimal number) or a wallet address (0x and 40 hex digits)");
      return;
    }
    setError(undefined);
    if (client === undefined) return;
    setBusy(true);
    try {
      const [token, bridge] = await Promise.all([
        client.getContractEvents({ address: config.contracts.creditToken, abi: creditTokenAbi, fromBlock: 0n }),
        client.getContractEvents({ address: config.contracts.registryBridge, abi: registryBridgeAbi, fromBlock: 0n }),
      ]);
      const all = [...token, ...bridge].sort((a, b) => Number(a.blockNumber - b.blockNumber) || a.logIndex - b.logIndex);
      const mentions = (args: Record<string, unknown>) =>
        wallet ? Object.values(args).some((v) => typeof v === "string" && v.toLowerCase() === text.toLowerCase()) : ["id", "batchId"].some((k) => args[k] !== undefined && String(args[k]) === text);
      const entries: TrailEntry[] = all
        .filter((log) => mentions((log.args ?? {}) as Record<string, unknown>))
        .map((log) => ({
          blockNumber: log.blockNumber.toString(),
          transactionHash: log.transactionHash,
          logIndex: log.logIndex,
          contract: log.address.toLowerCase() === config.contracts.creditToken.toLowerCase() ? "CreditToken" : "RegistryBridge",
          event: log.eventName ?? "?",
          args: Object.fromEntries(Object.entries((log.args ?? {}) as Record<string, unknown>).map(([k, v]) => [k, json(v)])),
        }));
      setTrail(entries);
      const found: Finding[] = [];
      if (!wallet) {
        const batchId = BigInt(text);
        const moves = entries.filter((e) => e.event === "TransferSingle");
        let head = ZERO_HEAD;
        let supply = 0n;
        for (const move of moves) {
          const value = BigInt(move.args.value ?? "0");
          if (move.args.from === zeroAddress) supply += value;
          if (move.args.to === zeroAddress) supply -= value;
          head = keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "address" }, { type: "address" }, { type: "uint256" }], [head, move.args.from as `0x${string}`, move.args.to as `0x${string}`, value]));
        }
        const [onChainSupply, onChainHead] = await Promise.all([
          client.readContract({ address: config.contracts.creditToken, abi: creditTokenAbi, functionName: "totalSupply", args: [batchId] }) as Promise<bigint>,
          client.readContract({ address: config.contracts.creditToken, abi: creditTokenAbi, functionName: "custodyHead", args: [batchId] }) as Promise<Hex>,
        ]);
        found.push({ label: "The trail's mints minus burns equal the token's supply of the batch", ok: supply === onChainSupply, detail: `trail ${formatCount(supply)}, token ${formatCount(onChainSupply)}` });
        found.push({ label: "The custody head recomputed from every movement equals the one the token keeps", ok: head === onChainHead, detail: `${moves.length} movements; recomputed ${head.slice(0, 18)}…, on chain ${onChainHead.slice(0, 18)}…` });
      } else {
        found.push({ label: "Events naming the wallet were read from the chain", ok: true, detail: `${entries.length} events` });
      }
      setFindings(found);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  function exportTrail() {
    const blob = new Blob([JSON.stringify({ format: "carbon-custody-trail/1", chainId: config.chainId, contracts: config.contracts, subject: subject.trim(), exportedAt: new Date().toISOString(), findings, events: trail }, null, 2)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `custody-trail-${subject.trim().slice(0, 12)}.json`;
    link.click();
    URL.revokeObjectURL(link.href);
  }

  return (
    <Page title="Auditor" intro="The custody trail of a batch or a wallet, read from the chain itself and checked. For a retirement certificate, use Verify; for the full evidence file, `carbon audit export`.">
      <form aria-label="Custody trail" onSubmit={(event) => { event.preventDefault(); void load(); }}>
        <Field label="Batch id or wallet address" value={subject} onChange={(e) => setSubject(e.target.value)} error={error} spellCheck={false} />
        <button type="submit" disabled={busy}>Read the trail from the chain</button>
      </form>
      {trail === undefined ? null : (
        <>
          <Panel title="Verification">
            <Table caption="Findings" columns={["Check", "Result", "Detail"]} rows={findings.map((f) => [f.label, f.ok ? "holds" : "DOES NOT HOLD", f.detail])} />
            <button type="button" onClick={exportTrail}>Export the trail (JSON)</button>
          </Panel>
          <Panel title="Trail">
            <Table caption="Chain events" columns={["Block", "Contract", "Event", "Details"]} rows={trail.map((e) => [e.blockNumber, e.contract, e.event, <code key="a">{Object.entries(e.args).map(([k, v]) => `${k}=${v.length > 20 ? `${v.slice(0, 12)}…` : v}`).join(" ")}</code>])} />
          </Panel>
        </>
      )}
      {busy ? <Notice>Reading the chain…</Notice> : null}
    </Page>
  );
}
