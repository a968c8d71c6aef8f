import { PRECISION_MS, type Precision } from '../src/timestamp-core.ts';
import { loadZone } from '../src/zone.ts';
import { clockChanges } from './clock-changes.ts';

/**
 * Independent of the code under test: whether the wall-clock step (second or minute) that
 * holds `instant` in `timeZone` overlaps wall times the clocks show twice (a backward
 * change), i.e. whether a version made from it must be refused.
 */
export function mustRefuse(timeZone: string, instant: number, precision: Precision): boolean {
  const zone = loadZone(timeZone);
  const step = PRECISION_MS[precision];
  const wall =
    Math.floor((Math.floor(instant / 1000) * 1000 + zone.offsetAt(instant)) / step) * step;
  const day = 86_400_000;
  const from = Math.floor((instant - 2 * day) / 1000) * 1000;
  return clockChanges(timeZone, from, instant + 2 * day).some(
    (c) => c.before > c.after && wall < c.at + c.before && wall + step > c.at + c.after,
  );
}
