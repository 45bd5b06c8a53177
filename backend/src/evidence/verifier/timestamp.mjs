// Verifies an RFC 3161 time-stamp response: the token's TSTInfo (imprint of the stamped value), the CMS signature
// over the signed attributes (RFC 5652 section 5.4) with node:crypto, and the signer's certificate chain to a
// self-signed root inside the token, with node:crypto's X509Certificate.
import crypto from "node:crypto";
import { children, content, generalizedTime, integer, oid, readElement, whole } from "./der.mjs";

const OID = {
  signedData: "1.2.840.113549.1.7.2",
  tstInfo: "1.2.840.113549.1.9.16.1.4",
  contentTypeAttr: "1.2.840.113549.1.9.3",
  messageDigestAttr: "1.2.840.113549.1.9.4",
  timeStamping: "1.3.6.1.5.5.7.3.8",
};
const HASHES = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};
const SIGNATURES = {
  "1.2.840.113549.1.1.1": { kind: "rsa" },
  "1.2.840.113549.1.1.11": { kind: "rsa", hash: "sha256" },
  "1.2.840.113549.1.1.12": { kind: "rsa", hash: "sha384" },
  "1.2.840.113549.1.1.13": { kind: "rsa", hash: "sha512" },
  "1.2.840.10045.4.3.2": { kind: "ecdsa", hash: "sha256" },
  "1.2.840.10045.4.3.3": { kind: "ecdsa", hash: "sha384" },
  "1.2.840.10045.4.3.4": { kind: "ecdsa", hash: "sha512" },
};

const hashName = (algorithmIdentifier) => {
  const name = HASHES[oid(children(algorithmIdentifier)[0])];
  if (name === undefined) throw new Error(`unsupported digest algorithm ${oid(children(algorithmIdentifier)[0])}`);
  return name;
};

/** Parses the TSTInfo fields the verifier reports. */
function parseTstInfo(der) {
  const fields = children(readElement(der));
  const imprint = children(fields[2]);
  const out = {
    policy: oid(fields[1]),
    imprintAlgorithm: hashName(imprint[0]),
    imprint: new Uint8Array(content(imprint[1])),
    serialNumber: integer(fields[3]).toString(),
    genTime: generalizedTime(fields[4]),
    nonce: undefined,
  };
  for (const f of fields.slice(5)) if (f.tag === 0x02) out.nonce = integer(f).toString();
  return out;
}

function attributes(signedAttrs) {
  const map = new Map();
  for (const attr of children(signedAttrs)) {
    const [type, values] = children(attr);
    map.set(oid(type), children(values)[0]);
  }
  return map;
}

/** The signer's certificate and its chain up to a self-signed root (all from the token). */
function chainOf(signer, certificates) {
  const chain = [signer];
  let current = signer;
  for (let depth = 0; depth < 8; depth++) {
    if (current.checkIssued(current) && current.verify(current.publicKey)) return { chain, complete: true };
    const issuer = certificates.find((c) => c !== current && current.checkIssued(c) && current.verify(c.publicKey));
    if (issuer === undefined) return { chain, complete: false };
    chain.push(issuer);
    current = issuer;
  }
  return { chain, complete: false };
}

/**
 * Checks the time-stamp response `tsr` (DER bytes) against the stamped value `expected` (bytes, e.g. the manifest
 * root). Returns `{ ok, problems[], genTime, serialNumber, policy, nonce, tsa, root }`; never throws for a bad
 * token (a parse failure is a problem too).
 */
export function verifyTimestampResponse(tsr, expected) {
  const problems = [];
  try {
    const resp = children(readElement(tsr));
    const status = integer(children(resp[0])[0]);
    if (status !== 0n && status !== 1n) return { ok: false, problems: [`the TSA refused the request (PKIStatus ${status})`] };
    if (resp[1] === undefined) return { ok: false, problems: ["the response holds no time-stamp token"] };
    const contentInfo = children(resp[1]);
    if (oid(contentInfo[0]) !== OID.signedData) problems.push("token is not CMS SignedData");
    const signedData = children(children(contentInfo[1])[0]);
    const encap = children(signedData[2]);
    if (oid(encap[0]) !== OID.tstInfo) problems.push("token content is not a TSTInfo");
    const tstDer = content(children(encap[1])[0]);
    const tst = parseTstInfo(tstDer);
    if (!Buffer.from(tst.imprint).equals(Buffer.from(expected))) {
      problems.push(`the token stamps ${Buffer.from(tst.imprint).toString("hex")}, not ${Buffer.from(expected).toString("hex")}`);
    }
    const certificates = [];
    let index = 3;
    if (signedData[index]?.tag === 0xa0) {
      for (const c of children(signedData[index])) certificates.push(new crypto.X509Certificate(Buffer.from(whole(c))));
      index += 1;
    }
    if (signedData[index]?.tag === 0xa1) index += 1;
    const signerInfos = children(signedData[index]);
    if (signerInfos.length !== 1) problems.push(`expected one signer, found ${signerInfos.length}`);
    const si = children(signerInfos[0]);
    const sid = si[1];
    if (sid.tag !== 0x30) throw new Error("signer identified by subject key id: not supported");
    const serial = integer(children(sid)[1]);
    const signer = certificates.find((c) => BigInt(`0x${c.serialNumber}`) === serial);
    if (signer === undefined) throw new Error("the signer's certificate is not in the token (request it with certReq)");
    const digest = hashName(si[2]);
    const signedAttrs = si[3];
    if (signedAttrs.tag !== 0xa0) throw new Error("the signer info has no signed attributes");
    const attrs = attributes(signedAttrs);
    if (oid(attrs.get(OID.contentTypeAttr)) !== OID.tstInfo) problems.push("signed content-type attribute is not TSTInfo");
    const messageDigest = content(attrs.get(OID.messageDigestAttr));
    const actual = crypto.createHash(digest).update(tstDer).digest();
    if (!actual.equals(Buffer.from(messageDigest))) problems.push("signed message digest does not match the TSTInfo");
    const algorithm = SIGNATURES[oid(children(si[4])[0])];
    if (algorithm === undefined) throw new Error(`unsupported signature algorithm ${oid(children(si[4])[0])}`);
    // The signature covers the DER of the attributes as a SET OF (tag 0x31), not as the [0] IMPLICIT field.
    const toVerify = Buffer.from(whole(signedAttrs));
    toVerify[0] = 0x31;
    const signature = Buffer.from(content(si[5]));
    if (!crypto.verify(algorithm.hash ?? digest, toVerify, signer.publicKey, signature)) {
      problems.push("the CMS signature does not verify with the signer's certificate");
    }
    const { chain, complete } = chainOf(signer, certificates);
    if (!complete) problems.push("the signer's certificate chain does not reach a self-signed root inside the token");
    if (!(signer.keyUsage ?? []).includes(OID.timeStamping)) problems.push("the signer's certificate is not for time stamping");
    if (tst.genTime < new Date(signer.validFrom) || tst.genTime > new Date(signer.validTo)) {
      problems.push("the time stamp lies outside the signer certificate's validity");
    }
    const root = chain[chain.length - 1];
    return {
      ok: problems.length === 0,
      problems,
      genTime: tst.genTime.toISOString(),
      serialNumber: tst.serialNumber,
      policy: tst.policy,
      nonce: tst.nonce,
      tsa: signer.subject.replace(/\n/g, ", "),
      root: { subject: root.subject.replace(/\n/g, ", "), sha256: root.fingerprint256 },
    };
  } catch (error) {
    return { ok: false, problems: [...problems, `cannot read the time-stamp token: ${error.message}`] };
  }
}
