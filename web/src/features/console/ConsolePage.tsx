/**
 * Operations console (operator API key): registry health with breaker state and the reasons the platform knows
 * (maintenance, rate limits), rate-limit use, queue depth and dead or stuck jobs, the oracle set, open
 * reconciliation findings, indexer lag, and freezing or unfreezing a batch from the agent wallet with a reason.
 */
import { creditTokenAbi } from "@carbon-custody/sdk";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { encodeFunctionData } from "viem";
import { Field, Hash, Notice, Page, Panel, Select, Table, When, errorText } from "../../components/ui";
import { type Page as ApiPage, api } from "../../lib/api";
import { formatCount } from "../../lib/format";
import type { Batch, ClientConfig } from "../../lib/types";
import { useClientConfig, useSendCall } from "../../lib/wallet";

const KEY = "carbon.operatorKey";

/** Values of one metric in Prometheus text, by label set. */
function metric(text: string, name: string): Array<{ labels: string; value: string }> {
  return text
    .split("\n")
    .filter((line) => line.startsWith(name) && (line[name.length] === " " || line[name.length] === "{"))
    .map((line) => {
      const [left, value = ""] = line.split(/ (?=[^ ]+$)/);
      return { labels: left?.slice(name.length) ?? "", value };
    });
}

const REASONS = [
  { value: "21248", label: "0x5300 operator: registry dispute" },
  { value: "21249", label: "0x5301 operator: suspected double tokenization" },
  { value: "21250", label: "0x5302 operator: investigation closed" },
];

