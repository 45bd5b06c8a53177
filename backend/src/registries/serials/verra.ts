import type { SerialFields } from "./fields";
import { expectMatch, fail, parseDayFirstDate, parseDigits, parseUnsigned, rangeQuantity, toDayFirst } from "./fields";

/**
 * Verra VCU serials, e.g. `9660-115597313-115618057-VCS-VCU-261-VER-US-14-1060-01012019-31122019-0`:
 * `{batch}-{start}-{end}-VCS-VCU-{vvb}-VER-{country}-{scope}-{projectId}-{DDMMYYYY}-{DDMMYYYY}-{0|1}`.
 * Variants: no `{scope}` (newer platform), no `VCS` and/or `MER` instead of `VER` (legacy).
 * The serial prefix is the serial with `-{start}-{end}` taken out.
 */
export type VerraSerial = SerialFields & {
  registry: "VERRA";
  blockStart: bigint;
  blockEnd: bigint;
  quantity: bigint;
  projectId: string;
  issuanceBatch: string;
  country: string;
  vintageStart: string;
  vintageEnd: string;
  unitType: "VCU";
  additionalCertification: boolean;
  /** Field after `VCU`; its meaning is uncertain (REGISTRIES.md), kept verbatim. */
  vvb: string;
  /** Sectoral scope, absent in serials from Verra's newer platform. */
  scope?: string | undefined;
  /** False in legacy serials that lack the `VCS` field. */
  hasVcsField: boolean;
  /** `VER`, or `MER` in some legacy serials. */
  creditTag: "VER" | "MER";
};

export type VerraSerialLayout = Omit<VerraSerial, "serial" | "serialPrefix" | "quantity">;

export function parseVerraSerial(serial: string): VerraSerial {
  const parts = serial.split("-");
  if (parts.length < 11 || parts.length > 13) {
    fail("serial", serial, `has ${parts.length} fields separated by '-', expected 11 to 13 (Verra VCU)`, serial);
  }
  const issuanceBatch = parseDigits("batch", parts[0], serial);
  const blockStart = parseUnsigned("blockStart", parts[1], serial);
  const blockEnd = parseUnsigned("blockEnd", parts[2], serial);
  const quantity = rangeQuantity(blockStart, blockEnd, serial);
  let index = 3;
  const hasVcsField = parts[index] === "VCS";
  if (hasVcsField) index += 1;
  expectMatch("unitType", parts[index++], /^VCU$/, "VCU", serial);
  const vvb = expectMatch("vvb", parts[index++], /^[0-9]+$/, "a number", serial);
  const creditTag = expectMatch("creditTag", parts[index++], /^(VER|MER)$/, "VER or MER", serial) as "VER" | "MER";
  const country = expectMatch("country", parts[index++], /^[A-Z]{2}$/, "an ISO-3166 alpha-2 country code", serial);
  const rest = parts.slice(index);
  if (rest.length !== 4 && rest.length !== 5) {
    fail("serial", serial, `has ${parts.length} fields, which fits no known Verra layout`, serial);
  }
  const scope = rest.length === 5 ? expectMatch("scope", rest.shift(), /^[0-9]{1,2}$/, "a sectoral scope", serial) : undefined;
  const projectId = parseDigits("projectId", rest[0], serial);
  const vintageStart = parseDayFirstDate("vintageStart", rest[1], serial);
  const vintageEnd = parseDayFirstDate("vintageEnd", rest[2], serial);
  if (vintageEnd < vintageStart) fail("vintageEnd", rest[2] ?? "", "is before vintageStart", serial);
  const flag = expectMatch("additionalCertification", rest[3], /^[01]$/, "0 or 1", serial);
  const parsed: VerraSerial = {
    registry: "VERRA",
    serial,
    serialPrefix: "",
    blockStart,
    blockEnd,
    quantity,
    projectId,
    issuanceBatch,
    country,
    vintageStart,
    vintageEnd,
    unitType: "VCU",
    additionalCertification: flag === "1",
    vvb,
    scope,
    hasVcsField,
    creditTag,
  };
  parsed.serialPrefix = verraPrefix(parsed);
  return parsed;
}

function verraTail(s: VerraSerialLayout): string[] {
  return [
    ...(s.hasVcsField ? ["VCS"] : []),
    "VCU",
    s.vvb,
    s.creditTag,
    s.country,
    ...(s.scope === undefined ? [] : [s.scope]),
    s.projectId,
    toDayFirst(s.vintageStart),
    toDayFirst(s.vintageEnd),
    s.additionalCertification ? "1" : "0",
  ];
}

function verraPrefix(s: VerraSerialLayout): string {
  return [s.issuanceBatch, ...verraTail(s)].join("-");
}

export function formatVerraSerial(s: VerraSerialLayout): string {
  return [s.issuanceBatch, s.blockStart.toString(), s.blockEnd.toString(), ...verraTail(s)].join("-");
}
