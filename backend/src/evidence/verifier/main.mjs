// `node verify.mjs [package.zip] [--rpc <url>] [--require-timestamp] [--json]`: the verifier as a command. Without
// a file name it takes the one .zip in the current folder. Exit 0 verified, 1 a check failed, 2 cannot verify.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { formatVerification, verifyEvidence } from "./verifyEvidence.mjs";

export async function main(argv) {
  const args = [...argv];
  const take = (flag) => {
    const i = args.indexOf(flag);
    if (i < 0) return undefined;
    const [, value] = args.splice(i, 2);
    if (value === undefined) throw new Error(`${flag} needs a value`);
    return value;
  };
  const flag = (name) => {
    const i = args.indexOf(name);
    if (i >= 0) args.splice(i, 1);
    return i >= 0;
  };
  const rpc = take("--rpc");
  const json = flag("--json");
  const requireTimestamp = flag("--require-timestamp");
  let file = args[0];
  if (file === undefined) {
    const zips = fs.readdirSync(".").filter((f) => f.endsWith(".zip"));
    if (zips.length !== 1) throw new Error(`give the package's file name (found ${zips.length} .zip files here)`);
    file = zips[0];
  }
  const result = await verifyEvidence(fs.readFileSync(file), { rpc, requireTimestamp });
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : formatVerification(result, `Evidence package ${path.basename(file)}`));
  return result.verdict === "FAILED" ? 1 : 0;
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invoked) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`cannot verify: ${error.message}\n`);
      process.exitCode = 2;
    },
  );
}
