import { createInCctsAdapter } from "../../../backend/src/registries/adapters/inCcts";
import { startInCctsSimulator } from "../../../backend/src/simulators/inCcts";
import { registryContractSuite } from "./contract";
import { rangeAllocator, simulatorControl } from "./fixtures";

const SECRET = "ccts-webhook-secret";

registryContractSuite("India CCTS simulator", async () => {
  const sim = await startInCctsSimulator({ apiKey: "test-key" });
  const allocate = rangeAllocator(1n);
  sim.admin.addAccount({ id: "PLATFORM-1", name: "Platform custody", type: "TRADING", platform: true });
  sim.admin.addAccount({ id: "HOLDER-2", name: "Cement works", type: "OBLIGATED_ENTITY" });
  return {
    adapter: createInCctsAdapter({ baseUrl: sim.url, apiKey: "test-key", pageSize: 5, webhookSecret: SECRET }),
    account: "PLATFORM-1",
    otherAccount: "HOLDER-2",
    projectId: "BEE0042",
    otherProjectId: "BEE0077",
    projectFilterName: "entityRegistrationId",
    webhookSecret: SECRET,
    hasRanges: true,
    control: simulatorControl(sim.admin, async (account, projectId, quantity) => {
      const { start, end } = allocate(quantity);
      return sim.admin.seedBlock({ account, serial: `CCC-IN-CEMENT-${projectId}-2025-${start}-${end}` }).id;
    }),
    close: () => sim.close(),
  };
});

/** Real CCTS registry: read-only tests; needs IN_CCTS_API_URL, IN_CCTS_API_KEY and IN_CCTS_TEST_ACCOUNT. */
const realUrl = process.env.IN_CCTS_API_URL;
registryContractSuite(
  "India CCTS real endpoint (IN_CCTS_API_URL)",
  async () =>
    realUrl === undefined
      ? undefined
      : {
          adapter: createInCctsAdapter({ baseUrl: realUrl, apiKey: process.env.IN_CCTS_API_KEY ?? "" }),
          account: process.env.IN_CCTS_TEST_ACCOUNT ?? "",
          otherAccount: "",
          projectId: "",
          otherProjectId: "",
          projectFilterName: "entityRegistrationId",
          webhookSecret: "",
          hasRanges: true,
          close: async () => undefined,
        },
  "IN_CCTS_API_URL is not set: no real CCTS endpoint configured (Grid-India publishes no API)",
);
