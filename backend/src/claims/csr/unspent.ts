import { z } from "zod";
import { addDays, addMonths, daysBetween, fyEnd, fyLabel, fyOf } from "../dates";
import { isoDate } from "../reference/common";
import type { Parameters } from "../rules/params";
import { parseInput } from "../validate";
import { ValidationError } from "../../errors";
import { formatInr, nonNegativeRupeesSchema, rupeesString, sumPaise } from "./money";

/**
 * The Unspent CSR Account ledger and its timers (Companies Act 2013 s.135(5) and (6); CSR Rules r.7(2)). For the
 * money left unspent at the end of financial year Y (the "origin" year):
 *
 *   ongoing projects  transfer to the Unspent CSR Account      by fyEnd(Y) + 30 days          (30 April Y+1)
 *                     spend it                                 by fyEnd(Y + 3)                 (three FYs from the transfer)
 *                     transfer what remains to a Sch. VII fund by fyEnd(Y + 3) + 30 days       (30 April Y+4)
 *   other unspent     transfer to a Schedule VII fund          by fyEnd(Y) + 6 months          (30 September Y+1)
 *   CSR surplus       plough back / Unspent Account / fund     by fyEnd(Y) + 6 months          (r.7(2), a parameter)
 *
 * Day counts and year counts are parameters (parameters.json, with sources). A transfer made after its deadline
 * still counts toward the amount, and the deadline is reported `met_late` (the penalty of s.135(7), up to twice
 * the amount, applies to the default even when the money was later spent, per S100).
 */

const fy = z.number().int().min(2014).max(2100);

export const fyCloseSchema = z.object({
  fy,
  obligation: nonNegativeRupeesSchema,
  spent: nonNegativeRupeesSchema,
  /** Of the unspent amount: what relates to ongoing projects (s.135(6)) and what does not (s.135(5)). */
  unspentOngoing: nonNegativeRupeesSchema,
  unspentOther: nonNegativeRupeesSchema,
});
export type FyClose = z.output<typeof fyCloseSchema>;

export const ledgerEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("transfer_to_unspent_account"), originFy: fy, date: isoDate, amount: nonNegativeRupeesSchema }),
  z.object({ kind: z.literal("spend_from_unspent_account"), originFy: fy, date: isoDate, amount: nonNegativeRupeesSchema, projectId: z.string().min(1) }),
  z.object({
    kind: z.literal("transfer_to_fund"),
    originFy: fy,
    date: isoDate,
    amount: nonNegativeRupeesSchema,
    fund: z.string().min(1),
    from: z.enum(["unspent_account", "unspent_other", "surplus"]),
  }),
]);
export type LedgerEvent = z.output<typeof ledgerEventSchema>;

export type Surplus = { fy: number; amount: bigint; treatment: "pending" | "ploughed_back" | "unspent_account" | "schedule_vii_fund"; treatedOn?: string | undefined; projectId: string };

export type DeadlineKind = "transfer_to_unspent_account" | "spend_unspent_account" | "unspent_account_to_fund" | "other_unspent_to_fund" | "treat_surplus";

export type Deadline = {
  kind: DeadlineKind;
  originFy: number;
  dueDate: string;
  required: bigint;
  done: bigint;
  outstanding: bigint;
  /** `lapsed`: a spending period that ended with money left; that money is now due to a fund (the next deadline). */
  status: "met" | "met_late" | "upcoming" | "due_soon" | "overdue" | "lapsed";
  rule: string;
  sources: string[];
};

/** Parses closes and events; checks that each close's split adds up to its unspent amount. */
export function parseLedger(input: { closes: unknown; events: unknown }): { closes: FyClose[]; events: LedgerEvent[] } {
  const closes = parseInput(z.array(fyCloseSchema), input.closes, "closes");
  closes.forEach((c, i) => {
    const unspent = c.obligation > c.spent ? c.obligation - c.spent : 0n;
    if (c.unspentOngoing + c.unspentOther !== unspent) {
      throw new ValidationError(`closes[${i}].unspentOngoing`, `unspentOngoing + unspentOther must equal obligation - spent (Rs ${rupeesString(unspent)})`);
    }
  });
  return { closes, events: parseInput(z.array(ledgerEventSchema), input.events, "events") };
}

function status(dueDate: string, outstanding: bigint, lastDate: string | undefined, today: string, leadDays: number): Deadline["status"] {
  if (outstanding <= 0n) return lastDate !== undefined && lastDate > dueDate ? "met_late" : "met";
  if (today > dueDate) return "overdue";
  return daysBetween(today, dueDate) <= leadDays ? "due_soon" : "upcoming";
}

function tally(events: readonly LedgerEvent[], match: (e: LedgerEvent) => boolean, until?: string) {
  const hits = events.filter((e) => match(e) && (until === undefined || e.date <= until));
  return { total: sumPaise(hits.map((e) => e.amount)), last: hits.map((e) => e.date).sort().at(-1) };
}

export type DeadlinesParameters = {
  parameters: Parameters;
  closes: readonly FyClose[];
  events: readonly LedgerEvent[];
  surpluses?: readonly Surplus[];
  today: string;
  /** Days before a deadline from which it is `due_soon` (default 30). */
  leadDays?: number;
};

