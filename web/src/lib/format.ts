/**
 * The one formatting helper for what the app shows: amounts and prices stay decimal strings or bigints from the API
 * to the screen (viem's formatUnits/parseUnits work on strings, never on floats), quantities in whole units with
 * their metric (tCO2e), prices with the payment token's decimals, dates in the viewer's zone with UTC beside it.
 */
import { formatUnits, parseUnits } from "viem";

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** "12345" -> "12,345" (integers only; a bigint or a decimal string). */
export function formatCount(value: bigint | string | number): string {
  const text = typeof value === "bigint" ? value.toString() : String(value);
  if (!/^-?\d+$/.test(text)) return text;
  return text.startsWith("-") ? `-${group(text.slice(1))}` : group(text);
}

/** Credit units with their metric: "1,000 tCO2e". */
export function formatQuantity(value: bigint | string, metric = "tCO2e"): string {
  return `${formatCount(value)} ${metric}`;
}

/** Base units of a token as a decimal with its symbol: (2500000, 6, "TUSD") -> "2.50 TUSD". */
export function formatTokenAmount(value: bigint | string, decimals: number, symbol = ""): string {
  const [whole = "0", fraction = ""] = formatUnits(BigInt(value), decimals).split(".");
  const shown = fraction.padEnd(2, "0");
  return `${formatCount(whole)}.${shown}${symbol === "" ? "" : ` ${symbol}`}`;
}

/** A price per credit: "2.50 TUSD / tCO2e". */
export function formatPrice(unitPrice: bigint | string, decimals: number, symbol: string, metric = "tCO2e"): string {
  return `${formatTokenAmount(unitPrice, decimals, symbol)} / ${metric}`;
}

export type ParseResult = { ok: true; value: bigint } | { ok: false; message: string };

/** A positive whole number of units typed by a person. */
export function parseWholeUnits(text: string, label = "Quantity"): ParseResult {
  const trimmed = text.trim().replace(/,/g, "");
  if (trimmed === "") return { ok: false, message: `${label} is required` };
  if (!/^\d+$/.test(trimmed)) return { ok: false, message: `${label} must be a whole number of units (no decimals)` };
  const value = BigInt(trimmed);
  if (value <= 0n) return { ok: false, message: `${label} must be more than 0` };
  return { ok: true, value };
}

/** A token amount typed as a decimal ("2.5") into base units, refusing more decimals than the token has. */
export function parseTokenAmount(text: string, decimals: number, label = "Price"): ParseResult {
  const trimmed = text.trim().replace(/,/g, "");
  if (trimmed === "") return { ok: false, message: `${label} is required` };
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return { ok: false, message: `${label} must be a number like 2.50` };
  if ((trimmed.split(".")[1] ?? "").length > decimals) return { ok: false, message: `${label} has more than ${decimals} decimals` };
  const value = parseUnits(trimmed, decimals);
  if (value <= 0n) return { ok: false, message: `${label} must be more than 0` };
  return { ok: true, value };
}

/** "7 Dec 2026, 15:04:05 (14:04:05 UTC)": the viewer's zone, then UTC. */
export function formatDateTime(value: string | Date | null | undefined): string {
  if (value === null || value === undefined || value === "") return "-";
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  const local = date.toLocaleString(undefined, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const utc = date.toISOString().slice(11, 19);
  return `${local} (${utc} UTC)`;
}

/** Unix seconds (as a decimal string) to a date line. */
export function formatUnixSeconds(value: string | bigint): string {
  return formatDateTime(new Date(Number(BigInt(value)) * 1000));
}

/** 0x1234…abcd */
export function shortHex(value: string | null | undefined, keep = 6): string {
  if (value === null || value === undefined) return "-";
  return value.length <= 2 + 2 * keep ? value : `${value.slice(0, 2 + keep)}…${value.slice(-keep)}`;
}

/** Basis points as a percentage: 50 -> "0.50 %". */
export function formatBps(bps: number | bigint): string {
  const value = BigInt(bps);
  return `${value / 100n}.${(value % 100n).toString().padStart(2, "0")} %`;
}
