import { ValidationError } from "../../errors";
import type { RegistryName } from "../ids";
import type { UnitType } from "../model";

/** Canonical fields every serial parser produces. Registry-specific layout lives in each parser's own type. */
export type SerialFields = {
  registry: RegistryName;
  serial: string;
  /** The serial without its unit range: names the issuance batch. */
  serialPrefix: string;
  blockStart?: bigint | undefined;
  blockEnd?: bigint | undefined;
  quantity?: bigint | undefined;
  projectId?: string | undefined;
  issuanceBatch?: string | undefined;
  country?: string | undefined;
  vintageStart?: string | undefined;
  vintageEnd?: string | undefined;
  unitType: UnitType;
  additionalCertification?: boolean | undefined;
};

/** Throws a ValidationError naming the serial field, the bad text and the whole serial. */
export function fail(field: string, text: string, problem: string, serial: string): never {
  throw new ValidationError(field, `${JSON.stringify(text)} ${problem} (serial ${JSON.stringify(serial)})`, {
    text,
    serial,
  });
}

/** Checks a run of decimal digits and returns it verbatim. Calls out the letter O typo seen in published serials. */
export function parseDigits(field: string, text: string | undefined, serial: string): string {
  if (text === undefined || text === "") fail(field, text ?? "", "is missing", serial);
  if (!/^[0-9]+$/.test(text)) {
    const hint = /[oO]/.test(text) ? ": letter O where a digit 0 is expected" : "";
    fail(field, text, `is not a decimal number${hint}`, serial);
  }
  return text;
}

/** A unit number. Leading zeros are refused: the formatter could not reproduce them, and no registry prints them. */
export function parseUnsigned(field: string, text: string | undefined, serial: string): bigint {
  const digits = parseDigits(field, text, serial);
  if (digits.length > 1 && digits.startsWith("0")) fail(field, digits, "has a leading zero", serial);
  return BigInt(digits);
}

/** Checks `text` against `pattern` and returns it. */
export function expectMatch(
  field: string,
  text: string | undefined,
  pattern: RegExp,
  expected: string,
  serial: string,
): string {
  if (text === undefined || !pattern.test(text)) fail(field, text ?? "", `is not ${expected}`, serial);
  return text;
}

/** `DDMMYYYY` (Verra, day first) to ISO `YYYY-MM-DD`, rejecting impossible dates such as 31022024. */
export function parseDayFirstDate(field: string, text: string | undefined, serial: string): string {
  const digits = expectMatch(field, text, /^[0-9]{8}$/, "a DDMMYYYY date", serial);
  const iso = `${digits.slice(4, 8)}-${digits.slice(2, 4)}-${digits.slice(0, 2)}`;
  if (!isRealDate(iso)) fail(field, digits, "is not a real calendar date", serial);
  return iso;
}

/** ISO `YYYY-MM-DD` back to `DDMMYYYY`. */
export function toDayFirst(iso: string): string {
  return `${iso.slice(8, 10)}${iso.slice(5, 7)}${iso.slice(0, 4)}`;
}

export function isRealDate(iso: string): boolean {
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === iso;
}

/** Checks start ≤ end and returns the inclusive quantity. */
export function rangeQuantity(start: bigint, end: bigint, serial: string): bigint {
  if (end < start) fail("blockEnd", end.toString(), `is below blockStart ${start}`, serial);
  return end - start + 1n;
}

/** Serial fields as plain JSON (bigints as decimal strings), e.g. for the CLI. */
export function serialFieldsToJson(fields: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out[key] = typeof value === "bigint" ? value.toString() : value;
  }
  return out;
}