export function unspentDeadlines({ parameters, closes, events, surpluses = [], today, leadDays = 30 }: DeadlinesParameters): Deadline[] {
  const timers = parameters["csr.unspent"];
  const t = timers.value;
  const sources = timers.sources;
  const out: Deadline[] = [];
  const push = (kind: DeadlineKind, originFy: number, dueDate: string, required: bigint, done: { total: bigint; last?: string | undefined }, rule: string, src = sources) => {
    const outstanding = required > done.total ? required - done.total : 0n;
    let state = status(dueDate, outstanding, done.last, today, leadDays);
    if (kind === "spend_unspent_account" && state === "overdue") state = "lapsed";
    out.push({ kind, originFy, dueDate, required, done: done.total, outstanding, status: state, rule, sources: src });
  };
  for (const close of closes) {
    const y = close.fy;
    const of = (kind: LedgerEvent["kind"], from?: string) => (e: LedgerEvent) => e.kind === kind && e.originFy === y && (from === undefined || (e.kind === "transfer_to_fund" && e.from === from));
    if (close.unspentOngoing > 0n) {
      const transferDue = addDays(fyEnd(y), t.toUnspentAccountDays);
      const transferred = tally(events, of("transfer_to_unspent_account"));
      push("transfer_to_unspent_account", y, transferDue, close.unspentOngoing, transferred, `s.135(6): unspent amount of ongoing projects of FY ${fyLabel(y)} to the Unspent CSR Account within ${t.toUnspentAccountDays} days of the year end`);
      const firstTransfer = events.filter(of("transfer_to_unspent_account")).map((e) => e.date).sort()[0];
      const transferFy = firstTransfer === undefined ? y + 1 : fyOf(firstTransfer);
      const spendDue = fyEnd(transferFy + t.spendWithinFinancialYears - 1);
      const inAccount = transferred.total > 0n ? transferred.total : close.unspentOngoing;
      const spentByDue = tally(events, of("spend_from_unspent_account"), spendDue);
      const toFund = tally(events, of("transfer_to_fund", "unspent_account"));
      push("spend_unspent_account", y, spendDue, inAccount, { total: spentByDue.total + toFund.total, last: spentByDue.last }, `s.135(6): the Unspent CSR Account of FY ${fyLabel(y)} spent within ${t.spendWithinFinancialYears} financial years of the transfer`);
      const remaining = inAccount > spentByDue.total ? inAccount - spentByDue.total : 0n;
      if (remaining > 0n && today > addDays(spendDue, -leadDays)) {
        push("unspent_account_to_fund", y, addDays(spendDue, t.toFundAfterDays), remaining, toFund, `s.135(6): what remains of FY ${fyLabel(y)}'s Unspent CSR Account to a Schedule VII fund within ${t.toFundAfterDays} days of the third year's end`);
      }
    }
    if (close.unspentOther > 0n) {
      push("other_unspent_to_fund", y, addMonths(fyEnd(y), t.nonOngoingToFundMonths), close.unspentOther, tally(events, of("transfer_to_fund", "unspent_other")), `s.135(5) second proviso: unspent amount of FY ${fyLabel(y)} not relating to ongoing projects to a Schedule VII fund within ${t.nonOngoingToFundMonths} months of the year end`);
    }
  }
  const surplusTimer = parameters["csr.surplusToFundMonths"];
  for (const surplus of surpluses) {
    const treated = surplus.treatment === "pending" ? { total: 0n } : { total: surplus.amount, last: surplus.treatedOn };
    push("treat_surplus", surplus.fy, addMonths(fyEnd(surplus.fy), surplusTimer.value), surplus.amount, treated, `r.7(2): surplus of FY ${fyLabel(surplus.fy)} from project ${surplus.projectId} is not business profit: plough it back, move it to the Unspent CSR Account or pay it to a Schedule VII fund`, surplusTimer.sources);
  }
  return out.sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0));
}

export type CsrAlert = {
  kind: DeadlineKind;
  originFy: number;
  dueDate: string;
  /** Rupees outstanding, decimal string. */
  amountRupees: string;
  status: Deadline["status"];
  message: string;
  sources: string[];
};

const VERB: Record<DeadlineKind, string> = {
  transfer_to_unspent_account: "Transfer to the Unspent CSR Account",
  spend_unspent_account: "Spend from the Unspent CSR Account",
  unspent_account_to_fund: "Transfer the Unspent CSR Account's balance to a Schedule VII fund",
  other_unspent_to_fund: "Transfer the unspent amount (not ongoing projects) to a Schedule VII fund",
  treat_surplus: "Plough back or transfer the CSR surplus",
};

/** What is due, when and how much: every deadline not met, soonest first (overdue ones first of all). */
export function csrAlerts(input: DeadlinesParameters): CsrAlert[] {
  return unspentDeadlines(input)
    .filter((d) => d.status === "overdue" || d.status === "due_soon" || d.status === "upcoming")
    .sort((a, b) => Number(b.status === "overdue") - Number(a.status === "overdue") || (a.dueDate < b.dueDate ? -1 : 1))
    .map((d) => ({
      kind: d.kind,
      originFy: d.originFy,
      dueDate: d.dueDate,
      amountRupees: rupeesString(d.outstanding),
      status: d.status,
      message: `${VERB[d.kind]} for FY ${fyLabel(d.originFy)}: ${formatInr(d.outstanding)} ${d.status === "overdue" ? "was due" : "is due"} by ${d.dueDate} (${d.rule}).${d.kind === "transfer_to_unspent_account" && d.status === "overdue" ? " Missing this transfer is a default under s.135(7) even if the money is spent later." : ""}`,
      sources: d.sources,
    }));
}
