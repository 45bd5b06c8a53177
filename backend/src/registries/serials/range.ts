import { ValidationError } from "../../errors";
import { withRange, type ParsedSerial } from "./index";

/** An inclusive range of unit numbers. */
export type UnitRange = { blockStart: bigint; blockEnd: bigint };

export type SplitRangeReturnType = { taken: UnitRange; remainder: UnitRange };

/**
 * Splits `range` so that `taken` holds `quantity` units from the LOW end and `remainder` the rest
 * (the registries' behaviour on partial retirement; see REGISTRIES.md). 0 < quantity < size.
 */
export function splitRange(range: UnitRange, quantity: bigint): SplitRangeReturnType {
  const size = range.blockEnd - range.blockStart + 1n;
  if (quantity <= 0n || quantity >= size) {
    throw new ValidationError("quantity", `${quantity} must be between 1 and ${size - 1n} to split ${size} units`);
  }
  const cut = range.blockStart + quantity;
  return {
    taken: { blockStart: range.blockStart, blockEnd: cut - 1n },
    remainder: { blockStart: cut, blockEnd: range.blockEnd },
  };
}

/** True when `children` cover `parent` exactly: no gap, no overlap, nothing outside. */
export function partitionsExactly(parent: UnitRange, children: readonly UnitRange[]): boolean {
  if (children.length === 0) return false;
  const sorted = [...children].sort((a, b) => (a.blockStart < b.blockStart ? -1 : a.blockStart > b.blockStart ? 1 : 0));
  let next = parent.blockStart;
  for (const child of sorted) {
    if (child.blockEnd < child.blockStart || child.blockStart !== next) return false;
    next = child.blockEnd + 1n;
  }
  return next === parent.blockEnd + 1n;
}

/** Splits a parsed serial at `quantity` (low end taken first), giving two serials of the same batch. */
export function splitSerial(parsed: ParsedSerial, quantity: bigint): { taken: ParsedSerial; remainder: ParsedSerial } {
  if (parsed.blockStart === undefined || parsed.blockEnd === undefined) {
    throw new ValidationError("serial", `${JSON.stringify(parsed.serial)} carries no unit range to split`);
  }
  const { taken, remainder } = splitRange({ blockStart: parsed.blockStart, blockEnd: parsed.blockEnd }, quantity);
  return {
    taken: withRange(parsed, taken.blockStart, taken.blockEnd),
    remainder: withRange(parsed, remainder.blockStart, remainder.blockEnd),
  };
}
