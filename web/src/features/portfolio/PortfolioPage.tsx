/** Portfolio: holdings per batch, what is locked and why, retirements and withdrawals, and the history with transactions. */
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { useAccount } from "wagmi";
import { Hash, Notice, Page, Panel, Table, When } from "../../components/ui";
import { type Page as ApiPage, api } from "../../lib/api";
import { formatCount } from "../../lib/format";
import type { ChainEvent, InventoryItem, RetirementRequest } from "../../lib/types";

export function PortfolioPage() {
  const { address } = useAccount();
  const inventory = useQuery({ queryKey: ["inventory", address], enabled: address !== undefined, queryFn: () => api<ApiPage<InventoryItem>>(`/holders/${address}/inventory`), refetchInterval: 3_000 });
  const requests = useQuery({ queryKey: ["requests", address], enabled: address !== undefined, queryFn: () => api<ApiPage<RetirementRequest>>(`/requests?holder=${address}&limit=50`), refetchInterval: 3_000 });
  const history = useQuery({ queryKey: ["history", address], enabled: address !== undefined, queryFn: () => api<ApiPage<ChainEvent>>(`/holders/${address}/history?limit=50`), refetchInterval: 5_000 });
  if (address === undefined) return <Page title="Portfolio"><Notice>Connect a wallet to see what it holds.</Notice></Page>;
  return (
    <Page title="Portfolio" intro="What your wallet holds per batch, what is locked and why, and every chain event naming it.">
      <Table
        caption="Holdings"
        columns={["Batch", "Available", "Locked: escrow (deals)", "Locked: retirement", "Locked: withdrawal", "Retired", "Withdrawn", ""]}
        rows={(inventory.data?.items ?? []).map((item) => [
          <span key="b" title={item.batchId}>{item.registryId} {item.serialPrefix}</span>,
          formatCount(item.available),
          formatCount(item.escrowed),
          formatCount(item.pendingRetirement),
          formatCount(item.pendingWithdrawal),
          formatCount(item.retired),
          formatCount(item.withdrawn),
          <span key="a">
            <Link to={`/trade/${item.batchId}`}>Trade</Link> <Link to={`/retire?batch=${item.batchId}`}>Retire</Link>
          </span>,
        ])}
      />
      <Panel title="Retirements and withdrawals">
        <Table
          caption="Requests"
          columns={["Kind", "Units", "Status", "Registry", "Requested", ""]}
          rows={(requests.data?.items ?? []).map((r) => [
            r.kind,
            formatCount(r.amount),
            r.status,
            r.registryStatus ?? "-",
            <When key="w" at={r.createdAt} />,
            <span key="l">
              <Link to={`/retire/${r.requestId}`}>Timeline</Link>
              {r.kind === "retirement" && r.status === "confirmed" ? <> <Link to={`/certificate/${r.requestId}`}>Certificate</Link></> : null}
            </span>,
          ])}
        />
      </Panel>
      <Panel title="History">
        <Table caption="Chain events" columns={["Block", "Event", "Transaction"]} rows={(history.data?.items ?? []).map((e) => [e.blockNumber, e.event, <Hash key="h" value={e.txHash} />])} />
      </Panel>
    </Page>
  );
}
