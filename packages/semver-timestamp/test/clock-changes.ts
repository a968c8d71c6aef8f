import { loadZone } from '../src/zone.ts';

/** A change of a zone's UTC offset: the first instant of the new offset, and both offsets. */
export interface ClockChange {
  at: number;
  before: number;
  after: number;
}

/**
 * Every offset change of `timeZone` in [from, to), to the second. Scans 12-hour steps, so
 * two changes less than 12 hours apart (none since 2000) would be missed.
 */
export function clockChanges(timeZone: string, from: number, to: number): ClockChange[] {
  const zone = loadZone(timeZone);
  const changes: ClockChange[] = [];
  const step = 12 * 3_600_000;
  for (let t = from; t < to; t += step) {
    const before = zone.offsetAt(t);
    if (zone.offsetAt(t + step) === before) continue;
    let lo = t;
    let hi = t + step;
    while (hi - lo > 1_000) {
      const mid = lo + Math.floor((hi - lo) / 2_000) * 1_000;
      if (zone.offsetAt(mid) === before) lo = mid;
      else hi = mid;
    }
    changes.push({ at: hi, before, after: zone.offsetAt(hi) });
  }
  return changes;
}
