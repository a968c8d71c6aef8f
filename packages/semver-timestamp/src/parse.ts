import { quoteInput } from '@berth/internal';
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
   * Precision the version was made with: `second` (default, as `timestampVersion` makes
   * them) or `minute`. A version that is not a time of day at this precision is refused.
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
    `${quoteInput(version)} is not a timestamp version: ${why} (${EXPECTED})`,
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
  // Read at the precision the version was made with, second unless told otherwise: guessing
  // from the digits cannot work, as every minute version is also a second version of the
  // hour after midnight (2026.1122.1430: 14:30, or 00:14:30).
  const precision = checkPrecision(precisionOption ?? 'second');
  const patch = parts.patch.length > PATTERN[precision].length ? Number.NaN : Number(parts.patch);
  const time = timeOfDay(patch, precision);
  if (!time) {
    throw notTimestamp(
      version,
      `${parts.patch} is not a time of day at ${precision} precision (${PATTERN[precision]})`,
    );
  }
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(time[0], time[1], time[2], 0);
  const date = stepStart(
    zone,
    wall.getTime(),
    precision,
    `version ${quoteInput(version)}: local time`,
    2,
  );
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
 * timestamp version of the precision (default second), `E_INVALID_PRECISION`,
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
