import { expect } from "chai";
import { spawnSync } from "node:child_process";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");

function carbon(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, "bin", "carbon.js"), ...args], { cwd: ROOT, encoding: "utf8" });
}

describe("cli: carbon serial parse", () => {
  it("prints the canonical fields as JSON with bigints as decimal strings, exit 0", () => {
    const run = carbon("serial", "parse", "19627-957450860-957469821-VCS-VCU-352-VER-CL-14-1175-04112003-03112004-1");
    expect(run.status, run.stderr).to.equal(0);
    const json = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(json).to.include({
      registry: "VERRA", blockStart: "957450860", blockEnd: "957469821", quantity: "18962", projectId: "1175",
      country: "CL", vintageStart: "2003-11-04", vintageEnd: "2004-11-03", additionalCertification: true,
    });
  });

  it("honours --registry for opaque I-REC certificate numbers", () => {
    const run = carbon("serial", "parse", "IREC-0042-XYZ", "--registry", "irec");
    expect(run.status, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.include({ registry: "IREC", serial: "IREC-0042-XYZ" });
  });

  it("prints the error naming the field and exits non-zero on a malformed serial", () => {
    const run = carbon("serial", "parse", "19902-1139690318-11399259O1-VCS-VCU-500-VER-US-3352-01012024-31122024-0");
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.contain("blockEnd").and.to.contain("11399259O1");
    expect(run.stdout).to.equal("");
  });
});
