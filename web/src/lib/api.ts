/**
 * The REST API from the browser: one fetch wrapper that sends the SIWE session token when there is one, and turns
 * an error answer into an `ApiError` carrying the server's message and the fields it named.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}

const TOKEN_KEY = "carbon.session";

export function sessionToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setSessionToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

export type ApiOptions = { method?: string; body?: unknown; apiKey?: string | undefined; auth?: boolean };

export async function api<T>(path: string, options: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const token = sessionToken();
  if (options.auth !== false && token !== null) headers.authorization = `Bearer ${token}`;
  if (options.apiKey !== undefined) headers["x-api-key"] = options.apiKey;
  const response = await fetch(path, { method: options.method ?? (options.body === undefined ? "GET" : "POST"), headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  const body = text === "" ? undefined : (JSON.parse(text) as unknown);
  if (!response.ok) {
    const error = body as { message?: string; fields?: Array<{ field: string; message: string }> } | undefined;
    throw new ApiError(response.status, error?.message ?? `${response.status} ${response.statusText}`, error?.fields ?? []);
  }
  return body as T;
}

export type Page<T> = { items: T[]; nextCursor: string | null };
