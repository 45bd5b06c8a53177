import { Command, Option } from "commander";
import { REGISTRY_CLI_NAMES } from "../registries/ids";
import { parseSerial, serialFieldsToJson } from "../registries/serials";

/** `carbon serial parse <serial> [--registry ...]`: prints the canonical fields as JSON (bigints as strings). */
export function serialCommand(): Command {
  const serial = new Command("serial").description("Registry serial numbers");
  serial
    .command("parse")
    .description("Parse a serial number into canonical fields (format auto-detected unless --registry is given)")
    .argument("<serial>", "the serial as the registry prints it")
    .addOption(new Option("--registry <registry>", "registry format").choices(Object.keys(REGISTRY_CLI_NAMES)))
    .action((text: string, options: { registry?: string }) => {
      const registry = options.registry === undefined ? undefined : REGISTRY_CLI_NAMES[options.registry];
      const parsed = parseSerial({ serial: text, registry });
      process.stdout.write(`${JSON.stringify(serialFieldsToJson(parsed), null, 2)}\n`);
    });
  return serial;
}
