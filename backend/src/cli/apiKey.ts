/**
 * `carbon api-key create --name <name> [--scope <scope>...]` and `carbon api-key revoke <id>`: operator API keys in
 * the database given by DATABASE_URL (or the embedded one under DATA_DIR when no platform process holds it). The key
 * is printed once on stdout; only its hash is stored.
 */
import { Command } from "commander";
import { createApiKey, revokeApiKey } from "../auth/apiKeys";
import { withCommandDatabase } from "./database";

export function apiKeyCommand(): Command {
  const command = new Command("api-key").description("operator API keys (sent as the X-Api-Key header)");
  command
    .command("create")
    .description("create a key and print it once")
    .requiredOption("--name <name>", "who or what the key is for")
    .option("--scope <scope...>", "scopes, e.g. reconciliation:read; default * (every operator route)")
    .action(async (options: { name: string; scope?: string[] }) => {
      const created = await withCommandDatabase(process.env, (db) =>
        createApiKey(db.pool, { name: options.name, scopes: options.scope ?? ["*"] }),
      );
      process.stdout.write(`${JSON.stringify({ id: created.id, key: created.key })}\n`);
    });
  command
    .command("revoke <id>")
    .description("revoke a key by id")
    .action(async (id: string) => {
      if (!/^\d+$/.test(id)) throw new Error(`id: expected the numeric key id, got ${JSON.stringify(id)}`);
      if (!(await withCommandDatabase(process.env, (db) => revokeApiKey(db.pool, id))))
        throw new Error(`no live API key with id ${id}`);
      process.stdout.write(`revoked ${id}\n`);
    });
  return command;
}
