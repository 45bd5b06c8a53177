/**
 * Trade one batch: the book (asks and bids), buying from an ask (any part of it, optionally retiring what you buy
 * in the same transaction), selling with a signed order shown in words before the wallet signs, the payment-token
 * approval step when needed, your orders with the real on-chain cancel, and the last trades.
 */
import {
  approvePaymentCall,
  buildOrder,
  cancelOrderCall,
  creditTokenAbi,
  fillAndRetireCall,
  fillCall,
  newIdempotencyKey,
  orderToJson,
  orderTypedData,
  paymentTokenAbi,
  requestIdOf,
  settlementAbi,
  type BuildOrderParameters,
  type Order as SignedOrder,
} from "@carbon-custody/sdk";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import { encodeFunctionData } from "viem";
import { useAccount, usePublicClient, useSignTypedData } from "wagmi";
import { Facts, Field, Hash, Notice, Page, Panel, Table, errorText } from "../../components/ui";
import { type Page as ApiPage, api } from "../../lib/api";
import { formatCount, formatPrice, formatQuantity, formatTokenAmount, parseTokenAmount, parseWholeUnits } from "../../lib/format";
import type { Batch, Order } from "../../lib/types";
import { useClientConfig, useSendCall, useSession } from "../../lib/wallet";
import { useBook, useDepth, useTrades } from "../market/api";
import { orderInWords, signedOrderOf } from "./orders";

type Step = { kind: "idle" } | { kind: "busy"; what: string } | { kind: "done"; what: string; hash?: string; link?: { to: string; label: string } } | { kind: "error"; what: string };

function StepNotice({ step }: { step: Step }) {
  if (step.kind === "idle") return null;
  if (step.kind === "busy") return <Notice>{step.what}…</Notice>;
  if (step.kind === "error") return <Notice kind="error">{step.what}</Notice>;
  return (
    <Notice kind="success">
      {step.what}
      {step.hash === undefined ? null : (
        <>
          {" "}
          Transaction <Hash value={step.hash} />.
        </>
      )}
      {step.link === undefined ? null : (
        <>
          {" "}
          <Link to={step.link.to}>{step.link.label}</Link>
        </>
      )}
    </Notice>
  );
}

function useAllowance(owner: string | undefined) {
  const config = useClientConfig();
  const client = usePublicClient();
  const token = config.paymentTokens[0];
  return useQuery({
    queryKey: ["allowance", owner, token?.address],
    enabled: owner !== undefined && token !== undefined && client !== undefined,
    queryFn: async () =>
      (await client!.readContract({ address: token!.address, abi: paymentTokenAbi, functionName: "allowance", args: [owner as `0x${string}`, config.contracts.settlement] })) as bigint,
  });
}

