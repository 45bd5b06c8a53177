/**
 * A deterministic ZIP: the same entries give the same bytes on any machine. yazl with, for every entry, a fixed
 * modification time (1980-01-01 00:00 in the DOS fields, built from local-time components because DOS times are
 * local), fixed Unix mode 0100644, no Info-ZIP timestamp extra field (`forceDosTimestamp`), deflate at a fixed
 * level, and entries in the order given (the caller sorts). No comment, no data descriptors (buffers have known
 * sizes), no ZIP64.
 */
import yazl from "yazl";

export type ZipInput = { name: string; data: Uint8Array };

export async function buildZip(entries: readonly ZipInput[]): Promise<Buffer> {
  // The DOS epoch from local-time components (made per call: the time zone is read when the Date is made).
  const mtime = new Date(1980, 0, 1, 0, 0, 0);
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    zip.addBuffer(Buffer.from(entry.data), entry.name, {
      mtime,
      mode: 0o100644,
      compress: true,
      compressionLevel: 9,
      forceDosTimestamp: true,
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on("error", reject);
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
  });
}
