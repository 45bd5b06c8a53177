import { expect } from "chai";
import { createIrecAdapter } from "../../../backend/src/registries/adapters/irec";
import { RegistryRejectedError } from "../../../backend/src/registries/errors";
import { startIrecSimulator } from "../../../backend/src/simulators/irec";
import { registryContractSuite } from "./contract";
import { simulatorControl } from "./fixtures";

const SECRET = "irec-webhook-secret";

async function start() {
  const sim = await startIrecSimulator({ username: "platform", password: "pw" });
  sim.admin.addAccount({ id: "PLATFORM-1", name: "Platform custody", type: "Trade", platform: true });
  sim.admin.addAccount({ id: "HOLDER-2", name: "Holder", type: "Trade" });
  sim.admin.addProject({ id: "DEV-IN-0001", name: "Solar park Rajasthan", country: "IN" });
  sim.admin.addProject({ id: "DEV-IN-0002", name: "Wind farm Gujarat", country: "IN" });
  return sim;
}

registryContractSuite("I-REC simulator", async () => {
  const sim = await start();
  return {
    adapter: createIrecAdapter({ baseUrl: sim.url, username: "platform", password: "pw", pageSize: 5, webhookSecret: SECRET }),
    account: "PLATFORM-1",
    otherAccount: "HOLDER-2",
    projectId: "DEV-IN-0001",
    otherProjectId: "DEV-IN-0002",
    projectFilterName: "device",
    webhookSecret: SECRET,
    hasRanges: false,
    control: simulatorControl(
      sim.admin,
      async (account, projectId, quantity) => sim.admin.seedBlock({ account, projectId, quantity }).id,
    ),
    close: () => sim.close(),
  };
});

describe("I-REC adapter specifics", () => {
  it("redeems with certificate numbers and a verification url/key, and refuses bad credentials", async () => {
    const sim = await start();
    try {
      const adapter = createIrecAdapter({ baseUrl: sim.url, username: "platform", password: "pw" });
      const item = sim.admin.seedBlock({ account: "PLATFORM-1", projectId: "DEV-IN-0001", quantity: 100n });
      const answer = await adapter.redeem({
        account: "PLATFORM-1",
        recordId: item.id,
        quantity: 30n,
        memo: "req-redeem-1",
        beneficiary: "Acme",
      });
      expect(answer.operation).to.include({ kind: "REDEEM", status: "CONFIRMED" });
      expect(answer.certificates).to.have.length(1);
      expect(answer.certificates[0]).to.include({ itemCode: item.id, volume: 30n });
      expect(BigInt(answer.certificates[0]!.endCertNum) - BigInt(answer.certificates[0]!.startCertNum) + 1n).to.equal(30n);
      expect(answer.verificationUrl).to.match(/^http/);
      expect(answer.verificationKey).to.match(/^[0-9A-F]{16}$/);
      const wrong = createIrecAdapter({ baseUrl: sim.url, username: "platform", password: "nope" });
      const error = await wrong.listHoldings({ account: "PLATFORM-1" }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RegistryRejectedError);
      expect((error as RegistryRejectedError).status).to.equal(401);
    } finally {
      await sim.close();
    }
  });
});

describe("I-REC adapter tokens", () => {
  it("fetches a fresh token once when the registry revokes the cached one", async () => {
    const sim = await start();
    try {
      const adapter = createIrecAdapter({ baseUrl: sim.url, username: "platform", password: "pw" });
      sim.admin.seedBlock({ account: "PLATFORM-1", projectId: "DEV-IN-0001", quantity: 5n });
      expect((await adapter.listHoldings({ account: "PLATFORM-1" })).blocks).to.have.length(1);
      const revoked = await fetch(`${sim.url}/_admin/irec/revoke-tokens`, { method: "POST" });
      expect(((await revoked.json()) as { revoked: number }).revoked).to.equal(1);
      expect((await adapter.listHoldings({ account: "PLATFORM-1" })).blocks).to.have.length(1);
    } finally {
      await sim.close();
    }
  });
});

/** Real I-REC (Evident): read-only tests; needs IREC_API_URL, IREC_USERNAME, IREC_PASSWORD, IREC_TEST_ACCOUNT. */
const realUrl = process.env.IREC_API_URL;
registryContractSuite(
  "I-REC real endpoint (IREC_API_URL)",
  async () =>
    realUrl === undefined
      ? undefined
      : {
          adapter: createIrecAdapter({
            baseUrl: realUrl,
            username: process.env.IREC_USERNAME ?? "",
            password: process.env.IREC_PASSWORD ?? "",
          }),
          account: process.env.IREC_TEST_ACCOUNT ?? "",
          otherAccount: "",
          projectId: "",
          otherProjectId: "",
          projectFilterName: "device",
          webhookSecret: "",
          hasRanges: false,
          close: async () => undefined,
        },
  "IREC_API_URL is not set: no real I-REC endpoint configured",
);
