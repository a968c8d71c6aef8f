import { fromDockerTag } from './docker-tag.ts';
import { SemverTimestampError } from './errors.ts';
import { parseSemver } from './semver-syntax.ts';
import { checkPrecision, daysInMonth, type Precision, stepStart } from './timestamp-core.ts';
import { loadZone, type Zone } from './zone.ts';

/** Options of {@link parse}: the settings the version was made with. */
export interface ParseOptions {
  /** IANA time zone the version's wall time is in. Default `UTC`. */
  timeZone?: string;
  /**
   * Precision the version was made with. Default: read from the version, which fails with
   * `E_AMBIGUOUS_PRECISION` when it reads both ways (every minute version, and second
   * versions before 00:24), so pass it when you know it.
   */
  precision?: Precision;
}

/** What a timestamp version says. */
export interface ParsedTimestampVersion {
  /** The SemVer version, normalized (no leading `v`, `+` before build metadata). */
  version: string;
  /** The instant the version stands for: the start of its second or minute. */
  date: Date;
  /** IANA time zone of the version's wall time, as the runtime names it. */
  timeZone: string;
  precision: Precision;
  /** Prerelease identifiers, e.g. `rc.1`, when the version has them. */
  prerelease?: string;
  /** Build metadata, e.g. `sha.5114f85`, when the version has it. */
  build?: string;
}

const PATTERN: Record<Precision, string> = { second: 'HHMMSS', minute: 'HHMM' };
const EXPECTED = 'expected YYYY.MMDD.HHMMSS or YYYY.MMDD.HHMM, e.g. 2026.1122.143000';

function notTimestamp(version: string, why: string): SemverTimestampError {
  return new SemverTimestampError(
    'E_NOT_TIMESTAMP_VERSION',
    `"${version}" is not a timestamp version: ${why} (${EXPECTED})`,
  );
}

function timeOfDay(patch: number, precision: Precision): [number, number, number] | undefined {
  const [hour, minute, second] =
    precision === 'second'
      ? [Math.floor(patch / 10_000), Math.floor(patch / 100) % 100, patch % 100]
      : [Math.floor(patch / 100), patch % 100, 0];
  return hour <= 23 && minute <= 59 && second <= 59 ? [hour, minute, second] : undefined;
}

/** {@link parse} with the zone already loaded; `after` handling reuses it. */
export function parseInZone(
  version: string,
  zone: Zone,
  precisionOption: Precision | undefined,
): ParsedTimestampVersion {
  const text = fromDockerTag(version.trim());
  const parts = parseSemver(text);
  if (!parts) throw notTimestamp(version, 'it is not a SemVer 2.0.0 version');
  const year = Number(parts.major);
  if (parts.major.length !== 4)
    throw notTimestamp(version, `${parts.major} is not a four-digit year`);
  const minor = Number(parts.minor);
  const month = Math.floor(minor / 100);
  const day = minor % 100;
  if (
    parts.minor.length > 4 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month)
  ) {
    throw notTimestamp(version, `${parts.minor} is not a month and day (MMDD) of ${year}`);
  }
  const patch = parts.patch.length > 6 ? Number.NaN : Number(parts.patch);
  let precision: Precision;
  if (precisionOption !== undefined) {
    precision = checkPrecision(precisionOption);
  } else {
    const asSecond = timeOfDay(patch, 'second');
    const asMinute = timeOfDay(patch, 'minute');
    if (asSecond && asMinute) {
      const hhmm = (h: number, m: number) =>
        `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
      throw new SemverTimestampError(
        'E_AMBIGUOUS_PRECISION',
        `"${version}" reads as ${hhmm(asMinute[0], asMinute[1])} at minute precision or 00:${hhmm(asSecond[1], asSecond[2])} at second precision; give the precision it was made with`,
      );
    }
    precision = asMinute ? 'minute' : 'second';
  }
  const time = timeOfDay(patch, precision);
  if (!time) {
    const form = precisionOption ? ` (${PATTERN[precisionOption]})` : '';
    throw notTimestamp(version, `${parts.patch} is not a time of day${form}`);
  }
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(time[0], time[1], time[2], 0);
  const date = stepStart(zone, wall.getTime(), precision, `version "${version}": local time`, 2);
  const prerelease = parts.prerelease.join('.');
  const build = parts.build.join('.');
  return {
    version: text.startsWith('v') ? text.slice(1) : text,
    date: new Date(date),
    timeZone: zone.name,
    precision,
    ...(prerelease ? { prerelease } : {}),
    ...(build ? { build } : {}),
  };
}

/**
 * Reads a timestamp version back: the instant it stands for and its precision. Accepts the
 * SemVer form and the Docker tag form, with or without a leading `v`.
 *
 * @throws SemverTimestampError `E_NOT_TIMESTAMP_VERSION` for anything that is not a
 * timestamp version, `E_AMBIGUOUS_PRECISION` (see {@link ParseOptions.precision}),
 * `E_INVALID_TIME_ZONE`, `E_NONEXISTENT_LOCAL_TIME` / `E_REPEATED_LOCAL_TIME` when the
 * version's wall time cannot be one instant in the zone.
 * @example
 * ```ts
 * parse('2026.105.90307').date.toISOString();                  // '2026-01-05T09:03:07.000Z'
 * parse('2026.1122.1430', { precision: 'minute' }).precision;  // 'minute'
 * parse('2026.105.180307', { timeZone: 'Asia/Tokyo' }).date;   // 2026-01-05T09:03:07Z
 * ```
 */
export function parse(version: string, options: ParseOptions = {}): ParsedTimestampVersion {
  return parseInZone(version, loadZone(options.timeZone ?? 'UTC'), options.precision);
}
