/** Writing a package: never a half-written file under the final name. */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export type StagedFile = { temp: string; commit(): void; abort(): void };

/**
 * Writes `data` to a temporary file beside `file` and fsyncs it. `commit()` renames it over `file` and fsyncs the
 * folder; `abort()` removes it. Between the two the caller records the export (the log entry must exist before the
 * package does, and a failed log write must leave no package).
 */
export function stageFile(file: string, data: Uint8Array): StagedFile {
  const dir = path.dirname(path.resolve(file));
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, "wx", 0o644);
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return {
    temp,
    commit() {
      fs.renameSync(temp, file);
      const dirFd = fs.openSync(dir, "r");
      try {
        fs.fsyncSync(dirFd);
      } finally {
        fs.closeSync(dirFd);
      }
    },
    abort() {
      fs.rmSync(temp, { force: true });
    },
  };
}
