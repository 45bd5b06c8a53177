/**
 * Decimal arithmetic for emission figures, money and GEI (decimal.js, never float), and the integer fixed-point
 * parsing the hot paths use instead (VEE readings, auction books): a decimal string becomes a bigint of
 * 10^-scale units without any decimal.js object or float in between.
 *
 * One configured Decimal constructor for the whole MRV/CCTS core: 50 significant digits, ROUND_HALF_EVEN for the
 * rare inexact operation (a division such as GEI = tCO2e / t), exponent notation never used for output. Products
 * and sums of the inputs we take (at most ~20 digits each) are exact at that precision; only divisions round, at
 * the 50th digit, which is far below any figure we report. Fixed so that the same input gives the same digits on
 * every machine.
 */
import DecimalJs from "decimal.js";
import { ValidationError } from "../errors";

export const Decimal = DecimalJs.clone({
  precision: 50,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -60,
  toExpPos: 60,
});
export type Decimal = InstanceType<typeof Decimal>;

/** What callers may hand us for a decimal: a JSON number or a decimal string (`"13.4927"`, `"-2"`, `"1e3"`). */
export type DecimalInput = string | number;

const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a decimal given as a JSON number or a string. A JSON number is taken through its shortest round-trip
 * text (`String(13.4927)` is `"13.4927"`), which is the decimal the author wrote. NaN, Infinity, empty strings,
 * hex, thousands separators and non-numeric types are a ValidationError naming `field`.
 */
export function parseDecimal(field: string, value: unknown): Decimal {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new ValidationError(field, `must be a finite number, got ${String(value)}`);
    return new Decimal(String(value));
  }
  if (typeof value === "string") {
    const text = value.trim();
    if (!DECIMAL_TEXT.test(text)) throw new ValidationError(field, `must be a decimal number, got ${JSON.stringify(value)}`);
    return new Decimal(text);
  }
  if (value === undefined || value === null) throw new ValidationError(field, "is required");
  throw new ValidationError(field, `must be a number or a decimal string, got ${typeof value}`);
}

/** parseDecimal that also refuses negatives (and zero unless `allowZero`). */
export function parseNonNegative(field: string, value: unknown, options: { allowZero?: boolean } = {}): Decimal {
  const d = parseDecimal(field, value);
  if (d.isNegative() && !d.isZero()) throw new ValidationError(field, `must not be negative, got ${d.toFixed()}`);
  if (d.isZero() && options.allowZero === false) throw new ValidationError(field, "must be greater than zero");
  return d.isZero() ? new Decimal(0) : d;
}

/** The canonical text of a decimal: plain notation, no exponent, no trailing zeros, `"0"` for any zero. */
export function decimalString(d: Decimal): string {
  return d.isZero() ? "0" : d.toFixed();
}

/**
 * Parses a decimal string or JSON number into a bigint of 10^-scale units, exactly, without decimal.js: `"12.5"`
 * at scale 3 is 12500n. Returns undefined when the text is not a plain decimal (exponents are refused here: meter
 * values and prices never carry them) or has more than `scale` fraction digits (no silent rounding).
 */
export function parseScaled(value: unknown, scale: number): bigint | undefined {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    if (Number.isSafeInteger(value)) return BigInt(value) * 10n ** BigInt(scale);
    text = String(value);
  } else if (typeof value === "string") {
    text = value;
  } else {
    return undefined;
  }
  return scaledFromText(text, scale);
}

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

/** Largest magnitude the float64 fixed-point path accepts: 2^52 units of 10^-scale (exact, with headroom). */
export const MAX_SCALED_NUMBER = 2 ** 52;

/**
 * parseScaled without bigint: the value in integer 10^-scale units as an exact float64 integer, NaN when the text
 * is not a plain decimal, has more than `scale` fraction digits, or its magnitude reaches MAX_SCALED_NUMBER. No
 * allocation: this is the VEE hot path (one call per reading).
 */
export function parseScaledNumber(value: unknown, scale: number): number {
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" && Number.isFinite(value)) text = String(value);
  else return Number.NaN;
  const len = text.length;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 /* - */ || first === 43 /* + */) {
    negative = first === 45;
    i = 1;
  }
  let n = 0;
  let digitsSeen = 0;
  let fractionDigits = -1; // -1: no point seen yet
  for (; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */ && fractionDigits < 0) {
      fractionDigits = 0;
      continue;
    }
    const dgt = c - 48;
    if (dgt < 0 || dgt > 9) return Number.NaN;
    digitsSeen++;
    if (fractionDigits >= 0) {
      fractionDigits++;
      if (fractionDigits > scale) {
        if (dgt !== 0) return Number.NaN; // no silent rounding; trailing zeros are fine
        continue;
      }
    }
    n = n * 10 + dgt;
    if (n >= MAX_SCALED_NUMBER) return Number.NaN;
  }
  if (digitsSeen === 0) return Number.NaN;
  const used = fractionDigits < 0 ? 0 : Math.min(fractionDigits, scale);
  for (let pad = scale - used; pad > 0; pad -= 9) n *= POW10[Math.min(pad, 9)] as number;
  if (n >= MAX_SCALED_NUMBER) return Number.NaN;
  return negative && n !== 0 ? -n : n;
}

function scaledFromText(text: string, scale: number): bigint | undefined {
  const n = parseScaledNumber(text, scale);
  return Number.isNaN(n) ? scaledFromTextSlow(text, scale) : BigInt(n);
}

function scaledFromTextSlow(text: string, scale: number): bigint | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (m === null || ((m[2] ?? "") === "" && (m[3] ?? "") === "")) return undefined;
  const fraction = (m[3] ?? "").replace(/0+$/, "");
  if (fraction.length > scale) return undefined;
  const v = BigInt((m[2] === "" ? "0" : m[2]) + fraction.padEnd(scale, "0"));
  return m[1] === "-" ? -v : v;
}

/** The decimal text of a bigint of 10^-scale units: 12500n at scale 3 is `"12.5"`. */
export function scaledString(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, "");
  const text = fraction === "" ? whole : `${whole}.${fraction}`;
  return negative && text !== "0" ? `-${text}` : text;
}

/** A Decimal from a bigint of 10^-scale units (exact). */
export function scaledToDecimal(value: bigint, scale: number): Decimal {
  return new Decimal(scaledString(value, scale));
}
