import type { SerialFields } from "./fields";
import { expectMatch, fail, parseDigits, parseUnsigned, rangeQuantity } from "./fields";

/**
 * Gold Standard serials: `GS1-1-{country}-GS{projectId}-{seg}-{vintageYear}-{batch}-{start}-{end}`, e.g.
 * `GS1-1-KE-GS7495-16-2025-30645-608-30350`, and a range-less form ending at `{batch}` whose range is stored
 * elsewhere (`GS1-1-CN-GS7604-3-2020-21289`). The meaning of `GS1-1` and `seg` is uncertain: kept verbatim.
 * The vintage is a year, so vintageStart/End are 1 January and 31 December of it.
 */
export type GoldStandardSerial = SerialFields & {
  registry: "GOLD_STANDARD";
  projectId: string;
  issuanceBatch: string;
  country: string;
  vintageStart: string;
  vintageEnd: string;
  unitType: "VER";
  /** `GS1` in every serial seen. */
  programme: string;
  /** The `1` after `GS1`. */
  programmeVersion: string;
  seg: string;
  vintageYear: string;
};

export type GoldStandardSerialLayout = Omit<GoldStandardSerial, "serial" | "serialPrefix" | "quantity">;

export function parseGoldStandardSerial(serial: string): GoldStandardSerial {
  const parts = serial.split("-");
  if (parts.length !== 9 && parts.length !== 7) {
    fail("serial", serial, `has ${parts.length} fields separated by '-', expected 9 (or 7 without range)`, serial);
  }
  const programme = expectMatch("programme", parts[0], /^GS[0-9]+$/, "GS followed by digits", serial);
  const programmeVersion = parseDigits("programmeVersion", parts[1], serial);
  const country = expectMatch("country", parts[2], /^[A-Z]{2}$/, "an ISO-3166 alpha-2 country code", serial);
  const projectText = expectMatch("projectId", parts[3], /^GS.+$/, "GS followed by the project number", serial);
  const projectId = parseDigits("projectId", projectText.slice(2), serial);
  const seg = parseDigits("seg", parts[4], serial);
  const vintageYear = expectMatch("vintageYear", parts[5], /^[0-9]{4}$/, "a four-digit year", serial);
  const issuanceBatch = parseDigits("batch", parts[6], serial);
  const parsed: GoldStandardSerial = {
    registry: "GOLD_STANDARD",
    serial,
    serialPrefix: parts.slice(0, 7).join("-"),
    projectId,
    issuanceBatch,
    country,
    vintageStart: `${vintageYear}-01-01`,
    vintageEnd: `${vintageYear}-12-31`,
    unitType: "VER",
    programme,
    programmeVersion,
    seg,
    vintageYear,
  };
  if (parts.length === 9) {
    parsed.blockStart = parseUnsigned("blockStart", parts[7], serial);
    parsed.blockEnd = parseUnsigned("blockEnd", parts[8], serial);
    parsed.quantity = rangeQuantity(parsed.blockStart, parsed.blockEnd, serial);
  }
  return parsed;
}

export function formatGoldStandardSerial(s: GoldStandardSerialLayout): string {
  const head = [s.programme, s.programmeVersion, s.country, `GS${s.projectId}`, s.seg, s.vintageYear, s.issuanceBatch];
  if (s.blockStart === undefined || s.blockEnd === undefined) return head.join("-");
  return [...head, s.blockStart.toString(), s.blockEnd.toString()].join("-");
}
