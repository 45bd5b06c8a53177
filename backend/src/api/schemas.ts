import { z } from "zod";

/** Body of every error answer. `requestId` matches the `x-request-id` header and the server's log lines. */
export const errorBody = z.object({
  error: z.string().describe("Machine-readable class: validation, not_found, unavailable, internal, ..."),
  message: z.string(),
  code: z.string().optional().describe("Stable code of a backend error, e.g. REGISTRY_RATE_LIMITED"),
  requestId: z.string(),
  fields: z
    .array(z.object({ field: z.string().describe("e.g. body.amount"), message: z.string() }))
    .optional()
    .describe("Validation errors only: every bad field"),
});

export type ErrorBody = z.infer<typeof errorBody>;
