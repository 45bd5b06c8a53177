/**
 * The web app's bundle (`web/dist`, built by Vite from `web/`): `carbon start` builds it when any source is newer
 * than the bundle (or there is none), so a fresh clone's `npm start` serves the app, and a start with nothing
 * changed costs one walk over the sources (milliseconds). `npm run build` builds it unconditionally.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "../logger";
import type { WebAppOptions } from "../api/routes/webApp";
import { WebBuildError } from "./errors";

const REPOSITORY = path.resolve(__dirname, "..", "..", "..");
const WEB = path.join(REPOSITORY, "web");
export const WEB_DIST = path.join(WEB, "dist");
/** Written after a successful build: its time is the bundle's. */
const STAMP = path.join(WEB_DIST, ".built");
/** What the bundle is made from. */
const SOURCES = [
  path.join(WEB, "src"),
  path.join(WEB, "index.html"),
  path.join(WEB, "vite.config.mts"),
  path.join(WEB, "public"),
  path.join(REPOSITORY, "sdk", "src"),
];

function newestTime(entry: string): number {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of fs.readdirSync(entry)) newest = Math.max(newest, newestTime(path.join(entry, name)));
  return newest;
}

/** True when the bundle is missing or older than a source. */
export function webBuildStale(): boolean {
  if (!fs.existsSync(STAMP)) return true;
  const built = fs.statSync(STAMP).mtimeMs;
  return SOURCES.some((source) => newestTime(source) > built);
}

/** Runs `vite build` for web/ (output to this process's stderr) and stamps the bundle. */
export async function buildWebApp(logger: Logger): Promise<void> {
  const startedAt = Date.now();
  const vite = path.join(path.dirname(require.resolve("vite/package.json", { paths: [REPOSITORY] })), "bin", "vite.js");
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, "build", "--config", path.join(WEB, "vite.config.mts"), "--logLevel", "warn"], {
      cwd: REPOSITORY,
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.once("error", reject);
    child.once("exit", (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new WebBuildError(`Building the web app failed (vite build exited with ${code}); see its output above.`);
  fs.writeFileSync(STAMP, new Date().toISOString());
  logger.info({ ms: Date.now() - startedAt }, "web app built");
}

/** Builds the web app when its sources changed since the last build (or it was never built). */
export async function ensureWebBuilt(logger: Logger): Promise<void> {
  if (!fs.existsSync(WEB)) return;
  if (webBuildStale()) await buildWebApp(logger);
}

/** The built app to serve, or undefined when there is none. */
export function builtWebApp(): WebAppOptions | undefined {
  return fs.existsSync(path.join(WEB_DIST, "index.html")) ? { root: WEB_DIST } : undefined;
}

if (require.main === module) {
  // `npm run build`: always build.
  void import("../logger").then(({ createLogger }) => buildWebApp(createLogger({ level: "info" }))).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
