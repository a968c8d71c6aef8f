import { Writable } from 'node:stream';

const MASK = Buffer.from('***');

/**
 * Replaces secret values in a byte stream with `***`. Bytes are compared as they are
 * (binary output passes through untouched elsewhere); values are matched as their UTF-8
 * bytes. Where matches overlap or touch (a value inside another, two values side by
 * side), the whole covered run becomes one `***`, so no part of a longer value shows
 * because a shorter one matched first. A value split across two writes is still found:
 * the bytes that could begin a value are held back until the next write (or the end)
 * decides, never longer than the longest value minus one byte.
 */
export class Masker {
  /** Values by first byte, longest first. */
  readonly #byFirst: (Buffer[] | undefined)[] = new Array(256);
  readonly #longest: number;
  #pending: Buffer = Buffer.alloc(0);
  /** Bytes at the start of `#pending` already covered by a `***` that was written. */
  #covered = 0;

  constructor(values: Iterable<string>) {
    const unique = [...new Set([...values].filter((v) => v !== ''))]
      .map((v) => Buffer.from(v))
      .sort((a, b) => b.length - a.length);
    for (const value of unique) {
      const first = value[0] as number;
      const list = this.#byFirst[first] ?? [];
      list.push(value);
      this.#byFirst[first] = list;
    }
    this.#longest = unique[0]?.length ?? 0;
  }

  /** Masks one chunk; returns what can be written now (possibly less than given). */
  push(chunk: Buffer): Buffer {
    if (this.#longest === 0) return chunk;
    const data = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    return this.#scan(data, false);
  }

  /** Everything still held back, masked: call once the stream ends. */
  end(): Buffer {
    const data = this.#pending;
    this.#pending = Buffer.alloc(0);
    return this.#longest === 0 ? data : this.#scan(data, true);
  }

  #scan(data: Buffer, final: boolean): Buffer {
    const out: Buffer[] = [];
    // End of the run of masked bytes (-1: none open); a value starting where a run ends extends it.
    let coveredTo = this.#covered > 0 ? this.#covered : -1;
    let plainFrom = Math.max(0, coveredTo);
    let i = 0;
    for (; i < data.length; i++) {
      const candidates = this.#byFirst[data[i] as number];
      if (candidates !== undefined) {
        let matched = 0;
        let partial = false;
        for (const value of candidates) {
          const room = data.length - i;
          if (room >= value.length) {
            if (data.compare(value, 0, value.length, i, i + value.length) === 0) {
              matched = value.length;
              break;
            }
          } else if (!final && data.compare(value, 0, room, i, data.length) === 0) {
            // May be a value cut by the end of this write: wait for more.
            partial = true;
          }
        }
        if (partial) {
          // Held back from here: a longer value could still match (the longest wins).
          if (plainFrom < i) out.push(data.subarray(plainFrom, i));
          break;
        }
        if (matched > 0) {
          if (i > coveredTo) {
            if (plainFrom < i) out.push(data.subarray(plainFrom, i));
            out.push(MASK);
          }
          coveredTo = Math.max(coveredTo, i + matched);
          plainFrom = coveredTo;
        }
      }
    }
    if (i >= data.length) {
      if (plainFrom < data.length) out.push(data.subarray(plainFrom));
      this.#pending = Buffer.alloc(0);
      this.#covered = 0;
    } else {
      this.#pending = Buffer.from(data.subarray(i));
      this.#covered = Math.max(0, coveredTo - i);
    }
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }
}

/**
 * A stream that writes to `target` with every value replaced by `***` ({@link Masker}).
 * End it when the source ends, so the bytes held back are written too.
 */
export function maskingStream(target: NodeJS.WritableStream, values: Iterable<string>): Writable {
  const masker = new Masker(values);
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const out = masker.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      if (out.length === 0) callback();
      else if (target.write(out)) callback();
      else target.once('drain', () => callback());
    },
    final(callback) {
      const out = masker.end();
      if (out.length === 0) callback();
      else target.write(out, () => callback());
    },
  });
}
