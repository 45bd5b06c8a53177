import { expect } from "chai";
import { startGoldStandardSimulator, type RunningSimulator } from "../../../backend/src/simulators";

const UA = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Test" };

describe("simulators/gold-standard: public API quirks", () => {
  let sim: RunningSimulator;
  const get = (path: string, headers: Record<string, string> = UA) => fetch(`${sim.url}${path}`, { headers });

  before(async () => {
    sim = await startGoldStandardSimulator();
    for (let p = 1; p <= 160; p += 1) sim.admin.addProject({ id: String(p), name: `Project ${p}`, country: "KE" });
    for (let i = 0; i < 30; i += 1) {
      sim.admin.seedBlock({
        account: "A",
        serial: `GS1-1-KE-GS${i % 2 === 0 ? 7495 : 2446}-16-2025-${30_000 + i}-${1000 * i + 1}-${1000 * i + 10}`,
      });
    }
  });
  after(() => sim.close());

  it("refuses requests without a browser-like User-Agent", async () => {
    expect((await get("/credits", { "user-agent": "node" })).status).to.equal(403);
    expect((await get("/credits")).status).to.equal(200);
  });

  it("answers 403 for /credits size > 25, and caps /projects size at 150 silently", async () => {
    expect((await get("/credits?size=26")).status).to.equal(403);
    const projects = await get("/projects?size=500");
    expect(projects.status).to.equal(200);
    expect(((await projects.json()) as unknown[]).length).to.equal(150);
    expect(projects.headers.get("x-total-count")).to.equal("160");
  });

  it("puts totals in headers and orders by descending id", async () => {
    const response = await get("/credits?page=1&size=25");
    expect(response.headers.get("x-total-count")).to.equal("30");
    expect(response.headers.get("x-total-number-of-credits")).to.equal("300");
    const items = (await response.json()) as Array<{ id: string; number_of_credits: number; project: { id: number } }>;
    const ids = items.map((item) => Number(item.id));
    expect(ids).to.deep.equal([...ids].sort((a, b) => b - a));
    expect(items[0]).to.include.keys(
      "serial_number",
      "starting_credit_number",
      "is_retirable",
      "is_corsia_eligible",
      "product",
      "labels",
    );
    expect(typeof items[0]!.id).to.equal("string");
  });

  it("ignores project_id and status, and narrows only with query=", async () => {
    const ignored = await get("/credits?size=25&project_id=7495&status=RETIRED");
    expect(ignored.headers.get("x-total-count")).to.equal("30");
    const narrowed = await get("/credits?size=25&query=-GS7495-");
    expect(narrowed.headers.get("x-total-count")).to.equal("15");
  });
});
