import { describe, expect, it } from 'vitest';
import { SemverTimestampError } from './errors.ts';
import { parse } from './parse.ts';
import { timestampVersion } from './timestamp-version.ts';

function errorOf(fn: () => unknown): SemverTimestampError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SemverTimestampError);
    return error as SemverTimestampError;
  }
  throw new Error('expected an error');
}

describe('parse', () => {
  it('gives back the instant and the precision', () => {
    expect(parse('2026.105.90307')).toEqual({
      version: '2026.105.90307',
      date: new Date('2026-01-05T09:03:07Z'),
      timeZone: 'UTC',
      precision: 'second',
    });
    expect(parse('2026.1122.143000').date.toISOString()).toBe('2026-11-22T14:30:00.000Z');
    expect(parse('2026.1122.1430', { precision: 'minute' }).date.toISOString()).toBe(
      '2026-11-22T14:30:00.000Z',
    );
    expect(parse('2026.1122.1430', { precision: 'second' }).date.toISOString()).toBe(
      '2026-11-22T00:14:30.000Z',
    );
  });

  it('reads a version at second precision unless told minute (issue 12)', () => {
    expect(parse('2026.105.90307').precision).toBe('second');
    expect(parse('2026.105.10000').precision).toBe('second');
    expect(parse('2026.105.2400').precision).toBe('second');
    // Made with default settings in the hour after midnight UTC: they read back.
    expect(parse('2026.1218.2353').date.toISOString()).toBe('2026-12-18T00:23:53.000Z');
    expect(parse('2027.101.0').date.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(parse('2026.1122.1430').date.toISOString()).toBe('2026-11-22T00:14:30.000Z');
    expect(parse('2026.1122.1430', { precision: 'minute' }).date.toISOString()).toBe(
      '2026-11-22T14:30:00.000Z',
    );
  });

  it('round-trips every version made from 00:00:00 to 00:59:59 UTC with default settings', () => {
    const day = Date.UTC(2026, 11, 18);
    for (let s = 0; s < 3600; s++) {
      const made = timestampVersion({ date: new Date(day + s * 1000) });
      expect(parse(made.version).date.getTime()).toBe(day + s * 1000);
    }
  });

  it('refuses only what cannot be a version of the given precision', () => {
    expect(errorOf(() => parse('2026.1122.1460', { precision: 'minute' })).code).toBe(
      'E_NOT_TIMESTAMP_VERSION',
    );
    expect(errorOf(() => parse('2026.1122.143000', { precision: 'minute' })).code).toBe(
      'E_NOT_TIMESTAMP_VERSION',
    );
    expect(errorOf(() => parse('2026.1122.246000')).code).toBe('E_NOT_TIMESTAMP_VERSION');
    expect(errorOf(() => parse('2026.1122.1000000')).code).toBe('E_NOT_TIMESTAMP_VERSION');
  });

  it('reads the wall time in the given zone', () => {
    const tokyo = parse('2026.105.180307', { timeZone: 'Asia/Tokyo' });
    expect(tokyo.date.toISOString()).toBe('2026-01-05T09:03:07.000Z');
    expect(tokyo.timeZone).toBe('Asia/Tokyo');
  });

  it('gives back prerelease and build metadata, from either form, with or without v', () => {
    const expected = {
      version: '2026.105.90307-rc.1+sha.5114f85',
      date: new Date('2026-01-05T09:03:07Z'),
      timeZone: 'UTC',
      precision: 'second',
      prerelease: 'rc.1',
      build: 'sha.5114f85',
    };
    expect(parse('2026.105.90307-rc.1+sha.5114f85')).toEqual(expected);
    expect(parse('2026.105.90307-rc.1_sha.5114f85')).toEqual(expected);
    expect(parse('v2026.105.90307-rc.1+sha.5114f85')).toEqual(expected);
    expect(parse(' 2026.105.90307-rc.1+sha.5114f85\n')).toEqual(expected);
  });

  it('says clearly why a version is not a timestamp version', () => {
    const cases: [string, RegExp][] = [
      ['1.2.3', /1 is not a four-digit year/],
      ['2026.0125.0930', /not a SemVer 2\.0\.0 version/],
      ['2026.1301.0', /1301 is not a month and day \(MMDD\) of 2026/],
      ['2026.230.0', /230 is not a month and day/],
      ['2025.229.0', /229 is not a month and day \(MMDD\) of 2025/],
      ['2026.101.240000', /240000 is not a time of day at second precision \(HHMMSS\)/],
      ['2026.101.6000', /6000 is not a time of day at second precision \(/],
      ['2026.101.2360', /2360 is not a time of day/],
      ['2026.101.1234567', /1234567 is not a time of day/],
      ['latest', /not a SemVer 2\.0\.0 version/],
      ['', /not a SemVer 2\.0\.0 version/],
    ];
    for (const [version, why] of cases) {
      const error = errorOf(() => parse(version));
      expect(error.code).toBe('E_NOT_TIMESTAMP_VERSION');
      expect(error.message).toMatch(why);
      expect(error.message).toContain('expected YYYY.MMDD.HHMMSS');
      expect(error.exitCode).toBe(2);
    }
    expect(parse('2024.229.0', { precision: 'second' }).date.toISOString()).toBe(
      '2024-02-29T00:00:00.000Z',
    );
  });

  it('refuses a precision that does not fit the version', () => {
    const error = errorOf(() => parse('2026.105.90307', { precision: 'minute' }));
    expect(error.code).toBe('E_NOT_TIMESTAMP_VERSION');
    expect(error.message).toContain('90307 is not a time of day at minute precision (HHMM)');
    expect(errorOf(() => parse('2026.105.90307', { precision: 'hour' as never })).code).toBe(
      'E_INVALID_PRECISION',
    );
    expect(errorOf(() => parse('2026.105.90307', { timeZone: 'Nowhere' })).code).toBe(
      'E_INVALID_TIME_ZONE',
    );
  });
});
