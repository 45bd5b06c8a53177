import type { CsrProgrammeInput } from "../../../backend/src/claims/csr/programme";
import { project, signal, withSignals } from "./helpers";

/** A three-year CSR programme of a steel company: an ongoing mangrove project that generates credits, and a plantation that is really an environmental-clearance condition. */
export function mangroveProgramme(overrides: { creditUse?: CsrProgrammeInput["projects"][number]["creditUse"] } = {}): CsrProgrammeInput {
  return {
    id: "P-COAST-2024",
    company: { name: "Example Steel Ltd", cin: "L27100MH1990PLC000001" },
    title: "Coastal restoration, FY 2024-25 to 2027-28",
    boardApproval: { resolutionRef: "BR-2024-17", date: "2024-05-20" },
    projects: [
      {
        id: "MANGROVE",
        name: "Mangrove restoration, Raigad",
        scheduleVIIItem: "iv",
        ongoing: true,
        startFy: 2024,
        endFy: 2027,
        localArea: true,
        location: { state: "Maharashtra", district: "Raigad" },
        implementation: { mode: "agency", agency: { name: "Coastal Green Trust", csr1RegistrationNumber: "CSR00012345" } },
        budget: [
          { fy: 2024, amount: "17000000" },
          { fy: 2025, amount: "15000000" },
          { fy: 2026, amount: "10000000" },
          { fy: 2027, amount: "5000000" },
        ],
        spending: [
          { id: "S1", date: "2024-09-15", amount: "12000000", description: "Nursery and planting, season 1", evidenceSha256: "1".repeat(64) },
          { id: "S2", date: "2025-02-10", amount: "3000000", description: "Maintenance", evidenceSha256: "2".repeat(64) },
          { id: "S3", date: "2024-12-01", amount: "400000", kind: "admin_overhead", description: "Programme management" },
          { id: "S4", date: "2025-06-01", amount: "1200000", fromUnspentAccountOf: 2024, description: "Planting, season 2 (Unspent CSR Account FY 2024-25)" },
        ],
        outcomes: [
          { fy: 2024, metric: "area restored", value: "120.5", unit: "ha", source: { kind: "mrv", reference: "MRV-2025-03" }, evidenceSha256: "3".repeat(64) },
          { fy: 2025, metric: "sapling survival", value: "87.5", unit: "%", source: { kind: "mrv", reference: "MRV-2026-03" } },
        ],
        generatesCredits: [{ registry: "VERRA", projectId: "9501" }],
        ...(overrides.creditUse === undefined ? {} : { creditUse: overrides.creditUse }),
        surpluses: [{ fy: 2025, amount: "500000", source: "credit_sale", treatment: "pending" }],
      },
      {
        id: "EC-PLANTATION",
        name: "Green belt plantation at the Raigad plant",
        scheduleVIIItem: "iv",
        ongoing: false,
        startFy: 2024,
        endFy: 2024,
        localArea: true,
        location: { state: "Maharashtra", district: "Raigad" },
        implementation: { mode: "direct" },
        budget: [{ fy: 2024, amount: "2500000" }],
        spending: [{ id: "E1", date: "2024-08-01", amount: "2500000", description: "Green belt" }],
        statutoryObligations: [{ kind: "environmental_clearance_condition", reference: "EC J-11011/123/2020-IA-II, condition 14" }],
      },
    ],
  };
}

/** The credits the mangrove project generates, registered in a test signals file. */
export const mangroveCredits = withSignals({
  projects: [project({ registry: "VERRA", projectId: "9501", name: "Raigad mangroves ARR", programme: "VCS", methodology: { id: "VM0047", version: "1.1" }, activity: "afolu_arr", mitigation: "removal" })],
  signals: [
    signal("registry_status", { registry: "VERRA", projectId: "9501" }, "2025-01-01", { status: "Registered" }),
    signal("buffer_contribution", { registry: "VERRA", projectId: "9501" }, "2025-01-01", { pool: "AFOLU pooled buffer account", percent: "18" }),
  ],
});

export const MANGROVE_BLOCK = {
  registry: "VERRA" as const,
  projectId: "9501",
  serial: "50001-1-3000-VCS-VCU-500-VER-IN-9501-01042025-31032026-0",
  serialPrefix: "50001-VCS-VCU-500-VER-IN-9501-01042025-31032026-0",
  serialRange: { start: "1", end: "3000" },
  vintageStart: "2025-04-01",
  vintageEnd: "2026-03-31",
  unitType: "VCU",
  quantity: "3000",
  retirementReference: "VERRA-RET-88001",
  retiredOn: "2026-06-10",
};
