import { expect } from "chai";
import { hotp } from "../../../backend/src/simulators/core/representatives";
import { instantOf } from "../../../backend/src/simulators/core/zoned-time";
import { checkDigitsFor, checkDigitsValid, formatAccountId, parseAccountId } from "../../../backend/src/simulators/uk-ets/account-id";
import { ENGLAND_AND_WALES_BANK_HOLIDAYS } from "../../../backend/src/simulators/uk-ets/bank-holidays";
import { planReservation, splitBlock, type UnitBlock } from "../../../backend/src/simulators/uk-ets/blocks";
import { complianceStatus, surrenderDeadlineOf } from "../../../backend/src/simulators/uk-ets/compliance";
import { TRANSACTION_TYPES, approvalRequired, delayApplies, receivingBlockedReason, sendingBlockedReason } from "../../../backend/src/simulators/uk-ets/rules";
import { scheduleExecution, type TransactionWindow } from "../../../backend/src/simulators/uk-ets/working-time";

/** The UK ETS rules as pure functions (COMPLIANCE_REGISTRIES.md §1), without a server. */
const london = (text: string) => {
  const [date, time] = text.split(" ") as [string, string];
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hour, minute, second] = time.split(":").map(Number) as [number, number, number?];
  return instantOf("Europe/London", { year, month, day, hour, minute, second: second ?? 0 });
};
const window: TransactionWindow = { zone: "Europe/London", startMinute: 600, endMinute: 960, holidays: new Set(ENGLAND_AND_WALES_BANK_HOLIDAYS) };
const executes = (approved: string, delayMinutes: number) => scheduleExecution(window, london(approved), delayMinutes).executeAt.toISOString();

