/**
 * The configured CCTS parameters (`backend/data/ccts/parameters.json`): values the rules do not publish, each
 * with its source and status, loaded and checked once. Callers may pass an overridden copy (tests, scenarios);
 * every assessment records the parameters and their file version.
 */
import { z } from "zod";
import { Decimal } from "../mrv";
import data from "../../data/ccts/parameters.json";

export const ROUNDING_MODES = ["down", "up", "half_up", "half_even"] as const;
export type RoundingMode = (typeof ROUNDING_MODES)[number];

const param = <T extends z.ZodType>(value: T) =>
  z.object({ value, source: z.string().min(1), status: z.enum(["confirmed", "unconfirmed"]) });
const schema = z.object({
  version: z.string().min(1),
  description: z.string(),
  parameters: z.object({
    gwpSet: param(z.string()),
    combustionCategory: param(z.enum(["energy", "manufacturing"])),
    gridFactorVersion: param(z.string()),
    gridFactorVariant: param(
      z.enum(["weighted_average", "operating_margin", "build_margin", "combined_margin", "combined_margin_wind_solar"]),
    ),
    issuanceRounding: param(z.enum(ROUNDING_MODES)),
    shortfallRounding: param(z.enum(ROUNDING_MODES)),
    environmentalCompensationMultiplier: param(z.string().regex(/^\d+(\.\d+)?$/)),
  }),
});

export type CctsParameterFile = z.infer<typeof schema>;

export type CctsParameters = {
  version: string;
  gwpSet: string;
  combustionCategory: "energy" | "manufacturing";
  gridFactorVersion: string;
  gridFactorVariant: CctsParameterFile["parameters"]["gridFactorVariant"]["value"];
  issuanceRounding: RoundingMode;
  shortfallRounding: RoundingMode;
  environmentalCompensationMultiplier: string;
};

export function loadCctsParameters(file: unknown): CctsParameters {
  const { version, parameters: p } = schema.parse(file);
  return {
    version,
    gwpSet: p.gwpSet.value,
    combustionCategory: p.combustionCategory.value,
    gridFactorVersion: p.gridFactorVersion.value,
    gridFactorVariant: p.gridFactorVariant.value,
    issuanceRounding: p.issuanceRounding.value,
    shortfallRounding: p.shortfallRounding.value,
    environmentalCompensationMultiplier: p.environmentalCompensationMultiplier.value,
  };
}

export const CCTS_PARAMETERS: CctsParameters = loadCctsParameters(data);

/** Rounds to a whole number of certificates with a documented mode. */
export function roundCertificates(value: Decimal, mode: RoundingMode): Decimal {
  const rounding = {
    down: Decimal.ROUND_DOWN,
    up: Decimal.ROUND_UP,
    half_up: Decimal.ROUND_HALF_UP,
    half_even: Decimal.ROUND_HALF_EVEN,
  }[mode];
  return value.toDecimalPlaces(0, rounding);
}
