import type { SerialFields } from "./fields";
import { expectMatch, fail, parseUnsigned, rangeQuantity } from "./fields";

/**
 * India CCTS Carbon Credit Certificates. No CCC identifier format is published, so this format is OUR OWN,
 * used by our simulator and documented in backend/src/simulators/README.md:
 *
 *   `CCC-IN-{sector}-{entityRegistrationId}-{complianceYear}-{start}-{end}`, e.g. `CCC-IN-CEMENT-BEE0042-2025-1-5000`
 *
 * - `sector`: upper-case letters and digits (`CEMENT`, `ALUMINIUM`, `PULPPAPER`), no dashes.
 * - `entityRegistrationId`: the obligated entity's registration id, upper-case letters and digits. It is the
 *   canonical `projectId` (CCCs are issued to entities, not projects).
 * - `complianceYear`: the first calendar year of the Indian financial year, so `2025` means 2025-26
 *   (1 April 2025 to 31 March 2026); vintageStart/End are those dates.
 * - `start`/`end`: inclusive certificate numbers; quantity in tCO2e.
 */
export type InCctsSerial = SerialFields & {
  registry: "IN_CCTS";
  blockStart: bigint;
  blockEnd: bigint;
  quantity: bigint;
  projectId: string;
  country: "IN";
  vintageStart: string;
  vintageEnd: string;
  unitType: "CCC";
  sector: string;
  entityRegistrationId: string;
  complianceYear: string;
};

export type InCctsSerialLayout = Omit<InCctsSerial, "serial" | "serialPrefix" | "quantity" | "projectId">;

export function parseInCctsSerial(serial: string): InCctsSerial {
  const parts = serial.split("-");
  if (parts.length !== 7) fail("serial", serial, `has ${parts.length} fields separated by '-', expected 7 (CCC)`, serial);
  expectMatch("unitType", parts[0], /^CCC$/, "CCC", serial);
  expectMatch("country", parts[1], /^IN$/, "IN", serial);
  const sector = expectMatch("sector", parts[2], /^[A-Z][A-Z0-9]*$/, "an upper-case sector code", serial);
  const entity = expectMatch("entityRegistrationId", parts[3], /^[A-Z0-9]+$/, "an upper-case entity id", serial);
  const complianceYear = expectMatch("complianceYear", parts[4], /^20[0-9]{2}$/, "a four-digit year (20xx)", serial);
  const blockStart = parseUnsigned("blockStart", parts[5], serial);
  const blockEnd = parseUnsigned("blockEnd", parts[6], serial);
  const quantity = rangeQuantity(blockStart, blockEnd, serial);
  return {
    registry: "IN_CCTS",
    serial,
    serialPrefix: parts.slice(0, 5).join("-"),
    blockStart,
    blockEnd,
    quantity,
    projectId: entity,
    issuanceBatch: `${entity}-${complianceYear}`,
    country: "IN",
    vintageStart: `${complianceYear}-04-01`,
    vintageEnd: `${Number(complianceYear) + 1}-03-31`,
    unitType: "CCC",
    sector,
    entityRegistrationId: entity,
    complianceYear,
  };
}

export function formatInCctsSerial(s: InCctsSerialLayout): string {
  return ["CCC", "IN", s.sector, s.entityRegistrationId, s.complianceYear, s.blockStart, s.blockEnd].join("-");
}
