import { expect } from "chai";
import { type Address, type Hex, keccak256, toHex } from "viem";
import {
  batchIdOf,
  detailsHashOf,
  reasonHashOf,
  registryRefHashOf,
  serialRangeHashOf,
} from "../../../backend/src/chain/attestations";
import { paramsTagOf, requestKindCode } from "../../../backend/src/chain/bridge";
import type { ChainReader } from "../../../backend/src/chain/reader";
import { type RequestWork, verifyRequest } from "../../../backend/src/oracle/verify";
import { createRegistryAdapters } from "../../../backend/src/registries/adapters";
import { REGISTRY_IDS, type RegistryName } from "../../../backend/src/registries/ids";
import type { RegistryPort } from "../../../backend/src/registries/port";
import { parseSerial } from "../../../backend/src/registries/serials";
import { type RunningSimulator, startSimulator } from "../../../backend/src/simulators";

/**
 * The retirement checks against the real simulators of the registries whose serials carry ranges (Verra, Gold
 * Standard, India CCTS), with the chain side stubbed to "this request is pending with exactly these parameters".
 */
const CUSTODY = "PLATFORM-CUSTODY";
const HOLDER = "0x00000000000000000000000000000000000000aa" as Address;
const DETAILS = { beneficiary: "Acme Ltd", reason: "FY2025 scope 3 offset" };
const SERIALS: Array<[RegistryName, string]> = [
  ["VERRA", "9660-115597313-115597412-VCS-VCU-261-VER-US-14-1060-01012019-31122019-0"],
  ["GOLD_STANDARD", "GS1-1-KE-GS7495-16-2025-30645-608-707"],
  ["IN_CCTS", "CCC-IN-CEMENT-BEE0042-2025-1-100"],
];

function pendingChain(work: RequestWork, extra: Hex): ChainReader {
  const tag = paramsTagOf(requestKindCode(work.kind), work.holder, work.batchId, work.amount, extra);
  return { requestOf: async () => ({ kind: 1, status: 1, paramsTag: tag }) } as unknown as ChainReader;
}

describe("oracle checks against each registry's simulator", () => {
  for (const [registry, serial] of SERIALS) {
    describe(registry, () => {
      let sim: RunningSimulator;
      let adapter: RegistryPort;
      let recordId: string;
      const prefix = parseSerial({ serial, registry }).serialPrefix;
      const work = (requestId: Hex, amount: bigint): RequestWork => ({
        requestId,
        kind: "retirement",
        holder: HOLDER,
        batchId: batchIdOf(REGISTRY_IDS[registry], prefix),
        amount,
        serialPrefix: prefix,
        details: DETAILS,
        destinationAccount: undefined,
      });
      const deps = (w: RequestWork) => ({
        registry,
        adapter,
        custodyAccount: CUSTODY,
        chain: pendingChain(w, detailsHashOf(DETAILS)),
        call: <T>(fn: () => Promise<T>) => fn(),
      });

      before(async () => {
        sim = await startSimulator(registry, { port: 0 });
        sim.admin.addAccount({ id: CUSTODY, platform: true });
        recordId = sim.admin.seedBlock({ account: CUSTODY, serial }).id;
        adapter = createRegistryAdapters({ urls: { [registry]: sim.url }, inCctsApiKey: "ccts-sim-key" })[
          registry
        ] as RegistryPort;
      });
      after(async () => sim?.close());

      it("a confirmed retirement with the memo and details gives RetirementConfirmed with the registry's own " +
        "references", async () => {
        const w = work(keccak256(toHex(`${registry}-ok`)), 10n);
        expect(await verifyRequest(deps(w), w)).to.deep.equal({ wait: "registry has no answer yet" });
        const op = await adapter.retire({ account: CUSTODY, recordId, quantity: 10n, memo: w.requestId, ...DETAILS });
        const retired = await adapter.getBlock(op.resultRecordIds[0] as string);
        expect(await verifyRequest(deps(w), w)).to.deep.equal({
          kind: "RetirementConfirmed",
          subject: w.requestId,
          message: {
            requestId: w.requestId,
            holder: HOLDER,
            batchId: w.batchId,
            amount: 10n,
            detailsHash: detailsHashOf(DETAILS),
            retirementIdHash: registryRefHashOf(op.operationId),
            serialRangeHash: serialRangeHashOf(retired!.serial),
          },
        });
      });

      it("other retirement details or another amount at the registry: nothing to sign", async () => {
        const other = work(keccak256(toHex(`${registry}-other`)), 5n);
        await adapter.retire({
          account: CUSTODY,
          recordId,
          quantity: 5n,
          memo: other.requestId,
          beneficiary: "Someone Else",
          reason: DETAILS.reason,
        });
        expect(await verifyRequest(deps(other), other)).to.have.property("wait").that.matches(/other retirement details/);
        const short = work(keccak256(toHex(`${registry}-short`)), 4n);
        await adapter.retire({ account: CUSTODY, recordId, quantity: 3n, memo: short.requestId, ...DETAILS });
        expect(await verifyRequest(deps(short), short)).to.have.property("wait").that.matches(/moved 3, not 4/);
      });

      it("a refusal at the registry gives RetirementRejected with the hash of its reason", async () => {
        sim.admin.setKnobs({ confirmation: { mode: "manual" } });
        const w = work(keccak256(toHex(`${registry}-refused`)), 2n);
        await adapter.retire({ account: CUSTODY, recordId, quantity: 2n, memo: w.requestId, ...DETAILS });
        sim.admin.hold(recordId);
        sim.admin.confirmPending();
        sim.admin.release(recordId);
        sim.admin.setKnobs({ confirmation: { mode: "immediate" } });
        const op = await adapter.findOperationByMemo(w.requestId);
        const verdict = await verifyRequest(deps(w), w);
        expect(verdict).to.have.property("kind", "RetirementRejected");
        expect((verdict as { message: { reasonHash: Hex } }).message.reasonHash).to.equal(
          reasonHashOf(op!.rejectionReason ?? ""),
        );
      });
    });
  }
});
