// secp256k1 public-key recovery (what Ethereum's ecrecover does), in plain JavaScript with BigInt, because
// node:crypto verifies ECDSA but cannot recover a signer. Points are in Jacobian coordinates. Only what the
// verifier needs: recover the address that signed a 32-byte digest. Checked against viem on random vectors in
// test/backend/evidence/verifierCrypto.test.ts.
import { bytesToBigInt } from "./bytes.mjs";
import { keccak256 } from "./keccak.mjs";

const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const GX = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n;
const GY = 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n;

const mod = (a, m = P) => {
  const r = a % m;
  return r >= 0n ? r : r + m;
};

function pow(base, exponent, m) {
  let result = 1n;
  let b = mod(base, m);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

const invert = (a, m) => pow(a, m - 2n, m); // m is prime

// Jacobian point [X, Y, Z]; Z = 0 is the point at infinity.
const INFINITY = [0n, 1n, 0n];

function double([x, y, z]) {
  if (z === 0n || y === 0n) return INFINITY;
  const yy = mod(y * y);
  const s = mod(4n * x * yy);
  const m = mod(3n * x * x);
  const x3 = mod(m * m - 2n * s);
  const y3 = mod(m * (s - x3) - 8n * yy * yy);
  const z3 = mod(2n * y * z);
  return [x3, y3, z3];
}

function add(p, q) {
  if (p[2] === 0n) return q;
  if (q[2] === 0n) return p;
  const [x1, y1, z1] = p;
  const [x2, y2, z2] = q;
  const z1z1 = mod(z1 * z1);
  const z2z2 = mod(z2 * z2);
  const u1 = mod(x1 * z2z2);
  const u2 = mod(x2 * z1z1);
  const s1 = mod(y1 * z2 * z2z2);
  const s2 = mod(y2 * z1 * z1z1);
  if (u1 === u2) return s1 === s2 ? double(p) : INFINITY;
  const h = mod(u2 - u1);
  const r = mod(s2 - s1);
  const hh = mod(h * h);
  const hhh = mod(h * hh);
  const x3 = mod(r * r - hhh - 2n * u1 * hh);
  const y3 = mod(r * (u1 * hh - x3) - s1 * hhh);
  const z3 = mod(h * z1 * z2);
  return [x3, y3, z3];
}

function multiply(point, scalar) {
  let result = INFINITY;
  let addend = point;
  let k = scalar;
  while (k > 0n) {
    if (k & 1n) result = add(result, addend);
    addend = double(addend);
    k >>= 1n;
  }
  return result;
}

function toAffine([x, y, z]) {
  if (z === 0n) return undefined;
  const zi = invert(z, P);
  const zi2 = mod(zi * zi);
  return [mod(x * zi2), mod(y * zi2 * zi)];
}

const bigIntTo32 = (n) => Buffer.from(n.toString(16).padStart(64, "0"), "hex");

/**
 * The address (lower-case 0x hex) whose key made the 65-byte signature `r || s || v` over `digest` (32 bytes), or
 * throws naming why not. Refuses `s` in the upper half of the order (malleable signatures, which OpenZeppelin's
 * ECDSA and so the contracts refuse too) and `v` other than 27/28 (or 0/1).
 */
export function recoverAddress(digest, signature) {
  if (digest.length !== 32) throw new Error("digest must be 32 bytes");
  if (signature.length !== 65) throw new Error(`signature must be 65 bytes, got ${signature.length}`);
  const r = bytesToBigInt(signature.subarray(0, 32));
  const s = bytesToBigInt(signature.subarray(32, 64));
  let v = signature[64];
  if (v >= 27) v -= 27;
  if (v !== 0 && v !== 1) throw new Error(`bad recovery id v=${signature[64]}`);
  if (r <= 0n || r >= N || s <= 0n || s >= N) throw new Error("r or s out of range");
  if (s > N / 2n) throw new Error("s is in the upper half of the curve order (malleable signature)");
  const x = r;
  const alpha = mod(x * x * x + 7n);
  let y = pow(alpha, (P + 1n) / 4n, P);
  if (mod(y * y) !== alpha) throw new Error("r is not the x coordinate of a curve point");
  if ((y & 1n) !== BigInt(v)) y = P - y;
  const e = mod(bytesToBigInt(digest), N);
  const rInv = invert(r, N);
  const u1 = mod(-e * rInv, N);
  const u2 = mod(s * rInv, N);
  const q = toAffine(add(multiply([GX, GY, 1n], u1), multiply([x, y, 1n], u2)));
  if (q === undefined) throw new Error("recovered the point at infinity");
  const hash = keccak256(Buffer.concat([bigIntTo32(q[0]), bigIntTo32(q[1])]));
  return `0x${Buffer.from(hash.subarray(12)).toString("hex")}`;
}
