import type { z } from "zod";
import { ValidationError } from "../errors";

/** `["blocks", 0, "quantity"]` as `blocks[0].quantity`. */
export function formatPath(parts: ReadonlyArray<PropertyKey>): string {
  return parts.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}

/**
 * Parses caller input with `schema`; on failure throws a ValidationError whose field is the first bad field's
 * path (prefixed with `root`, e.g. `body`), with every problem listed in the message and in details.
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, root = ""): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const at = formatPath(issue.path);
    return { field: root === "" ? at : at === "" ? root : `${root}.${at}`, message: issue.message };
  });
  const first = problems[0]!;
  throw new ValidationError(first.field || "(input)", problems.map((p) => `${p.field}: ${p.message}`).join("; "), { problems });
}
