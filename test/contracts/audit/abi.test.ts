/** The auditor's ABI fragments are checked against the Hardhat artifacts: missing or drifted artifacts fail clearly. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { AuditAbiError, artifactsDir, ensureAbiMatchesArtifacts } from "../../../backend/src/audit/abi";

describe("audit ABI against the artifacts", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "carbon-audit-abi-"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  type AbiEntry = { type: string; name?: string; inputs?: { name: string; indexed?: boolean }[] };
  const copyArtifacts = (edit?: (abi: AbiEntry[]) => void) => {
    for (const rel of [["RegistryBridge.sol", "RegistryBridge.json"], ["CreditToken.sol", "CreditToken.json"]] as const) {
      const json = JSON.parse(fs.readFileSync(path.join(artifactsDir(), "contracts", ...rel), "utf8")) as { abi: never[] };
      if (rel[1] === "CreditToken.json" && edit !== undefined) edit(json.abi);
      fs.mkdirSync(path.join(tmp, "contracts", rel[0]), { recursive: true });
      fs.writeFileSync(path.join(tmp, "contracts", ...rel), JSON.stringify(json));
    }
  };

  it("accepts the compiled contracts", () => {
    copyArtifacts();
    ensureAbiMatchesArtifacts(tmp);
  });

  it("names the command to run when the artifacts are missing", () => {
    const missing = /not found: .*RegistryBridge\.json is missing\. Run `npx hardhat compile`/;
    expect(() => ensureAbiMatchesArtifacts(tmp)).to.throw(AuditAbiError, missing);
  });

  it("names the drifted fragment (an argument that became indexed keeps topic0 but changes decoding)", () => {
    copyArtifacts((abi) => {
      const ev = abi.find((x) => x.type === "event" && x.name === "TransferSingle");
      const value = ev?.inputs?.find((i) => i.name === "value");
      if (value === undefined) throw new Error("TransferSingle.value not in the artifact");
      value.indexed = true;
    });
    expect(() => ensureAbiMatchesArtifacts(tmp)).to.throw(AuditAbiError, /ABI drift: `event TransferSingle\(/);
  });
});
