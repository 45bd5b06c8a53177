import { createVerraAdapter } from "../../../backend/src/registries/adapters/verra";
import { startVerraSimulator } from "../../../backend/src/simulators/verra";
import { registryContractSuite } from "./contract";
import { rangeAllocator, simulatorControl } from "./fixtures";

const SECRET = "verra-webhook-secret";

registryContractSuite("Verra simulator", async () => {
  const sim = await startVerraSimulator();
  const allocate = rangeAllocator();
  let batch = 20_000;
  sim.admin.addAccount({ id: "PLATFORM-1", name: "Platform custody", platform: true });
  sim.admin.addAccount({ id: "HOLDER-2", name: "Holder" });
  sim.admin.addProject({ id: "3352", name: "Forest A", country: "US" });
  sim.admin.addProject({ id: "1175", name: "Cookstoves B", country: "CL" });
  return {
    adapter: createVerraAdapter({ baseUrl: sim.url, pageSize: 5, webhookSecret: SECRET, webhookToleranceSeconds: 300 }),
    account: "PLATFORM-1",
    otherAccount: "HOLDER-2",
    projectId: "3352",
    otherProjectId: "1175",
    projectFilterName: "vcsProjectId",
    webhookSecret: SECRET,
    hasRanges: true,
    control: simulatorControl(sim.admin, async (account, projectId, quantity) => {
      const { start, end } = allocate(quantity);
      batch += 1;
      return sim.admin.seedBlock({
        account,
        serial: `${batch}-${start}-${end}-VCS-VCU-500-VER-US-${projectId}-01012024-31122024-0`,
      }).id;
    }),
    close: () => sim.close(),
  };
});

/**
 * The same contract against a real Verra endpoint. Verra has no public write API and no sandbox we know of, so
 * only the read-only tests can run there; they need VERRA_API_URL and VERRA_TEST_ACCOUNT (and VERRA_API_HEADERS,
 * a JSON object of extra headers such as credentials).
 */
const realUrl = process.env.VERRA_API_URL;
registryContractSuite(
  "Verra real endpoint (VERRA_API_URL)",
  async () =>
    realUrl === undefined
      ? undefined
      : {
          adapter: createVerraAdapter({
            baseUrl: realUrl,
            headers: JSON.parse(process.env.VERRA_API_HEADERS ?? "{}") as Record<string, string>,
          }),
          account: process.env.VERRA_TEST_ACCOUNT ?? "",
          otherAccount: "",
          projectId: "",
          otherProjectId: "",
          projectFilterName: "vcsProjectId",
          webhookSecret: process.env.VERRA_WEBHOOK_SECRET ?? "",
          hasRanges: true,
          close: async () => undefined,
        },
  "VERRA_API_URL is not set: no real Verra endpoint configured",
);
