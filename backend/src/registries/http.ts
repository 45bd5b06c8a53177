import { AsyncLocalStorage } from "node:async_hooks";
import type { z } from "zod";
import { prettifyError } from "zod";
import { RegistryProtocolError, RegistryRateLimitedError, RegistryRejectedError, RegistryUnavailableError } from "./errors";
import type { RegistryName } from "./ids";

/**
 * The one HTTP client the adapters share: global fetch with a timeout, JSON in and out, and every failure
 * mapped to a typed registry error (429 → rate limited with Retry-After; 5xx, timeouts and refused connections →
 * unavailable; other 4xx → rejected; unreadable bodies → protocol).
 */
export type RegistryHttpClientParameters = {
  registry: RegistryName;
  baseUrl: string;
  timeoutMs?: number | undefined;
  /** Sent with every request. */
  headers?: Record<string, string> | undefined;
  /** Per-request headers, e.g. an OAuth bearer token. */
  authorize?: (() => Promise<Record<string, string>>) | undefined;
};

export type RegistryRequest = {
  method: "GET" | "POST" | "PATCH";
  path: string;
  query?: Record<string, string | number | undefined> | undefined;
  json?: unknown;
  form?: Record<string, string> | undefined;
  headers?: Record<string, string> | undefined;
};

export type RegistryResponse = { status: number; headers: Headers; body: unknown };

export type RegistryHttpClient = { request(request: RegistryRequest): Promise<RegistryResponse> };

/**
 * Asked before every HTTP request made inside `withRequestGate` (also token requests of an OAuth client). The
 * registry guard uses it so its rate limit counts requests, not adapter calls: some adapter calls make several
 * (Verra's `getBlock` of a retired block reads two reports).
 */
export type RequestGate = { beforeRequest(): Promise<void> };
const requestGates = new AsyncLocalStorage<RequestGate>();

/** Runs `fn` with `gate` asked before each registry HTTP request it makes. */
export function withRequestGate<T>(gate: RequestGate, fn: () => Promise<T>): Promise<T> {
  return requestGates.run(gate, fn);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^[0-9]+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function messageOf(body: unknown): string {
  if (typeof body === "string") return body.slice(0, 300);
  if (body !== null && typeof body === "object") {
    const record = body as Record<string, unknown>;
    const text = record.message ?? record.error_description ?? record.error ?? record.detail;
    if (typeof text === "string") return text;
  }
  return JSON.stringify(body)?.slice(0, 300) ?? "";
}

export function createRegistryHttpClient(params: RegistryHttpClientParameters): RegistryHttpClient {
  const registry = params.registry;
  const timeoutMs = params.timeoutMs ?? 10_000;
  return {
    async request(request) {
      await requestGates.getStore()?.beforeRequest();
      const url = new URL(request.path.replace(/^\//, ""), params.baseUrl.endsWith("/") ? params.baseUrl : `${params.baseUrl}/`);
      for (const [key, value] of Object.entries(request.query ?? {}))
        if (value !== undefined) url.searchParams.set(key, String(value));
      const headers: Record<string, string> = {
        accept: "application/json",
        ...params.headers,
        ...(await params.authorize?.()),
        ...request.headers,
      };
      let body: string | undefined;
      if (request.json !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(request.json, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
      } else if (request.form !== undefined) {
        headers["content-type"] = "application/x-www-form-urlencoded";
        body = new URLSearchParams(request.form).toString();
      }
      const where = `${request.method} ${url.pathname}`;
      let response: Response;
      try {
        response = await fetch(url, { method: request.method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
        const message = timedOut ? `timed out after ${timeoutMs} ms` : "could not connect";
        throw new RegistryUnavailableError(`${registry} ${where}: ${message}`, { registry, cause: error });
      }
      const text = await response.text();
      let parsed: unknown = text;
      if (text !== "" && (response.headers.get("content-type") ?? "").includes("json")) {
        try {
          parsed = JSON.parse(text);
        } catch (error) {
          throw new RegistryProtocolError(`${registry} ${where}: unreadable JSON`, {
            registry,
            status: response.status,
            cause: error,
          });
        }
      }
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
      const status = response.status;
      const detail = `${registry} ${where}: ${status} ${messageOf(parsed)}`;
      if (status === 429) throw new RegistryRateLimitedError(detail, { registry, status, retryAfterMs });
      if (status >= 500) throw new RegistryUnavailableError(detail, { registry, status, retryAfterMs });
      if (status >= 400) throw new RegistryRejectedError(detail, { registry, status, details: { body: parsed } });
      return { status, headers: response.headers, body: parsed };
    },
  };
}

/** Validates a native payload; a mismatch is a protocol error naming where it came from. */
export function parseNative<S extends z.ZodType>(registry: RegistryName, schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new RegistryProtocolError(`${registry} ${what}: unexpected shape: ${prettifyError(result.error)}`, {
      registry,
      details: { what },
    });
  }
  return result.data;
}
