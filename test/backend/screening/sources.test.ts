import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { EMBEDDED_LISTS_DIR, ListParseError, parseListFiles, versionHash } from "../../../backend/src/screening";
import { createOfacSdnSource, parsePrograms } from "../../../backend/src/screening/sources/ofac";
import { parseOfacBirthDate } from "../../../backend/src/screening/sources/ofacRemarks";
import { createUnConsolidatedSource } from "../../../backend/src/screening/sources/un";
import { embeddedLists, entry } from "./fixtures";

const ofac = createOfacSdnSource();
const un = createUnConsolidatedSource();

function embeddedFiles(names: string[]): Map<string, Buffer> {
  return new Map(names.map((name) => [name, fs.readFileSync(path.join(EMBEDDED_LISTS_DIR, name))]));
}

describe("screening list sources (the real OFAC and UN files)", function () {
  this.timeout(120_000);

  it("reads every OFAC SDN record, of each SDN_Type, with the DOS end-of-file byte skipped", async () => {
    const list = (await embeddedLists()).find((each) => each.id === "ofac-sdn");
    expect(list?.entries).to.have.length(8976);
    const kinds: Record<string, number> = {};
    for (const each of list?.entries ?? []) kinds[each.kind] = (kinds[each.kind] ?? 0) + 1;
    expect(kinds).to.deep.equal({ entity: 3673, person: 4620, vessel: 406, aircraft: 277 });
    expect(list?.files.map((file) => file.name)).to.deep.equal(["ofac-sdn.csv", "ofac-alt.csv", "ofac-add.csv"]);
    expect(list?.version).to.match(/^[0-9a-f]{64}$/);
  });

  it("an SDN entry carries its ALT names, its ADD addresses, its weak a.k.a. from Remarks, and -0- as absent", async () => {
    const cuba = await entry("ofac-sdn", "306");
    expect(cuba.kind).to.equal("entity");
    expect(cuba.names).to.deep.equal([
      { name: "BANCO NACIONAL DE CUBA", type: "primary" },
      { name: "NATIONAL BANK OF CUBA", type: "aka" },
      { name: "BNC", type: "weak" },
    ]);
    expect(cuba.programs).to.deep.equal(["CUBA"]);
    expect(cuba.addresses.map((address) => address.country)).to.deep.equal(["CH", "ES", "JP", "PA"]);
    expect(cuba.addresses[0]?.text).to.equal("Zweierstrasse 35, Zurich CH-8022, Switzerland");
    const airline = await entry("ofac-sdn", "36");
    expect(airline.remarks).to.equal(undefined);
    expect(airline.names[0]?.name).to.equal("AEROCARIBBEAN AIRLINES");
  });

  it("splits malformed program lists and reads DOB, POB, nationality and passport from Remarks", async () => {
    expect(parsePrograms("SDGT] [SYRIA")).to.deep.equal(["SDGT", "SYRIA"]);
    expect(parsePrograms("[IRAN] [SDGT] [IRGC] [IFSR]")).to.deep.equal(["IRAN", "SDGT", "IRGC", "IFSR"]);
    const nasrallah = await entry("ofac-sdn", "2686");
    expect(nasrallah.kind).to.equal("person");
    expect(nasrallah.programs).to.deep.equal(["SDGT", "SYRIA"]);
    expect(nasrallah.birthDates.map((date) => [date.fromYear, date.month, date.day])).to.deep.equal([
      [1960, 8, 31],
      [1953, 8, 31],
      [1955, 8, 31],
      [1958, 8, 31],
    ]);
    expect(nasrallah.birthPlaces[0]).to.deep.equal({ text: "Al Basuriyah, Lebanon", country: "LB" });
    expect(nasrallah.identifiers).to.deep.include({
      kind: "passport",
      value: "042833",
      normalised: "042833",
      label: "Passport",
      country: "LB",
    });
    expect(parseOfacBirthDate("circa 1955")).to.include({ fromYear: 1955, toYear: 1955, approximate: true });
    expect(parseOfacBirthDate("1955 to 1958")).to.include({ fromYear: 1955, toYear: 1958, approximate: false });
  });

  it("reads digital currency addresses out of Remarks", async () => {
    const southfront = await entry("ofac-sdn", "31212");
    expect(southfront.wallets).to.deep.equal([
      { currency: "XBT", address: "3Gbs4rjcVUtQd8p3CiFUCxPLZwRqurezRZ" },
      { currency: "ETH", address: "0x9f4cda013e354b8fc285bf4b9a60460cee7f7ea9" },
      { currency: "BCH", address: "qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq" },
    ]);
    const all = (await embeddedLists()).flatMap((list) => list.entries.flatMap((each) => each.wallets));
    expect(all).to.have.length(81); // every "Digital Currency Address - " in the 2021 SDN file
  });

  it("reads vessels with their IMO number, call sign and flag", async () => {
    const vessels = (await embeddedLists()).flatMap((list) => list.entries).filter((each) => each.kind === "vessel");
    const withImo = vessels.filter((vessel) => vessel.identifiers.some((identifier) => identifier.kind === "imo"));
    expect(withImo.length).to.be.greaterThan(300);
    expect(withImo[0]?.identifiers.find((identifier) => identifier.kind === "imo")?.value).to.match(/^\d{7}$/);
  });

  it("reads the UN list's individuals and entities with aliases, dates of birth, nationalities and documents", async () => {
    const list = (await embeddedLists()).find((each) => each.id === "un-consolidated");
    expect(list?.entries.filter((each) => each.kind === "person")).to.have.length(730);
    expect(list?.entries.filter((each) => each.kind === "entity")).to.have.length(273);
    expect(list?.publishedAt).to.equal("2026-02-27T00:00:09.554Z");
    const azzawi = await entry("un-consolidated", "IQi.028");
    expect(azzawi.names).to.deep.equal([
      { name: "HIKMAT MIZBAN IBRAHIM AL-AZZAWI", type: "primary" },
      { name: "حكمت مزبان إبراهيم العزاوي", type: "original" },
    ]);
    expect(azzawi.birthDates).to.deep.equal([{ fromYear: 1934, toYear: 1934, approximate: false, text: "1934" }]);
    expect(azzawi.nationalities).to.deep.equal(["IQ"]);
    const hassan = await entry("un-consolidated", "CDi.040");
    expect(hassan.birthDates[0]).to.include({ fromYear: 1997, month: 7, day: 21 });
    expect(hassan.nationalities).to.deep.equal(["TZ"]);
    expect(hassan.identifiers.map((identifier) => [identifier.kind, identifier.value, identifier.country])).to.deep.equal([
      ["passport", "AB850901", "TZ"],
      ["passport", "AB187304", "TZ"],
    ]);
    expect(hassan.names.find((name) => name.name === "JUNDI")?.type).to.equal("weak"); // QUALITY Low
    const dost = await entry("un-consolidated", "TAi.092");
    expect(dost.birthDates[0]).to.include({ fromYear: 1968, toYear: 1973 }); // BETWEEN
  });

  it("hashes the files into the version: same bytes same version, one byte more another", () => {
    const files = embeddedFiles(["un-consolidated.xml"]);
    const before = versionHash(un, files);
    expect(versionHash(un, embeddedFiles(["un-consolidated.xml"]))).to.equal(before);
    const changed = new Map([
      ["un-consolidated.xml", Buffer.concat([files.get("un-consolidated.xml") as Buffer, Buffer.from(" ")])],
    ]);
    expect(versionHash(un, changed)).to.not.equal(before);
  });

  it("reads quoted commas and line breaks as data, and names file and line of a row of the wrong width", () => {
    const sdn = Buffer.from(
      '1,"DOE, John",individual,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1970; a.k.a. \'JD\';\nsecond line."\r\n\u001a',
    );
    const parsed = parseListFiles(
      ofac,
      new Map([
        ["ofac-sdn.csv", sdn],
        ["ofac-alt.csv", Buffer.from("")],
        ["ofac-add.csv", Buffer.from("")],
      ]),
      "test",
    );
    expect(parsed.entries[0]?.names).to.deep.equal([
      { name: "DOE, John", type: "primary" },
      { name: "JD", type: "weak" },
    ]);
    expect(parsed.entries[0]?.remarks).to.equal("DOB 1970; a.k.a. 'JD';\nsecond line.");
    const bad = Buffer.from('1,"DOE, John",individual,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,"X",-0- ,"SDGT"\r\n');
    expect(() =>
      parseListFiles(
        ofac,
        new Map([
          ["ofac-sdn.csv", bad],
          ["ofac-alt.csv", Buffer.from("")],
          ["ofac-add.csv", Buffer.from("")],
        ]),
        "test",
      ),
    ).to.throw(ListParseError, /ofac-sdn: ofac-sdn\.csv line 2: expected 12 fields, found 4/);
    const orphan = Buffer.from('9,1,"aka","NOBODY",-0- \r\n');
    expect(() =>
      parseListFiles(
        ofac,
        new Map([
          ["ofac-sdn.csv", Buffer.from("")],
          ["ofac-alt.csv", orphan],
          ["ofac-add.csv", Buffer.from("")],
        ]),
        "test",
      ),
    ).to.throw(ListParseError, /ent_num "9" is not in ofac-sdn\.csv/);
  });

  it("refuses XML that is not well formed, naming the line", () => {
    const xml = Buffer.from(
      '<?xml version="1.0"?>\n<CONSOLIDATED_LIST>\n<INDIVIDUALS><INDIVIDUAL></INDIVIDUALS>\n</CONSOLIDATED_LIST>',
    );
    expect(() => parseListFiles(un, new Map([["un-consolidated.xml", xml]]), "test")).to.throw(
      ListParseError,
      /un-consolidated\.xml line 3/,
    );
  });
});
