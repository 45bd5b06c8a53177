/** Retire: choose batch, quantity, beneficiary and reason; then follow the request through each stage with times. */
import { newIdempotencyKey, requestIdOf, requestRetirementCall } from "@carbon-custody/sdk";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { useAccount } from "wagmi";
import { Field, Notice, Page, Panel, Select, Timeline, errorText } from "../../components/ui";
import { type Page as ApiPage, api } from "../../lib/api";
import { formatCount, parseWholeUnits } from "../../lib/format";
import type { InventoryItem, RetirementRequest, TimelineStage } from "../../lib/types";
import { useClientConfig, useSendCall } from "../../lib/wallet";

export function RetirePage() {
  const config = useClientConfig();
  const { address } = useAccount();
  const send = useSendCall();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const inventory = useQuery({ queryKey: ["inventory", address], enabled: address !== undefined, queryFn: () => api<ApiPage<InventoryItem>>(`/holders/${address}/inventory`) });
  const held = (inventory.data?.items ?? []).filter((item) => BigInt(item.available) > 0n);
  const [batchId, setBatchId] = useState(params.get("batch") ?? "");
  const [quantity, setQuantity] = useState("");
  const [beneficiary, setBeneficiary] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const chosen = held.find((item) => item.batchId === batchId) ?? held[0];

  async function submit() {
    const q = parseWholeUnits(quantity);
    const problems: Record<string, string> = {};
    if (chosen === undefined) problems.batch = "You hold no credits to retire";
    if (!q.ok) problems.quantity = q.message;
    else if (chosen !== undefined && q.value > BigInt(chosen.available)) problems.quantity = `You have ${formatCount(chosen.available)} available in this batch`;
    if (beneficiary.trim() === "") problems.beneficiary = "Name who the retirement is for (a company or a person)";
    if (reason.trim() === "") problems.reason = "Say why, e.g. the year and scope it offsets";
    setErrors(problems);
    if (Object.keys(problems).length > 0 || !q.ok || chosen === undefined || address === undefined) return;
    setBusy(true);
    setFailure(undefined);
    try {
      const idempotencyKey = newIdempotencyKey();
      const sent = await send(requestRetirementCall(config.contracts.registryBridge, { batchId: BigInt(chosen.batchId), amount: q.value, idempotencyKey, beneficiary: beneficiary.trim(), reason: reason.trim() }));
      if (sent.status !== "success") throw new Error("The retirement request reverted on chain (registry paused or batch frozen?)");
      navigate(`/retire/${requestIdOf(address, idempotencyKey)}`);
    } catch (error) {
      setFailure(errorText(error));
    } finally {
      setBusy(false);
    }
  }

  if (address === undefined) return <Page title="Retire"><Notice>Connect a wallet to retire credits.</Notice></Page>;
  return (
    <Page title="Retire" intro="Retiring takes credits out of circulation for good, at the registry, on behalf of a beneficiary. The units are locked at once and burned once the registry's answer is attested by the oracles.">
      <form aria-label="Retirement" onSubmit={(event) => { event.preventDefault(); void submit(); }}>
        <Select label="Batch" value={chosen?.batchId ?? ""} onChange={(e) => setBatchId(e.target.value)} options={held.map((item) => ({ value: item.batchId, label: `${item.registryId} ${item.serialPrefix} (${formatCount(item.available)} available)` }))} />
        {errors.batch === undefined ? null : <p role="alert" className="error">{errors.batch}</p>}
        <Field label="Quantity to retire (tCO2e)" inputMode="numeric" value={quantity} onChange={(e) => setQuantity(e.target.value)} error={errors.quantity} />
        <Field label="Beneficiary" value={beneficiary} onChange={(e) => setBeneficiary(e.target.value)} error={errors.beneficiary} hint="Printed on the certificate exactly as typed" />
        <Field label="Retirement reason" value={reason} onChange={(e) => setReason(e.target.value)} error={errors.reason} />
        <button type="submit" disabled={busy}>
          Retire
        </button>
      </form>
      {failure === undefined ? null : <Notice kind="error">{failure}</Notice>}
    </Page>
  );
}

export function RequestPage() {
  const { requestId = "" } = useParams();
  const request = useQuery({ queryKey: ["request", requestId], queryFn: () => api<RetirementRequest>(`/requests/${requestId}`), refetchInterval: 1_500, retry: 30, retryDelay: 1_000 });
  const timeline = useQuery({ queryKey: ["timeline", requestId], queryFn: () => api<{ stages: TimelineStage[]; status: string }>(`/requests/${requestId}/timeline`), refetchInterval: 1_500, retry: 30, retryDelay: 1_000 });
  const r = request.data;
  return (
    <Page title="Retirement request" intro={`Request ${requestId}`}>
      {request.isError && r === undefined ? <Notice>Waiting for the chain index to show the request…</Notice> : null}
      {r === undefined ? null : (
        <p>
          {formatCount(r.amount)} units of batch {r.batchId.slice(0, 12)}… for <strong>{r.retirement?.beneficiary ?? "-"}</strong> ({r.retirement?.reason ?? "-"}). Status: <strong>{r.status}</strong>.
        </p>
      )}
      <Panel title="Timeline">{timeline.data === undefined ? <p aria-busy="true">Loading…</p> : <Timeline stages={timeline.data.stages} label="Retirement stages" />}</Panel>
      {r?.status === "confirmed" && r.kind === "retirement" ? (
        <Notice kind="success">
          Retired and burned. <Link to={`/certificate/${requestId}`}>View the certificate</Link>
        </Notice>
      ) : null}
    </Page>
  );
}
