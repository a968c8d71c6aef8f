import { describe, expect, it } from 'vitest';
import { parseIsoDate } from './date-input.ts';
import { SemverTimestampError } from './errors.ts';
import { loadZone } from './zone.ts';

const utc = loadZone('UTC');
const tokyo = loadZone('Asia/Tokyo');
const iso = (ms: number) => new Date(ms).toISOString();

describe('parseIsoDate', () => {
  it('reads instants with Z or an offset', () => {
    expect(iso(parseIsoDate('2026-01-05T09:03:07Z', tokyo))).toBe('2026-01-05T09:03:07.000Z');
    expect(iso(parseIsoDate('2026-01-05T18:03:07+09:00', utc))).toBe('2026-01-05T09:03:07.000Z');
    expect(iso(parseIsoDate('2026-01-05T04:33:07-0430', utc))).toBe('2026-01-05T09:03:07.000Z');
    expect(iso(parseIsoDate('2026-01-05 09:03:07.123456789z', utc))).toBe(
      '2026-01-05T09:03:07.123Z',
    );
    expect(iso(parseIsoDate('2026-01-05T09:03:07,5+00', utc))).toBe('2026-01-05T09:03:07.500Z');
  });

  it('reads a time without offset, or a date alone, as wall-clock time in the zone', () => {
    expect(iso(parseIsoDate('2026-01-05T18:03:07', tokyo))).toBe('2026-01-05T09:03:07.000Z');
    expect(iso(parseIsoDate('2026-01-05T18:03', tokyo))).toBe('2026-01-05T09:03:00.000Z');
    expect(iso(parseIsoDate('2026-01-05', tokyo))).toBe('2026-01-04T15:00:00.000Z');
    expect(iso(parseIsoDate('2026-01-05', utc))).toBe('2026-01-05T00:00:00.000Z');
  });

  it('refuses what is not an ISO-8601 date-time, naming it and showing examples', () => {
    for (const text of [
      'now',
      '2026-1-5',
      '2026-13-01',
      '2026-02-29',
      '2026-01-05T24:00',
      '2026-01-05T09:60',
      '2026-01-05T09:03:61Z',
      '2026-01-05T09:03+25:00',
      'Mon, 05 Jan 2026 09:03:07 GMT',
      '1767603787',
    ]) {
      try {
        parseIsoDate(text, utc);
        expect.unreachable(text);
      } catch (error) {
        expect(error).toBeInstanceOf(SemverTimestampError);
        expect((error as SemverTimestampError).code).toBe('E_INVALID_DATE');
        expect((error as Error).message).toContain(`date "${text}"`);
        expect((error as Error).message).toContain('e.g. 2026-01-05T09:03:07Z');
      }
    }
  });
});
