import { inspect } from "node:util";

const REDACTED = "[redacted]";

/**
 * A value that must never reach a log line, an error message or a JSON body. `String()`, `JSON.stringify`,
 * `util.inspect` (and so pino and console) all print `[redacted]`; only `reveal()` hands out the value, so every
 * place that uses a secret is one grep away.
 */
export class Secret<T extends string = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Replaces the password of a connection URL with `***`, for logs. Unparseable input is hidden whole. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return REDACTED;
  }
}
