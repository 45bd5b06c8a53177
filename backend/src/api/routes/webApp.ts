/**
 * The web app (`web/`, built by `npm run build` into `web/dist`) served by the API process at `/`:
 *
 * - `/assets/*`: Vite's content-hashed files, `Cache-Control: public, max-age=31536000, immutable` (a new build
 *   has new names, so a cached file never goes stale);
 * - `/` and every page of the app (`/market`, `/trade/...`, ... the sections in `WEB_APP_SECTIONS`): `index.html`
 *   with `Cache-Control: no-cache`, so a browser always asks for the newest entry point;
 * - nothing else. The app's pages live under their own first path segments, which no API route uses (a test
 *   checks every registered route against `WEB_APP_SECTIONS`), so the fallback never shadows an API route, and an
 *   unknown API path still answers the JSON 404 of the error handler.
 */
import fs from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync } from "fastify";

/** First path segments of the app's pages (react-router routes in web/src/app/routes.tsx). */
export const WEB_APP_SECTIONS = [
  "market",
  "trade",
  "portfolio",
  "retire",
  "certificate",
  "verify",
  "deposit",
  "escrow",
  "auditor",
  "console",
] as const;

export type WebAppOptions = {
  /** The built app: a folder with `index.html` and `assets/`. */
  root: string;
};

const IMMUTABLE = "public, max-age=31536000, immutable";

const webApp: FastifyPluginAsync<WebAppOptions> = async (app, options) => {
  const indexFile = path.join(options.root, "index.html");
  if (!fs.existsSync(indexFile)) throw new Error(`web app not built: ${indexFile} is missing (run npm run build)`);
  const assets = path.join(options.root, "assets");
  if (fs.existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: "/assets/",
      // Hashed names: a file never changes under its name.
      cacheControl: false,
      setHeaders: (reply) => void reply.header("cache-control", IMMUTABLE),
      schemaHide: true,
      wildcard: true,
      decorateReply: false,
    });
  }
  // Files Vite copies from web/public (favicon), served as they are with a short cache.
  const publicFiles = fs
    .readdirSync(options.root)
    .filter((name) => name !== "index.html" && fs.statSync(path.join(options.root, name)).isFile());
  for (const name of publicFiles) {
    const file = path.join(options.root, name);
    app.get(`/${name}`, { schema: { hide: true }, logLevel: "warn" }, async (_request, reply) =>
      reply.header("cache-control", "public, max-age=3600").type(contentType(name)).send(fs.createReadStream(file)),
    );
  }

  const sendIndex = async (_request: unknown, reply: import("fastify").FastifyReply) =>
    reply.header("cache-control", "no-cache").type("text/html; charset=utf-8").send(await fs.promises.readFile(indexFile));
  app.get("/", { schema: { hide: true }, logLevel: "warn" }, sendIndex);
  for (const section of WEB_APP_SECTIONS) {
    app.get(`/${section}`, { schema: { hide: true }, logLevel: "warn" }, sendIndex);
    app.get(`/${section}/*`, { schema: { hide: true }, logLevel: "warn" }, sendIndex);
  }
};

function contentType(name: string): string {
  if (name.endsWith(".svg")) return "image/svg+xml";
  if (name.endsWith(".png")) return "image/png";
  if (name.endsWith(".ico")) return "image/x-icon";
  if (name.endsWith(".txt")) return "text/plain; charset=utf-8";
  if (name.endsWith(".webmanifest") || name.endsWith(".json")) return "application/json";
  return "application/octet-stream";
}

export default webApp;
