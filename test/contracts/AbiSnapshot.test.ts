/**
 * The external ABI of every contract the platform deploys, against the committed snapshot `abi.snapshot.json`:
 * each function, event, error and constructor in ethers' full human-readable form (names, types, tuple components,
 * `indexed`, state mutability), sorted. What a wallet, the backend or an auditor sees on the wire is all there.
 * Left out on purpose: `internalType` (the Solidity name of a struct or value type and the contract declaring it),
 * which moves when code moves between files and is not part of the encoding.
 *
 * An ABI change fails here until the snapshot is updated on purpose, reviewed like code (Uniswap v4's gas
 * snapshots): `UPDATE_ABI_SNAPSHOT=1 npx hardhat test test/contracts/AbiSnapshot.test.ts`.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Interface } from "ethers";
import { artifacts } from "hardhat";
import { PLATFORM_CONTRACTS } from "../../backend/src/chain/abi";

const SNAPSHOT = path.join(__dirname, "abi.snapshot.json");

async function abiOf(contract: string): Promise<string[]> {
  const artifact = await artifacts.readArtifact(contract);
  return new Interface(artifact.abi).format(false).sort();
}

describe("ABI snapshot of the deployed contracts", () => {
  it("every deployed contract's external ABI equals the committed snapshot", async () => {
    const current: Record<string, string[]> = {};
    for (const contract of PLATFORM_CONTRACTS) current[contract] = await abiOf(contract);
    if (process.env.UPDATE_ABI_SNAPSHOT === "1") {
      fs.writeFileSync(SNAPSHOT, `${JSON.stringify(current, null, 2)}\n`);
      return;
    }
    const committed = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, string[]>;
    expect(Object.keys(committed).sort(), "contracts in the snapshot").to.deep.equal([...PLATFORM_CONTRACTS].sort());
    for (const contract of PLATFORM_CONTRACTS) {
      const now = new Set(current[contract]);
      const then = new Set(committed[contract]);
      const added = [...now].filter((line) => !then.has(line));
      const removed = [...then].filter((line) => !now.has(line));
      expect({ added, removed }, `${contract}: ABI differs from abi.snapshot.json (see the header to update it)`).to.deep.equal({
        added: [],
        removed: [],
      });
    }
  });

  it("notices a changed entry: an argument that became indexed", async () => {
    const artifact = await artifacts.readArtifact("Settlement");
    const abi = JSON.parse(JSON.stringify(artifact.abi)) as { type: string; name?: string; inputs?: { indexed?: boolean }[] }[];
    const event = abi.find((entry) => entry.type === "event" && entry.name === "OrderFilled");
    event!.inputs![3]!.indexed = true;
    const committed = (JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, string[]>).Settlement!;
    expect(new Interface(abi).format(false).sort()).to.not.deep.equal(committed);
  });
});
