import { Command, Option } from "commander";
import type { RegistryName } from "../registries/ids";
import { parseSerial, serialFieldsToJson } from "../registries/serials";

const REGISTRY_OPTIONS: Record<string, RegistryName> = {
  verra: "VERRA",
  "gold-standard": "GOLD_STANDARD",
  "in-ccts": "IN_CCTS",
  irec: "IREC",
};

/** `carbon serial parse <serial> [--registry ...]`: prints the canonical fields as JSON (bigints as strings). */
export function serialCommand(): Command {
  const serial = new Command("serial").description("Registry serial numbers");
  serial
    .command("parse")
    .description("Parse a serial number into canonical fields (format auto-detected unless --registry is given)")
    .argument("<serial>", "the serial as the registry prints it")
    .addOption(new Option("--registry <registry>", "registry format").choices(Object.keys(REGISTRY_OPTIONS)))
    .action((text: string, options: { registry?: string }) => {
      const registry = options.registry === undefined ? undefined : REGISTRY_OPTIONS[options.registry];
      const parsed = parseSerial({ serial: text, registry });
      process.stdout.write(`${JSON.stringify(serialFieldsToJson(parsed), null, 2)}\n`);
    });
  return serial;
}
