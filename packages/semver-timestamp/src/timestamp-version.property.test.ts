import fc from 'fast-check';
import semver from 'semver';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClockChange, clockChanges } from '../test/clock-changes.ts';
import { mustRefuse } from '../test/oracle.ts';
import { SemverTimestampError } from './errors.ts';
import { parse } from './parse.ts';
import { PRECISION_MS, type Precision } from './timestamp-core.ts';
import { type TimestampVersion, timestampVersion } from './timestamp-version.ts';

const ALL_ZONES = Intl.supportedValuesOf('timeZone');
// Zones with unusual clock changes: DST of 30 min (Lord Howe) and 2 h (Troll), negative DST
// (Dublin), changes at midnight (Sao Paulo, Santiago), a skipped day (Apia 2011), offset
// changes outside DST (Caracas 2007/2016, Pyongyang, Moscow, Volgograd), Ramadan DST
// (Casablanca), and the zones of the issue.
const ODD_ZONES = [
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'Antarctica/Troll',
  'Europe/Dublin',
  'America/Sao_Paulo',
  'America/Santiago',
  'Pacific/Apia',
  'America/Caracas',
  'Asia/Pyongyang',
  'Europe/Moscow',
  'Europe/Volgograd',
  'Africa/Casablanca',
  'America/St_Johns',
  'Pacific/Chatham',
  'Asia/Tehran',
];

const instantArb = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) });
const precisionArb = fc.constantFrom<Precision>('second', 'minute');
const prereleaseArb = fc.option(
  fc
    .array(fc.stringMatching(/^(0|[1-9]\d{0,4}|[0-9A-Za-z-]{0,4}[A-Za-z-][0-9A-Za-z-]{0,4})$/), {
      minLength: 1,
      maxLength: 3,
    })
    .map((ids) => ids.join('.')),
  { nil: undefined },
);
const buildArb = fc.option(
  fc
    .array(fc.stringMatching(/^[0-9A-Za-z-]{1,8}$/), { minLength: 1, maxLength: 3 })
    .map((ids) => ids.join('.')),
  { nil: undefined },
);

interface Made {
  result?: TimestampVersion;
  refused?: boolean;
}

/** Makes a version, or records a refusal after checking it was due (a repeated local time). */
function make(timeZone: string, date: number, precision: Precision, extra = {}): Made {
  try {
    return { result: timestampVersion({ date, timeZone, precision, ...extra }) };
  } catch (error) {
    if (!(error instanceof SemverTimestampError) || error.code !== 'E_REPEATED_LOCAL_TIME') {
      throw error;
    }
    expect(mustRefuse(timeZone, date, precision)).toBe(true);
    return { refused: true };
  }
}

/** Every check one version must pass. */
function checkVersion(made: TimestampVersion, timeZone: string, date: number): void {
  const { precision } = made;
  // node-semver's normalized form drops build metadata, so compare it separately.
  const reference = semver.parse(made.version);
  expect(reference?.version).toBe(made.version.split('+')[0]);
  expect(reference?.build.join('.')).toBe(made.build ?? '');
  expect(made.dockerTag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
  expect(made.date.getTime()).toBeLessThanOrEqual(date);
  expect(date - made.date.getTime()).toBeLessThan(PRECISION_MS[precision]);
  const { dockerTag: _, ...parsed } = made;
  expect(parse(made.version, { timeZone, precision })).toEqual(parsed);
  expect(parse(made.dockerTag, { timeZone, precision })).toEqual(parsed);
  expect(mustRefuse(timeZone, date, precision)).toBe(false);
}

function checkOrder(a: TimestampVersion, b: TimestampVersion): void {
  expect(semver.compare(a.version, b.version)).toBe(Math.sign(a.date.getTime() - b.date.getTime()));
}

describe('timestampVersion over many instants and zones', () => {
  it('is valid SemVer, a valid Docker tag, and parses back to its instant', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_ZONES),
        instantArb,
        precisionArb,
        prereleaseArb,
        buildArb,
        (timeZone, date, precision, prerelease, build) => {
          const extra = { ...(prerelease ? { prerelease } : {}), ...(build ? { build } : {}) };
          const made = make(timeZone, date, precision, extra);
          if (!made.result) return;
          checkVersion(made.result, timeZone, date);
          expect(made.result.prerelease).toBe(prerelease);
          expect(made.result.build).toBe(build);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('orders versions as time: semver.compare equals the order of their instants', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_ZONES),
        instantArb,
        fc.oneof(instantArb, fc.integer({ min: -172_800_000, max: 172_800_000 })),
        precisionArb,
        (timeZone, t1, other, precision) => {
          const t2 = Math.abs(other) > 172_800_000 ? other : t1 + other;
          const a = make(timeZone, t1, precision).result;
          const b = make(timeZone, t2, precision).result;
          if (a && b) checkOrder(a, b);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('timestampVersion around real clock changes', () => {
  const changes: { timeZone: string; change: ClockChange }[] = [];
  beforeAll(() => {
    for (const timeZone of ODD_ZONES) {
      for (const change of clockChanges(timeZone, Date.UTC(2000, 0, 1), Date.UTC(2030, 0, 1))) {
        changes.push({ timeZone, change });
      }
    }
    expect(changes.length).toBeGreaterThan(300);
  });

  it('refuses exactly the repeated local times and keeps every other version in time order', () => {
    const window = 3 * 3_600_000;
    let refused = 0;
    let made = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: 1_000_000 }),
        fc.integer({ min: -window, max: window }),
        fc.integer({ min: -window, max: window }),
        precisionArb,
        (pick, d1, d2, precision) => {
          const { timeZone, change } = changes[pick % changes.length]!;
          const t1 = change.at + d1;
          const t2 = change.at + d2;
          const a = make(timeZone, t1, precision);
          const b = make(timeZone, t2, precision);
          if (a.result) checkVersion(a.result, timeZone, t1);
          if (b.result) checkVersion(b.result, timeZone, t2);
          if (a.result && b.result) checkOrder(a.result, b.result);
          for (const x of [a, b]) {
            if (x.refused) refused++;
            else made++;
          }
        },
      ),
      { numRuns: 3000 },
    );
    // The windows straddle the changes, so both outcomes must have been exercised.
    expect(refused).toBeGreaterThan(100);
    expect(made).toBeGreaterThan(1000);
  });

  it('gives strictly increasing versions for builds in the same second (after)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1_000_000 }),
        fc.integer({ min: -2 * 3_600_000, max: 2 * 3_600_000 }),
        precisionArb,
        fc.integer({ min: 2, max: 5 }),
        (pick, d, precision, builds) => {
          const { timeZone, change } = changes[pick % changes.length]!;
          const now = change.at + d;
          let previous: TimestampVersion | undefined;
          for (let i = 0; i < builds; i++) {
            try {
              const made = timestampVersion({
                timeZone,
                precision,
                clock: { now: () => now },
                ...(previous ? { after: previous.version } : {}),
              });
              if (previous) {
                expect(semver.gt(made.version, previous.version)).toBe(true);
                checkOrder(previous, made);
              }
              previous = made;
            } catch (error) {
              expect((error as SemverTimestampError).code).toBe('E_REPEATED_LOCAL_TIME');
              return;
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
