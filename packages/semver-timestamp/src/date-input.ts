import { quoteInput } from '@berth/internal';
import { SemverTimestampError } from './errors.ts';
import { daysInMonth } from './timestamp-core.ts';
import { uniqueInstantAt, type Zone } from './zone.ts';

/** A date as callers give it: a `Date`, epoch milliseconds, or an ISO-8601 string. */
export type DateInput = Date | number | string;

// Extended ISO-8601 calendar date and time, as `date -Iseconds`, `git log --date=iso-strict`
// and `Date#toISOString` write it; a space may stand for the `T` (RFC 3339).
const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const EXAMPLE = 'use e.g. 2026-01-05T09:03:07Z, 2026-01-05T18:03:07+09:00 or 2026-01-05T09:03';

function invalid(text: string, why: string): SemverTimestampError {
  return new SemverTimestampError('E_INVALID_DATE', `date ${quoteInput(text)} ${why}; ${EXAMPLE}`);
}

function parseOffset(text: string, offset: string): number {
  if (offset === 'Z' || offset === 'z') return 0;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) throw invalid(text, `has an impossible UTC offset ${offset}`);
  return (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

/**
 * The instant an ISO-8601 date-time names. With an offset (`Z`, `+09:00`) it is that
 * instant; without one it is a wall-clock time in `zone`, refused when the clocks skip or
 * repeat it there. A date alone is midnight in `zone`.
 *
 * @throws SemverTimestampError `E_INVALID_DATE`, `E_NONEXISTENT_LOCAL_TIME`, `E_REPEATED_LOCAL_TIME`
 */
export function parseIsoDate(text: string, zone: Zone): number {
  const m = ISO_RE.exec(text.trim());
  if (!m) throw invalid(text, 'is not an ISO-8601 date-time');
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(
    (part) => Number(part ?? '0'),
  ) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw invalid(text, 'is not a calendar date');
  }
  if (hour > 23 || minute > 59 || second > 59) throw invalid(text, 'is not a time of day');
  const fractionMs = Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, 0);
  if (m[8] !== undefined) return wall.getTime() - parseOffset(text, m[8]) + fractionMs;
  return uniqueInstantAt(zone, wall.getTime(), 'local time', 2) + fractionMs;
}

/**
 * The instant of any {@link DateInput}.
 *
 * @throws SemverTimestampError `E_INVALID_DATE` and the errors of {@link parseIsoDate}
 */
export function resolveDate(input: DateInput, zone: Zone): number {
  if (typeof input === 'string') return parseIsoDate(input, zone);
  const ms = input instanceof Date ? input.getTime() : input;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new SemverTimestampError(
      'E_INVALID_DATE',
      `date ${String(input)} is not a valid point in time; pass a valid Date, epoch milliseconds or an ISO-8601 string`,
    );
  }
  return ms;
}
