import { execFile } from "node:child_process";
import path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** `node bin/carbon.js ...` as a real child process with the embedded lists (no SANCTIONS_* set). */
function carbon(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("SANCTIONS_") || key.startsWith("SCREENING_")) delete env[key];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "bin", "carbon.js"), ...args],
      { cwd: ROOT, env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
      },
    );
  });
}

describe("carbon kyc (a real process, the embedded lists)", function () {
  this.timeout(600_000);

  it("screen --name --json prints one decision object: hold, score, the matched entry with list and id, the list " +
    "versions", async () => {
    const result = await carbon([
      "kyc",
      "screen",
      "--name",
      "Osama bin Laden",
      "--type",
      "person",
      "--dob",
      "1957",
      "--country",
      "SA",
      "--json",
    ]);
    expect(result.code, result.stderr).to.equal(0);
    const decision = JSON.parse(result.stdout) as {
      decision: string;
      score: number;
      candidates: Array<{ list: string; id: string }>;
      lists: Array<{ id: string; version: string }>;
    };
    expect(decision.decision).to.equal("hold");
    expect(decision.score).to.equal(1);
    expect(decision.candidates[0]).to.include({ list: "ofac-sdn", id: "6365" });
    expect(decision.lists.map((list) => list.id)).to.deep.equal(["ofac-sdn", "un-consolidated"]);
    expect(decision.lists[0]?.version).to.match(/^[0-9a-f]{64}$/);
  });

  it("screen --wallet --json holds a listed address whatever its case", async () => {
    const listed = await carbon(["kyc", "screen", "--wallet", "0x9F4CDA013E354B8FC285BF4B9A60460CEE7F7EA9", "--json"]);
    expect(listed.code, listed.stderr).to.equal(0);
    expect(JSON.parse(listed.stdout)).to.deep.include({ decision: "hold", score: 1 });
    expect(JSON.parse(listed.stdout).candidates[0]).to.include({ list: "ofac-sdn", id: "31212" });
  });

  it("lists --json shows each list with its entry count and version", async () => {
    const result = await carbon(["kyc", "lists", "--json"]);
    expect(result.code, result.stderr).to.equal(0);
    const { lists } = JSON.parse(result.stdout) as {
      lists: Array<{ id: string; entries: number; version: string; loadedFrom: string }>;
    };
    expect(lists.map((list) => [list.id, list.entries, list.loadedFrom])).to.deep.equal([
      ["ofac-sdn", 8976, "embedded"],
      ["un-consolidated", 1003, "embedded"],
    ]);
    for (const list of lists) expect(list.version).to.match(/^[0-9a-f]{64}$/);
  });

  // Each bad input fails before the lists are loaded; the five processes run side by side.
  it("bad input exits 2 with a message naming the problem and no stack trace", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["--name", "", "--type", "person"], /name: must not be empty/],
      [["--name", "x".repeat(10_240), "--type", "person"], /name: must be at most 300 characters, got 10240/],
      [["--name", "Jo\u0007hn", "--type", "person"], /name: contains a control character \(U\+0007\)/],
      [["--name", "John", "--type", "robot"], /type: must be one of person, entity, vessel, aircraft, got "robot"/],
      [["--wallet", "0x12345"], /wallet: an 0x address must be 0x followed by 40 hex digits/],
    ];
    const results = await Promise.all(cases.map(([args]) => carbon(["kyc", "screen", ...args, "--json"])));
    results.forEach((result, i) => {
      const [, message] = cases[i] as [string[], RegExp];
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr).to.match(message);
      expect(result.stderr).to.not.match(/\n\s+at /);
      expect(JSON.parse(result.stdout).error.message).to.match(message);
    });
  });
});

describe("carbon kyc screen option checks (in process)", () => {
  function io() {
    const out = { stdout: "", stderr: "" };
    return {
      out,
      io: { stdout: (text: string) => void (out.stdout += text), stderr: (text: string) => void (out.stderr += text), env: {} },
    };
  }

  it("refuses a name without a type, a name with a wallet, and neither, before loading any list", async () => {
    const { runScreenCommand } = await import("../../../backend/src/cli/kyc");
    for (const [options, message] of [
      [{ name: "John" }, "--type: required with --name: person, entity, vessel or aircraft"],
      [{ name: "John", type: "person", wallet: `0x${"1".repeat(40)}` }, "--wallet: screen a name or a wallet, not both"],
      [{}, "--name: give --name (with --type) or --wallet"],
      [{ wallet: `0x${"1".repeat(40)}`, dob: "1990" }, "--wallet: --type, --dob and --country apply to --name only"],
    ] as const) {
      const { out, io: streams } = io();
      expect(await runScreenCommand({ ...options, json: true }, streams)).to.equal(2);
      expect(out.stderr).to.equal(`kyc: ${message}\n`);
      expect(JSON.parse(out.stdout).error.message).to.equal(message);
    }
  });

  it("reads --id as [kind:]value", async () => {
    const { parseIdentifierOption } = await import("../../../backend/src/cli/kyc");
    expect(parseIdentifierOption("passport:AB850901")).to.deep.equal({ kind: "passport", value: "AB850901" });
    expect(parseIdentifierOption("AB850901")).to.deep.equal({ value: "AB850901" });
    expect(parseIdentifierOption("HRB:12345")).to.deep.equal({ value: "HRB:12345" });
  });
});
