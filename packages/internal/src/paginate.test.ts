import { describe, expect, it } from 'vitest';
import { chunk } from './chunk.ts';
import { collectAll, paginate } from './paginate.ts';

describe('paginate', () => {
  it('follows next tokens until a page has none', async () => {
    const pages: Record<string, { items: number[]; next?: string }> = {
      start: { items: [1, 2], next: 'b' },
      b: { items: [], next: 'c' },
      c: { items: [3] },
    };
    const tokens: (string | undefined)[] = [];
    const all = await collectAll(async (token) => {
      tokens.push(token);
      return pages[token ?? 'start'] as { items: number[]; next?: string };
    });
    expect(all).toEqual([1, 2, 3]);
    expect(tokens).toEqual([undefined, 'b', 'c']);
  });

  it('stops on a repeated token and lets the caller stop early', async () => {
    let calls = 0;
    expect(
      await collectAll(async () => {
        calls++;
        return { items: [calls], next: 'same' };
      }),
    ).toEqual([1, 2]);
    calls = 0;
    for await (const item of paginate(async (t) => {
      calls++;
      return { items: [t ?? 'first'], next: `t${calls}` };
    })) {
      if (item === 't2') break;
    }
    expect(calls).toBe(3);
  });

  it('treats an empty token as the end', async () => {
    expect(await collectAll(async () => ({ items: ['a'], next: '' }))).toEqual(['a']);
  });
});

describe('chunk', () => {
  it('splits into arrays of at most size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
    expect(() => chunk([1], 1.5)).toThrow(RangeError);
  });
});
