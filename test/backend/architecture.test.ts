import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { type ArchitectureRules, checkArchitecture } from "../../backend/tools/checkArchitecture";

const REPOSITORY = path.resolve(__dirname, "..", "..");

/** A folder shaped like the repository: `files` maps paths under it to their text. */
function fixture(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "architecture-"));
  for (const [relative, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    fs.writeFileSync(path.join(root, relative), text);
  }
  return root;
}

const RULES: ArchitectureRules = {
  layers: [["api"], ["orders"], ["db"]],
  owners: { orders: "orders" },
  migrationGaps: {},
  namingExceptions: ["backend/src/db/migrations"],
};

describe("structure: imports run downward, every table has one writer (backend/architecture.ts)", () => {
  it("the repository has no violation", () => {
    const violations = checkArchitecture(REPOSITORY);
    expect(violations.map((v) => `${v.file}: [${v.rule}] ${v.message}`)).to.deep.equal([]);
  });

  it("reports an upward import, a write to a table another module owns, an error class outside errors.ts", () => {
    const root = fixture({
      "backend/src/api/server.ts": 'import { listOrders } from "../orders/store";\nexport const x = listOrders;\n',
      "backend/src/orders/store.ts": 'export const listOrders = () => "SELECT 1";\n',
      "backend/src/db/pool.ts": [
        'import { listOrders } from "../orders/store";',
        'export const q = () => ["UPDATE orders SET status = 1", listOrders];',
        "export class PoolError extends Error {}",
        "",
      ].join("\n"),
      "backend/src/db/migrations/0001_init.sql": "CREATE TABLE orders (id int);\nCREATE TABLE fills (id int);\n",
      "backend/src/db/migrations/0003_more.sql": "SELECT 1;\n",
    });
    try {
      const found = checkArchitecture(root, RULES).map((v) => `${v.rule} ${v.file.split(":")[0]}`);
      expect(found).to.include.members([
        `layer ${path.join("backend", "src", "db", "pool.ts")}`,
        `owner ${path.join("backend", "src", "db", "pool.ts")}`,
        `error-class ${path.join("backend", "src", "db", "pool.ts")}`,
        `owner ${path.join("backend", "src", "db", "migrations", "0001_init.sql")}`,
        `migration ${path.join("backend", "src", "db", "migrations", "0003_more.sql")}`,
      ]);
      expect(found.filter((entry) => entry.includes("api"))).to.deep.equal([]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
