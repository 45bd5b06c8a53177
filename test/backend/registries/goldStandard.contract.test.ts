import { createGoldStandardAdapter } from "../../../backend/src/registries/adapters/goldStandard";
import { startGoldStandardSimulator } from "../../../backend/src/simulators/goldStandard";
import { registryContractSuite } from "./contract";
import { rangeAllocator, simulatorControl } from "./fixtures";

const SECRET = "gs-webhook-secret";

registryContractSuite("Gold Standard simulator", async () => {
  const sim = await startGoldStandardSimulator();
  const allocate = rangeAllocator(600n);
  let batch = 30_000;
  sim.admin.addAccount({ id: "PLATFORM-1", name: "Platform custody", platform: true });
  sim.admin.addAccount({ id: "HOLDER-2", name: "Holder" });
  sim.admin.addProject({ id: "7495", name: "Clean cooking Kenya", country: "KE" });
  sim.admin.addProject({ id: "2446", name: "Wind India", country: "IN" });
  return {
    adapter: createGoldStandardAdapter({ baseUrl: sim.url, pageSize: 5, webhookSecret: SECRET }),
    account: "PLATFORM-1",
    otherAccount: "HOLDER-2",
    projectId: "7495",
    otherProjectId: "2446",
    projectFilterName: "query",
    webhookSecret: SECRET,
    hasRanges: true,
    control: simulatorControl(sim.admin, async (account, projectId, quantity) => {
      const { start, end } = allocate(quantity);
      batch += 1;
      return sim.admin.seedBlock({ account, serial: `GS1-1-KE-GS${projectId}-16-2025-${batch}-${start}-${end}` }).id;
    }),
    close: () => sim.close(),
  };
});

/** Real Gold Standard: read-only tests only (no public write API); needs GOLD_STANDARD_API_URL and GOLD_STANDARD_TEST_ACCOUNT. */
const realUrl = process.env.GOLD_STANDARD_API_URL;
registryContractSuite(
  "Gold Standard real endpoint (GOLD_STANDARD_API_URL)",
  async () =>
    realUrl === undefined
      ? undefined
      : {
          adapter: createGoldStandardAdapter({ baseUrl: realUrl }),
          account: process.env.GOLD_STANDARD_TEST_ACCOUNT ?? "",
          otherAccount: "",
          projectId: "",
          otherProjectId: "",
          projectFilterName: "query",
          webhookSecret: "",
          hasRanges: true,
          close: async () => undefined,
        },
  "GOLD_STANDARD_API_URL is not set: no real Gold Standard endpoint configured",
);
