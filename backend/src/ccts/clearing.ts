/**
 * Uniform-price clearing of one CCC session: the closed double-sided auction every Indian certificate market runs
 * (REC, ESCerts, DAM; issue 18 "Exchange connectivity"; DOMAIN_NOTES.md §1.5, §1.9).
 *
 * ## Book
 * `floorPrice ≤ forbearancePrice`, `tick > 0` (INR, decimals), optional `minQuantity` (whole certificates,
 * default 1: the REC contract's minimum bid), and bids `{id, side: "buy"|"sell", price, quantity}`. A malformed book
 * (missing or mistyped fields, duplicate id, unknown side) is a ValidationError naming the field. A well-formed bid
 * that breaks an exchange rule is accepted into the book file but rejected from the auction, with its reason:
 * - `band`: price < floor or price > forbearance;
 * - `tick`: price not a whole multiple of the tick;
 * - `quantity`: quantity not a whole number of certificates, or below minQuantity.
 *
 * ## Clearing price (MCP) and volume (MCV)
 * A buy bid at price b takes any price π ≤ b; a sell bid at price s takes any π ≥ s. On the tick grid inside the
 * band, D(π) = Σ quantity of buys with b ≥ π, S(π) = Σ quantity of sells with s ≤ π, V(π) = min(D, S), imbalance
 * I(π) = |D − S|.
 *   1. Keep the prices maximising V.
 *   2. Among them keep those minimising I.
 *   3. They form one contiguous range [lo, hi] (V is unimodal and I quasi-convex in π); MCP = the midpoint
 *      (lo + hi) / 2 rounded down to the tick. MCV = V(MCP).
 *   If the best V is 0 (no buy at or above a sell; a one-sided or empty book): no cross, MCP null, MCV 0.
 * The search visits each distinct bid price and each gap between neighbouring prices once (V and I are constant
 * on a gap), so a session costs one sort of the distinct prices.
 *
 * ## Allocation at the MCP (whole certificates)
 * The short side (S if S(MCP) < D(MCP), else D) clears every bid that takes the MCP in full. The long side fills
 * MCV by price priority (buys from the highest price down, sells from the lowest up): levels better than the
 * marginal level clear in full; the marginal level (the first one that does not fit whole) shares what is left, R,
 * pro rata to quantity: bid i gets ⌊R × q_i / Q⌋, and the R − Σ⌊…⌋ units left over go one each to the bids with
 * the largest fractional parts (R × q_i mod Q), ties to the bid earlier in the book (the exchange's bid-entry
 * order): Hamilton's largest-remainder method. Levels behind the marginal one get 0. With D = S every taking bid
 * clears in full. Every accepted bid appears in `cleared`, with 0 when it did not clear.
 *
 * Prices are integers of 10^-d INR (d = the most fraction digits among tick, floor and forbearance); quantities
 * integers; float64 holds both exactly (checked limits); remainders in bigint. No float arithmetic on money.
 */
import { ValidationError } from "../errors";
import { parseDecimal, parseScaledNumber, scaledString } from "../mrv";

export type Bid = { id: string; side: "buy" | "sell"; price: string | number; quantity: string | number };
export type Book = {
  floorPrice: string | number;
  forbearancePrice: string | number;
  tick: string | number;
  minQuantity?: string | number;
  bids: Bid[];
};
export type Rejection = { id: string; reason: "band" | "tick" | "quantity"; message: string };
export type ClearingResult = {
  mcp: string | null;
  mcv: string;
  cleared: { [id: string]: string };
  rejected: string[];
  rejections: Rejection[];
};

const MAX_QUANTITY = 1e12;

function fractionDigits(text: string): number {
  const point = text.indexOf(".");
  return point < 0 ? 0 : text.length - point - 1 - (/0+$/.exec(text.slice(point + 1))?.[0].length ?? 0);
}

function quantityOf(field: string, value: unknown): number | "fraction" | "non-positive" {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0 && value <= MAX_QUANTITY) return value; // fast paths
  if (typeof value === "string" && /^[1-9]\d{0,11}$/.test(value)) return Number(value);
  const d = parseDecimal(field, value);
  if (!d.isInteger()) return "fraction";
  if (d.lessThanOrEqualTo(0)) return "non-positive";
  if (d.greaterThan(MAX_QUANTITY)) throw new ValidationError(field, `must be at most ${MAX_QUANTITY}`);
  return d.toNumber();
}

type Parsed = {
  ids: string[];
  sides: Uint8Array;
  prices: Float64Array;
  quantities: Float64Array;
  accepted: number[];
  scale: number;
  rejections: Rejection[];
};

/** The session's price band, tick and minimum quantity, in units of 10^-scale. */
type SessionTerms = {
  scale: number;
  floor: number;
  forbearance: number;
  tick: number;
  minQ: number;
  text: { floor: string; forbearance: string; tick: string };
};

