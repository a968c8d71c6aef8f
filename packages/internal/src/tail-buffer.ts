/**
 * Keeps the last `limit` bytes written to it, in bounded memory, and counts what was dropped.
 */
export class TailBuffer {
  readonly limit: number;
  #chunks: Buffer[] = [];
  #size = 0;
  #total = 0;

  constructor(limit: number) {
    this.limit = Math.max(0, limit);
  }

  /** Appends a chunk, dropping the oldest bytes beyond the limit. */
  push(chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#total += buf.length;
    if (this.limit === 0) return;
    if (buf.length >= this.limit) {
      this.#chunks = [buf.subarray(buf.length - this.limit)];
      this.#size = this.limit;
      return;
    }
    this.#chunks.push(buf);
    this.#size += buf.length;
    while (this.#size > this.limit) {
      const first = this.#chunks[0] as Buffer;
      const excess = this.#size - this.limit;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#size -= first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#size -= excess;
      }
    }
  }

  /** Bytes ever pushed. */
  get totalBytes(): number {
    return this.#total;
  }

  /** Bytes pushed but no longer held. */
  get droppedBytes(): number {
    return this.#total - this.#size;
  }

  /** The bytes held, oldest first. */
  toBuffer(): Buffer {
    return Buffer.concat(this.#chunks, this.#size);
  }
}
