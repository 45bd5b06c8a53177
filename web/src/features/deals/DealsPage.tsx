/**
 * Escrow deals: one party writes the terms and signs them; the offer (terms and signature) goes to the other party,
 * who reads them in words, signs the same terms and opens the deal on chain (credits and payment locked in
 * Settlement); then the conditions are followed, and the deal settles or, after the deadline, each leg is reclaimed.
 */
import { type Deal, buildDeal, dealTypedData, hashDeal, openDealCall, paymentTokenAbi, reclaimCreditsCall, reclaimPaymentCall, settleDealCall } from "@carbon-custody/sdk";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { isAddress } from "viem";
import { useAccount, usePublicClient, useSignTypedData } from "wagmi";
import { Facts, Field, Hash, Notice, Page, Panel, Table, When, errorText } from "../../components/ui";
import { type Page as ApiPage, api } from "../../lib/api";
import { formatQuantity, formatTokenAmount, formatUnixSeconds, parseTokenAmount, parseWholeUnits } from "../../lib/format";
import type { DealRow } from "../../lib/types";
import { useClientConfig, useSendCall } from "../../lib/wallet";

type Offer = { deal: Record<string, string>; signature: `0x${string}`; signer: string };

const toJson = (deal: Deal) => Object.fromEntries(Object.entries(deal).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : String(v)]));
const fromJson = (json: Record<string, string>): Deal =>
  ({ ...json, batchId: BigInt(json.batchId!), amount: BigInt(json.amount!), unitPrice: BigInt(json.unitPrice!), conditions: BigInt(json.conditions!), deadline: BigInt(json.deadline!), salt: BigInt(json.salt!) }) as unknown as Deal;

function ProposeForm({ onOffer }: { onOffer: (offer: Offer) => void }) {
  const config = useClientConfig();
  const token = config.paymentTokens[0]!;
  const { address } = useAccount();
  const { signTypedDataAsync } = useSignTypedData();
  const [role, setRole] = useState<"seller" | "buyer">("seller");
  const [other, setOther] = useState("");
  const [batchId, setBatchId] = useState("");
  const [quantity, setQuantity] = useState("");
  const [price, setPrice] = useState("");
  const [hours, setHours] = useState("48");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string>();
  async function propose() {
    const q = parseWholeUnits(quantity);
    const p = parseTokenAmount(price, token.decimals, "Price per tCO2e");
    const problems: Record<string, string> = {};
    if (!isAddress(other)) problems.other = "Enter the other party's wallet address (0x and 40 hex digits)";
    else if (other.toLowerCase() === address?.toLowerCase()) problems.other = "The other party must be another wallet";
    if (!/^\d+$/.test(batchId.trim())) problems.batch = "Enter the batch id (a decimal number, from the market page)";
    if (!q.ok) problems.quantity = q.message;
    if (!p.ok) problems.price = p.message;
    if (!/^\d+$/.test(hours) || Number(hours) < 1) problems.hours = "A whole number of hours, at least 1";
    setErrors(problems);
    if (Object.keys(problems).length > 0 || !q.ok || !p.ok || address === undefined) return;
    try {
      const deal = buildDeal({
        seller: (role === "seller" ? address : other) as `0x${string}`,
        buyer: (role === "buyer" ? address : other) as `0x${string}`,
        batchId: BigInt(batchId.trim()),
        amount: q.value,
        unitPrice: p.value,
        paymentToken: token.address,
        conditions: 0n,
        deadline: BigInt(Math.floor(Date.now() / 1000) + Number(hours) * 3600),
      });
      const signature = await signTypedDataAsync(dealTypedData(config.eip712.settlement.domain, deal) as never);
      onOffer({ deal: toJson(deal), signature, signer: address });
    } catch (error) {
      setFailure(errorText(error));
    }
  }
  return (
    <form aria-label="Propose a deal" onSubmit={(event) => { event.preventDefault(); void propose(); }}>
      <fieldset>
        <legend>I am the</legend>
        <label><input type="radio" name="role" checked={role === "seller"} onChange={() => setRole("seller")} /> seller</label>{" "}
        <label><input type="radio" name="role" checked={role === "buyer"} onChange={() => setRole("buyer")} /> buyer</label>
      </fieldset>
      <Field label="Other party's wallet" value={other} onChange={(e) => setOther(e.target.value)} error={errors.other} spellCheck={false} />
      <Field label="Batch id" value={batchId} onChange={(e) => setBatchId(e.target.value)} error={errors.batch} spellCheck={false} />
      <Field label="Quantity (tCO2e)" inputMode="numeric" value={quantity} onChange={(e) => setQuantity(e.target.value)} error={errors.quantity} />
      <Field label={`Price per tCO2e (${token.symbol})`} inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} error={errors.price} />
      <Field label="Deadline (hours from now)" inputMode="numeric" value={hours} onChange={(e) => setHours(e.target.value)} error={errors.hours} />
      <button type="submit">Sign the terms</button>
      {failure === undefined ? null : <Notice kind="error">{failure}</Notice>}
    </form>
  );
}

