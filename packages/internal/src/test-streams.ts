import { Writable } from 'node:stream';

/** A writable that keeps what was written, for CLI tests. */
export class CaptureStream extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}
