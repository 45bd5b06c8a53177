import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { expect } from "chai";
import { createLogger } from "../../../backend/src/logger";
import {
  EMBEDDED_LISTS_DIR,
  ListFetchError,
  createListRefresher,
  diffLists,
  isEmptyDelta,
  loadList,
  loadLists,
  loadScreeningConfig,
  locationFor,
} from "../../../backend/src/screening";
import { createUnConsolidatedSource } from "../../../backend/src/screening/sources/un";
import { embeddedLists } from "./fixtures";

const un = createUnConsolidatedSource();
const UN_XML = fs.readFileSync(path.join(EMBEDDED_LISTS_DIR, "un-consolidated.xml"), "utf8");

/** The UN file with one entity added, one alias changed and one individual removed. */
function editedUnXml(): string {
  const added =
    "<ENTITY><DATAID>1</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>ZEPHYR TEST TRADING</FIRST_NAME>" +
    "<UN_LIST_TYPE>Test</UN_LIST_TYPE><REFERENCE_NUMBER>ZZe.001</REFERENCE_NUMBER><LISTED_ON>2026-03-01</LISTED_ON>" +
    "<ENTITY_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>ZEPHYR TT</ALIAS_NAME></ENTITY_ALIAS></ENTITY>";
  const start = UN_XML.indexOf("<INDIVIDUAL>", UN_XML.indexOf("<REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>") - 400);
  const end = UN_XML.indexOf("</INDIVIDUAL>", start) + "</INDIVIDUAL>".length;
  const removed = UN_XML.slice(0, start) + UN_XML.slice(end);
  return removed
    .replace("<ALIAS_NAME>Mouvement du 23 mars</ALIAS_NAME>", "<ALIAS_NAME>Mouvement du 23 mars (M23)</ALIAS_NAME>")
    .replace("<ENTITIES>", `<ENTITIES>${added}`);
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "screening-lists-"));
}

function quietLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: "info", destination }), lines };
}

