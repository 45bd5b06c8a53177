import Decimal from "decimal.js";
import { ValidationError } from "../../errors";
import { fyLabel } from "../dates";
import type { Parameters } from "../rules/params";
import { croreToPaise, lakhToPaise, parseRupees, rupeesString } from "./money";

/**
 * Whether section 135 applies, and the amount (Companies Act 2013 s.135(1) and (5); CSR Rules 2014 r.7(2), 7(3)).
 * Inputs are the company's own figures (net profit as computed under s.198, which the caller supplies); the
 * thresholds and the 2 % come from the parameters with their sources.
 *
 *   obliged      = netWorth >= 500 crore  OR  turnover >= 1,000 crore  OR  netProfit >= 5 crore   (preceding FY)
 *   average      = (sum of net profits of the three preceding FYs) / 3      (fewer FYs for a company younger than three)
 *   prescribed   = ceil(2 % x average) to the paisa, 0 when the average is not positive
 *   total        = prescribed + surplus arising from CSR activities (r.7(2)) - set-off of excess spent earlier (r.7(3))
 */

export type Financials = { fy: number; netWorth: string; turnover: string; netProfit: string };

export type Applicability = {
  fy: number;
  /** The financial year whose figures decided it (the preceding one). */
  basedOnFy: number;
  obliged: boolean;
  triggeredBy: Array<"net_worth" | "turnover" | "net_profit">;
  rule: string;
  sources: string[];
};

/** Applicability for financial year `fy` from the figures of `fy - 1`. */
export function csrApplicability(parameters: Parameters, fy: number, preceding: Financials): Applicability {
  if (preceding.fy !== fy - 1) throw new ValidationError("preceding.fy", `expected the figures of FY ${fyLabel(fy - 1)}, got ${fyLabel(preceding.fy)}`);
  const t = parameters["csr.thresholds"];
  const checks = [
    ["net_worth", parseRupees(preceding.netWorth, "preceding.netWorth"), croreToPaise(t.value.netWorthCrore)],
    ["turnover", parseRupees(preceding.turnover, "preceding.turnover"), croreToPaise(t.value.turnoverCrore)],
    ["net_profit", parseRupees(preceding.netProfit, "preceding.netProfit"), croreToPaise(t.value.netProfitCrore)],
  ] as const;
  const triggeredBy = checks.filter(([, value, threshold]) => value >= threshold).map(([name]) => name);
  return {
    fy,
    basedOnFy: fy - 1,
    obliged: triggeredBy.length > 0,
    triggeredBy,
    rule: `s.135(1): net worth >= Rs ${t.value.netWorthCrore} crore, turnover >= Rs ${t.value.turnoverCrore} crore or net profit >= Rs ${t.value.netProfitCrore} crore in FY ${fyLabel(fy - 1)}`,
    sources: t.sources,
  };
}

export type ObligationParameters = {
  fy: number;
  /** Net profits (s.198) of the preceding FYs: exactly fy-1, fy-2, fy-3, or fewer for a company younger than three FYs. */
  netProfits: Array<{ fy: number; netProfit: string }>;
  incorporatedWithinThreeYears?: boolean;
  /** r.7(2): surplus from CSR activities of earlier years that adds to this year's obligation. */
  surplusArising?: string;
  /** r.7(3): excess spent in earlier years set off against this year (at most what the board resolved). */
  setOff?: string;
};

export type Obligation = {
  fy: number;
  averageNetProfit: bigint;
  prescribed: bigint;
  surplusArising: bigint;
  setOff: bigint;
  total: bigint;
  committeeRequired: boolean;
  workings: string;
  sources: string[];
};

export function csrObligation(parameters: Parameters, input: ObligationParameters): Obligation {
  const years = input.netProfits.map((n) => n.fy).sort((a, b) => b - a);
  const expected = [input.fy - 1, input.fy - 2, input.fy - 3];
  const young = input.incorporatedWithinThreeYears === true;
  const ok = young ? years.length >= 1 && years.length <= 3 && years.every((y, i) => y === expected[i]) : years.join() === expected.join();
  if (!ok) {
    throw new ValidationError("netProfits", `expected the net profits of FY ${expected.map(fyLabel).join(", ")}${young ? " (or the years since incorporation)" : ""}, got ${years.map(fyLabel).join(", ") || "none"}`);
  }
  const profits = input.netProfits.map((n, i) => parseRupees(n.netProfit, `netProfits[${i}].netProfit`));
  const sum = profits.reduce((a, b) => a + b, 0n);
  const average = BigInt(new Decimal(sum.toString()).div(profits.length).toDecimalPlaces(0, Decimal.ROUND_DOWN).toFixed(0));
  const percent = parameters["csr.obligationPercent"];
  // 2 % of the exact average (sum / n), rounded up once: rounding the average first could lose a paisa.
  const exact = new Decimal(sum.toString()).mul(percent.value).div(100).div(profits.length);
  const prescribed = sum <= 0n ? 0n : BigInt(exact.toDecimalPlaces(0, Decimal.ROUND_CEIL).toFixed(0));
  const surplusArising = input.surplusArising === undefined ? 0n : parseRupees(input.surplusArising, "surplusArising");
  const setOff = input.setOff === undefined ? 0n : parseRupees(input.setOff, "setOff");
  if (surplusArising < 0n) throw new ValidationError("surplusArising", "must not be negative");
  if (setOff < 0n || setOff > prescribed + surplusArising) throw new ValidationError("setOff", "must be between 0 and the year's obligation");
  const total = prescribed + surplusArising - setOff;
  const committee = parameters["csr.committeeNotRequiredUpToLakh"];
  return {
    fy: input.fy,
    averageNetProfit: average,
    prescribed,
    surplusArising,
    setOff,
    total,
    committeeRequired: total > lakhToPaise(committee.value),
    workings: `${percent.value}% of Rs ${rupeesString(sum)} / ${profits.length} = Rs ${rupeesString(prescribed)}; + surplus Rs ${rupeesString(surplusArising)} - set-off Rs ${rupeesString(setOff)} = Rs ${rupeesString(total)}`,
    sources: [...new Set([...percent.sources, ...committee.sources])],
  };
}
