import { ValidationError } from "../../errors";
import type { SignalOf } from "./model";

/**
 * Rating scales of the four agencies (CLAIMS_AND_CSR.md §1.5) and the one view the platform shows. The view does
 * NOT claim the agencies' grades are equivalent: it places each grade on its own scale (rank 1 = best of that
 * scale) and names its letter family (A, B, C or lower), which is what can be compared without a licence to the
 * agencies' methods. Grades are entered by licence holders (signals/model.ts `rating`); none ship with the code.
 */

export type RatingScale = {
  id: string;
  agency: SignalOf<"rating">["agency"];
  /** Best first. */
  grades: readonly string[];
  /** Modifiers the agency prints after a grade (BeZero's AA+), which do not change the rank here. */
  modifiers: readonly string[];
  sources: readonly string[];
  unconfirmed?: string;
};

export const RATING_SCALES: readonly RatingScale[] = [
  { id: "bezero-2023", agency: "BeZero", grades: ["AAA", "AA", "A", "BBB", "BB", "B", "C", "D"], modifiers: ["+", "-"], sources: ["S27", "S28"] },
  { id: "sylvera", agency: "Sylvera", grades: ["AAA", "AA", "A", "BBB", "BB", "B", "C", "D"], modifiers: [], sources: ["S29"] },
  {
    id: "calyx-ghg-2025",
    agency: "Calyx",
    grades: ["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D"],
    modifiers: [],
    sources: ["S30"],
    unconfirmed: "the exact ladder of the 2025 AAA-D scale (three tiers) is not confirmed from a source",
  },
  {
    id: "calyx-ghg-legacy",
    agency: "Calyx",
    grades: ["A", "B", "C", "D", "E"],
    modifiers: ["+"],
    sources: ["S30", "S26"],
    unconfirmed: "the legacy A+ to E ladder is known from examples (E, E+), not from the full scale text",
  },
  { id: "msci", agency: "MSCI", grades: ["AAA", "AA", "A", "BBB", "BB", "B", "CCC"], modifiers: [], sources: ["S25"] },
];

export type RatingView = {
  agency: string;
  scale: string;
  grade: string;
  /** 1 = the best grade of this agency's scale. */
  rank: number;
  scaleSize: number;
  family: "A" | "B" | "C_OR_LOWER";
  ratedAt: string;
  asOf: string;
  licenceHolder: string;
  sources: string[];
};

export function ratingScale(id: string): RatingScale {
  const scale = RATING_SCALES.find((s) => s.id === id);
  if (scale === undefined) {
    throw new ValidationError("scale", `unknown rating scale ${JSON.stringify(id)}; known: ${RATING_SCALES.map((s) => s.id).join(", ")}`);
  }
  return scale;
}

/** Checks a grade against its scale and places it. Throws naming the field when the grade is not on the scale. */
export function ratingView(rating: SignalOf<"rating">): RatingView {
  const scale = ratingScale(rating.scale);
  if (scale.agency !== rating.agency) {
    throw new ValidationError("scale", `scale ${scale.id} is ${scale.agency}'s, not ${rating.agency}'s`);
  }
  const modifier = scale.modifiers.find((m) => rating.grade.length > 1 && rating.grade.endsWith(m));
  const base = modifier === undefined ? rating.grade : rating.grade.slice(0, -modifier.length);
  const index = scale.grades.indexOf(base);
  if (index < 0) {
    throw new ValidationError("grade", `${JSON.stringify(rating.grade)} is not on ${scale.id} (${scale.grades.join(", ")})`);
  }
  const letter = base[0];
  return {
    agency: rating.agency,
    scale: scale.id,
    grade: rating.grade,
    rank: index + 1,
    scaleSize: scale.grades.length,
    family: letter === "A" ? "A" : letter === "B" ? "B" : "C_OR_LOWER",
    ratedAt: rating.ratedAt,
    asOf: rating.asOf,
    licenceHolder: rating.licence.holder,
    sources: [...new Set([...rating.sources, ...scale.sources])],
  };
}