describe("screening list locations, delta and refresh (docs/screening.md §2, §9)", function () {
  this.timeout(240_000);

  it("the delta of two versions lists what was added, changed and removed", async () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, "un-consolidated.xml"), editedUnXml());
      const before = (await embeddedLists()).find((list) => list.id === "un-consolidated");
      const after = await loadList(un, { kind: "dir", path: dir });
      if (before === undefined) throw new Error("no UN list");
      const delta = diffLists(before, after);
      expect(delta.fromVersion).to.equal(before.version);
      expect(delta.toVersion).to.equal(after.version).and.not.equal(before.version);
      expect(delta.added.map((each) => each.id)).to.deep.equal(["ZZe.001"]);
      expect(delta.removed.map((each) => each.id)).to.deep.equal(["CDi.001"]);
      expect(delta.changed.map((each) => each.after.id)).to.deep.equal(["CDe.006"]);
      expect(delta.changed[0]?.after.names.map((name) => name.name)).to.include("Mouvement du 23 mars (M23)");
      expect(isEmptyDelta(diffLists(after, after))).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads a source from SANCTIONS_LISTS_DIR when the folder has its files, else the embedded snapshot", async () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, "un-consolidated.xml"), editedUnXml());
      const settings = loadScreeningConfig({ SANCTIONS_LISTS_DIR: dir });
      const [ofac, unList] = await loadLists(
        [await import("../../../backend/src/screening/sources/ofac").then((m) => m.createOfacSdnSource()), un],
        settings.lists,
      );
      expect(ofac?.loadedFrom).to.equal("embedded");
      expect(unList?.loadedFrom).to.equal(dir);
      expect(unList?.entries.some((each) => each.id === "ZZe.001")).to.equal(true);
      expect(await locationFor(un, { dir: tempDir() })).to.deep.equal({ kind: "embedded" });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a folder with only some of a source's required files is an error naming them", async () => {
    const dir = tempDir();
    try {
      fs.copyFileSync(path.join(EMBEDDED_LISTS_DIR, "ofac-sdn.csv"), path.join(dir, "ofac-sdn.csv"));
      const { createOfacSdnSource } = await import("../../../backend/src/screening/sources/ofac");
      const error = await loadLists([createOfacSdnSource()], { dir }).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(ListFetchError);
      expect((error as Error).message).to.equal(`ofac-sdn: missing ofac-alt.csv, ofac-add.csv at ${dir}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the refresher fetches from the publisher's URL, swaps in a new index on new bytes and keeps the old one on " +
    "failure", async () => {
    let body = UN_XML;
    let status = 200;
    const server = http.createServer((request, response) => {
      if (request.url !== "/xml/en/consolidated.xml") return void response.writeHead(404).end();
      response.writeHead(status, { "content-type": "application/xml" }).end(status === 200 ? body : "down");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/xml/en/`;
    const { logger, lines } = quietLogger();
    const settings = loadScreeningConfig({ SANCTIONS_LIST_URLS: `un-consolidated=${base}` });
    const updates: string[] = [];
    try {
      const initial = await loadLists([un], settings.lists);
      expect(initial[0]?.loadedFrom).to.equal(base);
      const refresher = createListRefresher(
        { register: () => undefined },
        {
          sources: [un],
          settings: settings.lists,
          initial,
          intervalMs: 3_600_000,
          logger,
          onUpdate: (update) =>
            void updates.push(
              ...update.deltas.map((delta) => `${delta.added.length}+ ${delta.changed.length}~ ${delta.removed.length}-`),
            ),
        },
      );
      expect(await refresher.runOnce()).to.equal(undefined); // same bytes: nothing new
      const before = refresher.current();
      expect(before.screenName({ name: "Zephyr Test Trading", type: "entity" }).decision).to.equal("clear");

      body = editedUnXml();
      const update = await refresher.runOnce();
      expect(update?.lists[0]?.version).to.not.equal(initial[0]?.version);
      expect(updates).to.deep.equal(["1+ 1~ 1-"]);
      const after = refresher.current();
      expect(after).to.not.equal(before);
      const hit = after.screenName({ name: "Zephyr Test Trading", type: "entity" });
      expect(hit.decision).to.equal("hold");
      expect(hit.lists[0]?.version).to.equal(update?.lists[0]?.version);

      status = 503;
      expect(await refresher.runOnce()).to.equal(undefined);
      expect(refresher.current()).to.equal(after);
      expect(lines.join(""))
        .to.match(/sanctions list refresh failed; the version in force stays/)
        .and.match(/"retryable":true/);
    } finally {
      server.close();
    }
  });

  it("reads the SANCTIONS_* and SCREENING_* keys, naming each bad one", () => {
    const config = loadScreeningConfig({
      SANCTIONS_LIST_URLS: "ofac-sdn=https://example.org/exports/, un-consolidated=https://example.org/un/",
      SCREENING_REVIEW_THRESHOLD: "0.75",
    });
    expect([...(config.lists.urls ?? new Map())]).to.deep.equal([
      ["ofac-sdn", "https://example.org/exports/"],
      ["un-consolidated", "https://example.org/un/"],
    ]);
    expect(config.bands).to.deep.equal({ review: 0.75, hold: 0.93 });
    expect(config.refreshIntervalMs).to.equal(900_000);
    expect(() => loadScreeningConfig({ SANCTIONS_LIST_URLS: "ofac-sdn=ftp://x" })).to.throw(
      /SANCTIONS_LIST_URLS: expected id=http\(s\) URL pairs/,
    );
    expect(() => loadScreeningConfig({ SCREENING_HOLD_THRESHOLD: "1.5" })).to.throw(
      /SCREENING_HOLD_THRESHOLD: expected a decimal 0-1, got "1.5"/,
    );
    expect(() => loadScreeningConfig({ SCREENING_REVIEW_THRESHOLD: "0.95" })).to.throw(
      /SCREENING_REVIEW_THRESHOLD: must be above 0 and at most SCREENING_HOLD_THRESHOLD/,
    );
  });
});
