import Decimal from "decimal.js";
import { z } from "zod";
import { ValidationError } from "../../errors";

/**
 * Indian rupee amounts as bigint paise (1 rupee = 100 paise), never floating point. Input and JSON output are
 * rupee decimal strings with at most two decimals (`"12345.50"`); losses (negative net profit) carry a minus.
 */

export const PAISE_PER_RUPEE = 100n;
export const PAISE_PER_LAKH = 100_000n * PAISE_PER_RUPEE;
export const PAISE_PER_CRORE = 10_000_000n * PAISE_PER_RUPEE;

const RUPEES = /^-?(0|[1-9]\d*)(\.\d{1,2})?$/;

export function parseRupees(text: string, field: string): bigint {
  if (!RUPEES.test(text)) throw new ValidationError(field, `${JSON.stringify(text)} is not a rupee amount like 1250000 or 1250000.50`);
  const negative = text.startsWith("-");
  const [whole, fraction = ""] = (negative ? text.slice(1) : text).split(".");
  const paise = BigInt(whole!) * PAISE_PER_RUPEE + BigInt(fraction.padEnd(2, "0"));
  return negative ? -paise : paise;
}

/** A rupee decimal string, as zod input; the output is paise. */
export const rupeesSchema = z
  .string()
  .regex(RUPEES, "expected a rupee amount like 1250000 or 1250000.50 (a string, at most two decimals)")
  .transform((text) => parseRupees(text, "amount"));

export const nonNegativeRupeesSchema = rupeesSchema.refine((paise) => paise >= 0n, { message: "must not be negative" });

/** Paise as a rupee decimal string with two decimals: 123450n is `"1234.50"`. */
export function rupeesString(paise: bigint): string {
  const negative = paise < 0n;
  const abs = negative ? -paise : paise;
  const text = `${abs / PAISE_PER_RUPEE}.${(abs % PAISE_PER_RUPEE).toString().padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}

/** Paise in Indian grouping for reports: 1234567890n is `Rs 1,23,45,678.90`. */
export function formatInr(paise: bigint): string {
  const [whole, fraction] = rupeesString(paise).replace("-", "").split(".");
  const digits = whole!;
  const last3 = digits.slice(-3);
  const rest = digits.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ",");
  return `${paise < 0n ? "-" : ""}Rs ${rest === "" ? last3 : `${rest},${last3}`}.${fraction}`;
}

/** A crore or lakh figure from the parameters (decimal string) in paise. */
export function croreToPaise(crore: string): bigint {
  return BigInt(new Decimal(crore).mul(PAISE_PER_CRORE.toString()).toFixed(0));
}

export function lakhToPaise(lakh: string): bigint {
  return BigInt(new Decimal(lakh).mul(PAISE_PER_LAKH.toString()).toFixed(0));
}

export function sumPaise(amounts: Iterable<bigint>): bigint {
  let total = 0n;
  for (const amount of amounts) total += amount;
  return total;
}
