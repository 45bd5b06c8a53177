import { BaseError } from "../errors";

export type ConfigIssue = { key: string; message: string };

/** Start-up configuration is invalid. Lists every bad key; never includes the value of a secret. */
export class ConfigError extends BaseError {
  override name = "ConfigError";
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(`Invalid configuration: ${issues.map((issue) => `${issue.key}: ${issue.message}`).join("; ")}`, {
      code: "CONFIG_INVALID",
      retryable: false,
      details: { keys: issues.map((issue) => issue.key) },
    });
    this.issues = issues;
  }
}
