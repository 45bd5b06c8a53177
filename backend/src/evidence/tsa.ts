/**
 * RFC 3161 time stamps over a package's Merkle root: the one seam to a time-stamping authority (TSA).
 *
 * `requestTimestamp` builds a TimeStampReq (version 1, message imprint = SHA-256 of the 32 root bytes, a random 64-bit
 * nonce, certReq true so the TSA includes its certificate), POSTs it as `application/timestamp-query` (RFC 3161
 * section 3.4) and checks the TimeStampResp with pkijs: status granted, the TSTInfo's imprint and nonce are ours,
 * and the CMS SignedData signature verifies with the chain inside the token (`checkChain` to the self-signed root
 * it carries). The same token is then checked again by the package verifier's own DER code, so the two
 * implementations must agree before a token goes into a package. Which TSA to trust is the reader's decision:
 * the verifier prints the root certificate's fingerprint to compare with the TSA's published one.
 */
import crypto from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { verifierModules } from "./verifier";
import { TimestampError } from "./errors";

const SHA256 = "2.16.840.1.101.3.4.2.1";

/** `data`: what is stamped (the package's 32-byte Merkle root); the imprint sent is its SHA-256. */
export type RequestTimestampParameters = { url: string; data: Uint8Array; timeoutMs?: number };
export type RequestTimestampReturnType = { response: Uint8Array; genTime: string; tsa: string; serialNumber: string };

function timeStampRequest(imprint: Uint8Array, nonce: Uint8Array): ArrayBuffer {
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: new Uint8Array(imprint).buffer }),
    }),
    nonce: new asn1js.Integer({ valueHex: new Uint8Array(nonce).buffer }),
    certReq: true,
  });
  return request.toSchema().toBER(false);
}

async function post(url: string, body: ArrayBuffer, timeoutMs: number): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/timestamp-query", accept: "application/timestamp-reply" },
      body: new Uint8Array(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new TimestampError(
      `the TSA at ${url} is unreachable: ${error instanceof Error ? error.message : String(error)}`,
      true,
      error,
    );
  }
  if (!response.ok) throw new TimestampError(`the TSA at ${url} answered HTTP ${response.status}`, response.status >= 500);
  return new Uint8Array(await response.arrayBuffer());
}

/** Checks a TimeStampResp with pkijs: granted, our imprint and nonce, CMS signature and chain. */
async function checkWithPkijs(der: Uint8Array, data: Uint8Array, imprint: Uint8Array, nonce: Uint8Array): Promise<pkijs.TSTInfo> {
  const resp = pkijs.TimeStampResp.fromBER(new Uint8Array(der).buffer);
  const status = resp.status.status;
  if (status !== pkijs.PKIStatus.granted && status !== pkijs.PKIStatus.grantedWithMods) {
    throw new TimestampError(`the TSA refused the request (PKIStatus ${status})`, false);
  }
  if (resp.timeStampToken === undefined) throw new TimestampError("the TSA's response holds no token", false);
  const signed = new pkijs.SignedData({ schema: resp.timeStampToken.content });
  const eContent = signed.encapContentInfo.eContent;
  if (eContent === undefined) throw new TimestampError("the token has no TSTInfo", false);
  const tst = pkijs.TSTInfo.fromBER(eContent.getValue());
  if (!Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).equals(Buffer.from(imprint))) {
    throw new TimestampError("the token stamps another value than the one sent", false);
  }
  const theirNonce =
    tst.nonce === undefined ? undefined : BigInt(`0x${Buffer.from(tst.nonce.valueBlock.valueHexView).toString("hex")}`);
  if (theirNonce !== BigInt(`0x${Buffer.from(nonce).toString("hex")}`))
    throw new TimestampError("the token's nonce is not the request's", false);
  const certificates = (signed.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const roots = certificates.filter((c) =>
    Buffer.from(c.subject.toSchema().toBER(false)).equals(Buffer.from(c.issuer.toSchema().toBER(false))),
  );
  const verified = await signed.verify({
    signer: 0,
    checkChain: true,
    trustedCerts: roots,
    data: new Uint8Array(data).buffer,
    extendedMode: true,
  });
  if (!verified.signatureVerified)
    throw new TimestampError(`the token's signature does not verify: ${verified.message ?? "unknown reason"}`, false);
  return tst;
}

/** Requests a time stamp over `data` (the package's root) and returns the verified response bytes. */
export async function requestTimestamp(p: RequestTimestampParameters): Promise<RequestTimestampReturnType> {
  const imprint = new Uint8Array(crypto.createHash("sha256").update(p.data).digest());
  const nonce = new Uint8Array(crypto.randomBytes(8));
  nonce[0] = (nonce[0] ?? 0) & 0x7f; // a positive INTEGER without a leading zero byte
  const response = await post(p.url, timeStampRequest(imprint, nonce), p.timeoutMs ?? 15_000);
  let tst: pkijs.TSTInfo;
  try {
    tst = await checkWithPkijs(response, p.data, imprint, nonce);
  } catch (error) {
    if (error instanceof TimestampError) throw error;
    throw new TimestampError(
      `the TSA's answer is not a valid RFC 3161 response: ${error instanceof Error ? error.message : String(error)}`,
      false,
      error,
    );
  }
  const ours = verifierModules().timestamp.verifyTimestampResponse(response, imprint);
  if (!ours.ok) throw new TimestampError(`the token fails the package verifier's own check: ${ours.problems.join("; ")}`, false);
  return { response, genTime: tst.genTime.toISOString(), tsa: ours.tsa ?? "", serialNumber: ours.serialNumber ?? "" };
}
