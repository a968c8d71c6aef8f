import { quoteInput } from '@berth/internal';
import { SemverTimestampError } from './errors.ts';
import { instantsAt, uniqueInstantAt, type Zone } from './zone.ts';

/** How much of the time a version carries: `YYYY.MMDD.HHMMSS` or `YYYY.MMDD.HHMM`. */
export type Precision = 'second' | 'minute';

/** Length of one step of each precision, in ms. */
export const PRECISION_MS: Readonly<Record<Precision, number>> = { second: 1_000, minute: 60_000 };

/** Validates a precision given by a caller. */
export function checkPrecision(precision: unknown): Precision {
  if (precision === 'second' || precision === 'minute') return precision;
  throw new SemverTimestampError(
    'E_INVALID_PRECISION',
    `precision ${quoteInput(String(precision))} is not supported; use second (YYYY.MMDD.HHMMSS) or minute (YYYY.MMDD.HHMM)`,
  );
}

/** Start of the precision step that holds `ms` (floor, also before 1970). */
export function floorTo(ms: number, precision: Precision): number {
  const step = PRECISION_MS[precision];
  return Math.floor(ms / step) * step;
}

/** Number of days of `month` (1-12) in `year` of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** Whether a wall time's year fits the four digits of `YYYY`. */
export function yearInRange(wall: number): boolean {
  const year = new Date(wall).getUTCFullYear();
  return year >= 1000 && year <= 9999;
}

/**
 * `MAJOR.MINOR.PATCH` of a wall time: year, month*100+day, and hour*10000+minute*100+second
 * (or hour*100+minute), so numeric SemVer precedence is wall-clock order and no part has
 * a leading zero.
 */
export function coreFromWall(wall: number, precision: Precision): string {
  const d = new Date(wall);
  const hhmm = d.getUTCHours() * 100 + d.getUTCMinutes();
  const patch = precision === 'second' ? hhmm * 100 + d.getUTCSeconds() : hhmm;
  return `${d.getUTCFullYear()}.${(d.getUTCMonth() + 1) * 100 + d.getUTCDate()}.${patch}`;
}

/**
 * The instant a version's wall-time step starts at. Refuses a step that starts at a time the
 * clocks skip, and a step holding a time the clocks show twice: versions made in and after
 * such a step would not follow time order.
 *
 * @param what how errors name the time, e.g. `local time`.
 */
export function stepStart(
  zone: Zone,
  wallStep: number,
  precision: Precision,
  what: string,
  exitCode: number,
): number {
  const start = uniqueInstantAt(zone, wallStep, what, exitCode);
  // A backward clock change inside a minute step repeats its last second even when the
  // first one is unique (the start of the repeated span); checking both ends catches every
  // change that would let versions go back, as the repeated span is whole seconds.
  const last = wallStep + PRECISION_MS[precision] - 1_000;
  if (last !== wallStep && instantsAt(zone, last).length > 1) {
    uniqueInstantAt(zone, last, what, exitCode);
  }
  return start;
}
