/**
 * VEE validation speed (`npm run bench:vee`): `validateReadings` over a plant-year of one-minute readings on
 * several meters (3,153,600 = 525,600 × 6, with 1 % seeded negative values), parsing included, in memory. Issue 17's MRV
 * benchmark needs ≥ 200,000 readings/s validated *and stored*; this measures the validation alone, which must be
 * far faster (millions/s) to leave the time to COPY. The stored figure comes with the MRV storage stage.
 *
 * Writes bench/results/vee.json. Env: BENCH_METERS (default 6), BENCH_RUNS (3).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type MeterConfig, type Reading, validateReadings } from "../backend/src/mrv";
import { machineInfo } from "./results";

const METERS = Number(process.env.BENCH_METERS ?? 6);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PER_METER = 525_600;
const T0 = Date.parse("2025-03-31T18:30:00Z"); // 2025-04-01 00:00 IST

const pad = (n: number) => String(n).padStart(2, "0");
function ist(ms: number): string {
  const d = new Date(ms + 330 * 60_000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${date}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00+05:30`;
}

function readings(): Reading[] {
  const out: Reading[] = [];
  let seed = 11;
  for (let m = 0; m < METERS; m++) {
    let start = ist(T0);
    for (let i = 0; i < PER_METER; i++) {
      const end = ist(T0 + (i + 1) * 60_000);
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const x = Math.floor(seed / 65_536); // the high bits: an LCG's low bits cycle quickly
      const fault = x % 100 === 0;
      const noise = x % 5000; // 100.00 .. 149.99 kWh, written as exact decimal text
      const value = fault ? "-999.5" : `${100 + Math.floor(noise / 100)}.${String(noise % 100).padStart(2, "0")}`;
      out.push({ meterId: `M${m}`, start, end, value, unit: "kWh", quality: "A" });
      start = end;
    }
  }
  return out;
}

function main(): void {
  const data = readings();
  const meters: MeterConfig[] = Array.from({ length: METERS }, (_, m) => ({
    meterId: `M${m}`,
    unit: "kWh",
    intervalMinutes: 1,
    timeZone: "Asia/Kolkata",
  }));
  const runs: number[] = [];
  const cpu: number[] = [];
  let flags = 0;
  for (let r = 0; r < RUNS; r++) {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    flags = validateReadings(data, meters).flags.length;
    runs.push(Number(process.hrtime.bigint() - t) / 1e9);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1e6);
  }
  const best = Math.min(...runs);
  const result = {
    readings: data.length,
    seconds: Number(best.toFixed(4)),
    runs: runs.map((x) => Number(x.toFixed(4))),
    readingsPerSec: Math.round(data.length / best),
    cpuSeconds: Number(Math.min(...cpu).toFixed(4)),
    readingsPerCpuSec: Math.round(data.length / Math.min(...cpu)),
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
    flags,
    note: "validation only, in memory (best of runs): parsing, units, time zone, order, duplicates/gaps/overlaps, interval " +
      "size, values, Hampel spikes; storage is measured by bench:mrv in the MRV storage stage",
    machine: machineInfo(),
  };
  const file = path.join(__dirname, "results", "vee.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

main();
