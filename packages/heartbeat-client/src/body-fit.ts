/**
 * Ping body limit (bytes) assumed until a server states its own (`Ping-Body-Limit`): the
 * self-hosted server's default. A self-hosted server cuts longer bodies at the end, so
 * assuming more would lose a job's last lines, the ones that say why it failed.
 */
export const DEFAULT_BODY_LIMIT = 10_000;

/** Ping body limit of the hosted service (hc-ping.com, healthchecks.io). */
export const HOSTED_BODY_LIMIT = 100_000;

/**
 * The body limit to assume for pings to `url` until the server states its own:
 * {@link HOSTED_BODY_LIMIT} for the hosted service, else {@link DEFAULT_BODY_LIMIT}.
 */
export function defaultBodyLimit(url: string | URL): number {
  let host: string;
  try {
    host = new URL(String(url)).hostname.toLowerCase();
  } catch {
    return DEFAULT_BODY_LIMIT;
  }
  const hosted = ['hc-ping.com', 'healthchecks.io'].some(
    (domain) => host === domain || host.endsWith(`.${domain}`),
  );
  return hosted ? HOSTED_BODY_LIMIT : DEFAULT_BODY_LIMIT;
}

/** How far past the cut point a line start is looked for. */
const LINE_SNAP_BYTES = 256;

/** Job output as kept by a tail buffer: the last bytes, and how many came before them. */
export interface OutputTail {
  tail: Uint8Array;
  /** Bytes of output already dropped before `tail`. */
  droppedBytes: number;
}

/** A ping body: text, bytes, or an output tail. */
export type PingBody = string | Uint8Array | OutputTail;

/** A body reduced to fit a limit. */
export interface FittedBody {
  bytes: Buffer;
  /** Bytes of the original output not sent (0 when it fitted). */
  cutBytes: number;
}

function isTail(body: PingBody): body is OutputTail {
  return typeof body === 'object' && !(body instanceof Uint8Array);
}

/** The note put first in a body whose beginning was cut. */
export function truncationLine(cutBytes: number): string {
  return `[heartbeat: ${cutBytes} bytes of earlier output cut]\n`;
}

/**
 * Reduces a body to at most `limit` bytes, keeping its end (a job's last lines say why it
 * failed) and starting with a line that says how many bytes were cut. The cut never splits a
 * UTF-8 character, and moves to the next line start when one is near.
 */
export function fitBody(body: PingBody, limit: number): FittedBody {
  const bytes = isTail(body)
    ? Buffer.from(body.tail.buffer, body.tail.byteOffset, body.tail.byteLength)
    : typeof body === 'string'
      ? Buffer.from(body)
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const dropped = isTail(body) ? body.droppedBytes : 0;
  if (dropped === 0 && bytes.length <= limit) return { bytes, cutBytes: 0 };
  // The note's length depends on the number it prints; size it for the largest possible
  // number so that the final, exact note always fits.
  const noteRoom = Buffer.byteLength(truncationLine(dropped + bytes.length));
  if (noteRoom >= limit) {
    let start = Math.max(0, bytes.length - limit);
    while (start < bytes.length && ((bytes[start] as number) & 0xc0) === 0x80) start++;
    return { bytes: bytes.subarray(start), cutBytes: dropped + start };
  }
  let start = Math.max(0, bytes.length - (limit - noteRoom));
  // Start at a whole line when one begins shortly after the cut: a half line reads as noise.
  const newline = start > 0 ? bytes.indexOf(0x0a, start - 1) : -1;
  if (newline >= 0 && newline + 1 < bytes.length && newline + 1 - start <= LINE_SNAP_BYTES) {
    start = newline + 1;
  }
  while (start < bytes.length && ((bytes[start] as number) & 0xc0) === 0x80) start++;
  return {
    bytes: Buffer.concat([Buffer.from(truncationLine(dropped + start)), bytes.subarray(start)]),
    cutBytes: dropped + start,
  };
}
