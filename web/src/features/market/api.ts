import { useQuery } from "@tanstack/react-query";
import { type Page, api } from "../../lib/api";
import type { Order, Trade } from "../../lib/types";

export type Listing = {
  batchId: string;
  registry: { id: string; name: string };
  serialPrefix: string;
  project: { id: string | null; name: string | null; type: string | null; methodology: string | null; country: string | null };
  vintage: { start: string | null; end: string | null };
  unit: { type: string | null; metric: string | null };
  totalSupply: string;
  frozen: boolean;
  bestAsk: string | null;
  bestBid: string | null;
  unitsOffered: string;
  lastPrice: string | null;
  lastTradeAt: string | null;
  paymentToken: string | null;
};

export type ListingFilters = { registry?: string; projectType?: string; methodology?: string; country?: string; vintage?: string };

export function useListings(filters: ListingFilters) {
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== undefined && v !== "") as Array<[string, string]>).toString();
  return useQuery({ queryKey: ["listings", query], queryFn: () => api<{ items: Listing[] }>(`/listings${query === "" ? "" : `?${query}`}`), refetchInterval: 3_000 });
}

export function useBook(batchId: string, side: "sell" | "buy") {
  return useQuery({ queryKey: ["book", batchId, side], queryFn: () => api<Page<Order>>(`/batches/${batchId}/orders?side=${side}&limit=50`), refetchInterval: 2_000 });
}

export function useDepth(batchId: string) {
  return useQuery({
    queryKey: ["depth", batchId],
    queryFn: () => api<{ asks: Array<{ unitPrice: string; units: string; orders: number }>; bids: Array<{ unitPrice: string; units: string; orders: number }> }>(`/batches/${batchId}/depth`),
    refetchInterval: 2_000,
  });
}

export function useTrades(batchId: string) {
  return useQuery({ queryKey: ["trades", batchId], queryFn: () => api<Page<Trade>>(`/trades?batchId=${batchId}&limit=20`), refetchInterval: 2_000 });
}