describe("simulators/uk-ets rules", () => {
  describe("account identifiers (ISO 7064 MOD 97-10, AccountService/GeneratorService)", () => {
    it("computes the check digits of the doc's example UK-100-10000060-0-52", () => {
      expect(checkDigitsFor(100, 10_000_060n, 0)).to.equal(52);
      expect(formatAccountId(100, 10_000_060n)).to.equal("UK-100-10000060-0-52");
    });

    it("prints single-digit check digits without zero padding (UK-100-10000050-0-5) and still accepts the padded -05", () => {
      expect(formatAccountId(100, 10_000_050n)).to.equal("UK-100-10000050-0-5");
      expect(formatAccountId(100, 10_000_070n)).to.equal("UK-100-10000070-0-2");
      expect(parseAccountId("UK-100-10000050-0-5").checkDigits).to.equal(5);
      // The registry validates check digits as an integer, so 05 is the same number.
      expect(parseAccountId("UK-100-10000050-0-05").checkDigits).to.equal(5);
    });

    it("refuses wrong check digits and malformed ids with a message naming the field", () => {
      expect(() => parseAccountId("UK-100-10000060-0-53", "acquiringAccountIdentifier")).to.throw(/acquiringAccountIdentifier: the check digits .* are wrong \(expected 52\)/);
      expect(() => parseAccountId("UK-100-10000050-0-50")).to.throw(/check digits/);
      expect(() => parseAccountId("UK-10-10000060-0-52")).to.throw(/not an account number/);
      expect(() => parseAccountId("XX-100-10000060-0-52")).to.throw(/not an account number/);
      // Any single-digit change of the identifier is caught (mod 97 catches every single substitution).
      for (const identifier of [10_000_061n, 10_000_160n, 20_000_060n]) {
        expect(checkDigitsValid({ typeCode: 100, identifier, commitmentPeriod: 0, checkDigits: 52 })).to.equal(false);
      }
    });

    it("accepts check digits computed with the GB (Kyoto) letters too, as the registry's validation does", () => {
      // 98 - n mod 97 with G=16, B=11 in place of U=30, K=20.
      const gb = Number(98n - (BigInt(`${10_000_060n}16111000000`) % 97n));
      expect(parseAccountId(`GB-100-10000060-0-${gb}`).identifier).to.equal(10_000_060n);
    });
  });

  describe("unit blocks: FIFO selection and splits (UnitReservationService, UnitSplitService)", () => {
    const at = (iso: string) => new Date(iso);
    const block = (id: number, start: bigint, end: bigint, acquired: string, origin = "GB"): UnitBlock => ({
      id,
      startBlock: start,
      endBlock: end,
      unitType: "ALLOWANCE",
      originatingCountryCode: origin,
      originalPeriod: 0,
      applicablePeriod: 0,
      year: 2025,
      accountId: "UK-100-10000050-0-5",
      acquisitionDate: at(acquired),
      lastModifiedDate: at(acquired),
    });

    it("selects by acquisition date, then originating country, then start block, and cuts the last block", () => {
      const older = block(1, 10_000_000_500n, 10_000_000_599n, "2025-01-02T00:00:00Z");
      const newerLow = block(2, 10_000_000_000n, 10_000_000_099n, "2025-02-01T00:00:00Z");
      const newerHigh = block(3, 10_000_000_200n, 10_000_000_299n, "2025-02-01T00:00:00Z");
      const plan = planReservation([newerHigh, newerLow, older], 150n);
      expect(plan.whole.map((b) => b.id)).to.deep.equal([1]);
      expect(plan.partial?.block.id).to.equal(2);
      // newEnd = end - total + quantity = 10_000_000_099 - 200 + 150
      expect(plan.partial?.newUpperLimit).to.equal(10_000_000_049n);
      expect(planReservation([newerHigh, newerLow, older], 200n)).to.deep.equal({ whole: [older, newerLow] });
    });

    it("orders by originating country on equal dates and skips reserved blocks", () => {
      const xx = block(1, 1n, 10n, "2025-01-01T00:00:00Z", "XI");
      const gb = block(2, 100n, 109n, "2025-01-01T00:00:00Z", "GB");
      const reserved = { ...block(3, 50n, 59n, "2024-01-01T00:00:00Z"), reservedForTransaction: "UK100001" };
      expect(planReservation([xx, gb, reserved], 5n).partial?.block.id).to.equal(2);
    });

    it("refuses more than the balance (3005) and non-positive quantities", () => {
      expect(() => planReservation([block(1, 1n, 10n, "2025-01-01T00:00:00Z")], 11n)).to.throw(/exceeds the current account balance 10/);
      expect(() => planReservation([], 0n)).to.throw(/quantity/);
    });

    it("splits from the right (the block keeps its low end) and from the left (the block keeps its high end)", () => {
      const original = block(7, 100n, 199n, "2025-01-01T00:00:00Z");
      const right = splitBlock(original, false, 139n);
      expect([right?.block.id, right?.block.startBlock, right?.block.endBlock]).to.deep.equal([7, 100n, 139n]);
      expect([right?.created.startBlock, right?.created.endBlock, right?.created.accountId]).to.deep.equal([140n, 199n, original.accountId]);
      const left = splitBlock(original, true, 140n);
      expect([left?.block.startBlock, left?.block.endBlock]).to.deep.equal([140n, 199n]);
      expect([left?.created.startBlock, left?.created.endBlock]).to.deep.equal([100n, 139n]);
      expect(splitBlock(original, false, 199n)).to.equal(undefined);
      expect(splitBlock(original, true, 100n)).to.equal(undefined);
      expect(() => splitBlock(original, false, 250n)).to.throw(/cannot split/);
    });
  });

  describe("transaction window and delay (TransactionDelayService)", () => {
    it("follows the guidance's worked examples for untrusted accounts (24 hour delay)", () => {
      // transaction-hours guidance: Fri 15:59 -> Mon 15:59; Fri 16:01 -> clock starts Mon 10:00, executes Tue 10:00; Sat 12:00 -> Tue 10:00.
      expect(executes("2025-03-07 15:59:00", 1440)).to.equal(london("2025-03-10 15:59:00").toISOString());
      expect(executes("2025-03-07 16:01:00", 1440)).to.equal(london("2025-03-11 10:00:00").toISOString());
      expect(scheduleExecution(window, london("2025-03-07 16:01:00"), 1440).startClock.toISOString()).to.equal(london("2025-03-10 10:00:00").toISOString());
      expect(executes("2025-03-08 12:00:00", 1440)).to.equal(london("2025-03-11 10:00:00").toISOString());
    });

    it("trusted accounts wait only for the window: Fri 16:01 -> Mon 10:00, or Tue 10:00 when Monday is a bank holiday", () => {
      expect(executes("2025-03-07 16:01:00", 0)).to.equal(london("2025-03-10 10:00:00").toISOString());
      // Friday 2 May 2025, Monday 5 May 2025 is the Early May bank holiday.
      expect(executes("2025-05-02 16:01:00", 0)).to.equal(london("2025-05-06 10:00:00").toISOString());
      // An untrusted transfer then starts its clock Tuesday and executes Wednesday.
      expect(executes("2025-05-02 16:01:00", 1440)).to.equal(london("2025-05-07 10:00:00").toISOString());
      // Inside the window a trusted transfer executes at once.
      expect(executes("2025-03-07 11:00:00", 0)).to.equal(london("2025-03-07 11:00:00").toISOString());
    });

    it("reproduces the registry's own test vectors around the May 2021 bank holiday (TransactionDelayServiceTest)", () => {
      // approval, 24 h execution; Monday 3 May 2021 was a bank holiday.
      const vectors: Array<[string, string]> = [
        ["2021-04-30 09:50:00", "2021-05-04 10:00:00"],
        ["2021-04-30 11:00:00", "2021-05-04 11:00:00"],
        ["2021-04-29 15:59:00", "2021-04-30 15:59:00"],
        ["2021-04-29 16:01:00", "2021-05-04 10:00:00"],
        ["2021-04-30 16:01:00", "2021-05-05 10:00:00"],
        ["2021-05-01 12:00:00", "2021-05-05 10:00:00"],
        ["2021-05-03 11:00:44", "2021-05-05 10:00:00"],
        ["2021-03-15 16:00:00", "2021-03-16 16:00:00"],
        ["2021-03-15 16:00:01", "2021-03-17 10:00:00"],
        ["2021-03-19 15:59:59", "2021-03-22 15:59:59"],
      ];
      for (const [approved, executed] of vectors) expect(executes(approved, 1440), approved).to.equal(london(executed).toISOString());
      // 2 h delay from 15:00 runs past 16:00 and moves to the next working day's start (the bank holiday skipped).
      expect(executes("2021-04-30 15:00:00", 120)).to.equal(london("2021-05-04 10:00:00").toISOString());
    });

    it("uses London wall time across daylight saving (10:00 BST is 09:00 UTC)", () => {
      expect(executes("2025-07-04 16:30:00", 0)).to.equal("2025-07-07T09:00:00.000Z");
      expect(executes("2025-12-05 16:30:00", 0)).to.equal("2025-12-08T10:00:00.000Z");
    });
  });

  describe("approval and delay decisions (ApprovalService, isTransactionValidForDelay)", () => {
    const transfer = TRANSACTION_TYPES["10-50"];
    const base = { rule: transfer, acquiringType: "TRADING_ACCOUNT" as const, acquiringTrusted: true, approvalSecondArRequired: false, singlePersonApprovalRequired: false };
    it("asks for a second AR when the acquirer is not trusted or the account requires it", () => {
      expect(approvalRequired(base)).to.equal(false);
      expect(approvalRequired({ ...base, acquiringTrusted: false })).to.equal(true);
      expect(approvalRequired({ ...base, approvalSecondArRequired: true })).to.equal(true);
    });
    it("surrender needs approval exactly when single_person_approval_required is set; deletion always; allocation never", () => {
      const surrender = { ...base, rule: TRANSACTION_TYPES["10-2"], acquiringType: "UK_SURRENDER_ACCOUNT" as const, acquiringTrusted: false };
      expect(approvalRequired(surrender)).to.equal(false);
      expect(approvalRequired({ ...surrender, singlePersonApprovalRequired: true })).to.equal(true);
      expect(approvalRequired({ ...base, rule: TRANSACTION_TYPES["10-90"] })).to.equal(true);
      expect(approvalRequired({ ...base, rule: TRANSACTION_TYPES["10-40"], acquiringTrusted: false })).to.equal(false);
    });
    it("applies the delay to 10-50 only, and never towards a government account", () => {
      expect(delayApplies(transfer, "TRADING_ACCOUNT")).to.equal(true);
      expect(delayApplies(transfer, "UK_GENERAL_HOLDING_ACCOUNT")).to.equal(false);
      expect(delayApplies(TRANSACTION_TYPES["10-2"], "UK_SURRENDER_ACCOUNT")).to.equal(false);
    });
    it("blocks sending from restricted, suspended and transfer-pending accounts; the partially suspended can receive", () => {
      expect(sendingBlockedReason("OPEN", "10-50")).to.equal(undefined);
      expect(sendingBlockedReason("SOME_TRANSACTIONS_RESTRICTED", "10-2")).to.equal(undefined);
      expect(sendingBlockedReason("SOME_TRANSACTIONS_RESTRICTED", "10-50")).to.match(/only surrender/);
      for (const status of ["SUSPENDED_PARTIALLY", "TRANSFER_PENDING", "SUSPENDED", "ALL_TRANSACTIONS_RESTRICTED", "CLOSED"] as const) {
        expect(sendingBlockedReason(status, "10-50"), status).to.match(/cannot send/);
      }
      expect(receivingBlockedReason("SUSPENDED_PARTIALLY")).to.equal(undefined);
      expect(receivingBlockedReason("TRANSFER_PENDING")).to.equal(undefined);
      expect(receivingBlockedReason("SUSPENDED")).to.match(/cannot receive/);
    });
  });

  describe("compliance status (DynamicComplianceCalculator)", () => {
    const facts = { firstYear: 2024, emissions: new Map([[2024, 1000n]]), excludedYears: new Set<number>(), surrendered: 0n, currentYear: 2025 };
    it("goes NOT_APPLICABLE -> C -> B -> A as emissions are entered and surrendered", () => {
      expect(complianceStatus({ ...facts, currentYear: 2024 })).to.equal("NOT_APPLICABLE");
      expect(complianceStatus({ ...facts, emissions: new Map() })).to.equal("C");
      expect(complianceStatus(facts)).to.equal("B");
      expect(complianceStatus({ ...facts, surrendered: 999n })).to.equal("B");
      expect(complianceStatus({ ...facts, surrendered: 1000n })).to.equal("A");
      expect(complianceStatus({ ...facts, excludedYears: new Set([2024]) })).to.equal("EXCLUDED");
      expect(complianceStatus({ ...facts, firstYear: undefined })).to.equal("NOT_APPLICABLE");
    });
    it("puts the deadline at the end of 30 April 23:59 UK time (BST, so 22:59:59.999 UTC)", () => {
      expect(surrenderDeadlineOf(2025, "04-30T23:59", "Europe/London").toISOString()).to.equal("2025-04-30T22:59:59.999Z");
    });
  });

  it("one-time codes are RFC 4226 HOTP (the RFC's test vectors)", () => {
    const secret = Buffer.from("12345678901234567890");
    expect([0, 1, 2, 9].map((counter) => hotp(secret, counter))).to.deep.equal(["755224", "287082", "359152", "520489"]);
  });
});
