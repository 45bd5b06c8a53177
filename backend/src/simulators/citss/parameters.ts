/**
 * Every CITSS rule whose exact production value is not published in detail, as a simulator parameter. Each default
 * names its source: the California regulation (CCR title 17, §§95802–95990), Québec's Q-2, r.46.1, and CARB's
 * files, as COMPLIANCE_REGISTRIES.md §2 cites them. Entries marked [U] are our choice where the sources are silent.
 */
export type CompliancePeriod = { name: string; firstYear: number; lastYear: number };

export type CitssParameters = {
  /** Days (24 h from the proposal) for a second representative of the transferor to confirm. Default 2: §95921(b), QC s.26; "days" read as calendar days [U]. */
  confirmationDays: number;
  /** Days from the proposal for the transferee's representative to accept. Default 3: §95921(b), QC s.26 ("within 3 days of the proposal"). */
  acceptanceDays: number;
  /** Minutes between the last confirmation and the jurisdiction's decision. Default 0 (at once): the review time is not published [U]. */
  jurisdictionReviewMinutes: number;
  /**
   * The holding limit for current and past vintage allowances (and, separately, for each future vintage), in
   * allowances. Default: the §95920 formula as COMPLIANCE_REGISTRIES.md gives it [U]
   * (0.1 × 25 M + 0.025 × (budget − 25 M)) applied to `allowanceBudget`.
   */
  holdingLimit?: bigint | undefined;
  /** Annual allowance budget the default holding limit is computed from. Default 250,000,000: an illustrative round figure, not CARB's budget [sim]. */
  allowanceBudget: bigint;
  /** Share of a year's emissions due at the annual surrender, in percent. Default 30: §95856(d)(1). */
  annualSurrenderPercent: number;
  /** Annual and full-period surrender deadline, local time, `MM-DDTHH:MM`. Default `11-01T17:00`: §95856(d)(1) "5 p.m. Pacific Time" on 1 November. */
  surrenderDeadline: string;
  timeZone: string;
  /** Compliance periods. Default CP1–CP5: CarbonPlan methods (S8), CARB CP4 report (S7), §95854 (S18b); CP6 2027–2030 is our assumption [U]. */
  periods: readonly CompliancePeriod[];
  /**
   * Offset usage limit as basis points of an obligation, by emission year. Default: 800 up to 2020 (8 %, CP1–3),
   * 400 for 2021–2025 (4 %), 600 from 2026 (6 %): §95854.
   */
  offsetLimitBasisPoints: (year: number) => number;
  /** First emission year from which at most half of the offset limit may come from projects without DEBS. Default 2021: §95854. */
  debsRuleFromYear: number;
  /** Instruments due per ton of excess emissions at an untimely surrender. Default 4: §95857. */
  untimelyMultiplier: number;
  /** Largest share of an untimely surrender that offsets may cover, in percent. Default 25 (at least ¾ allowances): §95857. */
  untimelyOffsetPercent: number;
  /** Days after the missed deadline the untimely obligation is due. Default 30 [U]: the regulation's notice period is not in our sources. */
  untimelyDueDays: number;
  /** Months an entity has to replace invalidated offsets it had surrendered. Default 6: §95857(a)(2), §95985. */
  invalidationReplacementMonths: number;
  /** Vintages allowed at a surrender for an earlier obligation year, `"obligationYear:vintage"`. Default none: §95856(b)(2) exceptions are case by case [U]. */
  vintageExceptions: readonly string[];
  /** Largest voluntary retirement per QC entity per calendar year. Default 10,000: QC s.27. CA has none in our sources [U]. */
  quebecRetirementCapPerYear: bigint;
  /** Number of the first entity id of each jurisdiction (`CA1001`, `QC1001`). Default 1001: CARB compliance reports (S7) start at CA1001 [U for QC]. */
  firstEntityNumber: number;
  /** Alternate account representatives per entity. Default at most 4: §95832(a). */
  maxAlternateRepresentatives: number;
};

export const DEFAULT_PERIODS: readonly CompliancePeriod[] = [
  { name: "CP1", firstYear: 2013, lastYear: 2014 },
  { name: "CP2", firstYear: 2015, lastYear: 2017 },
  { name: "CP3", firstYear: 2018, lastYear: 2020 },
  { name: "CP4", firstYear: 2021, lastYear: 2023 },
  { name: "CP5", firstYear: 2024, lastYear: 2026 },
  { name: "CP6", firstYear: 2027, lastYear: 2030 },
];

export function defaultOffsetLimitBasisPoints(year: number): number {
  if (year <= 2020) return 800;
  if (year <= 2025) return 400;
  return 600;
}

/** The §95920 formula as COMPLIANCE_REGISTRIES.md states it [U]: 0.1 × 25 M + 0.025 × (budget − 25 M). */
export function holdingLimitFor(budget: bigint): bigint {
  const base = 25_000_000n;
  return budget <= base ? budget / 10n : base / 10n + ((budget - base) * 25n) / 1000n;
}

export const CITSS_DEFAULTS: CitssParameters = {
  confirmationDays: 2,
  acceptanceDays: 3,
  jurisdictionReviewMinutes: 0,
  allowanceBudget: 250_000_000n,
  annualSurrenderPercent: 30,
  surrenderDeadline: "11-01T17:00",
  timeZone: "America/Los_Angeles",
  periods: DEFAULT_PERIODS,
  offsetLimitBasisPoints: defaultOffsetLimitBasisPoints,
  debsRuleFromYear: 2021,
  untimelyMultiplier: 4,
  untimelyOffsetPercent: 25,
  untimelyDueDays: 30,
  invalidationReplacementMonths: 6,
  vintageExceptions: [],
  quebecRetirementCapPerYear: 10_000n,
  firstEntityNumber: 1001,
  maxAlternateRepresentatives: 4,
};
