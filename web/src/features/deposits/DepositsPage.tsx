/** Deposits and withdrawals: declare an intent, copy the exact registry transfer instruction, follow it to the mint; withdraw to a registry account. */
import { newIdempotencyKey, requestIdOf, requestWithdrawalCall } from "@carbon-custody/sdk";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import { useAccount } from "wagmi";
import { Facts, Field, Notice, Page, Panel, Select, Table, When, errorText } from "../../components/ui";
import { ApiError, type Page as ApiPage, api } from "../../lib/api";
import { formatCount, parseWholeUnits } from "../../lib/format";
import type { DepositIntent, InventoryItem, RetirementRequest } from "../../lib/types";
import { useClientConfig, useSendCall, useSession } from "../../lib/wallet";

function WithdrawForm() {
  const config = useClientConfig();
  const { address } = useAccount();
  const send = useSendCall();
  const inventory = useQuery({ queryKey: ["inventory", address], enabled: address !== undefined, queryFn: () => api<ApiPage<InventoryItem>>(`/holders/${address}/inventory`) });
  const held = (inventory.data?.items ?? []).filter((item) => BigInt(item.available) > 0n);
  const [batchId, setBatchId] = useState("");
  const [quantity, setQuantity] = useState("");
  const [account, setAccount] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<{ kind: "success" | "error"; text: string; requestId?: string }>();
  const chosen = held.find((item) => item.batchId === batchId) ?? held[0];
  async function submit() {
    const q = parseWholeUnits(quantity);
    const problems: Record<string, string> = {};
    if (!q.ok) problems.quantity = q.message;
    else if (chosen !== undefined && q.value > BigInt(chosen.available)) problems.quantity = `You have ${formatCount(chosen.available)} available`;
    if (account.trim() === "") problems.account = "Your account id at the registry is required";
    else if (new TextEncoder().encode(account.trim()).length > 32) problems.account = "At most 32 bytes";
    setErrors(problems);
    if (Object.keys(problems).length > 0 || !q.ok || chosen === undefined || address === undefined) return;
    try {
      const key = newIdempotencyKey();
      const sent = await send(requestWithdrawalCall(config.contracts.registryBridge, { batchId: BigInt(chosen.batchId), amount: q.value, idempotencyKey: key, registryAccount: account.trim() }));
      setResult(sent.status === "success" ? { kind: "success", text: "Withdrawal requested: the units are locked until the registry answers.", requestId: requestIdOf(address, key) } : { kind: "error", text: "The withdrawal reverted on chain." });
    } catch (error) {
      setResult({ kind: "error", text: errorText(error) });
    }
  }
  return (
    <form aria-label="Withdrawal" onSubmit={(event) => { event.preventDefault(); void submit(); }}>
      <Select label="Batch to withdraw from" value={chosen?.batchId ?? ""} onChange={(e) => setBatchId(e.target.value)} options={held.map((item) => ({ value: item.batchId, label: `${item.registryId} ${item.serialPrefix} (${formatCount(item.available)})` }))} />
      <Field label="Quantity to withdraw" inputMode="numeric" value={quantity} onChange={(e) => setQuantity(e.target.value)} error={errors.quantity} />
      <Field label="Your registry account" value={account} onChange={(e) => setAccount(e.target.value)} error={errors.account} />
      <button type="submit">Withdraw</button>
      {result === undefined ? null : (
        <Notice kind={result.kind}>
          {result.text} {result.requestId === undefined ? null : <Link to={`/retire/${result.requestId}`}>Follow it</Link>}
        </Notice>
      )}
    </form>
  );
}

