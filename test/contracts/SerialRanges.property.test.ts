/**
 * Property test of the bridge's deposited serial blocks (issue 12 §3.2, §3.3): random deposits of random ranges
 * (overlapping, adjacent, identical, in two batches, with exact, stale, wrong or zero hints), whole-block and
 * partial withdrawals. A model keeps the live blocks of each batch; after every step:
 *
 * - a deposit succeeded exactly when its range overlaps no live block of its batch (whatever the hint);
 * - no two live blocks of a batch overlap: `depositedBlocksOf` is the model's list, ascending, disjoint;
 * - a withdrawal released a block exactly when it took that whole block; `depositHintOf` names the nearest live
 *   block below;
 * - the holder's balance is what was minted less what was withdrawn.
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keccak256, toHex } from "viem";
import { batchIdOf } from "../../backend/src/chain/attestations";
import { REGISTRY_VERRA, deployPlatformFixture } from "../support/platformFixture";

const PREFIXES = ["VCS-RANGES-A", "VCS-RANGES-B"] as const;
const BATCH_IDS = PREFIXES.map((prefix) => batchIdOf(REGISTRY_VERRA, prefix));
const UNIVERSE = 400;

type Action =
  | { t: "deposit"; batch: number; start: number; length: number; hint: "exact" | "zero" | "lower" | "random"; random: number }
  | { t: "withdrawWhole"; batch: number; pick: number }
  | { t: "withdrawPart"; batch: number; pick: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant("deposit" as const),
      batch: fc.nat({ max: 1 }),
      start: fc.nat({ max: UNIVERSE }),
      length: fc.integer({ min: 1, max: 40 }),
      hint: fc.constantFrom("exact" as const, "zero" as const, "lower" as const, "random" as const),
      random: fc.nat({ max: UNIVERSE + 50 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("withdrawWhole" as const), batch: fc.nat({ max: 1 }), pick: fc.nat({ max: 30 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant("withdrawPart" as const), batch: fc.nat({ max: 1 }), pick: fc.nat({ max: 30 }) }),
  },
);

type Block = { start: bigint; end: bigint };

describe("Serial blocks (property)", function () {
  this.timeout(300_000);

  it("no two live blocks of a batch ever overlap, and every deposit and release is exactly the model's", async () => {
    let run = 0;
    const outcomes = { deposited: 0, refused: 0, released: 0, kept: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 4, maxLength: 24 }), async (actions) => {
        run += 1;
        const f = await loadFixture(deployPlatformFixture);
        const b = f.registryBridge;
        const live: Block[][] = [[], []];
        const balance = [0n, 0n];
        let n = 0;
        const below = (blocks: Block[], start: bigint) => blocks.filter((x) => x.start < start).at(-1);

        for (const [i, a] of actions.entries()) {
          const step = `run ${run} step ${i} ${JSON.stringify(a)}`;
          const blocks = live[a.batch]!;
          if (a.t === "deposit") {
            const start = BigInt(a.start);
            const end = start + BigInt(a.length) - 1n;
            const m = f.depositMessage(f.alice.address, 0n, {
              blockStart: start,
              blockEnd: end,
              serialPrefix: PREFIXES[a.batch]!,
              depositId: keccak256(toHex(`prop-range-${run}-${++n}`)),
            });
            const exact = below(blocks, start)?.start ?? 0n;
            const hint = { exact, zero: 0n, lower: blocks[0]?.start ?? 0n, random: BigInt(a.random) }[a.hint];
            const overlaps = blocks.some((x) => x.start <= end && start <= x.end);
            let ok = true;
            try {
              await (await b.connect(f.relayer).confirmDeposit(m, await f.quorum("DepositConfirmed", m), hint)).wait();
            } catch (error) {
              ok = false;
              expect(String(error), step).to.include("RegistryBridgeBlockOverlaps");
            }
            expect(ok, `${step}: deposit ${overlaps ? "overlaps" : "is free"}`).to.equal(!overlaps);
            if (ok) {
              blocks.push({ start, end });
              blocks.sort((x, y) => (x.start < y.start ? -1 : 1));
              balance[a.batch]! += end - start + 1n;
              outcomes.deposited += 1;
            } else {
              outcomes.refused += 1;
            }
          } else {
            const target = blocks[a.pick % Math.max(blocks.length, 1)];
            if (target === undefined) continue;
            const whole = a.t === "withdrawWhole";
            const taken = whole ? target : { start: target.start, end: target.start + (target.end - target.start) / 2n };
            const amount = taken.end - taken.start + 1n;
            if (!whole && taken.end === target.end) continue; // a one-unit block has no proper part
            if (balance[a.batch]! < amount) continue;
            const w = await f.requestWithdrawal(f.alice, BATCH_IDS[a.batch]!, amount);
            const c = f.withdrawalConfirmation(w, { blockStart: taken.start, blockEnd: taken.end });
            const receipt = await (await b.confirmWithdrawal(c, await f.quorum("WithdrawalConfirmed", c))).wait();
            const released = receipt!.logs.some((log) => b.interface.parseLog(log)?.name === "BlockKeyReleased");
            expect(released, `${step}: released exactly when the whole block left`).to.equal(whole);
            balance[a.batch]! -= amount;
            if (whole) blocks.splice(blocks.indexOf(target), 1);
            outcomes[whole ? "released" : "kept"] += 1;
          }
          {
            // the touched batch (the other one did not move)
            const k = a.batch;
            const id = BATCH_IDS[k]!;
            const [starts, ends] = await b.depositedBlocksOf(id);
            const model = live[k]!;
            expect([...starts], `${step}: starts of batch ${k}`).to.deep.equal(model.map((x) => x.start));
            expect([...ends], `${step}: ends of batch ${k}`).to.deep.equal(model.map((x) => x.end));
            for (let j = 1; j < starts.length; j += 1) expect(ends[j - 1]! < starts[j]!, `${step}: disjoint`).to.equal(true);
            const probe = BigInt((i * 37) % UNIVERSE);
            expect(await b.depositHintOf(id, probe), `${step}: hint below ${probe}`).to.equal(below(model, probe)?.start ?? 0n);
            expect(await f.creditToken.balanceOf(f.alice.address, id), `${step}: balance`).to.equal(balance[k]);
          }
        }
      }),
      { numRuns: 25 },
    );
    // the generator must reach every path, not only refusals
    expect(outcomes.deposited, JSON.stringify(outcomes)).to.be.greaterThan(40);
    expect(outcomes.refused).to.be.greaterThan(8);
    expect(outcomes.released).to.be.greaterThan(8);
    expect(outcomes.kept).to.be.greaterThan(3);
    console.log(`      outcomes: ${JSON.stringify(outcomes)}`);
  });
});
