import { quoteInput, systemClock } from '@berth/internal';
import { type DateInput, resolveDate } from './date-input.ts';
import { fromDockerTag, toDockerTag } from './docker-tag.ts';
import { SemverTimestampError } from './errors.ts';
import { type ParsedTimestampVersion, parseInZone } from './parse.ts';
import { compareSemver, isBuildMetadata, isPrerelease, parseSemver } from './semver-syntax.ts';
import {
  checkPrecision,
  coreFromWall,
  floorTo,
  PRECISION_MS,
  type Precision,
  stepStart,
  yearInRange,
} from './timestamp-core.ts';
import { formatWall, loadZone, type Zone } from './zone.ts';

/** Options of {@link timestampVersion}. All are optional. */
export interface TimestampVersionOptions {
  /**
   * The time to make the version from. Default: now. A string is ISO-8601; without an
   * offset (`2026-01-05T09:03`) it is a wall-clock time in `timeZone`.
   */
  date?: DateInput;
  /** IANA time zone whose wall clock the version shows, e.g. `Asia/Tokyo`. Default `UTC`. */
  timeZone?: string;
  /** `second` (`YYYY.MMDD.HHMMSS`, default) or `minute` (`YYYY.MMDD.HHMM`). */
  precision?: Precision;
  /** SemVer prerelease identifiers, e.g. `rc.1` or `pr-42`. Empty means none. */
  prerelease?: string;
  /** SemVer build metadata, e.g. `sha.5114f85`. Empty means none. */
  build?: string;
  /**
   * A version the result must be strictly greater than (SemVer precedence), e.g. the last
   * one released: when the clock has not moved past it (two builds in one second), the
   * result is the next second (or minute) after it.
   */
  after?: string;
  /**
   * Source of "now" in epoch ms, for tests (any Berth `Clock` fits). Spelled out rather than
   * `Pick<Clock, 'now'>` so the published types need nothing from Node's or the DOM's.
   */
  clock?: { now(): number };
}

/** A timestamp version and its forms. `JSON.stringify` gives the CLI's `--json` output. */
export interface TimestampVersion extends ParsedTimestampVersion {
  /** The version as a Docker image tag (`+` written `_`). */
  dockerTag: string;
}

function checkIdentifiers(
  value: string | undefined,
  kind: 'prerelease' | 'build',
): string | undefined {
  if (value === undefined || value === '') return undefined;
  const valid = kind === 'prerelease' ? isPrerelease(value) : isBuildMetadata(value);
  if (valid) return value;
  throw new SemverTimestampError(
    kind === 'prerelease' ? 'E_INVALID_PRERELEASE' : 'E_INVALID_BUILD',
    kind === 'prerelease'
      ? `prerelease ${quoteInput(value)} is not valid SemVer: use dot-separated identifiers of [0-9A-Za-z-], numbers without leading zeros, e.g. rc.1 or pr-42`
      : `build metadata ${quoteInput(value)} is not valid SemVer: use dot-separated identifiers of [0-9A-Za-z-], e.g. sha.5114f85`,
  );
}

interface Settings {
  zone: Zone;
  precision: Precision;
  prerelease: string | undefined;
  build: string | undefined;
}

function versionAt(
  instant: number,
  settings: Settings,
  what: string,
  exitCode: number,
): TimestampVersion {
  const { zone, precision, prerelease, build } = settings;
  const wallStep = floorTo(Math.floor(instant / 1000) * 1000 + zone.offsetAt(instant), precision);
  if (!yearInRange(wallStep)) {
    throw new SemverTimestampError(
      'E_INVALID_DATE',
      `${what} ${formatWall(wallStep)} in ${zone.name} is outside years 1000-9999, which YYYY cannot show`,
      { exitCode },
    );
  }
  const date = stepStart(zone, wallStep, precision, what, exitCode);
  const version = `${coreFromWall(wallStep, precision)}${prerelease ? `-${prerelease}` : ''}${build ? `+${build}` : ''}`;
  return {
    version,
    dockerTag: toDockerTag(version),
    date: new Date(date),
    timeZone: zone.name,
    precision,
    ...(prerelease ? { prerelease } : {}),
    ...(build ? { build } : {}),
  };
}