function BuyPanel({ ask, onDone }: { ask: Order; onDone: () => void }) {
  const config = useClientConfig();
  const token = config.paymentTokens[0]!;
  const { address } = useAccount();
  const send = useSendCall();
  const allowance = useAllowance(address);
  const [quantity, setQuantity] = useState(ask.remaining);
  const [retire, setRetire] = useState(false);
  const [beneficiary, setBeneficiary] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const parsed = parseWholeUnits(quantity);
  const cost = parsed.ok ? parsed.value * BigInt(ask.unitPrice) : 0n;
  const needsApproval = allowance.data !== undefined && allowance.data < cost;

  async function approve() {
    setStep({ kind: "busy", what: `Approving Settlement to take ${token.symbol}` });
    try {
      const sent = await send(approvePaymentCall(token.address, config.contracts.settlement));
      await allowance.refetch();
      setStep(sent.status === "success" ? { kind: "done", what: `${token.symbol} approved for Settlement.`, hash: sent.hash } : { kind: "error", what: "The approval reverted." });
    } catch (error) {
      setStep({ kind: "error", what: errorText(error) });
    }
  }

  async function buy() {
    const problems: Record<string, string> = {};
    if (!parsed.ok) problems.quantity = parsed.message;
    else if (parsed.value > BigInt(ask.remaining)) problems.quantity = `At most ${formatCount(ask.remaining)} are left in this order`;
    else if (BigInt(ask.minFill) > parsed.value && parsed.value !== BigInt(ask.remaining)) problems.quantity = `This order fills at least ${formatCount(ask.minFill)} at a time`;
    if (retire && beneficiary.trim() === "") problems.beneficiary = "Name who the retirement is for";
    if (retire && reason.trim() === "") problems.reason = "Say why the credits are retired";
    setErrors(problems);
    if (Object.keys(problems).length > 0 || !parsed.ok || address === undefined) return;
    const order = signedOrderOf(ask);
    setStep({ kind: "busy", what: retire ? "Buying and retiring in one transaction" : "Buying" });
    try {
      const key = newIdempotencyKey();
      const call = retire
        ? fillAndRetireCall(config.contracts.settlement, order, parsed.value, ask.signature, { idempotencyKey: key, beneficiary: beneficiary.trim(), reason: reason.trim() })
        : fillCall(config.contracts.settlement, order, parsed.value, ask.signature);
      const sent = await send(call);
      if (sent.status !== "success") {
        setStep({ kind: "error", what: "The fill reverted on chain (the order may have been filled or cancelled meanwhile)." });
        return;
      }
      const requestId = retire ? requestIdOf(address, key) : undefined;
      setStep({
        kind: "done",
        what: `Bought ${formatQuantity(parsed.value)} for ${formatTokenAmount(cost, token.decimals, token.symbol)}${retire ? " and asked the registry to retire them" : ""}.`,
        hash: sent.hash,
        link: requestId === undefined ? { to: "/portfolio", label: "See your portfolio" } : { to: `/retire/${requestId}`, label: "Follow the retirement" },
      });
      onDone();
    } catch (error) {
      setStep({ kind: "error", what: errorText(error) });
    }
  }

  return (
    <form aria-label="Buy from this order" onSubmit={(event) => { event.preventDefault(); void buy(); }}>
      <p>
        Buying from <Hash value={ask.maker} label="seller" /> at {formatPrice(ask.unitPrice, token.decimals, token.symbol)}; {formatCount(ask.remaining)} left.
      </p>
      <Field label="Quantity to buy (tCO2e)" inputMode="numeric" value={quantity} onChange={(e) => setQuantity(e.target.value)} error={errors.quantity} hint="Any part of the order: the rest stays on the book." />
      <p>You pay {formatTokenAmount(cost, token.decimals, token.symbol)}.</p>
      <div className="field checkbox">
        <input id="retire-now" type="checkbox" checked={retire} onChange={(e) => setRetire(e.target.checked)} />
        <label htmlFor="retire-now">Retire what I buy in the same transaction</label>
      </div>
      {retire ? (
        <>
          <Field label="Beneficiary" value={beneficiary} onChange={(e) => setBeneficiary(e.target.value)} error={errors.beneficiary} />
          <Field label="Retirement reason" value={reason} onChange={(e) => setReason(e.target.value)} error={errors.reason} />
        </>
      ) : null}
      {needsApproval ? (
        <button type="button" onClick={() => void approve()}>
          Approve {token.symbol}
        </button>
      ) : (
        <button type="submit" disabled={address === undefined}>
          {retire ? "Buy and retire" : "Buy"}
        </button>
      )}
      <StepNotice step={step} />
    </form>
  );
}

