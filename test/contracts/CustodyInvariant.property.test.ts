/**
 * Property test of the custody invariant (ARCHITECTURE.md §3.1) over random sequences of deposits, transfers,
 * retirement and withdrawal requests, confirmations (single and batched), rejections, under-quorum answers,
 * wallet and batch freezes, registry pauses, overdue flags and wallet recoveries (TransferBatch logs). A model
 * predicts whether each step succeeds and what it moves; after every step:
 *
 * - totalSupply(B) == Σ holder balances + bridge balance, and the bridge balance == Σ open requests of B;
 * - supply changes only on deposits and quorum-confirmed exits (no burn without quorum; a rejected or unconfirmed
 *   request never changes supply);
 * - every balance equals the model's;
 * - the custody head recomputed from TransferSingle/TransferBatch logs alone equals `custodyHead(B)`.
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { type Hex, keccak256, toHex } from "viem";
import { ZERO_HEAD, detailsHashOf, requestIdOf } from "../../backend/src/chain/attestations";
import { custodyHeadsFromLogs } from "../support/custodyLogs";
import { DETAILS, REQUEST_WINDOW, deployPlatformFixture, REGISTRY_GOLD, REGISTRY_VERRA } from "../support/platformFixture";

const BATCHES = [
  { registryId: REGISTRY_VERRA, serialPrefix: "VCS-PROP-A" },
  { registryId: REGISTRY_GOLD, serialPrefix: "GS-PROP-B" },
] as const;

type Action =
  | { t: "deposit"; holder: number; batch: number; amount: number }
  | { t: "transfer"; from: number; to: number; batch: number; amount: number }
  | { t: "request"; kind: "retire" | "withdraw"; holder: number; batch: number; amount: number }
  | { t: "confirm"; pick: number }
  | { t: "confirmBatch"; count: number }
  | { t: "reject"; pick: number }
  | { t: "underQuorum"; pick: number }
  | { t: "freezeWallet"; holder: number }
  | { t: "freezeBatch"; batch: number }
  | { t: "pauseRegistry"; batch: number }
  | { t: "overdue"; pick: number }
  | { t: "recover"; from: number; to: number };

const holderArb = fc.integer({ min: 0, max: 2 });
const batchArb = fc.integer({ min: 0, max: 1 });
const amountArb = fc.integer({ min: 1, max: 60 });
const pickArb = fc.nat({ max: 20 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant("deposit" as const), holder: holderArb, batch: batchArb, amount: amountArb }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant("transfer" as const),
      from: holderArb,
      to: holderArb,
      batch: batchArb,
      amount: amountArb,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant("request" as const),
      kind: fc.constantFrom("retire" as const, "withdraw" as const),
      holder: holderArb,
      batch: batchArb,
      amount: amountArb,
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("confirm" as const), pick: pickArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("confirmBatch" as const), count: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("reject" as const), pick: pickArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("underQuorum" as const), pick: pickArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("freezeWallet" as const), holder: holderArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("freezeBatch" as const), batch: batchArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("pauseRegistry" as const), batch: batchArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("overdue" as const), pick: pickArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("recover" as const), from: holderArb, to: holderArb }) },
);

type Open = {
  kind: "retire" | "withdraw";
  requestId: Hex;
  holder: number;
  batch: number;
  amount: bigint;
  key: Hex;
  account: Hex;
};

describe("Custody invariant (property)", function () {
  this.timeout(170_000);

  async function baseFixture() {
    const f = await deployPlatformFixture();
    const batchIds: bigint[] = [];
    for (const [i, b] of BATCHES.entries()) {
      const holder = [f.alice, f.bob][i] as HardhatEthersSigner;
      const { batchId } = await f.deposit(holder.address, 100n, b);
      batchIds.push(batchId);
    }
    return { ...f, batchIds };
  }

  it("holds after every step of random custody sequences", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: 25 }), async (actions) => {
        run += 1;
        const f = await loadFixture(baseFixture);
        const holders = [f.alice, f.bob, f.carol];
        const bridge = f.addresses.registryBridge;
        const token = f.creditToken;
        const b = f.registryBridge;
        // model
        const bal = holders.map(() => [0n, 0n]);
        bal[0]![0] = 100n;
        bal[1]![1] = 100n;
        const supply = [100n, 100n];
        const walletFrozen = [false, false, false];
        const batchFrozen = [false, false];
        const registryPaused = new Map<number, boolean>();
        const open: Open[] = [];
        let keyCount = 0;
        const detailsHash = detailsHashOf(DETAILS);

        const attempt = async (shouldSucceed: boolean, send: () => Promise<unknown>, what: string) => {
          let ok = true;
          try {
            await (await (send() as Promise<{ wait(): Promise<unknown> }>)).wait();
          } catch {
            ok = false;
          }
          expect(ok, `${what}: expected ${shouldSucceed ? "success" : "revert"} (run ${run})`).to.equal(shouldSucceed);
          return ok;
        };
        const answerable = (o: Open, returning: boolean) => !returning || (!batchFrozen[o.batch] && !walletFrozen[o.holder]);
        const confirmationOf = (o: Open) =>
          o.kind === "retire"
            ? f.retirementConfirmation(
                {
                  requestId: o.requestId,
                  key: o.key,
                  holder: o.account,
                  batchId: f.batchIds[o.batch]!,
                  amount: o.amount,
                  detailsHash,
                },
                o.requestId,
              )
            : null;

        const checkInvariant = async (step: string) => {
          const heads = await custodyHeadsFromLogs(token);
          const bridgeHeld = [0n, 0n];
          for (const o of open) bridgeHeld[o.batch]! += o.amount;
          for (const [i, id] of f.batchIds.entries()) {
            const onChainSupply = await token.totalSupply(id);
            const bridgeBal = await token.balanceOf(bridge, id);
            let sum = bridgeBal;
            for (const [h, s] of holders.entries()) {
              const x = await token.balanceOf(s.address, id);
              expect(x, `${step}: balance of holder ${h} in batch ${i}`).to.equal(bal[h]![i]);
              sum += x;
            }
            expect(onChainSupply, `${step}: supply == Σ balances + bridge (batch ${i})`).to.equal(sum);
            expect(onChainSupply, `${step}: supply moves only with deposits and quorum exits (batch ${i})`).to.equal(supply[i]);
            expect(bridgeBal, `${step}: bridge balance == Σ open requests (batch ${i})`).to.equal(bridgeHeld[i]);
            expect(await token.custodyHead(id), `${step}: custody head from logs (batch ${i})`).to.equal(
              heads.get(id) ?? ZERO_HEAD,
            );
          }
        };

        for (const [n, a] of actions.entries()) {
          const step = `step ${n} ${JSON.stringify(a)}`;
          switch (a.t) {
            case "deposit": {
              const ok = !batchFrozen[a.batch] && !walletFrozen[a.holder];
              const m = f.depositMessage(holders[a.holder]!.address, BigInt(a.amount), BATCHES[a.batch]);
              const sigs = await f.quorum("DepositConfirmed", m);
              if (await attempt(ok, () => b.connect(f.relayer).confirmDeposit(m, sigs, 0n), step)) {
                bal[a.holder]![a.batch]! += BigInt(a.amount);
                supply[a.batch]! += BigInt(a.amount);
              }
              break;
            }
            case "transfer": {
              const amount = BigInt(a.amount);
              const ok =
                !batchFrozen[a.batch] && !walletFrozen[a.from] && !walletFrozen[a.to] && bal[a.from]![a.batch]! >= amount;
              const from = holders[a.from]!;
              const to = holders[a.to]!;
              if (
                await attempt(
                  ok,
                  () => token.connect(from).safeTransferFrom(from.address, to.address, f.batchIds[a.batch]!, amount, "0x"),
                  step,
                )
              ) {
                bal[a.from]![a.batch]! -= amount;
                bal[a.to]![a.batch]! += amount;
              }
              break;
            }
            case "request": {
              const amount = BigInt(a.amount);
              const registryId = BATCHES[a.batch]!.registryId;
              const ok =
                !batchFrozen[a.batch] &&
                !walletFrozen[a.holder] &&
                bal[a.holder]![a.batch]! >= amount &&
                !registryPaused.get(registryId);
              const holder = holders[a.holder]!;
              const key = keccak256(toHex(`prop-${run}-${++keyCount}`));
              const id = f.batchIds[a.batch]!;
              const send =
                a.kind === "retire"
                  ? () => b.connect(holder).requestRetirement(id, amount, key, DETAILS)
                  : () => b.connect(holder).requestWithdrawal(id, amount, key, keccak256(toHex("acct")));
              if (await attempt(ok, send, step)) {
                bal[a.holder]![a.batch]! -= amount;
                open.push({
                  kind: a.kind,
                  requestId: requestIdOf(holder.address as Hex, key),
                  holder: a.holder,
                  batch: a.batch,
                  amount,
                  key,
                  account: holder.address as Hex,
                });
              }
              break;
            }
            case "confirm":
            case "underQuorum": {
              if (open.length === 0) break;
              const i = a.pick % open.length;
              const o = open[i]!;
              const full = a.t === "confirm";
              if (o.kind === "retire") {
                const c = confirmationOf(o)!;
                const sigs = (await f.quorum("RetirementConfirmed", c)).slice(0, full ? 2 : 1);
                await attempt(full, () => b.confirmRetirement(c, sigs), step);
              } else {
                const c = f.withdrawalConfirmation({
                  requestId: o.requestId,
                  key: o.key,
                  holder: o.account,
                  batchId: f.batchIds[o.batch]!,
                  amount: o.amount,
                  registryAccount: keccak256(toHex("acct")),
                });
                const sigs = (await f.quorum("WithdrawalConfirmed", c)).slice(0, full ? 2 : 1);
                await attempt(full, () => b.confirmWithdrawal(c, sigs), step);
              }
              if (full) {
                supply[o.batch]! -= o.amount;
                open.splice(i, 1);
              }
              break;
            }
            case "confirmBatch": {
              const picked = open.filter((o) => o.kind === "retire").slice(0, a.count);
              if (picked.length === 0) break;
              const items = picked.map((o) => confirmationOf(o)!);
              const sigs = await f.quorum("RetirementConfirmedBatch", { items });
              await attempt(true, () => b.confirmRetirements(items, sigs), step);
              for (const o of picked) {
                supply[o.batch]! -= o.amount;
                open.splice(open.indexOf(o), 1);
              }
              break;
            }
            case "reject": {
              if (open.length === 0) break;
              const i = a.pick % open.length;
              const o = open[i]!;
              const ok = answerable(o, true);
              const base = {
                requestId: o.requestId,
                key: o.key,
                holder: o.account,
                batchId: f.batchIds[o.batch]!,
                amount: o.amount,
              };
              const done =
                o.kind === "retire"
                  ? await (async () => {
                      const j = f.retirementRejection({ ...base, detailsHash });
                      const sigs = await f.quorum("RetirementRejected", j);
                      return attempt(ok, () => b.rejectRetirement(j, sigs), step);
                    })()
                  : await (async () => {
                      const j = f.withdrawalRejection({ ...base, registryAccount: keccak256(toHex("acct")) });
                      const sigs = await f.quorum("WithdrawalRejected", j);
                      return attempt(ok, () => b.rejectWithdrawal(j, sigs), step);
                    })();
              if (done) {
                bal[o.holder]![o.batch]! += o.amount;
                open.splice(i, 1);
              }
              break;
            }
            case "freezeWallet": {
              const h = holders[a.holder]!.address;
              const frozen = walletFrozen[a.holder]!;
              await attempt(
                true,
                () => (frozen ? token.connect(f.agent).unfreezeWallet(h, 9) : token.connect(f.agent).freezeWallet(h, 9)),
                step,
              );
              walletFrozen[a.holder] = !frozen;
              break;
            }
            case "freezeBatch": {
              const id = f.batchIds[a.batch]!;
              const frozen = batchFrozen[a.batch]!;
              await attempt(
                true,
                () => (frozen ? token.connect(f.agent).unfreezeBatch(id, 9) : token.connect(f.agent).freezeBatch(id, 9)),
                step,
              );
              batchFrozen[a.batch] = !frozen;
              break;
            }
            case "pauseRegistry": {
              const r = BATCHES[a.batch]!.registryId;
              const paused = registryPaused.get(r) ?? false;
              await attempt(
                true,
                () => (paused ? b.connect(f.guardian).unpauseRegistry(r) : b.connect(f.guardian).pauseRegistry(r)),
                step,
              );
              registryPaused.set(r, !paused);
              break;
            }
            case "recover": {
              // an agent moves every balance of both batches (one TransferBatch log) to another holder
              const ok = !walletFrozen[a.to] && !batchFrozen[0] && !batchFrozen[1];
              const from = holders[a.from]!.address;
              const to = holders[a.to]!.address;
              if (await attempt(ok, () => token.connect(f.agent).recoverWallet(from, to, f.batchIds, 5), step)) {
                for (const i of [0, 1]) {
                  const moved = bal[a.from]![i]!;
                  bal[a.from]![i] = 0n;
                  bal[a.to]![i]! += moved;
                }
              }
              break;
            }
            case "overdue": {
              if (open.length === 0) break;
              const o = open[a.pick % open.length]!;
              const req = await b.requestOf(o.requestId);
              if (!req.overdueFlagged) {
                await time.increase(REQUEST_WINDOW + 1);
                await attempt(true, () => b.flagOverdue(o.requestId), step);
              }
              break;
            }
          }
          await checkInvariant(step);
        }
      }),
      { numRuns: 40, verbose: 1 },
    );
  });
});
