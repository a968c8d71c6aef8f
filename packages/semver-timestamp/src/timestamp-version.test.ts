import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { SemverTimestampError } from './errors.ts';
import { timestampVersion } from './timestamp-version.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SemverTimestampError);
    return (error as SemverTimestampError).code;
  }
  return undefined;
}

describe('timestampVersion', () => {
  it('writes YYYY.MMDD.HHMMSS without leading zeros', () => {
    expect(timestampVersion({ date: '2026-01-05T09:03:07Z' }).version).toBe('2026.105.90307');
    expect(timestampVersion({ date: '2026-11-22T14:30:00Z' }).version).toBe('2026.1122.143000');
    expect(timestampVersion({ date: '2026-01-01T00:00:00Z' }).version).toBe('2026.101.0');
    expect(timestampVersion({ date: '2026-12-31T23:59:59.999Z' }).version).toBe('2026.1231.235959');
  });

  it('writes YYYY.MMDD.HHMM at minute precision', () => {
    const v = timestampVersion({ date: '2026-11-22T14:30:59Z', precision: 'minute' });
    expect(v).toEqual({
      version: '2026.1122.1430',
      dockerTag: '2026.1122.1430',
      date: new Date('2026-11-22T14:30:00Z'),
      timeZone: 'UTC',
      precision: 'minute',
    });
    expect(timestampVersion({ date: '2026-01-05T00:03Z', precision: 'minute' }).version).toBe(
      '2026.105.3',
    );
  });

  it('fixes the design source: its 2016.0125.0930 is invalid SemVer, ours is valid', () => {
    expect(semver.valid('2016.0125.0930')).toBeNull();
    const ours = timestampVersion({ date: '2016-01-25T09:30', precision: 'minute' }).version;
    expect(ours).toBe('2016.125.930');
    expect(semver.valid(ours)).toBe(ours);
  });

  it('adds prerelease and build metadata, and a Docker tag without +', () => {
    const v = timestampVersion({
      date: '2026-01-05T09:03:07Z',
      prerelease: 'rc.1',
      build: 'sha.5114f85',
    });
    expect(v.version).toBe('2026.105.90307-rc.1+sha.5114f85');
    expect(v.dockerTag).toBe('2026.105.90307-rc.1_sha.5114f85');
    expect(v.prerelease).toBe('rc.1');
    expect(v.build).toBe('sha.5114f85');
    expect(semver.prerelease(v.version)).toEqual(['rc', 1]);
    expect(timestampVersion({ date: 0, prerelease: '', build: '' }).version).toBe('1970.101.0');
  });

  it('uses UTC by default and the wall clock of an IANA zone with timeZone', () => {
    const date = '2026-01-05T09:03:07Z';
    expect(timestampVersion({ date }).timeZone).toBe('UTC');
    const tokyo = timestampVersion({ date, timeZone: 'Asia/Tokyo' });
    expect(tokyo.version).toBe('2026.105.180307');
    expect(tokyo.timeZone).toBe('Asia/Tokyo');
    expect(tokyo.date).toEqual(new Date(date));
    expect(timestampVersion({ date, timeZone: 'asia/tokyo' }).timeZone).toBe('Asia/Tokyo');
    expect(timestampVersion({ date, timeZone: 'Asia/Kolkata' }).version).toBe('2026.105.143307');
  });

  it('reads a date without offset as wall-clock time in the zone', () => {
    const v = timestampVersion({ date: '2026-01-05T18:03:07', timeZone: 'Asia/Tokyo' });
    expect(v.version).toBe('2026.105.180307');
    expect(v.date.toISOString()).toBe('2026-01-05T09:03:07.000Z');
  });

  it('takes now from the injected clock, and Date or epoch milliseconds as dates', () => {
    const now = Date.UTC(2026, 0, 5, 9, 3, 7, 500);
    expect(timestampVersion({ clock: { now: () => now } }).version).toBe('2026.105.90307');
    expect(timestampVersion({ date: new Date(now) }).version).toBe('2026.105.90307');
    expect(timestampVersion({ date: now }).version).toBe('2026.105.90307');
  });

  it('refuses bad options with a code and a message that says what to do', () => {
    expect(codeOf(() => timestampVersion({ timeZone: 'Mars/Olympus_Mons' }))).toBe(
      'E_INVALID_TIME_ZONE',
    );
    expect(codeOf(() => timestampVersion({ precision: 'hour' as never }))).toBe(
      'E_INVALID_PRECISION',
    );
    expect(codeOf(() => timestampVersion({ prerelease: '01' }))).toBe('E_INVALID_PRERELEASE');
    expect(codeOf(() => timestampVersion({ prerelease: 'rc_1' }))).toBe('E_INVALID_PRERELEASE');
    expect(codeOf(() => timestampVersion({ build: 'a+b' }))).toBe('E_INVALID_BUILD');
    expect(codeOf(() => timestampVersion({ date: 'yesterday' }))).toBe('E_INVALID_DATE');
    expect(codeOf(() => timestampVersion({ date: new Date(Number.NaN) }))).toBe('E_INVALID_DATE');
    expect(codeOf(() => timestampVersion({ date: '0999-12-31T23:59:59Z' }))).toBe('E_INVALID_DATE');
    expect(
      codeOf(() => timestampVersion({ date: '9999-12-31T20:00Z', timeZone: 'Asia/Tokyo' })),
    ).toBe('E_INVALID_DATE');
    expect(codeOf(() => timestampVersion({ build: 'x'.repeat(120) }))).toBe(
      'E_DOCKER_TAG_TOO_LONG',
    );
    try {
      timestampVersion({ prerelease: 'rc_1' });
    } catch (error) {
      expect((error as Error).message).toMatch(/prerelease "rc_1".*e\.g\. rc\.1/);
      expect((error as SemverTimestampError).exitCode).toBe(2);
    }
  });
});

