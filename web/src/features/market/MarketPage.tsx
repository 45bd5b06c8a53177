/** Market: batches across registries with filters, their best prices, and a way into each batch's book. */
import { useState } from "react";
import { Link } from "react-router-dom";
import { Field, Notice, Page, Select, Table, errorText } from "../../components/ui";
import { formatCount, formatPrice } from "../../lib/format";
import { useClientConfig } from "../../lib/wallet";
import { type ListingFilters, useListings } from "./api";

export function MarketPage() {
  const config = useClientConfig();
  const token = config.paymentTokens[0];
  const [filters, setFilters] = useState<ListingFilters>({});
  const [vintageError, setVintageError] = useState<string>();
  const listings = useListings(filters);
  const set = (key: keyof ListingFilters) => (event: { target: { value: string } }) => setFilters({ ...filters, [key]: event.target.value });
  const price = (value: string | null) => (value === null || token === undefined ? "-" : formatPrice(value, token.decimals, token.symbol));
  return (
    <Page title="Market" intro="Tokenized carbon credits held in custody at their registries. Each batch is one registry issuance; prices are per credit.">
      <form className="filters" aria-label="Filter batches" onSubmit={(event) => event.preventDefault()}>
        <Select label="Registry" value={filters.registry ?? ""} onChange={set("registry")} options={[{ value: "", label: "All registries" }, ...config.registries.map((r) => ({ value: r.id, label: r.name }))]} />
        <Field label="Project type" value={filters.projectType ?? ""} onChange={set("projectType")} placeholder="e.g. scope 13" />
        <Field label="Methodology" value={filters.methodology ?? ""} onChange={set("methodology")} placeholder="e.g. ACM0001" />
        <Field label="Country" value={filters.country ?? ""} onChange={set("country")} placeholder="US" maxLength={2} />
        <Field
          label="Vintage year"
          inputMode="numeric"
          error={vintageError}
          onChange={(event) => {
            const value = event.target.value.trim();
            if (value !== "" && !/^\d{4}$/.test(value)) {
              setVintageError("Enter a four-digit year, e.g. 2024");
              return;
            }
            setVintageError(undefined);
            setFilters({ ...filters, vintage: value });
          }}
        />
      </form>
      {listings.isError ? <Notice kind="error">{errorText(listings.error)}</Notice> : null}
      <Table
        caption="Batches"
        columns={["Registry", "Project", "Country", "Vintage", "Unit", "Supply", "Best ask", "Best bid", "Last trade", ""]}
        rows={(listings.data?.items ?? []).map((item) => [
          item.registry.name,
          <span key="p">
            {item.project.id ?? "?"} {item.project.name === null ? null : <em>{item.project.name}</em>}
            {item.frozen ? <strong className="badge badge-bad"> frozen</strong> : null}
          </span>,
          item.project.country ?? "-",
          item.vintage.start === null ? "-" : `${item.vintage.start} to ${item.vintage.end ?? "?"}`,
          item.unit.type ?? "-",
          `${formatCount(item.totalSupply)} ${item.unit.metric ?? ""}`,
          price(item.bestAsk),
          price(item.bestBid),
          price(item.lastPrice),
          <Link key="l" to={`/trade/${item.batchId}`} aria-label={`Trade batch ${item.project.id ?? item.batchId}`}>
            Trade
          </Link>,
        ])}
        empty={listings.isLoading ? "loading…" : "no batch matches."}
      />
    </Page>
  );
}
