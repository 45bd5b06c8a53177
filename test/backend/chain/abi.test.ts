/**
 * The backend's ABI source (`backend/src/chain/abi/generated.ts`) against the compiled contracts: equal item for item,
 * and the check names what drifted (missing artifacts name the command to run).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { PLATFORM_CONTRACTS } from "../../../backend/src/chain/abi";
import { REPOSITORY_ARTIFACTS, abiDrift, ensureAbiMatchesArtifacts, generatedSource } from "../../../backend/src/chain/abi/drift";
import { ArtifactError } from "../../../backend/src/chain/errors";
import { testChain } from "../../support/chain";

type AbiItem = { type: string; name?: string; inputs?: { name: string; indexed?: boolean }[] };

describe("chain/abi: the typed ABI source against the compiled artifacts", () => {
  let tmp: string;
  before(async function () {
    this.timeout(120_000);
    await testChain(); // compiles the contracts when needed
  });
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "carbon-abi-"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** The repository's artifacts copied to `tmp`, with `edit` applied to CreditToken's ABI. */
  const copyArtifacts = (edit?: (abi: AbiItem[]) => void) => {
    for (const contract of PLATFORM_CONTRACTS) {
      const rel = [`${contract}.sol`, `${contract}.json`] as const;
      const json = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ARTIFACTS, "contracts", ...rel), "utf8")) as {
        abi: AbiItem[];
      };
      if (contract === "CreditToken" && edit !== undefined) edit(json.abi);
      fs.mkdirSync(path.join(tmp, "contracts", rel[0]), { recursive: true });
      fs.writeFileSync(path.join(tmp, "contracts", ...rel), JSON.stringify(json));
    }
  };

  it("equals the compiled contracts item for item (else: npm run abi:write)", () => {
    expect(abiDrift(REPOSITORY_ARTIFACTS)).to.deep.equal([]);
    expect(fs.readFileSync(path.join(__dirname, "../../../backend/src/chain/abi/generated.ts"), "utf8")).to.equal(
      generatedSource(REPOSITORY_ARTIFACTS),
    );
  });

  it("names the command to run when the artifacts are missing", () => {
    expect(() => ensureAbiMatchesArtifacts(tmp)).to.throw(ArtifactError, /not found: .*\.json is missing\. Run `npx hardhat compile`/);
  });

  it("names the drifted item: an argument that became indexed keeps topic0 but changes decoding", () => {
    copyArtifacts((abi) => {
      const value = abi.find((x) => x.type === "event" && x.name === "TransferSingle")?.inputs?.find((i) => i.name === "value");
      if (value === undefined) throw new Error("TransferSingle.value not in the artifact");
      value.indexed = true;
    });
    expect(() => ensureAbiMatchesArtifacts(tmp)).to.throw(
      ArtifactError,
      /ABI drift: CreditToken: `event TransferSingle\(.*uint256 indexed value\)` is compiled but not in the source \(and 1 more\); .*npm run abi:write/,
    );
  });

  it("names an event the contracts gained and one they lost", () => {
    copyArtifacts((abi) => {
      abi.push({ type: "event", name: "CreditTokenSomethingNew", inputs: [] });
      abi.splice(abi.findIndex((x) => x.type === "event" && x.name === "BatchFrozen"), 1);
    });
    const drift = abiDrift(tmp);
    expect(drift).to.have.length(2);
    expect(drift.join("\n")).to.contain("`event CreditTokenSomethingNew()` is compiled but not in the source");
    expect(drift.join("\n")).to.match(/`event BatchFrozen\(.*\)` is in the source but not compiled/);
  });
});
