import { expect } from "chai";
import { startVerraSimulator, type RunningSimulator } from "../../../backend/src/simulators";

const JSON_HEADERS = { accept: "application/json", "content-type": "application/json" };
const search = (start: number, limit: number, filterModel: Record<string, unknown> = {}, sort = "entityId") => ({
  searchFilter: { pagination: { start, limit, sortOptions: [{ sort, dir: "ASC" }] }, filterModel },
});

describe("simulators/verra: report API quirks", () => {
  let sim: RunningSimulator;
  const post = (report: string, body: unknown, headers: Record<string, string> = JSON_HEADERS) =>
    fetch(`${sim.url}/raas-report-api/es/public/${report}/publicReportPageSearch`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    });

  before(async () => {
    sim = await startVerraSimulator();
    sim.admin.addProject({ id: "1060", name: "Landfill gas", country: "US" });
    for (let i = 0; i < 30; i += 1) {
      const start = 115_597_313 + i * 100;
      sim.admin.seedBlock({
        account: i % 2 === 0 ? "A" : "B",
        serial: `${9660 + i}-${start}-${start + 9}-VCS-VCU-261-VER-US-14-1060-01012019-31122019-0`,
      });
    }
  });
  after(() => sim.close());

  it("answers {entities, totalEntities} with Verra's field names", async () => {
    const response = await post("issuances", search(0, 5));
    expect(response.status).to.equal(200);
    const body = (await response.json()) as { entities: Array<Record<string, unknown>>; totalEntities: number };
    expect(body.totalEntities).to.equal(30);
    expect(body.entities).to.have.length(5);
    expect(body.entities[0]).to.include.keys(
      "entityId",
      "vcsProjectId",
      "serialNo",
      "holdingQuantity",
      "stateCode",
      "periodStartDate",
      "countryName",
    );
    expect(body.entities[0]).to.include({ stateCode: "ISSUED", holdingQuantity: 10 });
  });

  it("fails a limit above 400", async () => {
    expect((await post("issuances", search(0, 401))).status).to.equal(400);
    expect((await post("issuances", search(0, 400))).status).to.equal(200);
  });

  it("caps start at 10,000 silently", async () => {
    const body = (await (await post("issuances", search(50_000, 5))).json()) as { entities: unknown[]; totalEntities: number };
    expect(body.totalEntities).to.equal(30);
    expect(body.entities).to.deep.equal([]); // start became 10,000, past the 30 rows: no error, no rows
  });

  it("ignores unknown filters and returns the whole index", async () => {
    const known = (await (await post("holdings", search(0, 400, { accountId: { filter: "A" } }))).json()) as {
      totalEntities: number;
    };
    const unknown = (await (await post("holdings", search(0, 400, { holderName: { filter: "A" } }))).json()) as {
      totalEntities: number;
    };
    expect(known.totalEntities).to.equal(15);
    expect(unknown.totalEntities).to.equal(30);
  });

  it("answers a generic 500 when the required headers are missing", async () => {
    const response = await post("issuances", search(0, 5), { "content-type": "application/json" });
    expect(response.status).to.equal(500);
    expect(await response.json()).to.deep.equal({ message: "Internal Server Error" });
  });

  it("keeps a stable order only when sorted by entityId", async () => {
    const ids = async (sort: string) => {
      const seen: number[] = [];
      for (let start = 0; start < 30; start += 7) {
        const body = (await (await post("issuances", search(start, 7, {}, sort))).json()) as {
          entities: Array<{ entityId: number }>;
        };
        seen.push(...body.entities.map((row) => row.entityId));
      }
      return seen;
    };
    const sorted = await ids("entityId");
    expect(new Set(sorted).size).to.equal(30);
    let lost = 0;
    for (let attempt = 0; attempt < 5; attempt += 1) lost += 30 - new Set(await ids("issueDate")).size;
    expect(lost).to.be.greaterThan(0); // unsorted paging loses rows
  });

  it("answers 202 to a retirement and keeps beneficiary, reason and memo", async () => {
    const id = sim.admin.ledger.blocks.keys().next().value as string;
    const response = await fetch(`${sim.url}/raas-write-api/platform/retirements`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({
        accountId: "A",
        entityId: Number(id),
        quantity: 4,
        beneficialOwner: "Acme",
        retirementReason: "Voluntary",
        retirementRemarks: "req-1",
      }),
    });
    expect(response.status).to.equal(202);
    const retired = (await (await post("retirements", search(0, 10, { retirementRemarks: { filter: "req-1" } }))).json()) as {
      entities: Array<Record<string, unknown>>;
    };
    expect(retired.entities).to.have.length(1);
    expect(retired.entities[0]).to.include({
      beneficialOwner: "Acme",
      retirementReason: "Voluntary",
      retirementRemarks: "req-1",
      holdingQuantity: 4,
      stateCode: "RETIRED",
    });
  });
});
