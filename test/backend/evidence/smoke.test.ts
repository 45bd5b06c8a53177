import fs from "node:fs";
import { expect } from "chai";
import { createAuditClient } from "../../../backend/src/audit/history";
import { buildEvidence } from "../../../backend/src/evidence/build";
import { verifierModules } from "../../../backend/src/evidence/verifier";
import { testChain, useAutomine } from "../support/chain";
import { type TestDatabase, createTestDatabase } from "../support/database";
import { retirementScenario } from "./scenario";

describe("evidence smoke", function () {
  this.timeout(120_000);
  let db: TestDatabase;
  before(async () => {
    await useAutomine();
    db = await createTestDatabase({ migrate: true });
  });
  after(async () => db?.drop());
  it("builds and verifies", async () => {
    const s = await retirementScenario(db);
    const node = await testChain();
    const built = await buildEvidence({ scope: { kind: "retirement", requestId: s.requestId }, client: createAuditClient(node.url), rpcUrl: node.url, bridge: s.platform.deployment.registryBridge, database: db.pool, fileName: "e.zip" });
    fs.writeFileSync("/tmp/e.zip", built.zip);
    const result = await verifierModules().verify.verifyEvidence(built.zip, { rpc: node.url });
    console.log(verifierModules().verify.formatVerification(result));
    expect(result.verdict).to.not.equal("FAILED");
  });
});