describe('timestampVersion after a given version', () => {
  const now = Date.UTC(2026, 0, 5, 9, 3, 7, 250);
  const clock = { now: () => now };

  it('is strictly greater than a version made in the same second', () => {
    const first = timestampVersion({ clock });
    const second = timestampVersion({ clock, after: first.version });
    const third = timestampVersion({ clock, after: second.version });
    expect([first.version, second.version, third.version]).toEqual([
      '2026.105.90307',
      '2026.105.90308',
      '2026.105.90309',
    ]);
    expect(semver.gt(third.version, second.version)).toBe(true);
    expect(third.date.toISOString()).toBe('2026-01-05T09:03:09.000Z');
  });

  it('carries over minutes, hours, days and years', () => {
    const at = (after: string, precision: 'second' | 'minute' = 'second') =>
      timestampVersion({ clock, after, precision }).version;
    expect(at('2026.105.90359')).toBe('2026.105.90400');
    expect(at('2026.105.235959')).toBe('2026.106.0');
    expect(at('2026.1231.235959')).toBe('2027.101.0');
    expect(at('2026.105.903', 'minute')).toBe('2026.105.904');
    expect(at('2026.105.2359', 'minute')).toBe('2026.106.0');
  });

  it('keeps the version for now when it is already greater', () => {
    expect(timestampVersion({ clock, after: '2026.105.90306' }).version).toBe('2026.105.90307');
    expect(timestampVersion({ clock, after: '1.2.3' }).version).toBe('2026.105.90307');
    // A release sorts after its prereleases, so the same second is already greater.
    expect(timestampVersion({ clock, after: '2026.105.90307-rc.1' }).version).toBe(
      '2026.105.90307',
    );
  });

  it('keeps prerelease and build metadata and compares by SemVer precedence', () => {
    const v = timestampVersion({ clock, after: '2026.105.90307', prerelease: 'rc.1', build: 'b' });
    expect(v.version).toBe('2026.105.90308-rc.1+b');
    expect(semver.gt(v.version, '2026.105.90307')).toBe(true);
    // Build metadata does not count in precedence: equal versions must still move on.
    expect(timestampVersion({ clock, after: '2026.105.90307+other' }).version).toBe(
      '2026.105.90308',
    );
  });

  it('accepts the previous version as a Docker tag or with a leading v', () => {
    expect(timestampVersion({ clock, after: '2026.105.90307_sha.1' }).version).toBe(
      '2026.105.90308',
    );
    expect(timestampVersion({ clock, after: 'v2026.105.90307' }).version).toBe('2026.105.90308');
  });

  it('follows a version from a clock that runs ahead', () => {
    expect(timestampVersion({ clock, after: '2026.105.100000' }).version).toBe('2026.105.100001');
  });

  it('works in the zone of the versions', () => {
    const v = timestampVersion({ clock, timeZone: 'Asia/Tokyo', after: '2026.105.180307' });
    expect(v.version).toBe('2026.105.180308');
  });

  it('refuses a bound no timestamp version can follow', () => {
    expect(codeOf(() => timestampVersion({ clock, after: 'not-a-version' }))).toBe(
      'E_INVALID_AFTER',
    );
    expect(codeOf(() => timestampVersion({ clock, after: '10000.101.0' }))).toBe('E_INVALID_AFTER');
    // Nothing follows the last second YYYY can show: the bound is the problem (issue 13).
    for (const options of [
      { clock, after: '9999.1231.235959' },
      { date: '9999-12-31T23:59:59Z', after: '9999.1231.235959' },
      { date: '9999-12-31T23:59Z', precision: 'minute' as const, after: '9999.1231.2359' },
    ]) {
      const error = (() => {
        try {
          timestampVersion(options);
        } catch (e) {
          return e as SemverTimestampError;
        }
      })();
      expect(error?.code).toBe('E_INVALID_AFTER');
      expect(error?.exitCode).toBe(2);
    }
    // Mixing precisions would break time order: minute versions sort below second ones.
    expect(
      codeOf(() => timestampVersion({ clock, precision: 'minute', after: '2026.105.90307' })),
    ).toBe('E_INVALID_AFTER');
  });
});
