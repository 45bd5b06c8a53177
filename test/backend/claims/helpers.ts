import { type ClaimsReference, loadClaimsReference, parseClaimsReference } from "../../../backend/src/claims/reference/load";

/** The shipped reference data (labels, statuses, parameters, wording rules, demo signals), loaded once. */
export const shipped: ClaimsReference = loadClaimsReference();

export const TODAY = "2026-06-15";

type Extra = { projects?: unknown[]; signals?: unknown[] };

/** The shipped reference plus a test signals file (projects and signals of the test's own). */
export function withSignals(extra: Extra, base: ClaimsReference = shipped): ClaimsReference {
  return parseClaimsReference({
    ...base.raw,
    signals: [
      ...base.raw.signals,
      {
        name: "signals.test.json",
        body: { format: "carbon-custody/claims-signals", formatVersion: 1, dataVersion: TODAY, demo: false, projects: extra.projects ?? [], signals: extra.signals ?? [] },
      },
    ],
  });
}

/** The shipped reference with one parameter's value replaced (as an operator would edit parameters.json). */
export function withParameter(name: string, value: unknown, base: ClaimsReference = shipped): ClaimsReference {
  const raw = structuredClone(base.raw) as { parameters: { parameters: Record<string, { value: unknown }> } } & ClaimsReference["raw"];
  raw.parameters.parameters[name]!.value = value;
  return parseClaimsReference(raw);
}

const TEST_SOURCE = ["S37"];

/** A test project entry (cited with a real source id, dated). */
export function project(fields: Record<string, unknown>): Record<string, unknown> {
  return { country: "IN", mitigation: "avoidance", sources: TEST_SOURCE, asOf: "2025-01-01", ...fields };
}

export function signal(kind: string, subject: Record<string, unknown>, asOf: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind, subject, asOf, sources: TEST_SOURCE, ...fields };
}

/** Dev account #0 of the embedded chain: a well-known test key, never a real platform key. */
export const TEST_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" as const;
export const OTHER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" as const;

export function expectThrows<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw new Error(`expected ${type.name}, got ${String(error)}`);
  }
  throw new Error(`expected ${type.name}, nothing was thrown`);
}
