/**
 * Spike detection with the Hampel filter (Hampel 1974; Pearson 2002), on one meter's series in time order:
 *
 *   for each point x_i, W_i = the 2k+1 points around it (shifted inward at the ends of the series)
 *   m_i   = median(W_i)
 *   MAD_i = median(|x_j − m_i| for x_j in W_i)
 *   S_i   = max(1.4826 × MAD_i, f × |m_i|)   (1.4826 makes MAD a consistent estimator of σ for normal data;
 *                                          f, the relative floor, default 0.05, keeps quantised or steady data
 *                                          (MAD = 0) from flagging every ordinary step: f = 0 is the textbook filter)
 *   spike ⇔ |x_i − m_i| > t × S_i  and  |x_i − m_i| > minDeviation
 *
 * Values are integer micro-units below 2^52 (readings.ts), so medians and absolute deviations are exact in
 * float64. The final comparison, whose products can exceed 2^53, is decided in bigint whenever the float
 * comparison is within 1e-9 of the boundary, so the verdict is exact. t and minDeviation
 * are decimal strings (t at 4 fraction digits, minDeviation at the value scale).
 */
import { parseScaled } from "../decimal";
import { VALUE_SCALE, type ReadingTable } from "./readings";

export type SpikeSettings = { halfWindow: number; thresholdScaled: bigint; minDeviation: bigint; floorScaled: bigint };
export type Spike = { index: number; median: number; deviation: number; scaledMad: string };

const T_SCALE = 4;
const CONSISTENCY = 14826n; // 1.4826 at 4 fraction digits

export function spikeSettings(
  field: string,
  spike: { halfWindow?: number; threshold?: string; minDeviation?: string; relativeFloor?: string } | undefined,
): SpikeSettings {
  const halfWindow = spike?.halfWindow ?? 3;
  const threshold = parseScaled(spike?.threshold ?? "3", T_SCALE);
  const minDeviation = parseScaled(spike?.minDeviation ?? "0", VALUE_SCALE);
  const floor = parseScaled(spike?.relativeFloor ?? "0.05", T_SCALE);
  if (floor === undefined || floor < 0n)
    throw new RangeError(`${field}.relativeFloor must be a non-negative decimal (at most 4 fraction digits)`);
  if (!Number.isInteger(halfWindow) || halfWindow < 1 || halfWindow > 50)
    throw new RangeError(`${field}.halfWindow must be an integer 1..50`);
  if (threshold === undefined || threshold <= 0n)
    throw new RangeError(`${field}.threshold must be a positive decimal (at most 4 fraction digits)`);
  if (minDeviation === undefined || minDeviation < 0n)
    throw new RangeError(`${field}.minDeviation must be a non-negative decimal`);
  return { halfWindow, thresholdScaled: threshold, minDeviation, floorScaled: floor };
}

function medianOf(buf: Float64Array, len: number): number {
  // insertion sort: windows are small (2k+1 ≤ 101)
  for (let i = 1; i < len; i++) {
    const v = buf[i] as number;
    let j = i - 1;
    while (j >= 0 && (buf[j] as number) > v) {
      buf[j + 1] = buf[j] as number;
      j--;
    }
    buf[j + 1] = v;
  }
  return buf[len >> 1] as number;
}

/** Spikes in `order` (indices in time order). Needs at least 2k+1 points; fewer gives no verdicts. */
export function hampelSpikes(table: ReadingTable, order: Int32Array, settings: SpikeSettings): Spike[] {
  const { halfWindow: k, thresholdScaled, minDeviation, floorScaled } = settings;
  const width = 2 * k + 1;
  const n = order.length;
  if (n < width) return [];
  const x = table.value;
  const win = new Float64Array(width);
  const dev = new Float64Array(width);
  const tFloat = Number(thresholdScaled) / 10 ** T_SCALE;
  const fFloat = Number(floorScaled) / 10 ** T_SCALE;
  const minDev = Number(minDeviation);
  const spikes: Spike[] = [];
  for (let p = 0; p < n; p++) {
    const from = Math.min(Math.max(p - k, 0), n - width);
    for (let w = 0; w < width; w++) win[w] = x[order[from + w] as number] as number;
    const median = medianOf(win, width);
    for (let w = 0; w < width; w++) dev[w] = Math.abs((win[w] as number) - median);
    const mad = medianOf(dev, width);
    const xi = x[order[p] as number] as number;
    const d = Math.abs(xi - median);
    if (d <= minDev) continue;
    const bound = tFloat * Math.max(1.4826 * mad, fFloat * Math.abs(median));
    if (d < bound * (1 - 1e-9)) continue;
    if (d <= bound * (1 + 1e-9) && !exceeds(BigInt(d), BigInt(mad), BigInt(Math.abs(median)), thresholdScaled, floorScaled))
      continue;
    spikes.push({ index: order[p] as number, median, deviation: d, scaledMad: scaledMadText(BigInt(mad)) });
  }
  return spikes;
}

/** d > t × max(1.4826 × MAD, f × |m|), exactly: d × 10^8 > t_scaled × max(14826 × MAD, f_scaled × |m|). */
function exceeds(d: bigint, mad: bigint, absMedian: bigint, tScaled: bigint, fScaled: bigint): boolean {
  const a = CONSISTENCY * mad;
  const b = fScaled * absMedian;
  return d * 100_000_000n > tScaled * (a > b ? a : b);
}

function scaledMadText(mad: bigint): string {
  const v = mad * CONSISTENCY; // micro-units × 10^4
  const whole = v / 10_000_000_000n;
  const frac = (v % 10_000_000_000n).toString().padStart(10, "0").replace(/0+$/, "");
  return frac === "" ? whole.toString() : `${whole}.${frac}`;
}
