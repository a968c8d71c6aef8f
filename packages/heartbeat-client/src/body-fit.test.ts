import { describe, expect, it } from 'vitest';
import { fitBody, truncationLine } from './body-fit.ts';

describe('fitBody', () => {
  it('leaves a body that fits untouched', () => {
    const r = fitBody('hello\n', 100);
    expect(r.bytes.toString()).toBe('hello\n');
    expect(r.cutBytes).toBe(0);
  });

  it('keeps the tail and says how many bytes were cut, within the limit', () => {
    const body = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join('');
    const r = fitBody(body, 200);
    expect(r.bytes.length).toBeLessThanOrEqual(200);
    const text = r.bytes.toString();
    expect(text).toMatch(/^\[heartbeat: \d+ bytes of earlier output cut\]\n/);
    expect(text.endsWith('line 999\n')).toBe(true);
    const kept = text.slice(truncationLine(r.cutBytes).length);
    expect(r.cutBytes + Buffer.byteLength(kept)).toBe(Buffer.byteLength(body));
    expect(text.startsWith(truncationLine(r.cutBytes))).toBe(true);
  });

  it('never splits a UTF-8 character', () => {
    const body = 'é'.repeat(500); // 2 bytes each
    for (const limit of [100, 101, 102, 103]) {
      const r = fitBody(body, limit);
      expect(r.bytes.length).toBeLessThanOrEqual(limit);
      const kept = r.bytes.subarray(Buffer.byteLength(truncationLine(r.cutBytes)));
      expect(kept.toString()).toMatch(/^é+$/);
      expect(r.cutBytes % 2).toBe(0);
    }
  });

  it('counts bytes a tail buffer already dropped', () => {
    const r = fitBody({ tail: Buffer.from('end\n'), droppedBytes: 5_000_000 }, 1000);
    expect(r.bytes.toString()).toBe(`${truncationLine(5_000_000)}end\n`);
    expect(r.cutBytes).toBe(5_000_000);
  });

  it('sends only the tail when the limit is too small for the note', () => {
    const r = fitBody('abcdefghijklmnopqrstuvwxyz', 10);
    expect(r.bytes.toString()).toBe('qrstuvwxyz');
    expect(r.cutBytes).toBe(16);
  });

  it('accepts bytes', () => {
    expect(fitBody(new Uint8Array([104, 105]), 10).bytes.toString()).toBe('hi');
  });
});
