import { expect } from "chai";
import fc from "fast-check";
import { partitionsExactly } from "../../../backend/src/registries/serials/range";
import { Ledger } from "../../../backend/src/simulators/core/ledger";

type Step = { kind: "TRANSFER" | "RETIRE" | "IMMOBILIZE"; pick: number; fraction: number };

describe("simulators/core: ledger properties", () => {
  it("whatever operations run, the blocks descended from a seeded block partition its range exactly", () => {
    const step = fc.record({
      kind: fc.constantFrom("TRANSFER" as const, "RETIRE" as const, "IMMOBILIZE" as const),
      pick: fc.nat(),
      fraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 5_000_000_000n }),
        fc.bigInt({ min: 2n, max: 100_000n }),
        fc.array(step, { maxLength: 25 }),
        (start, size, steps: Step[]) => {
          const ledger = new Ledger({ registry: "VERRA", serialFor: (_b, r) => `S-${r.blockStart}-${r.blockEnd}` });
          ledger.addAccount({ id: "P", platform: true });
          ledger.addAccount({ id: "H" });
          const root = ledger.addBlock({
            serial: `S-${start}-${start + size - 1n}`,
            blockStart: start,
            blockEnd: start + size - 1n,
            projectId: "1",
            account: "P",
          });
          const original = { blockStart: root.blockStart, blockEnd: root.blockEnd };
          for (const [index, s] of steps.entries()) {
            const live = [...ledger.blocks.values()].filter(
              (b) => b.account === "P" && (b.status === "ACTIVE" || b.status === "IMMOBILIZED"),
            );
            const block = live[s.pick % Math.max(1, live.length)];
            if (block === undefined) break;
            const units = block.blockEnd - block.blockStart + 1n;
            const quantity = BigInt(Math.max(1, Math.floor(Number(units) * s.fraction)));
            if (s.kind === "IMMOBILIZE" && block.status !== "ACTIVE") continue;
            ledger.submit({
              kind: s.kind,
              memo: `m${index}`,
              blockId: block.id,
              quantity: quantity > units ? units : quantity,
              actingAccount: "P",
              toAccount: "H",
            });
          }
          const all = [...ledger.blocks.values()];
          expect(partitionsExactly(original, all)).to.equal(true);
          const descendsFromRoot = (id: string | undefined): boolean =>
            id === root.id || (id !== undefined && descendsFromRoot(ledger.blocks.get(id)?.parentId));
          for (const block of all) expect(descendsFromRoot(block.id)).to.equal(true);
          expect(root.blockEnd).to.equal(original.blockEnd); // the remainder keeps the record id and the high end
          const sum = all.reduce((total, b) => total + (b.blockEnd - b.blockStart + 1n), 0n);
          expect(sum).to.equal(size);
        },
      ),
      { numRuns: 150 },
    );
  });
});
