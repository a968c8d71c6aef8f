import { describe, expect, it } from 'vitest';
import { newRunId, urandom } from './run-id.ts';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newRunId', () => {
  it('makes version 4 UUIDs from the OS random device, all different', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newRunId()));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(V4);
  });

  it('sets the version and variant bits whatever the random bytes are', () => {
    expect(newRunId(() => new Uint8Array(16).fill(0xff))).toBe(
      'ffffffff-ffff-4fff-bfff-ffffffffffff',
    );
    expect(newRunId(() => new Uint8Array(16))).toBe('00000000-0000-4000-8000-000000000000');
  });

  it("falls back to Node's crypto where there is no random device", () => {
    expect(newRunId(() => undefined)).toMatch(V4);
    expect(newRunId(() => new Uint8Array(3))).toMatch(V4);
  });

  it('reads the number of bytes asked for', () => {
    if (process.platform === 'win32') expect(urandom(16)).toBeUndefined();
    else expect(urandom(16)?.length).toBe(16);
  });
});
