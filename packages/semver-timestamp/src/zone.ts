import { quoteInput } from '@berth/internal';
import { SemverTimestampError } from './errors.ts';

// Wall-clock times are handled as "wall milliseconds": the local date and time fields read
// as if they were UTC, so that ordinary Date arithmetic and UTC getters work on them.

const DAY_MS = 86_400_000;

/** An IANA time zone, with the offset from UTC at any instant. */
export interface Zone {
  /** The zone's name as the runtime resolves it, e.g. `UTC`, `Asia/Tokyo`. */
  readonly name: string;
  /** Local wall time minus UTC, in ms, at instant `ms` (whole seconds). */
  offsetAt(ms: number): number;
}

const UTC_ZONE: Zone = { name: 'UTC', offsetAt: () => 0 };
const zones = new Map<string, Zone>([['UTC', UTC_ZONE]]);

function intlZone(formatter: Intl.DateTimeFormat, name: string): Zone {
  return {
    name,
    offsetAt(ms) {
      const f: Record<string, number> = {};
      for (const part of formatter.formatToParts(ms)) {
        if (part.type !== 'literal') f[part.type] = Number(part.value);
      }
      const wall = new Date(0);
      wall.setUTCFullYear(f.year as number, (f.month as number) - 1, f.day as number);
      wall.setUTCHours(f.hour as number, f.minute as number, f.second as number, 0);
      return wall.getTime() - Math.floor(ms / 1000) * 1000;
    },
  };
}

/**
 * Loads a time zone by IANA name (through `Intl`, so any zone the runtime's ICU data
 * knows), cached by name.
 *
 * @throws SemverTimestampError `E_INVALID_TIME_ZONE`
 */
export function loadZone(timeZone: string): Zone {
  const cached = zones.get(timeZone);
  if (cached) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (error) {
    throw new SemverTimestampError(
      'E_INVALID_TIME_ZONE',
      `time zone ${quoteInput(timeZone)} is not an IANA time zone name; use e.g. UTC, Europe/London or Asia/Tokyo`,
      { cause: error },
    );
  }
  const name = formatter.resolvedOptions().timeZone;
  const zone = name === 'UTC' ? UTC_ZONE : intlZone(formatter, name);
  zones.set(timeZone, zone);
  return zone;
}

/**
 * The instants at which the zone's clocks show wall time `wall` (whole seconds): none when
 * the clocks skip it, two when they show it twice, in time order. Assumes at most one
 * offset change within a day of `wall`, as Temporal's reference implementation does.
 */
export function instantsAt(zone: Zone, wall: number): number[] {
  const before = wall - zone.offsetAt(wall - DAY_MS);
  const after = wall - zone.offsetAt(wall + DAY_MS);
  const found: number[] = [];
  for (const t of before === after ? [before] : [before, after].sort((x, y) => x - y)) {
    if (t + zone.offsetAt(t) === wall) found.push(t);
  }
  return found;
}

function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms) / 1000;
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `UTC${sign}${pad(h)}:${pad(m)}${s ? `:${pad(s)}` : ''}`;
}

/** `2026-11-01T01:30:00` from wall milliseconds. */
export function formatWall(wall: number): string {
  return new Date(wall).toISOString().slice(0, 19);
}

/**
 * The one instant at which the clocks show `wall`, or an error saying why there is none
 * (skipped) or more than one (repeated).
 *
 * @param what how the error names the wall time, e.g. `local time` or `version "…"`.
 * @param exitCode exit code of the error: 2 when the wall time came from the caller.
 */
export function uniqueInstantAt(zone: Zone, wall: number, what: string, exitCode = 2): number {
  const found = instantsAt(zone, wall);
  if (found.length === 1) return found[0] as number;
  const local = formatWall(wall);
  if (found.length === 0) {
    const before = formatOffset(zone.offsetAt(wall - DAY_MS));
    const after = formatOffset(zone.offsetAt(wall + DAY_MS));
    throw new SemverTimestampError(
      'E_NONEXISTENT_LOCAL_TIME',
      `${what} ${local} does not exist in ${zone.name}: the clocks skip it (${before} to ${after}); give the date with an offset or Z, or use UTC`,
      { exitCode },
    );
  }
  const first = formatOffset(wall - (found[0] as number));
  const second = formatOffset(wall - (found[1] as number));
  throw new SemverTimestampError(
    'E_REPEATED_LOCAL_TIME',
    `${what} ${local} happens twice in ${zone.name} (the clocks go back from ${first} to ${second}), so its version could sort after later ones and versions would go backwards; use UTC (the default) or build after the repeated hour`,
    { exitCode },
  );
}
