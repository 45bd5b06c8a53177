/**
 * A local RFC 3161 time-stamping authority for development and tests: an HTTP server (`POST` with
 * `application/timestamp-query`) that hands each request to `openssl ts -reply` (OpenSSL 3), a real TSA
 * implementation, signing with a TSA certificate issued by a CA that `createTsaCredentials` makes with
 * `openssl req` / `openssl x509`. The reply carries the TSA certificate and the CA (`certs` in the TSA config),
 * so a verifier can check the chain from the token alone.
 */
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export type TsaCredentials = { dir: string; caCert: string; tsaCert: string; tsaKey: string; config: string };

/** A CA and a TSA certificate (extendedKeyUsage critical timeStamping) under `dir`, and the `openssl ts` config. */
export async function createTsaCredentials(dir: string, subject = "Carbon Custody Test TSA"): Promise<TsaCredentials> {
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.crt"),
    "-days",
    "3650",
    "-subj",
    `/CN=${subject} Root CA`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await run("openssl", [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    file("tsa.key"),
    "-out",
    file("tsa.csr"),
    "-subj",
    `/CN=${subject}`,
  ]);
  fs.writeFileSync(
    file("tsa.ext"),
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n",
  );
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    file("tsa.csr"),
    "-CA",
    file("ca.crt"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-out",
    file("tsa.crt"),
    "-days",
    "3650",
    "-extfile",
    file("tsa.ext"),
  ]);
  fs.writeFileSync(file("serial"), "01\n");
  const config = [
    "[ tsa ]",
    "default_tsa = tsa_config",
    "[ tsa_config ]",
    `serial = ${file("serial")}`,
    "crypto_device = builtin",
    `signer_cert = ${file("tsa.crt")}`,
    `certs = ${file("ca.crt")}`,
    `signer_key = ${file("tsa.key")}`,
    "signer_digest = sha256",
    "default_policy = 1.3.6.1.4.1.99999.1",
    "digests = sha256, sha384, sha512",
    "accuracy = secs:1",
    "ordering = yes",
    "tsa_name = yes",
    "ess_cert_id_chain = yes",
    "ess_cert_id_alg = sha256",
    "",
  ].join("\n");
  fs.writeFileSync(file("tsa.cnf"), config);
  return { dir, caCert: file("ca.crt"), tsaCert: file("tsa.crt"), tsaKey: file("tsa.key"), config: file("tsa.cnf") };
}

export type LocalTsa = { url: string; requests: () => number; close(): Promise<void> };

/** Serves `credentials` on 127.0.0.1:`port` (0 picks one). One `openssl ts -reply` per request, one at a time. */
export async function startLocalTsa(credentials: TsaCredentials, port = 0): Promise<LocalTsa> {
  let count = 0;
  let queue = Promise.resolve();
  const reply = async (query: Buffer): Promise<Buffer> => {
    const id = crypto.randomBytes(6).toString("hex");
    const tsq = path.join(credentials.dir, `${id}.tsq`);
    const tsr = path.join(credentials.dir, `${id}.tsr`);
    fs.writeFileSync(tsq, query);
    try {
      await run("openssl", ["ts", "-reply", "-config", credentials.config, "-queryfile", tsq, "-out", tsr]);
      return fs.readFileSync(tsr);
    } finally {
      fs.rmSync(tsq, { force: true });
      fs.rmSync(tsr, { force: true });
    }
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method !== "POST" || request.headers["content-type"] !== "application/timestamp-query") {
        response.writeHead(415, { "content-type": "text/plain" }).end("POST an application/timestamp-query\n");
        return;
      }
      count += 1;
      const work = queue.then(() => reply(Buffer.concat(chunks)));
      queue = work.then(
        () => undefined,
        () => undefined,
      );
      work.then(
        (body) => response.writeHead(200, { "content-type": "application/timestamp-reply" }).end(body),
        (error: unknown) =>
          response.writeHead(500, { "content-type": "text/plain" }).end(`openssl ts failed: ${String(error)}\n`),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}/`,
    requests: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
