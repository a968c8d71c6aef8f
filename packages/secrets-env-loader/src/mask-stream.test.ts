import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Masker, maskingStream } from './mask-stream.ts';

/** Feeds `input` to a masker in the given pieces and returns everything it wrote. */
function run(values: string[], pieces: Buffer[]): Buffer {
  const masker = new Masker(values);
  const out = pieces.map((p) => masker.push(p));
  out.push(masker.end());
  return Buffer.concat(out);
}

const text = (values: string[], ...pieces: string[]) =>
  run(
    values,
    pieces.map((p) => Buffer.from(p)),
  ).toString();

describe('Masker', () => {
  it('replaces every occurrence of every value', () => {
    expect(text(['hunter2', 's3cret'], 'user hunter2 pw s3cret, again hunter2\n')).toBe(
      'user *** pw ***, again ***\n',
    );
    expect(text([], 'nothing to hide')).toBe('nothing to hide');
    expect(text([''], 'empty values are ignored')).toBe('empty values are ignored');
  });

  it('finds a value split across writes, at every split point', () => {
    const input = 'before [correct-horse-battery] after';
    for (let a = 0; a <= input.length; a++) {
      for (let b = a; b <= input.length; b += 3) {
        const out = text(
          ['correct-horse-battery'],
          input.slice(0, a),
          input.slice(a, b),
          input.slice(b),
        );
        expect(out, `split at ${a}/${b}`).toBe('before [***] after');
      }
    }
    // Byte by byte.
    expect(text(['abcdef'], ...'xxabcdefyy'.split(''))).toBe('xx***yy');
  });

  it('holds back only what could begin a value, and writes it out when it does not', () => {
    const masker = new Masker(['secret']);
    expect(masker.push(Buffer.from('a sec')).toString()).toBe('a ');
    expect(masker.push(Buffer.from('ond')).toString()).toBe('second');
    expect(masker.push(Buffer.from('sec')).toString()).toBe('');
    expect(masker.end().toString()).toBe('sec');
  });

  it('prefers the longest value: a value inside another never leaves the rest visible', () => {
    expect(text(['pass', 'password123'], 'x password123 y pass z')).toBe('x *** y *** z');
    // The shorter value matches first, the longer one is still being written.
    expect(text(['pass', 'password123'], 'x pass', 'word123 y')).toBe('x *** y');
    // Overlapping and touching values become one run.
    expect(text(['abcd', 'cdef'], '_abcdef_')).toBe('_***_');
    expect(text(['abc', 'def'], '_abcdef_')).toBe('_***_');
    expect(text(['bcdefg', 'abcd'], 'abcdefg!')).toBe('***!');
  });

  it('is binary-safe: bytes pass through exactly, values matched as UTF-8', () => {
    const binary = Buffer.from([0, 255, 254, 10, 13, 0x80, 0xc3]);
    const value = 'päss-☃';
    const input = Buffer.concat([binary, Buffer.from(value), binary]);
    const out = run([value], [input.subarray(0, 9), input.subarray(9)]);
    expect(out).toEqual(Buffer.concat([binary, Buffer.from('***'), binary]));
    expect(run(['x1y2'], [binary])).toEqual(binary);
  });

  it('masks 1 MB of output with values at random places and random write sizes', () => {
    const values = ['token-0123456789', 'token-01', 'AKIAEXAMPLE', 'multi\nline'];
    const parts: Buffer[] = [];
    const expected: Buffer[] = [];
    let size = 0;
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    while (size < 1_000_000) {
      // Random bytes without the letters that begin a value, then a value.
      const noise = Buffer.from(
        randomBytes(1 + Math.floor(random() * 500)).map((b) =>
          b === 0x74 || b === 0x41 || b === 0x6d ? 0x2e : b,
        ),
      );
      const value = Buffer.from(values[Math.floor(random() * values.length)] as string);
      parts.push(noise, value);
      expected.push(noise, Buffer.from('***'));
      size += noise.length + value.length;
    }
    const input = Buffer.concat(parts);
    const pieces: Buffer[] = [];
    for (let at = 0; at < input.length; ) {
      const n = 1 + Math.floor(random() * 70_000);
      pieces.push(input.subarray(at, at + n));
      at += n;
    }
    const out = run(values, pieces);
    expect(out.equals(Buffer.concat(expected))).toBe(true);
    for (const v of values) expect(out.includes(Buffer.from(v))).toBe(false);
  });
});

describe('maskingStream', () => {
  it('writes masked output to its target and flushes what it held at the end', async () => {
    const target = new PassThrough();
    const chunks: Buffer[] = [];
    target.on('data', (c: Buffer) => chunks.push(c));
    const stream = maskingStream(target, ['s3cret']);
    stream.write('a s3');
    stream.write('cret b s3');
    await new Promise<void>((resolve) => stream.end(resolve));
    expect(Buffer.concat(chunks).toString()).toBe('a *** b s3');
  });
});