function SellPanel({ batch, onDone }: { batch: Batch; onDone: () => void }) {
  const config = useClientConfig();
  const token = config.paymentTokens[0]!;
  const { address } = useAccount();
  const client = usePublicClient();
  const send = useSendCall();
  const session = useSession();
  const { signTypedDataAsync } = useSignTypedData();
  const [quantity, setQuantity] = useState("");
  const [price, setPrice] = useState("");
  const [hours, setHours] = useState("24");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [review, setReview] = useState<SignedOrder>();
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const approved = useQuery({
    queryKey: ["operator-approval", address],
    enabled: address !== undefined && client !== undefined,
    queryFn: async () => (await client!.readContract({ address: config.contracts.creditToken, abi: creditTokenAbi, functionName: "isApprovedForAll", args: [address!, config.contracts.settlement] })) as boolean,
  });

  async function prepare() {
    const q = parseWholeUnits(quantity);
    const p = parseTokenAmount(price, token.decimals, "Price per tCO2e");
    const problems: Record<string, string> = {};
    if (!q.ok) problems.quantity = q.message;
    if (!p.ok) problems.price = p.message;
    if (!/^\d+$/.test(hours.trim()) || Number(hours) < 1 || Number(hours) > 24 * 365) problems.hours = "Hours must be a whole number from 1 to 8760";
    setErrors(problems);
    if (!q.ok || !p.ok || Object.keys(problems).length > 0 || address === undefined || client === undefined) return;
    const counter = (await client.readContract({ address: config.contracts.settlement, abi: settlementAbi, functionName: "counterOf", args: [address] })) as bigint;
    const params: Record<string, unknown> = {
      maker: address,
      batchId: BigInt(batch.batchId),
      amount: q.value,
      unitPrice: p.value,
      paymentToken: token.address,
      expiry: BigInt(Math.floor(Date.now() / 1000) + Number(hours) * 3600),
      counter,
      salt: BigInt(Date.now()),
    };
    // The signed order's fee cap, where the contract's Order type carries one: the fee as it is now.
    if (config.eip712.settlement.typeStrings.Order?.includes("maxFeeBps")) params.maxFeeBps = config.fees.feeBps;
    setReview(buildOrder(params as BuildOrderParameters));
  }

  async function signAndPost(order: SignedOrder) {
    setStep({ kind: "busy", what: "Waiting for your wallet's signature" });
    try {
      const typed = orderTypedData(config.eip712.settlement.domain, order);
      const signature = await signTypedDataAsync(typed as never);
      const posted = await api<Order>("/orders", { body: { order: orderToJson(order), signature } });
      setReview(undefined);
      setStep({ kind: "done", what: `Your order ${posted.orderHash.slice(0, 10)}… is on the book.` });
      onDone();
    } catch (error) {
      setStep({ kind: "error", what: errorText(error) });
    }
  }

  async function approveCredits() {
    setStep({ kind: "busy", what: "Approving Settlement to move your credits when an order fills" });
    const data = encodeFunctionData({ abi: creditTokenAbi, functionName: "setApprovalForAll", args: [config.contracts.settlement, true] });
    try {
      const sent = await send({ to: config.contracts.creditToken, data });
      await approved.refetch();
      setStep({ kind: "done", what: "Settlement may now deliver your credits to buyers.", hash: sent.hash });
    } catch (error) {
      setStep({ kind: "error", what: errorText(error) });
    }
  }

  const words = review === undefined ? undefined : orderInWords(review, token, config.fees.feeBps);
  return (
    <div>
      {approved.data === false ? (
        <p>
          Before your first sale, allow Settlement to deliver your credits when an order fills.{" "}
          <button type="button" onClick={() => void approveCredits()}>
            Approve credits for Settlement
          </button>
        </p>
      ) : null}
      <form aria-label="Sell order" onSubmit={(event) => { event.preventDefault(); void prepare(); }}>
        <Field label="Quantity to sell (tCO2e)" inputMode="numeric" value={quantity} onChange={(e) => setQuantity(e.target.value)} error={errors.quantity} />
        <Field label={`Price per tCO2e (${token.symbol})`} inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} error={errors.price} />
        <Field label="Valid for (hours)" inputMode="numeric" value={hours} onChange={(e) => setHours(e.target.value)} error={errors.hours} />
        <button type="submit" disabled={address === undefined}>
          Review order
        </button>
        {address !== undefined && !session.signedIn ? <small> (signing an order needs no sign-in: your signature authenticates it)</small> : null}
      </form>
      {words === undefined || review === undefined ? null : (
        <section aria-label="What you are signing" className="review">
          <h3>What you are signing</h3>
          <Facts
            items={[
              ["You give", words.give],
              ["You get", words.get],
              ["Fee cap", words.feeCap],
              ["Expiry", words.expiry],
              ["Fills", words.fill],
            ]}
          />
          <p>
            Type signed: <code>{config.eip712.settlement.typeStrings.Order}</code>
          </p>
          <button type="button" onClick={() => void signAndPost(review)}>
            Sign order
          </button>{" "}
          <button type="button" onClick={() => setReview(undefined)}>
            Change
          </button>
        </section>
      )}
      <StepNotice step={step} />
    </div>
  );
}

function MyOrders({ batchId }: { batchId: string }) {
  const config = useClientConfig();
  const token = config.paymentTokens[0]!;
  const { address } = useAccount();
  const send = useSendCall();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const mine = useQuery({
    queryKey: ["my-orders", address, batchId],
    enabled: address !== undefined,
    queryFn: () => api<ApiPage<Order>>(`/orders?maker=${address}&batchId=${batchId}&limit=50`),
    refetchInterval: 2_000,
  });
  async function cancel(order: Order) {
    setStep({ kind: "busy", what: "Cancelling on chain (Settlement.cancel from your wallet)" });
    try {
      const sent = await send(cancelOrderCall(config.contracts.settlement, signedOrderOf(order)));
      setStep(sent.status === "success" ? { kind: "done", what: "Cancelled on chain: the signed order can no longer fill.", hash: sent.hash } : { kind: "error", what: "The cancel reverted." });
      await queryClient.invalidateQueries({ queryKey: ["my-orders"] });
    } catch (error) {
      setStep({ kind: "error", what: errorText(error) });
    }
  }
  if (address === undefined) return <p>Connect a wallet to see your orders.</p>;
  return (
    <>
      <Table
        caption="Your orders in this batch"
        columns={["Side", "Price", "Filled", "Remaining", "Status", ""]}
        rows={(mine.data?.items ?? []).map((order) => [
          order.side,
          formatPrice(order.unitPrice, token.decimals, token.symbol),
          formatCount(order.filled),
          formatCount(order.remaining),
          order.status.replace("_", " "),
          ["open", "partially_filled", "withdrawn"].includes(order.status) ? (
            <button key="c" type="button" onClick={() => void cancel(order)} aria-label={`Cancel order ${order.orderHash.slice(0, 10)} on chain`}>
              Cancel on chain
            </button>
          ) : (
            ""
          ),
        ])}
      />
      <StepNotice step={step} />
    </>
  );
}

