import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { SemverTimestampError } from './errors.ts';
import { parse } from './parse.ts';
import { type TimestampVersionOptions, timestampVersion } from './timestamp-version.ts';

const MINUTE = 60_000;

function attempt(options: TimestampVersionOptions): string | SemverTimestampError {
  try {
    return timestampVersion(options).version;
  } catch (error) {
    if (error instanceof SemverTimestampError) return error;
    throw error;
  }
}

/** Versions of every minute in [from, to): a version, or the refusal's code. */
function everyMinute(timeZone: string, from: string, to: string, precision: 'second' | 'minute') {
  const out: { at: string; version?: string; code?: string }[] = [];
  for (let t = Date.parse(from); t < Date.parse(to); t += MINUTE) {
    const r = attempt({ date: t, timeZone, precision });
    const at = new Date(t).toISOString();
    out.push(typeof r === 'string' ? { at, version: r } : { at, code: r.code });
  }
  return out;
}

describe.each([
  {
    timeZone: 'America/New_York',
    // 2026-11-01: 02:00 EDT (06:00Z) becomes 01:00 EST; 01:00-01:59 local happens twice.
    fallBack: { repeatedFrom: '2026-11-01T05:00:00Z', repeatedTo: '2026-11-01T07:00:00Z' },
    lastBefore: { at: '2026-11-01T04:59:59Z', version: '2026.1101.5959' },
    firstAfter: { at: '2026-11-01T07:00:00Z', version: '2026.1101.20000' },
    repeatedLocal: '2026-11-01T01:30',
    // 2026-03-08: 02:00 EST (07:00Z) becomes 03:00 EDT; 02:00-02:59 local does not exist.
    skippedLocal: '2026-03-08T02:30',
    springForward: {
      at: '2026-03-08T07:00:00Z',
      before: '2026.308.15959',
      after: '2026.308.30000',
    },
  },
  {
    timeZone: 'Europe/London',
    // 2026-10-25: 02:00 BST (01:00Z) becomes 01:00 GMT; 01:00-01:59 local happens twice.
    fallBack: { repeatedFrom: '2026-10-25T00:00:00Z', repeatedTo: '2026-10-25T02:00:00Z' },
    lastBefore: { at: '2026-10-24T23:59:59Z', version: '2026.1025.5959' },
    firstAfter: { at: '2026-10-25T02:00:00Z', version: '2026.1025.20000' },
    repeatedLocal: '2026-10-25T01:30',
    // 2026-03-29: 01:00 GMT becomes 02:00 BST; 01:00-01:59 local does not exist.
    skippedLocal: '2026-03-29T01:30',
    springForward: { at: '2026-03-29T01:00:00Z', before: '2026.329.5959', after: '2026.329.20000' },
  },
])('daylight saving in $timeZone', (zone) => {
  const { timeZone } = zone;

  it('refuses both occurrences of the repeated hour, with a reason', () => {
    const from = Date.parse(zone.fallBack.repeatedFrom);
    const to = Date.parse(zone.fallBack.repeatedTo);
    for (const t of [from, from + 30 * MINUTE, to - 30 * MINUTE, to - 1_000]) {
      const r = attempt({ date: t, timeZone });
      expect(r).toBeInstanceOf(SemverTimestampError);
      const error = r as SemverTimestampError;
      expect(error.code).toBe('E_REPEATED_LOCAL_TIME');
      expect(error.message).toMatch(/happens twice in .*versions would go backwards/);
      expect(error.message).not.toContain('\n');
    }
  });

  it('refuses a repeated local time given without an offset', () => {
    const r = attempt({ date: zone.repeatedLocal, timeZone }) as SemverTimestampError;
    expect(r.code).toBe('E_REPEATED_LOCAL_TIME');
    expect(r.exitCode).toBe(2);
  });

  it('refuses the current time during the repeated hour with exit code 1 (not bad input)', () => {
    const now = Date.parse(zone.fallBack.repeatedFrom) + 10 * MINUTE;
    const r = attempt({ timeZone, clock: { now: () => now } }) as SemverTimestampError;
    expect(r.code).toBe('E_REPEATED_LOCAL_TIME');
    expect(r.message).toMatch(/^the current local time/);
    expect(r.exitCode).toBe(1);
  });

  it('versions on both sides of the repeated hour stay in time order', () => {
    const before = timestampVersion({ date: zone.lastBefore.at, timeZone });
    const after = timestampVersion({ date: zone.firstAfter.at, timeZone });
    expect(before.version).toBe(zone.lastBefore.version);
    expect(after.version).toBe(zone.firstAfter.version);
    expect(semver.lt(before.version, after.version)).toBe(true);
  });

  it('never goes backwards minute by minute across the fall-back night', () => {
    for (const precision of ['second', 'minute'] as const) {
      const end = new Date(Date.parse(zone.fallBack.repeatedTo) + 6 * 60 * MINUTE).toISOString();
      const run = everyMinute(timeZone, zone.lastBefore.at, end, precision);
      const made = run.filter((r) => r.version !== undefined).map((r) => r.version as string);
      for (let i = 1; i < made.length; i++) {
        expect(semver.gt(made[i]!, made[i - 1]!)).toBe(true);
      }
      const refused = run.filter((r) => r.code !== undefined);
      expect(refused.every((r) => r.code === 'E_REPEATED_LOCAL_TIME')).toBe(true);
      // Two real hours: the first and the second pass of the repeated local hour.
      expect(refused).toHaveLength(120);
    }
  });

  it('refuses a local time the clocks skip, with a reason', () => {
    const r = attempt({ date: zone.skippedLocal, timeZone }) as SemverTimestampError;
    expect(r.code).toBe('E_NONEXISTENT_LOCAL_TIME');
    expect(r.message).toMatch(/does not exist in .*: the clocks skip it/);
    const asVersion = attempt({ date: zone.skippedLocal, timeZone: 'UTC' }) as string;
    expect(() => parse(asVersion, { timeZone, precision: 'second' })).toThrow(
      expect.objectContaining({ code: 'E_NONEXISTENT_LOCAL_TIME' }),
    );
  });

  it('jumps over the skipped hour without a refusal, also with after', () => {
    const at = Date.parse(zone.springForward.at);
    expect(timestampVersion({ date: at - 1_000, timeZone }).version).toBe(
      zone.springForward.before,
    );
    expect(timestampVersion({ date: at, timeZone }).version).toBe(zone.springForward.after);
    const bumped = timestampVersion({
      timeZone,
      clock: { now: () => at - 1_000 },
      after: zone.springForward.before,
    });
    expect(bumped.version).toBe(zone.springForward.after);
    expect(bumped.date.getTime()).toBe(at);
  });

  it('refuses to step after into the repeated hour', () => {
    const r = attempt({
      timeZone,
      clock: { now: () => Date.parse(zone.lastBefore.at) },
      after: zone.lastBefore.version,
    }) as SemverTimestampError;
    expect(r.code).toBe('E_REPEATED_LOCAL_TIME');
  });

  it('refuses to parse a version from the repeated hour: its instant is not known', () => {
    const asVersion = attempt({ date: zone.repeatedLocal, timeZone: 'UTC' }) as string;
    expect(() => parse(asVersion, { timeZone, precision: 'second' })).toThrow(
      expect.objectContaining({ code: 'E_REPEATED_LOCAL_TIME' }),
    );
  });
});
