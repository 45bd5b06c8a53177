/** Shared by the gas benchmarks: gas of one transaction, and the read-modify-write of `bench/results/gas.json`. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

type Receipt = { gasUsed: bigint } | null;

/** Whole-transaction gasUsed from the receipt (21,000 base and calldata included). */
export async function gasOf(tx: Promise<{ wait(): Promise<Receipt> }>): Promise<number> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("no receipt");
  return Number(receipt.gasUsed);
}

/** The machine the figures were measured on. */
export function machineInfo(): { cpus: number; cpuModel: string; platform: string; node: string } {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
  };
}

/** Merges `sections` into `bench/results/gas.json`, leaving every other key alone. */
export function mergeGasResults(sections: Record<string, unknown>): void {
  const file = path.join(__dirname, "results", "gas.json");
  const previous: Record<string, unknown> = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>)
    : {};
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ ...previous, ...sections }, null, 2)}\n`);
}
