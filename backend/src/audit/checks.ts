/** The auditor's verdicts: a list of named checks, recorded the same way by every verification. */

export type Check = { id: string; label: string; ok: boolean; detail?: string | undefined };

export type CheckRecorder = {
  readonly checks: Check[];
  /**
   * Records a check and returns `ok`. With `detailOnFailure`, the detail is kept only when the check fails (a
   * detail that only helps to explain a failure).
   */
  check(id: string, label: string, ok: boolean, detail?: string, detailOnFailure?: boolean): boolean;
};

export function createCheckRecorder(): CheckRecorder {
  const checks: Check[] = [];
  return {
    checks,
    check(id, label, ok, detail, detailOnFailure = false) {
      checks.push({ id, label, ok, detail: ok && detailOnFailure ? undefined : detail });
      return ok;
    },
  };
}

/** VERIFIED when every check holds. */
export function verdictOf(checks: readonly Check[]): "VERIFIED" | "FAILED" {
  return checks.every((c) => c.ok) ? "VERIFIED" : "FAILED";
}
