import type { SerialFields } from "./fields";
import { fail } from "./fields";

/**
 * I-REC certificate numbers are opaque (their format is uncertain, REGISTRIES.md): we only check that the text is
 * a single printable token and keep it verbatim. Nothing is derived from it; ranges come from the API
 * (`start_cert_num`, `end_cert_num`, `volume`).
 */
export type IrecSerial = SerialFields & { registry: "IREC"; unitType: "I-REC(E)" };

export function parseIrecSerial(serial: string): IrecSerial {
  if (!/^[\x21-\x7e]{1,200}$/.test(serial)) {
    fail("serial", serial, "is not a certificate number (1 to 200 printable characters, no spaces)", serial);
  }
  return { registry: "IREC", serial, serialPrefix: serial, unitType: "I-REC(E)" };
}

export function formatIrecSerial(s: Pick<IrecSerial, "serial">): string {
  return s.serial;
}
