import { z } from "zod";
import type { RegistryName } from "./ids";
import { registryChangeSchema, type RegistryChange } from "./model";
import type { VerifyWebhookReturnType, WebhookHeaders } from "./port";
import { verifyWebhookSignature } from "./webhookSignature";

/** Event body every simulator sends (and its event log serves): see simulators/README.md. */
export const nativeEventSchema = z.object({
  id: z.string(),
  sequence: z.number().int().positive(),
  type: z.string(),
  occurredAt: z.string(),
  operationId: z.string().optional(),
  memo: z.string().optional(),
  blockIds: z.array(z.string()),
  data: z.record(z.string(), z.unknown()),
});

export type NativeEvent = z.output<typeof nativeEventSchema>;

/** One native event as a canonical change; `raw` is kept as the source payload. */
export function nativeEventToChange(registry: RegistryName, event: NativeEvent, raw: unknown): RegistryChange {
  return registryChangeSchema.parse({
    registry,
    eventId: event.id,
    sequence: String(event.sequence),
    type: event.type,
    occurredAt: event.occurredAt,
    operationId: event.operationId,
    memo: event.memo,
    recordIds: event.blockIds,
    sourcePayload: raw,
  });
}

export type VerifyRegistryWebhookParameters = {
  registry: RegistryName;
  secret: string | undefined;
  toleranceSeconds?: number | undefined;
  headers: WebhookHeaders;
  rawBody: string | Buffer;
};

/** Signature and timestamp first, then the body; a body that does not fit is refused, not half-read. */
export function verifyRegistryWebhook(params: VerifyRegistryWebhookParameters): VerifyWebhookReturnType {
  if (params.secret === undefined) return { ok: false, reason: "no webhook secret configured" };
  const signature = verifyWebhookSignature({
    secret: params.secret,
    headers: params.headers,
    rawBody: params.rawBody,
    toleranceSeconds: params.toleranceSeconds,
  });
  if (!signature.ok) return signature;
  let json: unknown;
  try {
    json = JSON.parse(typeof params.rawBody === "string" ? params.rawBody : params.rawBody.toString("utf8"));
  } catch {
    return { ok: false, reason: "body is not JSON" };
  }
  const event = nativeEventSchema.safeParse(json);
  if (!event.success) return { ok: false, reason: `unexpected body: ${z.prettifyError(event.error)}` };
  return { ok: true, change: nativeEventToChange(params.registry, event.data, json) };
}