function AcceptForm() {
  const config = useClientConfig();
  const token = config.paymentTokens[0]!;
  const { address } = useAccount();
  const client = usePublicClient();
  const send = useSendCall();
  const { signTypedDataAsync } = useSignTypedData();
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<{ kind: "success" | "error"; text: string }>();
  let offer: Offer | undefined;
  try {
    offer = text.trim() === "" ? undefined : (JSON.parse(text) as Offer);
  } catch {
    offer = undefined;
  }
  const deal = offer === undefined ? undefined : fromJson(offer.deal);
  async function accept() {
    if (offer === undefined || deal === undefined) {
      setError("Paste the offer you were sent (the JSON block)");
      return;
    }
    const me = address?.toLowerCase();
    if (me !== deal.seller.toLowerCase() && me !== deal.buyer.toLowerCase()) {
      setError("This offer is not addressed to the connected wallet");
      return;
    }
    setError(undefined);
    try {
      const signature = await signTypedDataAsync(dealTypedData(config.eip712.settlement.domain, deal) as never);
      const sellerSig = me === deal.seller.toLowerCase() ? signature : offer.signature;
      const buyerSig = me === deal.buyer.toLowerCase() ? signature : offer.signature;
      if (me === deal.buyer.toLowerCase() && client !== undefined) {
        const allowance = (await client.readContract({ address: token.address, abi: paymentTokenAbi, functionName: "allowance", args: [address!, config.contracts.settlement] })) as bigint;
        if (allowance < deal.amount * deal.unitPrice) throw new Error(`Approve ${token.symbol} for Settlement first (on a trade page)`);
      }
      const sent = await send(openDealCall(config.contracts.settlement, deal, sellerSig, buyerSig));
      setResult(sent.status === "success" ? { kind: "success", text: `Deal ${hashDeal(config.eip712.settlement.domain, deal).slice(0, 10)}… opened: credits and payment are escrowed.` } : { kind: "error", text: "Opening the deal reverted on chain." });
    } catch (caught) {
      setResult({ kind: "error", text: errorText(caught) });
    }
  }
  return (
    <form aria-label="Accept a deal" onSubmit={(event) => { event.preventDefault(); void accept(); }}>
      <div className="field">
        <label htmlFor="offer">Offer you received</label>
        <textarea id="offer" rows={5} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={error !== undefined} spellCheck={false} />
        {error === undefined ? null : <span role="alert" className="error">{error}</span>}
      </div>
      {deal === undefined ? null : (
        <Facts
          label="Terms in words"
          items={[
            ["Seller", deal.seller],
            ["Buyer", deal.buyer],
            ["Credits", `${formatQuantity(deal.amount)} of batch ${deal.batchId.toString().slice(0, 12)}…`],
            ["Payment", `${formatTokenAmount(deal.amount * deal.unitPrice, token.decimals, token.symbol)}, escrowed on chain, paid to the seller less the platform fee`],
            ["Conditions", deal.conditions === 0n ? "none: settles as soon as anyone calls settle" : String(deal.conditions)],
            ["Deadline", `${formatUnixSeconds(deal.deadline)}: after it, each party can take back its own leg`],
          ]}
        />
      )}
      <button type="submit">Sign and open the deal</button>
      {result === undefined ? null : <Notice kind={result.kind}>{result.text}</Notice>}
    </form>
  );
}

export function DealsPage() {
  const config = useClientConfig();
  const token = config.paymentTokens[0]!;
  const { address } = useAccount();
  const send = useSendCall();
  const [offer, setOffer] = useState<Offer>();
  const [step, setStep] = useState<{ kind: "success" | "error"; text: string }>();
  const deals = useQuery({ queryKey: ["deals", address], enabled: address !== undefined, queryFn: () => api<ApiPage<DealRow>>(`/deals?party=${address}`), refetchInterval: 2_000 });
  async function act(what: string, call: { to: `0x${string}`; data: `0x${string}` }) {
    try {
      const sent = await send(call);
      setStep(sent.status === "success" ? { kind: "success", text: `${what}: done.` } : { kind: "error", text: `${what} reverted on chain.` });
    } catch (error) {
      setStep({ kind: "error", text: errorText(error) });
    }
  }
  if (address === undefined) return <Page title="Deals"><Notice>Connect a wallet first.</Notice></Page>;
  return (
    <Page title="Escrow deals" intro="Two parties agree on terms, both sign them, and the deal locks credits and payment in Settlement until it settles.">
      <div className="columns">
        <Panel title="Propose terms">
          <ProposeForm onOffer={setOffer} />
          {offer === undefined ? null : (
            <div className="review">
              <p>Send this offer to the other party:</p>
              <textarea aria-label="Your signed offer" readOnly rows={6} value={JSON.stringify(offer)} />
            </div>
          )}
        </Panel>
        <Panel title="Accept an offer">
          <AcceptForm />
        </Panel>
      </div>
      <Panel title="Your deals">
        <Table
          caption="Deals"
          columns={["Deal", "Role", "Credits", "Payment", "Conditions met", "Deadline", "Status", ""]}
          rows={(deals.data?.items ?? []).map((d) => [
            <Hash key="i" value={d.dealId} />,
            d.seller.toLowerCase() === address.toLowerCase() ? "seller" : "buyer",
            formatQuantity(d.amount),
            formatTokenAmount(d.paymentAmount, token.decimals, token.symbol),
            JSON.stringify(d.conditionsSatisfied),
            <When key="w" at={d.deadline} />,
            d.status,
            d.status === "open" ? (
              <span key="a">
                <button type="button" onClick={() => void act("Settle", settleDealCall(config.contracts.settlement, d.dealId))}>Settle</button>{" "}
                <button type="button" onClick={() => void act("Reclaim credits", reclaimCreditsCall(config.contracts.settlement, d.dealId))}>Reclaim credits</button>{" "}
                <button type="button" onClick={() => void act("Reclaim payment", reclaimPaymentCall(config.contracts.settlement, d.dealId))}>Reclaim payment</button>
              </span>
            ) : (
              ""
            ),
          ])}
        />
        {step === undefined ? null : <Notice kind={step.kind}>{step.text}</Notice>}
      </Panel>
    </Page>
  );
}
