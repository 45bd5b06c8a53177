/**
 * The compliance position of one entity-year against its GEI target (BEE Detailed Procedure for Compliance
 * Mechanism; GHG Emission Intensity Target Rules, 2025; DOMAIN_NOTES.md §1.4, §1.6).
 *
 * Symbols: T = target GEI, G = achieved GEI (tCO2e per tonne of equivalent product, full precision), P =
 * equivalent output in the compliance year (t), p = the year's average CCC price (INR per CCC), k = the
 * environmental-compensation multiplier (2).
 *
 *   raw  = (T − G) × P                                       signed tonnes; computed in decimal, never rounded
 *        = T × P − E                                          the form used when the emissions E are known: it is
 *                                                              exact, while G = E / P is a rounded division that
 *                                                              could put a whole-number raw a hair below the integer
 *   CCC issuable = round_issuance(raw)        when raw > 0, else 0   (whole certificates)
 *   shortfall    = round_shortfall(−raw)      when raw < 0, else 0   (whole certificates to surrender or buy)
 *   EC [INR]     = k × p × shortfall          only when p is known; provisional while p is a running VWAP
 *
 * Rounding happens once, at the end, to whole certificates, with the modes configured in parameters.ts
 * (issuance down, shortfall up by default: never issue for less than a whole tonne, never leave part of one
 * uncovered; both [U] in the rules). EC here is on the whole shortfall: certificates surrendered later reduce it,
 * which the surrender stage will account for.
 */
import { type DecimalInput, Decimal, decimalString, parseNonNegative } from "../mrv";
import { type CctsParameters, type RoundingMode, CCTS_PARAMETERS, roundCertificates } from "./parameters";

export type PositionParameters = {
  targetGei: DecimalInput;
  /** Achieved GEI; or give `totalTco2e` (E), which is exact (see the module doc). */
  gei?: DecimalInput | Decimal | undefined;
  totalTco2e?: DecimalInput | undefined;
  equivalentOutputT: DecimalInput;
  averageCccPriceInr?: DecimalInput | undefined;
};

export type Position = {
  /** (T − G) × P before rounding, signed. */
  rawCertificates: string;
  cccIssuable: string;
  shortfall: string;
  environmentalCompensationInr?: string | undefined;
  rounding: { issuance: RoundingMode; shortfall: RoundingMode };
};

export function computePosition(input: PositionParameters, parameters: CctsParameters = CCTS_PARAMETERS): Position {
  const target = parseNonNegative("targetGei", input.targetGei, { allowZero: false });
  const output = parseNonNegative("equivalentOutputT", input.equivalentOutputT, { allowZero: false });
  let raw: Decimal;
  if (input.totalTco2e !== undefined) {
    raw = target.times(output).minus(parseNonNegative("totalTco2e", input.totalTco2e));
  } else {
    const gei = input.gei instanceof Decimal ? input.gei : parseNonNegative("gei", input.gei);
    raw = target.minus(gei).times(output);
  }
  const issuable = raw.greaterThan(0) ? roundCertificates(raw, parameters.issuanceRounding) : new Decimal(0);
  const shortfall = raw.lessThan(0) ? roundCertificates(raw.negated(), parameters.shortfallRounding) : new Decimal(0);
  const position: Position = {
    rawCertificates: decimalString(raw),
    cccIssuable: decimalString(issuable),
    shortfall: decimalString(shortfall),
    rounding: { issuance: parameters.issuanceRounding, shortfall: parameters.shortfallRounding },
  };
  if (input.averageCccPriceInr !== undefined) {
    const price = parseNonNegative("averageCccPriceInr", input.averageCccPriceInr);
    const ec = new Decimal(parameters.environmentalCompensationMultiplier).times(price).times(shortfall);
    position.environmentalCompensationInr = decimalString(ec);
  }
  return position;
}
