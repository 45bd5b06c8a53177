import { expect } from "chai";
import { BaseError, ValidationError, isRetryable } from "../../backend/src/errors";

describe("errors", () => {
  it("marks validation errors as not retryable and names the field", () => {
    const error = new ValidationError("serial", "expected 13 fields, got 9");
    expect(error.message).to.equal("serial: expected 13 fields, got 9");
    expect(error.field).to.equal("serial");
    expect(isRetryable(error)).to.equal(false);
  });

  it("finds a cause deep in the chain", () => {
    const root = new BaseError("rate limited", { code: "RATE_LIMITED", retryable: true, retryAfterMs: 1000 });
    const outer = new BaseError("retire failed", { code: "RETIRE_FAILED", retryable: true, cause: root });
    expect(outer.walk((e) => e instanceof BaseError && e.code === "RATE_LIMITED")).to.equal(root);
    expect(isRetryable(outer)).to.equal(true);
    expect(isRetryable(new Error("plain"))).to.equal(false);
  });
});