export function TradePage() {
  const { batchId = "" } = useParams();
  const config = useClientConfig();
  const token = config.paymentTokens[0];
  const queryClient = useQueryClient();
  const batch = useQuery({ queryKey: ["batch", batchId], queryFn: () => api<Batch>(`/batches/${batchId}`), refetchInterval: 3_000 });
  const asks = useBook(batchId, "sell");
  const bids = useBook(batchId, "buy");
  const depth = useDepth(batchId);
  const trades = useTrades(batchId);
  const [selected, setSelected] = useState<Order>();
  const refresh = () => void queryClient.invalidateQueries();
  if (token === undefined) return <Page title="Trade">No payment token is configured on this deployment.</Page>;
  const price = (value: string) => formatPrice(value, token.decimals, token.symbol);
  const b = batch.data;
  return (
    <Page title={`Trade batch ${batchId.slice(0, 12)}…`} intro={b === undefined ? undefined : `${b.registryId} ${b.serialPrefix}`}>
      {batch.isError ? <Notice kind="error">{errorText(batch.error)}</Notice> : null}
      {b === undefined ? null : (
        <Facts
          label="Batch"
          items={[
            ["Available", formatQuantity(b.custody.available)],
            ["Pending retirement", formatQuantity(b.custody.pendingRetirement)],
            ["Retired", formatQuantity(b.custody.retired)],
            ["Trading", b.availability.trading],
            ["Retirement", b.availability.retirement],
            ...(b.availability.reasons.length > 0 ? ([["Why", b.availability.reasons.join("; ")]] as Array<[string, string]>) : []),
          ]}
        />
      )}
      <div className="columns">
        <Panel title="Asks (sell orders)">
          <Table
            caption="Asks, cheapest first"
            columns={["Price", "Remaining", "Seller", ""]}
            rows={(asks.data?.items ?? []).map((ask) => [
              price(ask.unitPrice),
              formatCount(ask.remaining),
              <Hash key="m" value={ask.maker} />,
              <button key="b" type="button" onClick={() => setSelected(ask)} aria-label={`Buy from the ask at ${price(ask.unitPrice)}`}>
                Buy
              </button>,
            ])}
          />
          {selected === undefined ? null : <BuyPanel key={selected.orderHash} ask={selected} onDone={refresh} />}
        </Panel>
        <Panel title="Bids (buy orders)">
          <Table caption="Bids, dearest first" columns={["Price", "Remaining", "Buyer"]} rows={(bids.data?.items ?? []).map((bid) => [price(bid.unitPrice), formatCount(bid.remaining), <Hash key="m" value={bid.maker} />])} />
          <Table caption="Depth" columns={["Side", "Price", "Units", "Orders"]} rows={[...(depth.data?.asks ?? []).map((l) => ["ask", price(l.unitPrice), formatCount(l.units), String(l.orders)]), ...(depth.data?.bids ?? []).map((l) => ["bid", price(l.unitPrice), formatCount(l.units), String(l.orders)])]} />
        </Panel>
      </div>
      {b === undefined ? null : (
        <Panel title="Sell">
          <SellPanel batch={b} onDone={refresh} />
        </Panel>
      )}
      <Panel title="Your orders">
        <MyOrders batchId={batchId} />
      </Panel>
      <Panel title="Last trades">
        <Table caption="Trades" columns={["Units", "Price", "Buyer", "Transaction"]} rows={(trades.data?.items ?? []).map((t) => [formatCount(t.amount), price(t.unitPrice), <Hash key="t" value={t.taker} />, <Hash key="h" value={t.txHash} />])} />
      </Panel>
    </Page>
  );
}
