/** Which software built a package: the package's name and version, and the git commit of the checkout. */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");

export type SoftwareIdentity = { name: string; version: string; commit: string; commitSource: "git" | "configured" | "unknown" };

/**
 * `git rev-parse HEAD` of the checkout (with `-dirty` when tracked files differ from it), else the configured
 * commit (`EVIDENCE_SOFTWARE_COMMIT`, for installs without `.git`), else "unknown".
 */
export function softwareIdentity(configuredCommit?: string): SoftwareIdentity {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    const dirty =
      execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim() !== "";
    if (/^[0-9a-f]{40}$/.test(commit))
      return { name: pkg.name, version: pkg.version, commit: dirty ? `${commit}-dirty` : commit, commitSource: "git" };
  } catch {
    // no git, or not a checkout: fall through to the configured value
  }
  if (configuredCommit !== undefined)
    return { name: pkg.name, version: pkg.version, commit: configuredCommit, commitSource: "configured" };
  return { name: pkg.name, version: pkg.version, commit: "unknown", commitSource: "unknown" };
}