export function ConsolePage() {
  const config = useClientConfig();
  const send = useSendCall();
  const [key, setKey] = useState(sessionStorage.getItem(KEY) ?? "");
  const [entered, setEntered] = useState(sessionStorage.getItem(KEY) ?? "");
  const [freeze, setFreeze] = useState({ batchId: "", reasonCode: REASONS[0]!.value, reason: "", errors: {} as Record<string, string> });
  const [result, setResult] = useState<{ kind: "success" | "error"; text: string }>();
  const enabled = entered !== "";
  const live = useQuery({ queryKey: ["config-live"], queryFn: () => api<ClientConfig>("/config"), refetchInterval: 2_000 });
  // /health, not /health/ready: it says "degraded" when a registry is down while the process stays ready.
  const ready = useQuery({ queryKey: ["health"], queryFn: async () => (await fetch("/health")).json() as Promise<{ status: string; checks: Array<{ name: string; ok: boolean; detail?: string }> }>, refetchInterval: 2_000 });
  const metrics = useQuery({ queryKey: ["metrics"], queryFn: async () => (await fetch("/metrics")).text(), refetchInterval: 3_000 });
  const counts = useQuery({ queryKey: ["jobs-counts", entered], enabled, queryFn: () => api<{ items: Array<{ registry: string | null; kind: string; state: string; count: number }> }>("/jobs/counts", { apiKey: entered }), refetchInterval: 3_000 });
  const dead = useQuery({ queryKey: ["jobs-dead", entered], enabled, queryFn: () => api<ApiPage<{ id: string; kind: string; registry: string | null; lastError: string | null; attempts: number }>>("/jobs?state=dead&limit=20", { apiKey: entered }), refetchInterval: 5_000 });
  const running = useQuery({ queryKey: ["jobs-running", entered], enabled, queryFn: () => api<ApiPage<{ id: string; kind: string; registry: string | null; runAt: string; updatedAt: string; attempts: number; lastError: string | null }>>("/jobs?state=queued&limit=50", { apiKey: entered }), refetchInterval: 5_000 });
  const findings = useQuery({ queryKey: ["discrepancies", entered], enabled, queryFn: () => api<ApiPage<{ id: string; class: string; registryId: string | null; batchId: string | null; expected: string | null; actual: string | null; detectedAt: string }>>("/reconciliation/discrepancies?open=true&limit=50", { apiKey: entered }), refetchInterval: 5_000 });
  const batches = useQuery({ queryKey: ["batches"], queryFn: () => api<ApiPage<Batch>>("/batches?limit=200"), refetchInterval: 3_000 });
  const unauthorized = [counts, dead, findings].some((q) => q.isError);
  const text = metrics.data ?? "";
  const lag = metric(text, "carbon_indexer_lag_blocks")[0]?.value;
  const stuck = (running.data?.items ?? []).filter((job) => job.attempts > 0 && Date.now() - new Date(job.updatedAt).getTime() > 60_000);

  async function submitFreeze(action: "freezeBatch" | "unfreezeBatch") {
    const errors: Record<string, string> = {};
    if (!/^\d+$/.test(freeze.batchId)) errors.batchId = "Choose a batch";
    if (freeze.reason.trim().length < 5) errors.reason = "Say why in a few words (kept in the console's log line and the transaction's reason code)";
    setFreeze({ ...freeze, errors });
    if (Object.keys(errors).length > 0) return;
    try {
      const sent = await send({ to: config.contracts.creditToken, data: encodeFunctionData({ abi: creditTokenAbi, functionName: action, args: [BigInt(freeze.batchId), Number(freeze.reasonCode)] }) });
      setResult(sent.status === "success" ? { kind: "success", text: `${action === "freezeBatch" ? "Frozen" : "Unfrozen"} on chain: ${freeze.reason.trim()}` } : { kind: "error", text: "Reverted: the connected wallet needs the token's AGENT_ROLE (development wallet #0)." });
    } catch (error) {
      setResult({ kind: "error", text: errorText(error) });
    }
  }

  return (
    <Page title="Operations console" intro="For the platform's operations desk. Reads need an operator API key (npm start prints one); freezing needs the agent wallet.">
      <form aria-label="Operator key" onSubmit={(event) => { event.preventDefault(); sessionStorage.setItem(KEY, key.trim()); setEntered(key.trim()); }}>
        <Field label="Operator API key" type="password" value={key} onChange={(e) => setKey(e.target.value)} error={unauthorized ? "This key was refused (401/403): check it and its scopes" : undefined} autoComplete="off" />
        <button type="submit">Use key</button>
      </form>
      <Panel title="Registries">
        <Table
          caption="Registry health"
          columns={["Registry", "Breaker", "Paused on chain", "Reason"]}
          rows={(live.data ?? config).registries.map((r) => [r.name, r.status.circuit.replace("_", "-"), r.status.paused === null ? "unknown" : r.status.paused ? "paused" : "no", r.status.detail ?? "-"])}
        />
        <Table caption="Rate-limit use" columns={["Registry", "Outcome", "Calls"]} rows={metric(text, "carbon_registry_calls_total").map((m) => [m.labels.match(/registry="([^"]+)"/)?.[1] ?? "", m.labels.match(/outcome="([^"]+)"/)?.[1] ?? "", formatCount(m.value.split(".")[0] ?? "0")])} />
      </Panel>
      <Panel title="Platform">
        <p>Indexer lag: <strong>{lag === undefined ? "unknown" : `${lag} blocks`}</strong> · Readiness: <strong>{ready.data?.status ?? "…"}</strong></p>
        <Table caption="Readiness checks" columns={["Check", "Result", "Detail"]} rows={(ready.data?.checks ?? []).map((c) => [c.name, c.ok ? "ok" : "FAILING", c.detail ?? "-"])} />
        <Table caption="Oracle set" columns={["Oracle", "Quorum"]} rows={config.oracles.addresses.map((a) => [<Hash key="a" value={a} />, `${config.oracles.threshold ?? "?"} of ${config.oracles.addresses.length}`])} />
      </Panel>
      {!enabled ? <Notice>Enter the operator API key to see the queue and the reconciliation findings.</Notice> : (
        <>
          <Panel title="Queue">
            <Table caption="Jobs per registry, kind and state" columns={["Registry", "Kind", "State", "Jobs"]} rows={(counts.data?.items ?? []).map((c) => [c.registry ?? "-", c.kind, c.state, String(c.count)])} />
            <Table caption="Stuck jobs (retrying for over a minute)" columns={["Job", "Kind", "Registry", "Attempts", "Last error"]} rows={stuck.map((j) => [j.id, j.kind, j.registry ?? "-", String(j.attempts), j.lastError ?? "-"])} />
            <Table caption="Dead letters" columns={["Job", "Kind", "Registry", "Attempts", "Last error"]} rows={(dead.data?.items ?? []).map((j) => [j.id, j.kind, j.registry ?? "-", String(j.attempts), j.lastError ?? "-"])} />
          </Panel>
          <Panel title="Reconciliation findings">
            <Table caption="Open discrepancies" columns={["Class", "Registry", "Batch", "Expected", "Actual", "Detected"]} rows={(findings.data?.items ?? []).map((d) => [d.class, d.registryId ?? "-", d.batchId?.slice(0, 12) ?? "-", d.expected ?? "-", d.actual ?? "-", <When key="w" at={d.detectedAt} />])} />
          </Panel>
        </>
      )}
      <Panel title="Freeze or unfreeze a batch">
        <form aria-label="Freeze a batch" onSubmit={(event) => event.preventDefault()}>
          <Select label="Batch" value={freeze.batchId} onChange={(e) => setFreeze({ ...freeze, batchId: e.target.value })} options={[{ value: "", label: "Choose a batch" }, ...(batches.data?.items ?? []).map((b) => ({ value: b.batchId, label: `${b.registryId} ${b.serialPrefix}${b.frozen ? " (frozen)" : ""}` }))]} />
          {freeze.errors.batchId === undefined ? null : <span role="alert" className="error">{freeze.errors.batchId}</span>}
          <Select label="Reason code" value={freeze.reasonCode} onChange={(e) => setFreeze({ ...freeze, reasonCode: e.target.value })} options={REASONS} />
          <Field label="Reason" value={freeze.reason} onChange={(e) => setFreeze({ ...freeze, reason: e.target.value })} error={freeze.errors.reason} />
          <button type="button" onClick={() => void submitFreeze("freezeBatch")}>Freeze</button>{" "}
          <button type="button" onClick={() => void submitFreeze("unfreezeBatch")}>Unfreeze</button>
        </form>
        {result === undefined ? null : <Notice kind={result.kind}>{result.text}</Notice>}
      </Panel>
    </Page>
  );
}
