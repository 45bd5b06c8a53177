import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";

export type { Logger } from "pino";

/** Field names whose values never reach a log line, at the top level and up to two levels down. */
const SECRET_FIELDS = [
  "password",
  "secret",
  "key",
  "privateKey",
  "apiKey",
  "token",
  "authorization",
  "cookie",
  "connectionString",
];

const SECRET_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  ...SECRET_FIELDS.map((field) => `*.*.${field}`),
  'req.headers["x-api-key"]',
  'req.headers["set-cookie"]',
];

export type CreateLoggerParameters = {
  level?: LoggerOptions["level"];
  /** Where lines go; stdout when absent. Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
  /** Bound to every line, e.g. `{ component: "api" }`. */
  base?: Record<string, unknown>;
};

/**
 * The one logger factory. JSON lines (pino); anything under a secret-looking field name is replaced by
 * `[redacted]`. Config secrets are `Secret` objects and print `[redacted]` on their own as well.
 */
export function createLogger(parameters: CreateLoggerParameters = {}): Logger {
  const options: LoggerOptions = {
    level: parameters.level ?? "info",
    base: parameters.base ?? {},
    redact: { paths: SECRET_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return parameters.destination === undefined ? pino(options) : pino(options, parameters.destination);
}
