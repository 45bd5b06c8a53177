import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const FIXTURES = path.join(__dirname, "fixtures");

function carbon(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "bin", "carbon.js"), ...args],
      { cwd: ROOT, timeout: 600_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
      },
    );
  });
}

describe("carbon ccts (real child processes)", function () {
  this.timeout(900_000); // each child process loads the whole CLI through ts-node: slow on a loaded 2-core machine
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccts-cli-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
    return file;
  };

  it("assess --json prints the assessment as canonical JSON, identical on every run", async () => {
    const file = path.join(FIXTURES, "vedanta-2025-26-achieved-13.30.json");
    const [a, b] = await Promise.all([carbon(["ccts", "assess", file, "--json"]), carbon(["ccts", "assess", file, "--json"])]);
    expect(a.code, a.stderr).to.equal(0);
    expect(a.stdout).to.equal(b.stdout);
    const r = JSON.parse(a.stdout);
    expect([r.gei, r.cccIssuable, r.shortfall, r.environmentalCompensationInr]).to.deep.equal([
      "13.3",
      "0",
      "92500",
      "157250000",
    ]);
    expect(r.emissions).to.deep.include({ totalTco2e: "16625000", scope2Tco2e: "0", co2FromFuelsT: "0" });
    expect(r.lineage.inputSha256).to.match(/^[0-9a-f]{64}$/);
    expect(Object.keys(r)).to.deep.equal([...Object.keys(r)].sort());
  });

  it("assess exits non-zero naming the field for bad input", async () => {
    const base = JSON.parse(fs.readFileSync(path.join(FIXTURES, "smelter-fuels-2026-27.json"), "utf8"));
    const { targetGei: _t, ...noTarget } = base;
    const cases: [string, unknown, RegExp][] = [
      ["negative.json", { ...base, equivalentOutputT: "-1250000" }, /equivalentOutputT: must not be negative/],
      ["fuel.json", { ...base, fuels: [{ fuel: "diesel", quantity: 1, unit: "t" }] }, /fuels\.0\.fuel: unknown fuel "diesel"/],
      ["unit.json", { ...base, fuels: [{ fuel: "lignite", quantity: 1, unit: "ton" }] }, /fuels\.0\.unit: unknown unit "ton"/],
      ["target.json", noTarget, /targetGei: is required/],
      ["broken.json", "{ not json", /broken\.json: not valid JSON/],
    ];
    const results = await Promise.all(cases.map(([name, body]) => carbon(["ccts", "assess", write(name, body), "--json"])));
    results.forEach((r, i) => {
      expect(r.code, cases[i]?.[0]).to.not.equal(0);
      expect(r.stdout).to.equal("");
      expect(r.stderr).to.match(cases[i]?.[2] as RegExp);
    });
  });

  it("clear --json prints MCP, MCV, every accepted bid's fill and the rejected ids; a bad book exits non-zero", async () => {
    const bad = write("bad-book.json", {
      floorPrice: 1,
      forbearancePrice: 10,
      tick: 1,
      bids: [{ id: "x", side: "hold", price: 5, quantity: 1 }],
    });
    const [ok, fail] = await Promise.all([
      carbon(["ccts", "clear", path.join(FIXTURES, "book-pro-rata.json"), "--json"]),
      carbon(["ccts", "clear", bad, "--json"]),
    ]);
    expect(ok.code, ok.stderr).to.equal(0);
    const r = JSON.parse(ok.stdout);
    expect(r).to.deep.include({ mcp: "1000", mcv: "15", rejected: ["s2", "s3"] });
    expect(r.cleared).to.deep.equal({ b1: "10", b2: "3", b3: "2", b4: "0", s1: "15" });
    expect(fail.code).to.not.equal(0);
    expect(fail.stderr).to.match(/bids\.0\.side: must be "buy" or "sell"/);
  });
});
