import { expect } from "chai";
import { type Bid, clearSession } from "../../../backend/src/ccts";
import { ValidationError } from "../../../backend/src/errors";

const buy = (id: string, price: string | number, quantity: number): Bid => ({ id, side: "buy", price, quantity });
const sell = (id: string, price: string | number, quantity: number): Bid => ({ id, side: "sell", price, quantity });
const book = (bids: Bid[], extra: Record<string, unknown> = {}) => ({
  floorPrice: "0",
  forbearancePrice: "2000",
  tick: "1",
  bids,
  ...extra,
});

describe("ccts session clearing (hand-computed books)", () => {
  it("takes the midpoint of a range of equal volume and imbalance, rounded down to the tick", () => {
    // V = 100 for every π in [8, 10], I = 0 throughout: midpoint 9
    expect(clearSession(book([buy("b", 10, 100), sell("s", 8, 100)]))).to.deep.include({
      mcp: "9",
      mcv: "100",
      cleared: { b: "100", s: "100" },
    });
    // [8, 11]: midpoint 9.5 rounded down to 9
    expect(clearSession(book([buy("b", 11, 100), sell("s", 8, 100)])).mcp).to.equal("9");
  });

  it("breaks a volume tie by least imbalance", () => {
    // D = 100 at ≤ 10; S(8) = 60, S(9) = 100, S(10) = 150. V = 100 at 9 and 10; I = 0 at 9, 50 at 10 → MCP 9
    const r = clearSession(book([buy("b1", 10, 100), sell("s1", 8, 60), sell("s2", 9, 40), sell("s3", 10, 50)]));
    expect(r).to.deep.include({ mcp: "9", mcv: "100" });
    expect(r.cleared).to.deep.equal({ b1: "100", s1: "60", s2: "40", s3: "0" });
  });

  it("fills better-priced levels in full and shares the marginal level of the long side pro rata, remainders by largest " +
    "fraction", () => {
    // buys: 10 @ 12, then 5 + 3 + 1 @ 10; sells 15 @ 10 → MCP 10, MCV 15, long side buy.
    // b1 full (10); 5 left for Q = 9: 25/9 = 2 r 7, 15/9 = 1 r 6, 5/9 = 0 r 5 → floors 3, two units left → b2, b3
    const r = clearSession(book([buy("b1", 12, 10), buy("b2", 10, 5), buy("b3", 10, 3), buy("b4", 10, 1), sell("s1", 10, 15)]));
    expect(r).to.deep.include({ mcp: "10", mcv: "15" });
    expect(r.cleared).to.deep.equal({ b1: "10", b2: "3", b3: "2", b4: "0", s1: "15" });
  });

  it("gives equal fractional remainders to the bid earlier in the book", () => {
    // 5 units for three bids of 3: 1 r 6/9 each → floors 3, the two extra units to b2 and b3 (book order)
    const r = clearSession(book([buy("b1", 12, 10), buy("b2", 10, 3), buy("b3", 10, 3), buy("b4", 10, 3), sell("s1", 10, 15)]));
    expect(r.cleared).to.deep.include({ b2: "2", b3: "2", b4: "1" });
  });

  it("rations the sell side when it is long", () => {
    const r = clearSession(book([sell("s1", 9, 50), sell("s2", 9, 30), sell("s0", 5, 10), buy("b1", 9, 50)]));
    // S(9) = 90 > D(9) = 50: s0 (better, 5) full 10, then 40 for Q = 80 at 9: 25 and 15
    expect(r).to.deep.include({ mcp: "9", mcv: "50" });
    expect(r.cleared).to.deep.equal({ s1: "25", s2: "15", s0: "10", b1: "50" });
  });

  it("clears a book where every bid is at one price", () => {
    const r = clearSession(book([buy("b1", 100, 30), buy("b2", 100, 20), sell("s1", 100, 40)]));
    expect(r).to.deep.include({ mcp: "100", mcv: "40", cleared: { b1: "24", b2: "16", s1: "40" } });
  });

  it("rejects bids outside the band, off the tick or below the minimum quantity, and still lists accepted ones", () => {
    const r = clearSession(
      book(
        [
          buy("low", 99, 10),
          buy("high", 201, 10),
          buy("offtick", "150.5", 10),
          buy("zero", 150, 0),
          buy("frac", 150, 2.5),
          buy("small", 150, 9),
          buy("ok", 150, 10),
        ],
        {
          floorPrice: 100,
          forbearancePrice: "200",
          minQuantity: 10,
        },
      ),
    );
    expect(r.rejected).to.deep.equal(["low", "high", "offtick", "zero", "frac", "small"]);
    expect(r.rejections.map((x) => x.reason)).to.deep.equal(["band", "band", "tick", "quantity", "quantity", "quantity"]);
    expect(r).to.deep.include({ mcp: null, mcv: "0", cleared: { ok: "0" } });
  });

  it("has no MCP when nothing crosses, and for a one-sided or empty book", () => {
    expect(clearSession(book([buy("b", 8, 100), sell("s", 9, 100)]))).to.deep.equal({
      mcp: null,
      mcv: "0",
      cleared: { b: "0", s: "0" },
      rejected: [],
      rejections: [],
    });
    expect(clearSession(book([buy("b1", 8, 100), buy("b2", 9, 1)]))).to.deep.include({ mcp: null, mcv: "0" });
    expect(clearSession(book([]))).to.deep.include({ mcp: null, mcv: "0", cleared: {} });
  });

  it("works on a decimal tick", () => {
    const r = clearSession({
      floorPrice: "0",
      forbearancePrice: "10",
      tick: "0.5",
      bids: [buy("b", "7.5", 10), sell("s", "6.5", 10), buy("x", "7.25", 1)],
    });
    expect(r).to.deep.include({ mcp: "7", mcv: "10", rejected: ["x"] }); // [6.5, 7.5] → 7.0
  });

  it("refuses a malformed book naming the field", () => {
    expect(() => clearSession(book([{ id: "b", side: "hold" as never, price: 1, quantity: 1 }]))).to.throw(
      ValidationError,
      /^bids\.0\.side:/,
    );
    expect(() => clearSession(book([buy("a", 1, 1), buy("a", 2, 1)]))).to.throw(
      ValidationError,
      /^bids\.1\.id: duplicate id "a"/,
    );
    expect(() => clearSession(book([buy("a", "ten", 1)]))).to.throw(ValidationError, /^bids\.0\.price:/);
    expect(() => clearSession({ ...book([]), tick: undefined })).to.throw(ValidationError, /^tick: is required/);
    expect(() => clearSession({ ...book([]), floorPrice: "10", forbearancePrice: "5" })).to.throw(
      ValidationError,
      /^forbearancePrice:/,
    );
    expect(() => clearSession({ ...book([]), tick: "0" })).to.throw(ValidationError, /^tick:/);
  });

  it("matches a brute-force search over every tick price on random books", () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const bids = Array.from({ length: 1 + rnd(12) }, (_, i) => ({
        id: `x${i}`,
        side: rnd(2) ? ("buy" as const) : ("sell" as const),
        price: 10 + rnd(10),
        quantity: 1 + rnd(20),
      }));
      const r = clearSession({ floorPrice: 10, forbearancePrice: 19, tick: 1, bids });
      let best = { v: 0, i: Infinity, lo: 0, hi: 0 };
      for (let p = 10; p <= 19; p++) {
        const d = bids.filter((b) => b.side === "buy" && b.price >= p).reduce((s, b) => s + b.quantity, 0);
        const s = bids.filter((b) => b.side === "sell" && b.price <= p).reduce((t, b) => t + b.quantity, 0);
        const v = Math.min(d, s);
        const i = Math.abs(d - s);
        if (v > best.v || (v === best.v && i < best.i)) best = { v, i, lo: p, hi: p };
        else if (v === best.v && i === best.i) best.hi = p;
      }
      expect(r.mcv, JSON.stringify(bids)).to.equal(String(best.v));
      expect(r.mcp, JSON.stringify(bids)).to.equal(best.v === 0 ? null : String(Math.floor((best.lo + best.hi) / 2)));
      const buys = bids.filter((b) => b.side === "buy").reduce((s, b) => s + Number(r.cleared[b.id]), 0);
      const sells = bids.filter((b) => b.side === "sell").reduce((s, b) => s + Number(r.cleared[b.id]), 0);
      expect([buys, sells]).to.deep.equal([best.v, best.v]);
      for (const b of bids) expect(Number(r.cleared[b.id])).to.be.within(0, b.quantity);
    }
  });
});
