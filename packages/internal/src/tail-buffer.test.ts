import { describe, expect, it } from 'vitest';
import { TailBuffer } from './tail-buffer.ts';

describe('TailBuffer', () => {
  it('keeps the last bytes across chunks and counts the dropped ones', () => {
    const t = new TailBuffer(5);
    t.push('abc');
    t.push('defg');
    expect(t.toBuffer().toString()).toBe('cdefg');
    expect(t.droppedBytes).toBe(2);
    expect(t.totalBytes).toBe(7);
    t.push('0123456789');
    expect(t.toBuffer().toString()).toBe('56789');
  });

  it('holds bounded memory for large input', () => {
    const t = new TailBuffer(1000);
    for (let i = 0; i < 5000; i++) t.push(Buffer.alloc(1000, i % 256));
    expect(t.toBuffer().length).toBe(1000);
    expect(t.droppedBytes).toBe(4_999_000);
  });
});
