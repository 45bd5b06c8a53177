import { SimError } from "../core/types";

/**
 * UK ETS unit blocks (COMPLIANCE_REGISTRIES.md §1.5, after `Block.java`, `UnitBlock.java`, `UnitSplitService`,
 * `UnitReservationService`): inclusive ranges of unit numbers from one registry-wide issuance sequence, each held
 * by one account, with the date it was acquired. Users ask for a quantity, never for serials; the registry
 * picks blocks first-in first-out and cuts the last one.
 */
export type UnitBlock = {
  id: number;
  startBlock: bigint;
  endBlock: bigint;
  /** `ALLOWANCE` (primary/supplementary code 0/10) is the UK allowance, UKA: the only UK ETS unit. */
  unitType: "ALLOWANCE";
  /** `GB` for UKAs: `IssuanceProcessor` passes the Kyoto registry code. */
  originatingCountryCode: string;
  /** Commitment periods, 0 (CP0) for UKAs. */
  originalPeriod: number;
  applicablePeriod: number;
  /** The allocation year the units were issued for. Whether it restricts use is not stated; it does not here. */
  year: number;
  /** Full identifier of the holding account. */
  accountId: string;
  acquisitionDate: Date;
  lastModifiedDate: Date;
  /** The transaction whose proposal locked the block. */
  reservedForTransaction?: string | undefined;
};

export function quantityOf(block: Pick<UnitBlock, "startBlock" | "endBlock">): bigint {
  return block.endBlock - block.startBlock + 1n;
}

/** The registry's selection order: `order by acquisitionDate asc, originatingCountryCode asc, startBlock asc`. */
export function fifoOrder(a: UnitBlock, b: UnitBlock): number {
  const byDate = a.acquisitionDate.getTime() - b.acquisitionDate.getTime();
  if (byDate !== 0) return byDate;
  if (a.originatingCountryCode !== b.originatingCountryCode) return a.originatingCountryCode < b.originatingCountryCode ? -1 : 1;
  return a.startBlock < b.startBlock ? -1 : a.startBlock > b.startBlock ? 1 : 0;
}

export type SplitBlockReturnType = { block: UnitBlock; created: Omit<UnitBlock, "id"> };

/**
 * `UnitSplitService.split(block, splitFromLeft, newUpperLimit)`. From the right: the block keeps
 * `start..newUpperLimit` and a new block takes `newUpperLimit + 1..end`. From the left: the block keeps
 * `newUpperLimit..end` and the new block takes `start..newUpperLimit − 1`. The new block copies every other field
 * (holder, acquisition date, year). Returns undefined when no split is needed (the limit is the block's edge).
 */
export function splitBlock(block: UnitBlock, splitFromLeft: boolean, newUpperLimit: bigint): SplitBlockReturnType | undefined {
  const { id: _id, ...fields } = block;
  if (splitFromLeft) {
    if (newUpperLimit === block.startBlock) return undefined;
    if (newUpperLimit < block.startBlock || newUpperLimit > block.endBlock) {
      throw new SimError(500, "BAD_SPLIT", `cannot split ${block.startBlock}-${block.endBlock} from the left at ${newUpperLimit}`);
    }
    return { block: { ...block, startBlock: newUpperLimit }, created: { ...fields, endBlock: newUpperLimit - 1n } };
  }
  if (newUpperLimit === block.endBlock) return undefined;
  if (newUpperLimit > block.endBlock || newUpperLimit < block.startBlock) {
    throw new SimError(500, "BAD_SPLIT", `cannot split ${block.startBlock}-${block.endBlock} from the right at ${newUpperLimit}`);
  }
  return { block: { ...block, endBlock: newUpperLimit }, created: { ...fields, startBlock: newUpperLimit + 1n } };
}

export type ReservationPlan = {
  /** Blocks reserved whole, in FIFO order. */
  whole: UnitBlock[];
  /** The last block, of which only `keep` units (its low end) are reserved; the rest is split off to the right. */
  partial?: { block: UnitBlock; newUpperLimit: bigint } | undefined;
};

/**
 * Which of `available` (the account's unreserved blocks) cover `quantity`, the registry's
 * `proceedToReservation`: walk the blocks in FIFO order; the block that reaches the quantity is cut at
 * `end − total + quantity` from the right, so its low end is reserved and the remainder stays with the holder.
 * 422 when the account holds fewer units (the registry's business check 3005).
 */
export function planReservation(available: readonly UnitBlock[], quantity: bigint): ReservationPlan {
  if (quantity <= 0n) throw new SimError(400, "BAD_QUANTITY", "quantity: must be a positive whole number of allowances");
  const ordered = available.filter((block) => block.reservedForTransaction === undefined).sort(fifoOrder);
  const whole: UnitBlock[] = [];
  let total = 0n;
  for (const block of ordered) {
    total += quantityOf(block);
    if (total < quantity) {
      whole.push(block);
      continue;
    }
    if (total === quantity) return { whole: [...whole, block] };
    return { whole, partial: { block, newUpperLimit: block.endBlock - total + quantity } };
  }
  throw new SimError(422, "INSUFFICIENT_UNITS", `quantity: the requested quantity ${quantity} exceeds the current account balance ${total} for the unit type being transferred (3005)`);
}
