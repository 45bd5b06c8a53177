import { isCountryCode } from "./countries";
import type { NameQuery, QueryIdentifier } from "./decision";
import { ScreeningInputError } from "./errors";
import { ENTITY_KINDS, type EntityKind, IDENTIFIER_KINDS, type IdentifierKind } from "./model";
import { foldName } from "./normalise";

/**
 * Screening input checks (docs/screening.md §8). Every screening goes through them, from the CLI or later the API:
 * a bad value is refused with a ScreeningInputError naming the field, never screened half-read.
 */
export const MAX_NAME_LENGTH = 300;
export const MAX_IDENTIFIERS = 10;
export const MAX_IDENTIFIER_LENGTH = 64;

/** C0 and C1 controls, and the bidirectional overrides used to disguise text. */
const CONTROL = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

export function validateName(name: unknown, field = "name"): string {
  if (typeof name !== "string") throw new ScreeningInputError(field, "must be a string");
  const trimmed = name.trim();
  if (trimmed === "") throw new ScreeningInputError(field, "must not be empty");
  if (trimmed.length > MAX_NAME_LENGTH)
    throw new ScreeningInputError(field, `must be at most ${MAX_NAME_LENGTH} characters, got ${trimmed.length}`);
  const control = CONTROL.exec(trimmed);
  if (control !== null) {
    const code = (control[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0");
    throw new ScreeningInputError(field, `contains a control character (U+${code}) at position ${control.index}`);
  }
  if (foldName(trimmed) === "") throw new ScreeningInputError(field, "has no letters or digits");
  return trimmed;
}

export function validateKind(type: unknown, field = "type"): EntityKind {
  if (typeof type === "string" && (ENTITY_KINDS as readonly string[]).includes(type)) return type as EntityKind;
  throw new ScreeningInputError(field, `must be one of ${ENTITY_KINDS.join(", ")}, got ${JSON.stringify(type)}`);
}

/** YYYY-MM-DD (a real calendar day) or YYYY, from 1900 to today. */
export function validateDateOfBirth(dob: unknown, now: Date = new Date(), field = "dob"): string {
  if (typeof dob !== "string" || !/^\d{4}(-\d{2}-\d{2})?$/.test(dob))
    throw new ScreeningInputError(field, `must be YYYY-MM-DD or YYYY, got ${JSON.stringify(dob)}`);
  const [year, month, day] = dob.split("-").map(Number) as [number, number | undefined, number | undefined];
  if (month !== undefined && day !== undefined) {
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
      throw new ScreeningInputError(field, `${dob} is not a calendar date`);
    }
  }
  if (year < 1900 || year > now.getUTCFullYear())
    throw new ScreeningInputError(field, `year must be 1900-${now.getUTCFullYear()}, got ${year}`);
  return dob;
}

export function validateCountry(country: unknown, field = "country"): string {
  const code = typeof country === "string" ? country.trim().toUpperCase() : "";
  if (!isCountryCode(code))
    throw new ScreeningInputError(field, `must be an ISO 3166-1 alpha-2 country code such as IN, got ${JSON.stringify(country)}`);
  return code;
}

export function validateIdentifier(identifier: unknown, field = "identifiers"): QueryIdentifier {
  const { kind, value } = (identifier ?? {}) as { kind?: unknown; value?: unknown };
  if (kind !== undefined && !(IDENTIFIER_KINDS as readonly string[]).includes(kind as string)) {
    throw new ScreeningInputError(field, `kind must be one of ${IDENTIFIER_KINDS.join(", ")}, got ${JSON.stringify(kind)}`);
  }
  if (typeof value !== "string" || !/[A-Za-z0-9]/.test(value))
    throw new ScreeningInputError(field, "value must contain letters or digits");
  if (value.length > MAX_IDENTIFIER_LENGTH || CONTROL.test(value)) {
    throw new ScreeningInputError(field, `value must be at most ${MAX_IDENTIFIER_LENGTH} printable characters`);
  }
  return { kind: kind as IdentifierKind | undefined, value: value.trim() };
}

export function validateNameQuery(query: NameQuery, now: Date = new Date()): NameQuery {
  const identifiers = query.identifiers ?? [];
  if (identifiers.length > MAX_IDENTIFIERS)
    throw new ScreeningInputError("identifiers", `at most ${MAX_IDENTIFIERS}, got ${identifiers.length}`);
  return {
    name: validateName(query.name),
    type: validateKind(query.type),
    dob: query.dob === undefined ? undefined : validateDateOfBirth(query.dob, now),
    country: query.country === undefined ? undefined : validateCountry(query.country),
    identifiers: identifiers.map((identifier) => validateIdentifier(identifier)),
  };
}

/**
 * A wallet address: an EVM address (0x and 40 hex digits, any case) or another chain's address as the lists carry
 * them (25 to 110 letters and digits: Bitcoin base58 and bech32, Litecoin, Monero, Zcash, ...). Returned lower-case.
 */
export function validateWallet(address: unknown, field = "wallet"): string {
  const text = typeof address === "string" ? address.trim() : "";
  if (text === "") throw new ScreeningInputError(field, "must not be empty");
  if (/^0x/i.test(text)) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(text))
      throw new ScreeningInputError(
        field,
        `an 0x address must be 0x followed by 40 hex digits, got ${JSON.stringify(text.slice(0, 80))}`,
      );
  } else if (!/^[A-Za-z0-9]{25,110}$/.test(text)) {
    throw new ScreeningInputError(
      field,
      `must be an 0x address or 25-110 letters and digits, got ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  return text.toLowerCase();
}
