import { expect } from "chai";
import { jaro, jaroWinkler, tokenSimilarity } from "../../../backend/src/screening/jaroWinkler";
import { foldName, normaliseName } from "../../../backend/src/screening/normalise";
import { phoneticKey } from "../../../backend/src/screening/phonetic";

const forms = (raw: string, kind: "person" | "entity") =>
  normaliseName(raw, kind).forms.map((form) => form.map((token) => (token.optional ? `(${token.text})` : token.text)).join(" "));

describe("screening normalisation (docs/screening.md §3)", () => {
  it("folds Unicode (NFKD, diacritics stripped), case and punctuation", () => {
    expect(foldName("Iñigo VALLEJO-Franco")).to.equal("inigo vallejo franco");
    expect(foldName("Radoslav Brđanin")).to.equal("radoslav brdanin");
    expect(foldName("Straße Øresund Æble")).to.equal("strasse oresund aeble");
    expect(foldName("AL-SAD'UN, Abd-al-Baqi")).to.equal("al sadun abd al baqi");
    expect(foldName("Ｆｕｌｌｗｉｄｔｈ　Ｎａｍｅ")).to.equal("fullwidth name"); // NFKD compatibility forms
    expect(foldName("  ...  ")).to.equal("");
  });

  it("drops legal-form words from entity names, and joins initials", () => {
    expect(forms("ANGLO-CARIBBEAN CO., LTD.", "entity")).to.deep.equal(["anglo caribbean"]);
    expect(forms("Tata Steel Pvt. Ltd", "entity")).to.deep.equal(["tata steel"]);
    expect(forms("OOO Inforos GmbH", "entity")).to.deep.equal(["inforos"]);
    expect(forms("HERMIS SHIPPING S.A.", "entity")).to.deep.equal(["hermis shipping"]);
    expect(forms("T N K FABRICS LIMITED", "entity")).to.deep.equal(["tnk fabrics"]);
    expect(normaliseName("Tata Steel Pvt. Ltd", "entity").dropped).to.deep.equal(["pvt", "ltd"]);
    // Nothing left but legal forms: kept, so the name still has tokens.
    expect(forms("Company Limited", "entity")).to.deep.equal(["company limited"]);
  });

  it("keeps legal-form words in person names and drops honorifics there", () => {
    expect(forms("Dr. Ahmad Murtada Khalil", "person")).to.deep.equal(["ahmad murtada khalil"]);
    expect(forms("Sheikh Hasan Nasrallah", "person")).to.deep.equal(["hasan nasrallah"]);
    expect(forms("Sa Co", "person")).to.deep.equal(["sa co"]);
  });

  it("makes particles optional and also glues them to the next token", () => {
    expect(forms("Usama bin Laden", "person")).to.deep.equal(["usama (bin) laden", "usama binladen"]);
    expect(forms("AL QA'IDA", "entity")).to.deep.equal(["(al) qaida", "alqaida"]);
    expect(forms("Abdul Rahim Dagalo", "person")).to.deep.equal(["abdul rahim dagalo", "abdulrahim dagalo"]);
    expect(forms("Bank of Baroda", "entity")).to.deep.equal(["bank (of) baroda"]);
  });

  it("folds the spellings of Muhammad to one token, and keeps a bracketed part optional", () => {
    for (const spelling of ["Mohammed", "Mohamed", "Muhammad", "Mohd.", "Md"])
      expect(forms(`${spelling} Shami`, "person")).to.deep.equal(["muhammad shami"]);
    expect(forms("FOREIGN TRADE BANK (FTB)", "entity")).to.deep.equal(["foreign trade bank ftb", "foreign trade bank"]);
  });
});

describe("Jaro-Winkler with Watchman's penalties (docs/screening.md §4)", () => {
  it("gives the published Jaro and Jaro-Winkler values", () => {
    // Winkler (1990) and the usual reference pairs.
    expect(jaro("martha", "marhta")).to.be.closeTo(0.9444, 0.0001);
    expect(jaroWinkler("martha", "marhta")).to.be.closeTo(0.9611, 0.0001);
    expect(jaroWinkler("dwayne", "duane")).to.be.closeTo(0.84, 0.0001);
    expect(jaroWinkler("dixon", "dicksonx")).to.be.closeTo(0.8133, 0.0001);
    expect(jaro("crate", "trace")).to.be.closeTo(0.7333, 0.0001);
    expect(jaroWinkler("abc", "xyz")).to.equal(0);
    expect(jaroWinkler("same", "same")).to.equal(1);
  });

  it("penalises a length difference and a different first letter", () => {
    // dwayne/duane: lengths 5/6 = 0.833 < 0.9 → × (1 − 0.167 × 0.3) = 0.95.
    expect(tokenSimilarity("dwayne", "duane")).to.be.closeTo(0.84 * (1 - (1 - 5 / 6) * 0.3), 0.0001);
    // martha/marhta: same length and first letter, no penalty.
    expect(tokenSimilarity("martha", "marhta")).to.be.closeTo(0.9611, 0.0001);
    // crate/trace: different first letter → × 0.9.
    expect(tokenSimilarity("crate", "trace")).to.be.closeTo(0.7333 * 0.9, 0.0001);
  });

  it("blocks by a Soundex key whose first letter is Watchman's phonetic class", () => {
    expect(phoneticKey("qaddafi")).to.equal("C31");
    expect(phoneticKey("gaddafi")).to.equal("C31");
    expect(phoneticKey("kadhafi")).to.equal("C31");
    expect(phoneticKey("robert")).to.equal(phoneticKey("rupert"));
    expect(phoneticKey("nasrallah")).to.equal("M264");
    expect(phoneticKey("1718")).to.equal("#1718");
  });
});
