import { execFile } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { domainApp } from "../api/helpers";

const ROOT = path.resolve(__dirname, "..", "..", "..");

function carbon(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "bin", "carbon.js"), ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
      },
    );
  });
}

describe("carbon api-key (a real process against a real database)", function () {
  this.timeout(240_000);

  it("creates a key that opens operator routes, stores only its hash, and revokes it", async () => {
    const h = await domainApp();
    try {
      const env = { DATABASE_URL: h.db.url, LOG_LEVEL: "silent" };
      const created = await carbon(["api-key", "create", "--name", "ops on call", "--scope", "reconciliation:read"], env);
      expect(created.code, created.stderr).to.equal(0);
      const { id, key } = JSON.parse(created.stdout) as { id: string; key: string };
      expect(key).to.match(/^ck_[A-Za-z0-9_-]{43}$/);
      const { rows } = await h.db.pool.query("SELECT name, key_hash, scopes FROM api_keys WHERE id = $1", [id]);
      expect(rows[0]).to.include({ name: "ops on call" });
      expect(rows[0].scopes).to.deep.equal(["reconciliation:read"]);
      expect(rows[0].key_hash).to.not.include(key.slice(3));

      const allowed = await h.app.inject({ method: "GET", url: "/reconciliation/runs", headers: { "x-api-key": key } });
      expect(allowed.statusCode).to.equal(200);

      const revoked = await carbon(["api-key", "revoke", id], env);
      expect(revoked.code, revoked.stderr).to.equal(0);
      const refused = await h.app.inject({ method: "GET", url: "/reconciliation/runs", headers: { "x-api-key": key } });
      expect(refused.statusCode).to.equal(401);

      const again = await carbon(["api-key", "revoke", id], env);
      expect(again.code).to.not.equal(0);
      expect(again.stderr).to.include(`no live API key with id ${id}`);
    } finally {
      await h.close();
    }
  });
});
