// Keccak-256 (the Ethereum hash: Keccak with the original 0x01 padding, not SHA3-256's 0x06), in plain JavaScript
// because node:crypto has no Keccak. The state is 25 lanes of 64 bits held as 50 32-bit halves (low, high).
// Checked against viem's keccak256 on random inputs in test/backend/evidence/verifierCrypto.test.ts.

const ROUND_CONSTANTS = [
  0x00000001, 0x00000000, 0x00008082, 0x00000000, 0x0000808a, 0x80000000, 0x80008000, 0x80000000,
  0x0000808b, 0x00000000, 0x80000001, 0x00000000, 0x80008081, 0x80000000, 0x00008009, 0x80000000,
  0x0000008a, 0x00000000, 0x00000088, 0x00000000, 0x80008009, 0x00000000, 0x8000000a, 0x00000000,
  0x8000808b, 0x00000000, 0x0000008b, 0x80000000, 0x00008089, 0x80000000, 0x00008003, 0x80000000,
  0x00008002, 0x80000000, 0x00000080, 0x80000000, 0x0000800a, 0x00000000, 0x8000000a, 0x80000000,
  0x80008081, 0x80000000, 0x00008080, 0x80000000, 0x80000001, 0x00000000, 0x80008008, 0x80000000,
];
// Rotation offsets r[x][y] in lane order x + 5y.
const ROTATIONS = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];

function permute(s) {
  const c = new Uint32Array(10);
  const b = new Uint32Array(50);
  for (let round = 0; round < 24; round++) {
    // theta
    for (let x = 0; x < 5; x++) {
      c[2 * x] = s[2 * x] ^ s[2 * x + 10] ^ s[2 * x + 20] ^ s[2 * x + 30] ^ s[2 * x + 40];
      c[2 * x + 1] = s[2 * x + 1] ^ s[2 * x + 11] ^ s[2 * x + 21] ^ s[2 * x + 31] ^ s[2 * x + 41];
    }
    for (let x = 0; x < 5; x++) {
      const nx = (x + 1) % 5;
      const px = (x + 4) % 5;
      const lo = c[2 * px] ^ ((c[2 * nx] << 1) | (c[2 * nx + 1] >>> 31));
      const hi = c[2 * px + 1] ^ ((c[2 * nx + 1] << 1) | (c[2 * nx] >>> 31));
      for (let y = 0; y < 25; y += 5) {
        s[2 * (x + y)] ^= lo;
        s[2 * (x + y) + 1] ^= hi;
      }
    }
    // rho and pi: lane (x, y) rotated goes to (y, 2x + 3y)
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++) {
        const i = x + 5 * y;
        const lo = s[2 * i];
        const hi = s[2 * i + 1];
        const r = ROTATIONS[i];
        let rlo;
        let rhi;
        if (r === 0) {
          rlo = lo;
          rhi = hi;
        } else if (r < 32) {
          rlo = (lo << r) | (hi >>> (32 - r));
          rhi = (hi << r) | (lo >>> (32 - r));
        } else if (r === 32) {
          rlo = hi;
          rhi = lo;
        } else {
          const q = r - 32;
          rlo = (hi << q) | (lo >>> (32 - q));
          rhi = (lo << q) | (hi >>> (32 - q));
        }
        const j = y + 5 * ((2 * x + 3 * y) % 5);
        b[2 * j] = rlo;
        b[2 * j + 1] = rhi;
      }
    }
    // chi
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        const i = 2 * (x + y);
        const i1 = 2 * (((x + 1) % 5) + y);
        const i2 = 2 * (((x + 2) % 5) + y);
        s[i] = b[i] ^ (~b[i1] & b[i2]);
        s[i + 1] = b[i + 1] ^ (~b[i1 + 1] & b[i2 + 1]);
      }
    }
    // iota
    s[0] ^= ROUND_CONSTANTS[2 * round];
    s[1] ^= ROUND_CONSTANTS[2 * round + 1];
  }
}

/** Keccak-256 of `data` (Uint8Array), as a 32-byte Uint8Array. */
export function keccak256(data) {
  const rate = 136;
  const state = new Uint32Array(50);
  const padded = new Uint8Array(Math.floor(data.length / rate) * rate + rate);
  padded.set(data);
  padded[data.length] ^= 0x01;
  padded[padded.length - 1] ^= 0x80;
  for (let offset = 0; offset < padded.length; offset += rate) {
    for (let i = 0; i < rate / 4; i++) {
      const o = offset + 4 * i;
      state[i] ^= padded[o] | (padded[o + 1] << 8) | (padded[o + 2] << 16) | (padded[o + 3] << 24);
    }
    permute(state);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const w = state[i];
    out[4 * i] = w & 0xff;
    out[4 * i + 1] = (w >>> 8) & 0xff;
    out[4 * i + 2] = (w >>> 16) & 0xff;
    out[4 * i + 3] = (w >>> 24) & 0xff;
  }
  return out;
}
