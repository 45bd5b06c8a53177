import { SimError } from "../core/types";

/**
 * UK ETS account identifiers, `{registryCode}-{kyotoTypeCode}-{identifier}-{commitmentPeriod}-{checkDigits}`,
 * e.g. `UK-100-10000060-0-52` (COMPLIANCE_REGISTRIES.md §1.3, from the registry's `AccountService.java` and
 * `GeneratorService.java`).
 *
 * Check digits are ISO 7064 MOD 97-10 over the digit string
 * `identifier · (ord(R1) − 55) · (ord(R2) − 55) · %03d(type) · %02d(cp) · 00`: checkDigits = 98 − (n mod 97).
 * The registry prints them with `%d`, so values 2..9 have ONE digit (`UK-100-10000050-0-5`). It validates them as
 * an integer (n with the check digits in place of `00`, mod 97, must be 1) against the `UK` letters and then the
 * `GB` (Kyoto) letters, so a zero-padded `-05` is the same number and passes, and the prefix letters are not what
 * is checked. ETS accounts are commitment-period independent and always carry period 0.
 */
export const ACCOUNT_ID_PATTERN = /^(UK|GB)-(\d{3})-(\d+)-(\d)-(\d{1,2})$/;

export type AccountIdParts = { registryCode: "UK" | "GB"; typeCode: number; identifier: bigint; commitmentPeriod: number; checkDigits: number };

function letterValue(letter: string): string {
  return String(letter.charCodeAt(0) - 55);
}

function modulo(registryCode: string, typeCode: number, identifier: bigint, commitmentPeriod: number, checkDigits: number): bigint {
  const digits =
    identifier.toString() +
    letterValue(registryCode[0] ?? "") +
    letterValue(registryCode[1] ?? "") +
    String(typeCode).padStart(3, "0") +
    String(commitmentPeriod).padStart(2, "0") +
    String(checkDigits).padStart(2, "0");
  return BigInt(digits) % 97n;
}

/** The check digits the registry computes (always with the `UK` letters, as `GeneratorService` does). */
export function checkDigitsFor(typeCode: number, identifier: bigint, commitmentPeriod = 0): number {
  return Number(98n - modulo("UK", typeCode, identifier, commitmentPeriod, 0));
}

/** The identifier as the registry prints it (check digits not zero-padded). */
export function formatAccountId(typeCode: number, identifier: bigint, commitmentPeriod = 0, registryCode: "UK" | "GB" = "UK"): string {
  return `${registryCode}-${typeCode}-${identifier}-${commitmentPeriod}-${checkDigitsFor(typeCode, identifier, commitmentPeriod)}`;
}

/** True when the check digits are right under the `UK` or the `GB` letters. */
export function checkDigitsValid(parts: Omit<AccountIdParts, "registryCode">): boolean {
  const { typeCode, identifier, commitmentPeriod, checkDigits } = parts;
  return modulo("UK", typeCode, identifier, commitmentPeriod, checkDigits) === 1n || modulo("GB", typeCode, identifier, commitmentPeriod, checkDigits) === 1n;
}

/**
 * Parses and checks an account identifier; 400 naming `field` when it is malformed or its check digits are wrong
 * (the registry's checks `CheckAcquiringAccountHasValidCheckDigits` / `CheckTransferringAccountHasValidCheckDigits`).
 */
export function parseAccountId(text: string, field = "accountId"): AccountIdParts {
  const match = ACCOUNT_ID_PATTERN.exec(text.trim());
  if (match === null) {
    throw new SimError(400, "INVALID_ACCOUNT_ID", `${field}: ${JSON.stringify(text)} is not an account number of the form UK-100-10000060-0-52`);
  }
  const parts: AccountIdParts = {
    registryCode: match[1] as "UK" | "GB",
    typeCode: Number(match[2]),
    identifier: BigInt(match[3] ?? "0"),
    commitmentPeriod: Number(match[4]),
    checkDigits: Number(match[5]),
  };
  if (!checkDigitsValid(parts)) {
    throw new SimError(400, "INVALID_CHECK_DIGITS", `${field}: the check digits of ${text} are wrong (expected ${checkDigitsFor(parts.typeCode, parts.identifier, parts.commitmentPeriod)})`);
  }
  return parts;
}
