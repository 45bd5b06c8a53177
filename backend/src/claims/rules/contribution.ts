import { carbonUnitRule, fail, notPausedRule, pass } from "./common";
import type { RuleSet } from "./types";

/**
 * A plain contribution claim: the claimant financed mitigation and says so, without presenting the credits as
 * offsetting its own emissions. The lightest use; it still needs a carbon credit, a status that lets it move and
 * no unresolved reversal.
 */
export const contributionClaim: RuleSet = {
  id: "contribution",
  version: "1",
  use: "contribution",
  title: "Contribution claim (financing mitigation, no offsetting claim)",
  sources: ["S65", "S69"],
  rules: [
    carbonUnitRule("CONTRIB"),
    notPausedRule("CONTRIB"),
    {
      id: "CONTRIB-REVERSAL",
      version: "1",
      scope: "credit",
      sources: ["S51"],
      wording: {
        pass: "No unresolved reversal event affects the credits",
        fail: "An unresolved reversal event affects the credits",
        unknown: "Reversal events are not known",
      },
      check: ({ credit }) => {
        const open = credit.state.reversals.filter((r) => r.state !== "compensated");
        return open.length === 0 ? pass() : fail(open.map((r) => `${r.eventId} ${r.state}`).join(", "));
      },
    },
    {
      id: "CONTRIB-NOT-OFFSETTING",
      version: "1",
      scope: "claimant",
      sources: ["S65", "S81"],
      wording: {
        pass: "The claim is worded as a contribution, not as offsetting",
        fail: "A contribution claim must not present the credits as offsetting the claimant's own emissions",
        unknown: "Whether the claim presents the credits as offsetting",
      },
      check: ({ claimant }) => (claimant.claimsOffsetting === undefined ? { outcome: "unknown" } : claimant.claimsOffsetting ? fail() : pass()),
    },
  ],
};