function sessionTerms(b: Record<string, unknown>): SessionTerms {
  const floorD = parseDecimal("floorPrice", b.floorPrice);
  const forbD = parseDecimal("forbearancePrice", b.forbearancePrice);
  const tickD = parseDecimal("tick", b.tick);
  if (floorD.isNegative()) throw new ValidationError("floorPrice", "must not be negative");
  if (forbD.lessThan(floorD)) throw new ValidationError("forbearancePrice", "must not be below floorPrice");
  if (tickD.lessThanOrEqualTo(0)) throw new ValidationError("tick", "must be greater than zero");
  const scale = Math.max(fractionDigits(floorD.toFixed()), fractionDigits(forbD.toFixed()), fractionDigits(tickD.toFixed()));
  const units = (d: typeof tickD, field: string) => {
    const n = parseScaledNumber(d.toFixed(), scale);
    if (Number.isNaN(n)) throw new ValidationError(field, "is too large");
    return n;
  };
  const floor = units(floorD, "floorPrice");
  const forbearance = units(forbD, "forbearancePrice");
  const tick = units(tickD, "tick");
  const minQ = b.minQuantity === undefined ? 1 : quantityOf("minQuantity", b.minQuantity);
  if (typeof minQ !== "number") throw new ValidationError("minQuantity", "must be a positive whole number");
  const text = { floor: floorD.toFixed(), forbearance: forbD.toFixed(), tick: tickD.toFixed() };
  return { scale, floor, forbearance, tick, minQ, text };
}

type ParsedBid = { id: string; side: number; price: number; quantity: number; rejection: Rejection | undefined };

/** One bid: malformed ones throw (the book is refused); well-formed ones off the tick, band or quantity rules are rejected. */
function parseBid(value: unknown, i: number, terms: SessionTerms, seen: Set<string>): ParsedBid {
  const bid = value as Record<string, unknown> | null;
  if (typeof bid !== "object" || bid === null) throw new ValidationError(`bids.${i}`, "must be an object");
  const id = bid.id;
  if (typeof id !== "string" || id === "") throw new ValidationError(`bids.${i}.id`, "must be a non-empty string");
  if (seen.has(id)) throw new ValidationError(`bids.${i}.id`, `duplicate id ${JSON.stringify(id)}`);
  seen.add(id);
  if (bid.side !== "buy" && bid.side !== "sell")
    throw new ValidationError(`bids.${i}.side`, `must be "buy" or "sell", got ${JSON.stringify(bid.side)}`);
  let price = parseScaledNumber(bid.price, terms.scale);
  if (Number.isNaN(price)) {
    parseDecimal(`bids.${i}.price`, bid.price); // throws for a non-number; a valid one has finer digits than the tick
    price = Number.NaN;
  }
  const q = quantityOf(`bids.${i}.quantity`, bid.quantity);
  const side = bid.side === "buy" ? 1 : 0;
  const rejection = priceRejection(id, bid.price, price, terms) ?? quantityRejection(id, bid.quantity, q, terms.minQ);
  return { id, side, price, quantity: typeof q === "number" ? q : 0, rejection };
}

function quantityRejection(id: string, given: unknown, q: ReturnType<typeof quantityOf>, minQ: number): Rejection | undefined {
  if (typeof q !== "number")
    return { id, reason: "quantity", message: `quantity ${String(given)} is not a positive whole number of certificates` };
  if (q < minQ) return { id, reason: "quantity", message: `quantity ${q} is below the minimum ${minQ}` };
  return undefined;
}

function priceRejection(id: string, given: unknown, price: number, terms: SessionTerms): Rejection | undefined {
  if (Number.isNaN(price) || price % terms.tick !== 0)
    return { id, reason: "tick", message: `price ${String(given)} is not a multiple of the tick ${terms.text.tick}` };
  if (price < terms.floor || price > terms.forbearance)
    return { id, reason: "band", message: `price ${String(given)} is outside [${terms.text.floor}, ${terms.text.forbearance}]` };
  return undefined;
}

function parseBook(book: unknown): Parsed & { floor: number; forbearance: number; tick: number } {
  if (typeof book !== "object" || book === null) throw new ValidationError("book", "must be a JSON object");
  const b = book as Record<string, unknown>;
  const terms = sessionTerms(b);
  if (!Array.isArray(b.bids)) throw new ValidationError("bids", "must be an array");
  const n = b.bids.length;
  const parsed: Parsed = {
    ids: new Array(n),
    sides: new Uint8Array(n),
    prices: new Float64Array(n),
    quantities: new Float64Array(n),
    accepted: [],
    scale: terms.scale,
    rejections: [],
  };
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const bid = parseBid(b.bids[i], i, terms, seen);
    parsed.ids[i] = bid.id;
    parsed.sides[i] = bid.side;
    if (bid.rejection !== undefined) {
      parsed.rejections.push(bid.rejection);
    } else {
      parsed.prices[i] = bid.price;
      parsed.quantities[i] = bid.quantity;
      parsed.accepted.push(i);
    }
  }
  return { ...parsed, floor: terms.floor, forbearance: terms.forbearance, tick: terms.tick };
}

type Level = { price: number; buy: number; sell: number; buyers: number[]; sellers: number[] };

