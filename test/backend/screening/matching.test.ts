import { expect } from "chai";
import { bandOf, buildScreeningIndex, ScreeningInputError } from "../../../backend/src/screening";
import { embeddedIndex, embeddedLists } from "./fixtures";

describe("screening decisions against the embedded lists (docs/screening.md §4-§8)", function () {
  this.timeout(180_000);
  before(async () => {
    await embeddedIndex();
  });

  it("holds a listed name, with the record: input, normalised form, breakdown, list versions, bands", async () => {
    const index = await embeddedIndex();
    const decision = index.screenName({ name: "Hassan Nasrallah", type: "person" }, new Date("2026-03-01T00:00:00Z"));
    expect(decision.decision).to.equal("hold");
    const top = decision.candidates[0];
    expect(top).to.include({ list: "ofac-sdn", id: "2686", name: "NASRALLAH, Hasan", band: "hold" });
    expect(top?.breakdown.pairs.map((pair) => [pair.query, pair.listed])).to.have.deep.members([
      ["hassan", "hasan"],
      ["nasrallah", "nasrallah"],
    ]);
    expect(decision.score).to.equal(top?.score);
    expect(decision.normalised).to.deep.equal({ folded: "hassan nasrallah", forms: [["hassan", "nasrallah"]], dropped: [] });
    expect(decision.query).to.deep.include({ kind: "name", name: "Hassan Nasrallah", type: "person" });
    expect(decision.lists.map((list) => list.id)).to.deep.equal(["ofac-sdn", "un-consolidated"]);
    expect(decision.lists[0]?.version).to.equal((await embeddedLists())[0]?.version);
    expect(decision.bands).to.deep.equal({ review: 0.8, hold: 0.93 });
    expect(decision.screenedAt).to.equal("2026-03-01T00:00:00.000Z");
  });

  it("matches reordered tokens, dropped legal forms and aliases, and clears an unrelated name with no candidate", async () => {
    const index = await embeddedIndex();
    expect(index.screenName({ name: "Banco Nacional de Cuba S.A.", type: "entity" }).candidates[0]).to.include({
      id: "306",
      band: "hold",
    });
    const alias = index.screenName({ name: "National Bank of Cuba", type: "entity" }).candidates[0];
    expect(alias).to.include({ id: "306", band: "hold" });
    expect(alias?.breakdown).to.include({ matchedName: "NATIONAL BANK OF CUBA", matchedNameType: "aka" });
    const clear = index.screenName({ name: "Infinite Tundra Ceramics", type: "entity" });
    expect(clear).to.include({ decision: "clear", score: 0 });
    expect(clear.candidates).to.deep.equal([]);
  });

  it("never matches across entity types: a person is not a vessel or an entity", async () => {
    const index = await embeddedIndex();
    const vessels = (await embeddedLists()).flatMap((list) => list.entries).filter((each) => each.kind === "vessel");
    const vessel = vessels[0]?.names[0]?.name as string;
    expect(index.screenName({ name: vessel, type: "vessel" }).decision).to.equal("hold");
    expect(
      index.screenName({ name: vessel, type: "person" }).candidates.some((candidate) => candidate.kind === "vessel"),
    ).to.equal(false);
    const asEntity = index.screenName({ name: "Hasan Nasrallah", type: "entity" });
    expect(asEntity.candidates.some((candidate) => candidate.id === "2686")).to.equal(false);
  });

  it("a supporting date of birth raises the score, a contradicting one lowers it out of hold", async () => {
    const index = await embeddedIndex();
    const query = { name: "Hassan Nasrallah", type: "person" as const };
    const plain = index.screenName(query).candidates[0];
    const supported = index.screenName({ ...query, dob: "1960-08-31" }).candidates[0];
    const contradicted = index.screenName({ ...query, dob: "1990-01-01" });
    expect(supported?.score).to.be.greaterThan(plain?.score as number);
    expect(supported?.breakdown.adjustments).to.deep.include({
      rule: "date-of-birth",
      effect: "supports",
      delta: 0.05,
      detail: "1960-08-31 agrees with 31 Aug 1960; 31 Aug 1953; 31 Aug 1955; 31 Aug 1958",
    });
    const top = contradicted.candidates.find((candidate) => candidate.id === "2686");
    expect(top?.score).to.be.closeTo((plain?.score as number) - 0.15, 0.0001);
    expect(top?.band).to.equal("review");
    expect(top?.breakdown.adjustments[0]).to.include({ rule: "date-of-birth", effect: "contradicts" });
  });

  it("a nationality among the entry's countries supports, another contradicts", async () => {
    const index = await embeddedIndex();
    const base = index.screenName({ name: "Hassan Nasrallah", type: "person" }).candidates[0]?.score as number;
    expect(index.screenName({ name: "Hassan Nasrallah", type: "person", country: "lb" }).candidates[0]?.score).to.be.closeTo(
      Math.min(1, base + 0.02),
      0.0001,
    );
    expect(index.screenName({ name: "Hassan Nasrallah", type: "person", country: "IN" }).candidates[0]?.score).to.be.closeTo(
      base - 0.05,
      0.0001,
    );
  });

  it("an exact identifier forces a hold even under another name; a different one of the same kind lowers the score", async () => {
    const index = await embeddedIndex();
    const decision = index.screenName({
      name: "Completely Different Person",
      type: "person",
      identifiers: [{ kind: "passport", value: "ab-850901" }],
    });
    expect(decision).to.include({ decision: "hold", score: 1 });
    expect(decision.candidates[0]).to.include({ list: "un-consolidated", id: "CDi.040" });
    expect(decision.candidates[0]?.breakdown.forcedHold).to.equal("identifier");
    // The same number given as another kind of identifier is not that passport.
    expect(
      index.screenName({
        name: "Completely Different Person",
        type: "person",
        identifiers: [{ kind: "tax-id", value: "AB850901" }],
      }).decision,
    ).to.equal("clear");
    // An entity with that number is a different kind of party: no hold.
    expect(
      index.screenName({ name: "Completely Different Trading", type: "entity", identifiers: [{ value: "AB850901" }] }).decision,
    ).to.equal("clear");
    const other = index.screenName({
      name: "Ahmad Mahmood Hassan",
      type: "person",
      identifiers: [{ kind: "passport", value: "ZZ0000001" }],
    });
    const hassan = other.candidates.find((candidate) => candidate.id === "CDi.040");
    expect(hassan?.breakdown.adjustments).to.deep.include({
      rule: "identifier",
      effect: "contradicts",
      delta: -0.1,
      detail: "passport ZZ0000001 differs from the listed one",
    });
  });

  it("screens wallets against the lists' digital currency addresses, case-insensitively", async () => {
    const index = await embeddedIndex();
    const upper = index.screenWallet("0x9F4CDA013E354B8FC285BF4B9A60460CEE7F7EA9");
    expect(upper).to.include({ decision: "hold", score: 1 });
    expect(upper.candidates[0]).to.include({ list: "ofac-sdn", id: "31212", name: "SOUTHFRONT" });
    expect(upper.candidates[0]?.breakdown).to.include({ forcedHold: "wallet" });
    expect(index.screenWallet("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h".toLowerCase()).decision).to.equal("hold");
    expect(index.screenWallet(`0x${"1".repeat(40)}`)).to.include({ decision: "clear", score: 0 });
    expect(() => index.screenWallet("0x1234")).to.throw(
      ScreeningInputError,
      /wallet: an 0x address must be 0x followed by 40 hex digits/,
    );
    expect(() => index.screenWallet("not a wallet")).to.throw(ScreeningInputError, /wallet/);
  });

  it("weighs weak aliases down: an exact weak alias is at most a review", async () => {
    const index = await embeddedIndex();
    const bnc = index.screenName({ name: "BNC", type: "entity" }).candidates.find((candidate) => candidate.id === "306");
    expect(bnc?.breakdown).to.include({ matchedNameType: "weak", nameWeight: 0.85, nameScore: 1 });
    expect(bnc).to.include({ score: 0.85, band: "review" });
  });

  it("refuses bad input naming the field", async () => {
    const index = await embeddedIndex();
    expect(() => index.screenName({ name: "  ", type: "person" })).to.throw(ScreeningInputError, "name: must not be empty");
    expect(() => index.screenName({ name: "x".repeat(10_240), type: "person" })).to.throw(
      ScreeningInputError,
      "name: must be at most 300 characters, got 10240",
    );
    expect(() => index.screenName({ name: "Jo\u0000hn", type: "person" })).to.throw(
      ScreeningInputError,
      "name: contains a control character (U+0000) at position 2",
    );
    expect(() => index.screenName({ name: "John\u202eDoe", type: "person" })).to.throw(ScreeningInputError, /U\+202E/);
    expect(() => index.screenName({ name: "John", type: "robot" as never })).to.throw(
      ScreeningInputError,
      /type: must be one of person, entity, vessel, aircraft/,
    );
    expect(() => index.screenName({ name: "John", type: "person", dob: "1990-02-30" })).to.throw(
      ScreeningInputError,
      "dob: 1990-02-30 is not a calendar date",
    );
    expect(() => index.screenName({ name: "John", type: "person", country: "XX" })).to.throw(
      ScreeningInputError,
      /country: must be an ISO 3166-1 alpha-2/,
    );
    expect(() => index.screenName({ name: "---", type: "person" })).to.throw(
      ScreeningInputError,
      "name: has no letters or digits",
    );
  });
});

describe("decision bands (docs/screening.md §7)", () => {
  it("puts each edge in the higher band", () => {
    const bands = { review: 0.8, hold: 0.93 };
    expect(bandOf(0.7999, bands)).to.equal("clear");
    expect(bandOf(0.8, bands)).to.equal("review");
    expect(bandOf(0.9299, bands)).to.equal("review");
    expect(bandOf(0.93, bands)).to.equal("hold");
    expect(bandOf(1, bands)).to.equal("hold");
    expect(bandOf(0, bands)).to.equal("clear");
  });

  it("takes configured bands and refuses inverted ones", async () => {
    const lists = await embeddedLists();
    const strict = buildScreeningIndex(lists, { bands: { review: 0.5, hold: 0.99 } });
    const decision = strict.screenName({ name: "Hassan Nasrallah", type: "person" });
    expect(decision.bands).to.deep.equal({ review: 0.5, hold: 0.99 });
    expect(decision.decision).to.equal("review"); // 0.967 is below the stricter hold
    expect(() => buildScreeningIndex(lists, { bands: { review: 0.95, hold: 0.9 } })).to.throw(RangeError, /review <= hold/);
  });
});