export function DepositsPage() {
  const config = useClientConfig();
  const { address } = useAccount();
  const session = useSession();
  const queryClient = useQueryClient();
  const [registry, setRegistry] = useState(config.registries[0]?.id ?? "VERRA");
  const [serial, setSerial] = useState("");
  const [source, setSource] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<DepositIntent>();
  const [failure, setFailure] = useState<string>();
  const intents = useQuery({ queryKey: ["intents", address, session.signedIn], enabled: session.signedIn, queryFn: () => api<ApiPage<DepositIntent>>("/deposits/intents"), refetchInterval: 2_000 });
  const requests = useQuery({ queryKey: ["withdrawals", address], enabled: address !== undefined, queryFn: () => api<ApiPage<RetirementRequest>>(`/requests?holder=${address}&kind=withdrawal`), refetchInterval: 3_000 });

  async function declare() {
    const problems: Record<string, string> = {};
    if (serial.trim() === "") problems.serial = "The serial of the block, with its unit range, is required";
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    setFailure(undefined);
    try {
      const intent = await api<DepositIntent>("/deposits/intents", { body: { registry, serial: serial.trim(), ...(source.trim() === "" ? {} : { sourceAccount: source.trim() }) } });
      setCreated(intent);
      await queryClient.invalidateQueries({ queryKey: ["intents"] });
    } catch (error) {
      if (error instanceof ApiError && error.fields.length > 0) {
        setErrors(Object.fromEntries(error.fields.map((f) => [f.field.replace("body.", ""), f.message])));
      } else setFailure(errorText(error));
    }
  }

  if (address === undefined) return <Page title="Deposits and withdrawals"><Notice>Connect a wallet first.</Notice></Page>;
  return (
    <Page title="Deposits and withdrawals" intro="Bring credits you hold at a registry onto the platform, or take tokenized credits back to your registry account.">
      <Panel title="Declare a deposit">
        {!session.signedIn ? <Notice>Sign in (top right) to declare a deposit.</Notice> : null}
        <form aria-label="Deposit intent" onSubmit={(event) => { event.preventDefault(); void declare(); }}>
          <Select label="Registry" value={registry} onChange={(e) => setRegistry(e.target.value)} options={config.registries.map((r) => ({ value: r.id, label: r.name }))} />
          <Field label="Serial of the block" value={serial} onChange={(e) => setSerial(e.target.value)} error={errors.serial} spellCheck={false} hint="As the registry prints it, with the unit range" />
          <Field label="Your account at the registry (optional)" value={source} onChange={(e) => setSource(e.target.value)} error={errors.sourceAccount} />
          <button type="submit" disabled={!session.signedIn}>
            Declare deposit
          </button>
        </form>
        {failure === undefined ? null : <Notice kind="error">{failure}</Notice>}
        {created === undefined ? null : (
          <section aria-label="Registry transfer instruction" className="review">
            <h3>Now transfer the block at the registry</h3>
            <pre>{created.instructions}</pre>
            <Facts
              items={[
                ["To account", created.custodyAccount],
                ["Memo (exactly)", <code key="m">{created.memo}</code>],
                ["Before", <When key="e" at={created.expiresAt} />],
              ]}
            />
            <button type="button" onClick={() => void navigator.clipboard?.writeText(created.instructions)}>
              Copy the instruction
            </button>
          </section>
        )}
      </Panel>
      <Panel title="Your deposits">
        <Table
          caption="Deposit intents"
          columns={["Serial", "Status", "Detail", "Units", "Declared"]}
          rows={(intents.data?.items ?? []).map((i) => [<code key="s">{i.declaredSerial}</code>, i.status, i.statusDetail ?? "-", i.quantity === null ? "-" : formatCount(i.quantity), <When key="w" at={i.createdAt} />])}
        />
      </Panel>
      <Panel title="Withdraw to a registry account">
        <WithdrawForm />
        <Table
          caption="Withdrawals"
          columns={["Units", "To account", "Status", "Registry's answer", ""]}
          rows={(requests.data?.items ?? []).map((r) => [formatCount(r.amount), r.destinationAccount ?? "-", r.status, r.registryStatus ?? "waiting", <Link key="l" to={`/retire/${r.requestId}`}>Timeline</Link>])}
        />
      </Panel>
    </Page>
  );
}
