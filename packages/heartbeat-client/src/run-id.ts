/** Reads `n` random bytes from the OS, or returns undefined where there is no such device. */
export type RandomSource = (n: number) => Uint8Array | undefined;

/**
 * Random bytes from /dev/urandom, read synchronously. Node's own generators (`node:crypto`,
 * WebCrypto) cost about 9 ms to load, which is most of what `heartbeat run` adds to a job
 * besides Node itself; the OS device costs 0.1 ms and is the same entropy source.
 */
export const urandom: RandomSource = (n) => {
  // process.getBuiltinModule, not an ESM import: the ESM facade of node:fs costs time on
  // every start, and fs is loaded already.
  const fs = process.getBuiltinModule?.('node:fs');
  if (!fs || process.platform === 'win32') return undefined;
  let fd: number | undefined;
  try {
    fd = fs.openSync('/dev/urandom', 'r');
    const bytes = Buffer.alloc(n);
    return fs.readSync(fd, bytes, 0, n, null) === n ? bytes : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
};

/**
 * A new random (version 4) UUID for a run id: 16 bytes from `source`, else from Node's
 * crypto where the OS device is missing (Windows).
 */
export function newRunId(source: RandomSource = urandom): string {
  const bytes = source(16);
  if (bytes?.length !== 16) {
    const crypto = process.getBuiltinModule?.('node:crypto');
    return crypto ? crypto.randomUUID() : globalThis.crypto.randomUUID();
  }
  const b = Buffer.from(bytes);
  b[6] = ((b[6] as number) & 0x0f) | 0x40; // version 4
  b[8] = ((b[8] as number) & 0x3f) | 0x80; // RFC 9562 variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
