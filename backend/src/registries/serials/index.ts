import { ValidationError } from "../../errors";
import type { RegistryName } from "../ids";
import { formatGoldStandardSerial, parseGoldStandardSerial, type GoldStandardSerial } from "./goldStandard";
import { formatInCctsSerial, parseInCctsSerial, type InCctsSerial } from "./inCcts";
import { formatIrecSerial, parseIrecSerial, type IrecSerial } from "./irec";
import { formatVerraSerial, parseVerraSerial, type VerraSerial } from "./verra";

export { parseVerraSerial, formatVerraSerial, type VerraSerial } from "./verra";
export { parseGoldStandardSerial, formatGoldStandardSerial, type GoldStandardSerial } from "./goldStandard";
export { parseInCctsSerial, formatInCctsSerial, type InCctsSerial } from "./inCcts";
export { parseIrecSerial, formatIrecSerial, type IrecSerial } from "./irec";
export { serialFieldsToJson, type SerialFields } from "./fields";

export type ParsedSerial = VerraSerial | GoldStandardSerial | InCctsSerial | IrecSerial;

export type ParseSerialParameters = {
  serial: string;
  /** Skip detection. Required for I-REC, whose certificate numbers are opaque and cannot be recognised. */
  registry?: RegistryName | undefined;
};
export type ParseSerialReturnType = ParsedSerial;
export type ParseSerialErrorType = ValidationError;

/**
 * Guesses the registry from the serial's shape. Detection only looks at the start of the serial, so a typo
 * further in (a letter O in the range) is reported by that registry's parser with the field named.
 */
export function detectSerialRegistry(serial: string): RegistryName {
  if (serial.startsWith("CCC-")) return "IN_CCTS";
  if (/^GS[0-9]/.test(serial)) return "GOLD_STANDARD";
  if (/^[0-9]+-/.test(serial) || serial.includes("-VCU-")) return "VERRA";
  throw new ValidationError(
    "serial",
    `${JSON.stringify(serial)} matches no known serial format (Verra, Gold Standard, CCC); ` +
      "I-REC certificate numbers are opaque: pass the registry explicitly",
    { serial },
  );
}

export function parseSerial({ serial, registry }: ParseSerialParameters): ParseSerialReturnType {
  const trimmed = serial.trim();
  switch (registry ?? detectSerialRegistry(trimmed)) {
    case "VERRA":
      return parseVerraSerial(trimmed);
    case "GOLD_STANDARD":
      return parseGoldStandardSerial(trimmed);
    case "IN_CCTS":
      return parseInCctsSerial(trimmed);
    case "IREC":
      return parseIrecSerial(trimmed);
  }
}

/** The serial text for parsed fields; `formatSerial(parseSerial(s)) === s`. Ignores the `serial` field itself. */
export function formatSerial(parsed: ParsedSerial): string {
  switch (parsed.registry) {
    case "VERRA":
      return formatVerraSerial(parsed);
    case "GOLD_STANDARD":
      return formatGoldStandardSerial(parsed);
    case "IN_CCTS":
      return formatInCctsSerial(parsed);
    case "IREC":
      return formatIrecSerial(parsed);
  }
}

/** The same batch with another unit range: every other field unchanged, serial and quantity recomputed. */
export function withRange(parsed: ParsedSerial, blockStart: bigint, blockEnd: bigint): ParsedSerial {
  if (parsed.registry === "IREC") {
    throw new ValidationError("registry", "I-REC certificate numbers carry no range to change");
  }
  return parseSerial({ serial: formatSerial({ ...parsed, blockStart, blockEnd }), registry: parsed.registry });
}