/** Clears one session book: see the module doc. Pure and deterministic. */
export function clearSession(book: unknown): ClearingResult {
  const p = parseBook(book);
  const cleared: { [id: string]: string } = {};
  const allocation = new Float64Array(p.ids.length);
  const levels = new Map<number, Level>();
  for (const i of p.accepted) {
    const price = p.prices[i] as number;
    let level = levels.get(price);
    if (level === undefined) {
      level = { price, buy: 0, sell: 0, buyers: [], sellers: [] };
      levels.set(price, level);
    }
    if (p.sides[i] === 1) {
      level.buy += p.quantities[i] as number;
      level.buyers.push(i); // input order within a level
    } else {
      level.sell += p.quantities[i] as number;
      level.sellers.push(i);
    }
  }
  const sorted = [...levels.values()].sort((a, b) => a.price - b.price);
  const best = bestRange(sorted, p.tick);
  let mcp: number | null = null;
  let mcv = 0;
  if (best !== undefined) {
    mcp = Math.floor((best.lo + best.hi) / 2 / p.tick) * p.tick;
    let D = 0;
    let S = 0;
    for (const level of sorted) {
      if (level.price >= mcp) D += level.buy;
      if (level.price <= mcp) S += level.sell;
    }
    if (!Number.isSafeInteger(D) || !Number.isSafeInteger(S)) throw new ValidationError("bids", "total quantity is too large");
    mcv = Math.min(D, S);
    // buys by price priority: highest first; sells: lowest first. The short side's takers total mcv: all fill.
    const buyLevels = sorted.filter((l) => l.price >= (mcp as number) && l.buyers.length > 0).reverse();
    const sellLevels = sorted.filter((l) => l.price <= (mcp as number) && l.sellers.length > 0);
    allocate(
      p,
      buyLevels.map((l) => l.buyers),
      mcv,
      allocation,
    );
    allocate(
      p,
      sellLevels.map((l) => l.sellers),
      mcv,
      allocation,
    );
  }
  for (const i of p.accepted) cleared[p.ids[i] as string] = String(allocation[i]);
  return {
    mcp: mcp === null ? null : scaledString(BigInt(mcp), p.scale),
    mcv: String(mcv),
    cleared,
    rejected: p.rejections.map((r) => r.id),
    rejections: p.rejections,
  };
}

/** The [lo, hi] price range maximising V then minimising I, or undefined when nothing crosses. */
function bestRange(levels: readonly Level[], tick: number): { lo: number; hi: number } | undefined {
  const k = levels.length;
  const buyAtOrAbove = new Float64Array(k + 1);
  for (let j = k - 1; j >= 0; j--) buyAtOrAbove[j] = (buyAtOrAbove[j + 1] as number) + (levels[j] as Level).buy;
  let sellAtOrBelow = 0;
  let bestV = 0;
  let bestI = Infinity;
  let lo = 0;
  let hi = 0;
  const consider = (v: number, d: number, s: number, from: number, to: number) => {
    const imbalance = Math.abs(d - s);
    if (v > bestV || (v === bestV && imbalance < bestI)) {
      bestV = v;
      bestI = imbalance;
      lo = from;
      hi = to;
    } else if (v === bestV && imbalance === bestI) {
      lo = Math.min(lo, from);
      hi = Math.max(hi, to);
    }
  };
  for (let j = 0; j < k; j++) {
    const level = levels[j] as Level;
    sellAtOrBelow += level.sell;
    const d = buyAtOrAbove[j] as number;
    consider(Math.min(d, sellAtOrBelow), d, sellAtOrBelow, level.price, level.price);
    const next = levels[j + 1];
    if (next !== undefined && next.price - level.price > tick) {
      const dGap = buyAtOrAbove[j + 1] as number;
      consider(Math.min(dGap, sellAtOrBelow), dGap, sellAtOrBelow, level.price + tick, next.price - tick);
    }
  }
  return bestV > 0 ? { lo, hi } : undefined;
}

/** Fills `volume` from `levels` (in price priority) in full, pro rata at the marginal level (module doc). */
function allocate(p: Parsed, levels: readonly number[][], volume: number, out: Float64Array): void {
  let left = volume;
  for (const level of levels) {
    if (left === 0) break;
    let levelQ = 0;
    for (const i of level) levelQ += p.quantities[i] as number;
    if (levelQ <= left) {
      for (const i of level) out[i] = p.quantities[i] as number;
      left -= levelQ;
    } else {
      proRata(p, level, left, levelQ, out);
      left = 0;
    }
  }
}

function proRata(p: Parsed, level: readonly number[], rest: number, levelQ: number, out: Float64Array): void {
  const R = BigInt(rest);
  const Q = BigInt(levelQ);
  let given = 0n;
  const remainders: { i: number; rem: bigint }[] = [];
  for (const i of level) {
    const share = R * BigInt(p.quantities[i] as number);
    const whole = share / Q;
    out[i] = Number(whole);
    given += whole;
    remainders.push({ i, rem: share % Q });
  }
  remainders.sort((a, b) => (a.rem > b.rem ? -1 : a.rem < b.rem ? 1 : a.i - b.i));
  for (let u = 0n; u < R - given; u++) {
    const r = remainders[Number(u)] as { i: number };
    out[r.i] = (out[r.i] as number) + 1;
  }
}
