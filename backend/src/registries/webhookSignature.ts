import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook signing shared by the simulators (which sign) and the adapters (which verify):
 * `signature = hex(HMAC-SHA256(secret, "{timestamp}.{rawBody}"))`, sent as `sha256={signature}` in
 * `x-registry-signature`, with the Unix timestamp in seconds in `x-registry-timestamp`. Binding the timestamp
 * into the MAC stops an attacker replaying an old body with a fresh timestamp.
 */
export const WEBHOOK_TIMESTAMP_HEADER = "x-registry-timestamp";
export const WEBHOOK_SIGNATURE_HEADER = "x-registry-signature";

export function signWebhook(secret: string, timestampSeconds: number, rawBody: string): string {
  return createHmac("sha256", secret).update(`${timestampSeconds}.${rawBody}`).digest("hex");
}

export function webhookHeaders(secret: string, rawBody: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: `sha256=${signWebhook(secret, timestamp, rawBody)}`,
  };
}

export type VerifyWebhookSignatureParameters = {
  secret: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string | Buffer;
  /** Largest accepted clock difference, in seconds. */
  toleranceSeconds?: number | undefined;
  nowMs?: number | undefined;
};

export type VerifyWebhookSignatureReturnType = { ok: true; timestamp: number } | { ok: false; reason: string };

function header(headers: VerifyWebhookSignatureParameters["headers"], name: string): string | undefined {
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(found) ? found[0] : found;
}

export function verifyWebhookSignature(params: VerifyWebhookSignatureParameters): VerifyWebhookSignatureReturnType {
  const timestampText = header(params.headers, WEBHOOK_TIMESTAMP_HEADER);
  const signatureText = header(params.headers, WEBHOOK_SIGNATURE_HEADER);
  if (timestampText === undefined || !/^[0-9]{1,12}$/.test(timestampText)) {
    return { ok: false, reason: `missing or malformed ${WEBHOOK_TIMESTAMP_HEADER}` };
  }
  if (signatureText === undefined || !/^sha256=[0-9a-f]{64}$/.test(signatureText)) {
    return { ok: false, reason: `missing or malformed ${WEBHOOK_SIGNATURE_HEADER}` };
  }
  const timestamp = Number(timestampText);
  const skew = Math.abs((params.nowMs ?? Date.now()) / 1000 - timestamp);
  const tolerance = params.toleranceSeconds ?? 300;
  if (skew > tolerance) return { ok: false, reason: `timestamp is ${Math.round(skew)}s away from now (> ${tolerance}s)` };
  const body = typeof params.rawBody === "string" ? params.rawBody : params.rawBody.toString("utf8");
  const expected = Buffer.from(signWebhook(params.secret, timestamp, body), "hex");
  const given = Buffer.from(signatureText.slice("sha256=".length), "hex");
  if (!timingSafeEqual(expected, given)) return { ok: false, reason: "signature does not match" };
  return { ok: true, timestamp };
}