function versionAfter(
  candidate: TimestampVersion,
  after: string,
  settings: Settings,
): TimestampVersion {
  const bound = parseSemver(fromDockerTag(after.trim()));
  if (!bound) {
    throw new SemverTimestampError(
      'E_INVALID_AFTER',
      `after ${quoteInput(after)} is not a SemVer version; give the previous timestamp version`,
    );
  }
  if (compareSemver(parseSemver(candidate.version)!, bound) > 0) {
    return candidate;
  }
  let previous: ParsedTimestampVersion;
  try {
    previous = parseInZone(after, settings.zone, settings.precision);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new SemverTimestampError(
      'E_INVALID_AFTER',
      `after ${quoteInput(after)} is not older than ${candidate.version}, and no ${settings.precision}-precision timestamp version in ${settings.zone.name} can follow it: ${why}`,
      { cause: error },
    );
  }
  const following = previous.date.getTime() + PRECISION_MS[settings.precision];
  if (!yearInRange(floorTo(following + settings.zone.offsetAt(following), settings.precision))) {
    // The bound is the last step YYYY can show: no version can follow it, whatever the time.
    throw new SemverTimestampError(
      'E_INVALID_AFTER',
      `after ${quoteInput(after)} is the last ${settings.precision} a timestamp version can show in ${settings.zone.name} (year 9999); no version can follow it`,
    );
  }
  const next = versionAt(following, settings, 'the next local time', 1);
  // Holds by construction (backward clock changes are refused above); kept so that a
  // version that does not sort after `after` can never be returned.
  if (compareSemver(parseSemver(next.version)!, bound) <= 0) {
    throw new SemverTimestampError(
      'E_INVALID_AFTER',
      `no ${settings.precision}-precision timestamp version in ${settings.zone.name} sorts after ${quoteInput(after)}`,
    );
  }
  return next;
}

/**
 * Makes a version from a timestamp: `YYYY.MMDD.HHMMSS` (or `YYYY.MMDD.HHMM`) of the wall
 * clock in `timeZone`, each part without leading zeros, so it is valid SemVer 2.0.0 and
 * SemVer precedence is time order. Refuses (never silently returns) a version that could
 * break that order: a local time the clocks repeat or skip (daylight saving).
 *
 * @throws SemverTimestampError `E_INVALID_DATE`, `E_INVALID_TIME_ZONE`, `E_INVALID_PRECISION`,
 * `E_INVALID_PRERELEASE`, `E_INVALID_BUILD`, `E_DOCKER_TAG_TOO_LONG`, `E_REPEATED_LOCAL_TIME`,
 * `E_NONEXISTENT_LOCAL_TIME`, `E_INVALID_AFTER`.
 * @example
 * ```ts
 * import { timestampVersion } from '@berth/semver-timestamp';
 *
 * timestampVersion({ date: '2026-01-05T09:03:07Z' }).version; // '2026.105.90307'
 * timestampVersion({ date: '2026-11-22T14:30:00Z', precision: 'minute' }).version; // '2026.1122.1430'
 * timestampVersion({ date: '2026-01-05T09:03:07Z', build: 'sha.5114f85' }).dockerTag;
 * // '2026.105.90307_sha.5114f85'
 * timestampVersion({ date: '2026-01-05T09:03:07Z', after: '2026.105.90307' }).version;
 * // '2026.105.90308'
 * ```
 */
export function timestampVersion(options: TimestampVersionOptions = {}): TimestampVersion {
  const zone = loadZone(options.timeZone ?? 'UTC');
  const settings: Settings = {
    zone,
    precision: checkPrecision(options.precision ?? 'second'),
    prerelease: checkIdentifiers(options.prerelease, 'prerelease'),
    build: checkIdentifiers(options.build, 'build'),
  };
  const given = options.date !== undefined;
  const instant = given
    ? resolveDate(options.date as DateInput, zone)
    : (options.clock ?? systemClock).now();
  const candidate = versionAt(
    instant,
    settings,
    given ? 'local time' : 'the current local time',
    given ? 2 : 1,
  );
  return options.after === undefined || options.after === ''
    ? candidate
    : versionAfter(candidate, options.after, settings);
}
