/**
 * India CCTS compliance core (issue 18), the pure part: positions against GEI targets, the equivalent-product
 * plugins, the entity-year assessment behind `carbon ccts assess`, and the uniform-price session clearing behind
 * `carbon ccts clear`. Storage of entities and positions, the exchange port and simulators, the over-selling
 * guard and the registry come in later stages and build on these functions. docs/ccts.md is the guide; each
 * file's doc is its specification:
 *
 * - `parameters.ts`        configured parameters (GWP set, rounding modes, grid factor, EC multiplier) with sources
 * - `position.ts`          CCC issuable = (T − G) × P, shortfall = (G − T) × P, EC = 2 × price × shortfall
 * - `equivalentProduct.ts` per-sector P_eq = Σ Q_p × f_p, factors versioned by notification
 * - `assess.ts`            one entity-year from entered figures through the MRV calculators
 * - `clearing.ts`          closed double-sided auction: MCP, MCV, price priority, pro rata at the margin
 * - `targets.ts`           notified plant targets (the Vedanta Jharsuguda fixture)
 */
export {
  type CctsParameters,
  type RoundingMode,
  CCTS_PARAMETERS,
  ROUNDING_MODES,
  loadCctsParameters,
  roundCertificates,
} from "./parameters";
export { type Position, type PositionParameters, computePosition } from "./position";
export {
  type CctsSector,
  type EquivalentProductPlugin,
  type SectorOutput,
  CCTS_SECTORS,
  EQUIVALENT_PRODUCT_PLUGINS,
  equivalentProductPlugin,
} from "./equivalentProduct";
export { type AssessOptions, OBLIGATED_SECTORS, assess } from "./assess";
export { type Bid, type Book, type ClearingResult, type Rejection, clearSession } from "./clearing";
export { type PlantTarget, PLANT_TARGETS, targetFor } from "./targets";
