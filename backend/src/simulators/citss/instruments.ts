import { SimError } from "../core/types";

/**
 * CITSS compliance instruments (COMPLIANCE_REGISTRIES.md §2.2, §2.3). CITSS tracks holdings as quantities of an
 * instrument kind; no serial format is published, so the simulator keys holdings by instrument:
 *
 * - `CCA-2024`, `QCA-2024`: California / Québec allowances of a vintage (budget year, 2013–2030; binding at
 *   surrender);
 * - `APCR`: non-vintage price containment reserve allowances; `QC_EARLY_ACTION`: non-vintage Québec early
 *   action allowances;
 * - `ARBOC-CAFR5003-A`: ARB offset credits of one CARB issuance (their vintage is descriptive only).
 */
export type InstrumentType = "CCA" | "QCA" | "APCR" | "QC_EARLY_ACTION" | "ARBOC";
export type Instrument = { type: InstrumentType; vintage?: number | undefined; issuanceId?: string | undefined };

export const FIRST_VINTAGE = 2013;
export const LAST_VINTAGE = 2030;

/**
 * CARB Issuance ID: the eight-character CARB project id (`CA` + `FR` forest, `LS` livestock, `OD` ozone depleting
 * substances, `MM` mine methane capture + four digits, the fifth character `0` for Early Action projects), `-`,
 * a letter for the reporting period, and optionally a number for a further issuance for that period
 * (`CAFR5003-A`, `CAFR5195-A2`, `CAOD0016-D4`). The table's rows without an issuance (`-(reversal)`, `-(zero)`)
 * are not instruments and are refused here.
 */
export const ISSUANCE_ID_PATTERN = /^CA(FR|LS|OD|MM)([0-9]{4})-([A-Z])([0-9]*)$/;
export const PROJECT_TYPES = { FR: "U.S. Forest", LS: "Livestock", OD: "Ozone Depleting Substances", MM: "Mine Methane Capture" } as const;

export type IssuanceIdParts = { projectId: string; projectType: (typeof PROJECT_TYPES)[keyof typeof PROJECT_TYPES]; earlyAction: boolean; period: string; reissue: number };

export function parseIssuanceId(text: string, field = "issuanceId"): IssuanceIdParts {
  const match = ISSUANCE_ID_PATTERN.exec(text);
  if (match === null) throw new SimError(400, "INVALID_ISSUANCE_ID", `${field}: ${JSON.stringify(text)} is not a CARB Issuance ID such as CAFR5003-A`);
  const code = match[1] as keyof typeof PROJECT_TYPES;
  return {
    projectId: text.slice(0, 8),
    projectType: PROJECT_TYPES[code],
    earlyAction: (match[2] ?? "").startsWith("0"),
    period: match[3] ?? "",
    reissue: match[4] === "" || match[4] === undefined ? 1 : Number(match[4]),
  };
}

export function instrumentKey(instrument: Instrument): string {
  if (instrument.type === "CCA" || instrument.type === "QCA") return `${instrument.type}-${instrument.vintage}`;
  if (instrument.type === "ARBOC") return `ARBOC-${instrument.issuanceId}`;
  return instrument.type;
}

export function parseInstrumentKey(key: string, field = "instrument"): Instrument {
  const allowance = /^(CCA|QCA)-([0-9]{4})$/.exec(key);
  if (allowance !== null) {
    const vintage = Number(allowance[2]);
    if (vintage < FIRST_VINTAGE || vintage > LAST_VINTAGE) throw new SimError(400, "INVALID_VINTAGE", `${field}: vintage ${vintage} is outside ${FIRST_VINTAGE}–${LAST_VINTAGE}`);
    return { type: allowance[1] as "CCA" | "QCA", vintage };
  }
  if (key === "APCR" || key === "QC_EARLY_ACTION") return { type: key };
  if (key.startsWith("ARBOC-")) {
    const issuanceId = key.slice("ARBOC-".length);
    parseIssuanceId(issuanceId, field);
    return { type: "ARBOC", issuanceId };
  }
  throw new SimError(400, "INVALID_INSTRUMENT", `${field}: ${JSON.stringify(key)} is not an instrument (CCA-2024, QCA-2024, APCR, QC_EARLY_ACTION, ARBOC-CAFR5003-A)`);
}

export function isAllowance(instrument: Instrument): boolean {
  return instrument.type !== "ARBOC";
}

export function isVintaged(instrument: Instrument): boolean {
  return instrument.type === "CCA" || instrument.type === "QCA";
}

/**
 * §95856(b)(2): an allowance surrendered for an obligation of `obligationYear` must be of a budget year within
 * or before it; non-vintage allowances (APCR, QC early action) always qualify; `exceptions` lists
 * `"obligationYear:vintage"` pairs the jurisdiction allowed.
 */
export function vintageAllowed(instrument: Instrument, obligationYear: number, exceptions: readonly string[] = []): boolean {
  if (!isVintaged(instrument)) return true;
  const vintage = instrument.vintage ?? Number.MAX_SAFE_INTEGER;
  return vintage <= obligationYear || exceptions.includes(`${obligationYear}:${vintage}`);
}
