// A minimal ZIP reader (PKWARE APPNOTE 4.3.x): the end-of-central-directory record, the central directory and
// each entry's local header; stored (method 0) and deflated (method 8, node:zlib inflateRaw) entries; every
// entry's CRC-32 and sizes checked. No ZIP64, encryption or multi-disk archives: the package never uses them.
import zlib from "node:zlib";

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The entries of the ZIP in `buffer`, in central-directory order: `{ name, data, problem }`, where `problem` names
 * what is wrong with an entry whose bytes could not be trusted (bad CRC, bad size, cannot inflate). Throws when the
 * archive itself cannot be read.
 */
export function readZip(buffer) {
  const buf = Buffer.from(buffer);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("not a ZIP file (no end of central directory record)");
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  let at = buf.readUInt32LE(eocd + 16);
  if (at + cdSize > eocd) throw new Error("ZIP central directory out of bounds");
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== CENTRAL) throw new Error(`ZIP central directory entry ${n} is damaged`);
    const method = buf.readUInt16LE(at + 10);
    const crc = buf.readUInt32LE(at + 16);
    const compressedSize = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const localOffset = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    at += 46 + nameLength + extraLength + commentLength;
    entries.push(readEntry(buf, { name, method, crc, compressedSize, size, localOffset }));
  }
  return entries;
}

function readEntry(buf, e) {
  const fail = (problem) => ({ name: e.name, data: new Uint8Array(0), problem });
  if (e.localOffset + 30 > buf.length || buf.readUInt32LE(e.localOffset) !== LOCAL) return fail("local header is damaged");
  const start = e.localOffset + 30 + buf.readUInt16LE(e.localOffset + 26) + buf.readUInt16LE(e.localOffset + 28);
  if (start + e.compressedSize > buf.length) return fail("data runs past the end of the archive");
  const raw = buf.subarray(start, start + e.compressedSize);
  let data;
  if (e.method === 0) data = raw;
  else if (e.method === 8) {
    try {
      data = zlib.inflateRawSync(raw);
    } catch (error) {
      return fail(`cannot be inflated (${error.message})`);
    }
  } else return fail(`unsupported compression method ${e.method}`);
  if (data.length !== e.size) return fail(`size ${data.length} differs from the recorded ${e.size}`);
  if (zlib.crc32(data) >>> 0 !== e.crc >>> 0) return fail("CRC-32 does not match: the entry's bytes were changed or damaged");
  return { name: e.name, data: new Uint8Array(data), problem: undefined };
}
