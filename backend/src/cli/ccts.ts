import fs from "node:fs";
import { Command } from "commander";
import { assess, clearSession } from "../ccts";
import { ValidationError } from "../errors";
import { canonicalJson, sha256Hex } from "../mrv";

/** Reads and parses a JSON file; errors name the file. Returns the parsed value and the bytes' SHA-256. */
function readJson(file: string): { value: unknown; sha256: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new ValidationError(file, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return { value: JSON.parse(bytes.toString("utf8")), sha256: sha256Hex(bytes) };
  } catch (error) {
    throw new ValidationError(file, `not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * `carbon ccts assess <input.json> [--json]`: one entity-year's GEI, CCC issuable or shortfall and environmental
 * compensation (backend/src/ccts/assess.ts). `carbon ccts clear <book.json> [--json]`: one session's uniform-price
 * clearing (backend/src/ccts/clearing.ts). `--json` prints canonical JSON (sorted keys, decimal strings): the same
 * input gives the same bytes. Bad input exits 1 with a message naming the field.
 */
export function cctsCommand(): Command {
  const ccts = new Command("ccts").description("India CCTS: compliance assessment and session clearing");
  ccts
    .command("assess")
    .description("Assess one entity-year against its GEI target")
    .argument("<input>", "assessment input (JSON)")
    .option("--json", "print canonical JSON")
    .action((file: string, options: { json?: boolean }) => {
      const { value, sha256 } = readJson(file);
      const result = assess(value, { inputSha256: sha256 });
      if (options.json) {
        process.stdout.write(`${canonicalJson(result)}\n`);
        return;
      }
      const emissions = result.emissions as Record<string, string>;
      const lines = [
        `${String(result.entity)} (${String(result.sector)}), ${String(result.complianceYear)}`,
        `  emissions     ${emissions.totalTco2e} tCO2e (fuels ${emissions.fuelsTco2e}, scope 2 ${emissions.scope2Tco2e}, other ` +
          `${emissions.otherEmissionsTco2e})`,
        `  GEI           ${String(result.gei)} tCO2e/t (target ${String(result.targetGei)}, baseline ` +
          `${String(result.baselineGei)})`,
        `  CCC issuable  ${String(result.cccIssuable)}`,
        `  shortfall     ${String(result.shortfall)}`,
      ];
      if (result.environmentalCompensationInr !== undefined)
        lines.push(`  EC            INR ${String(result.environmentalCompensationInr)}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    });
  ccts
    .command("clear")
    .description("Clear one session book at a uniform price")
    .argument("<book>", "session book (JSON: floorPrice, forbearancePrice, tick, bids)")
    .option("--json", "print canonical JSON")
    .action((file: string, options: { json?: boolean }) => {
      const result = clearSession(readJson(file).value);
      if (options.json) {
        process.stdout.write(`${canonicalJson(result)}\n`);
        return;
      }
      const cleared = Object.entries(result.cleared).filter(([, q]) => q !== "0").length;
      process.stdout.write(
        `MCP ${result.mcp ?? "none (no cross)"}, MCV ${result.mcv}; ${cleared} bids cleared, ${result.rejected.length} ` +
          `rejected\n` +
          result.rejections.map((r) => `  rejected ${r.id}: ${r.reason}: ${r.message}\n`).join(""),
      );
    });
  return ccts;
}
