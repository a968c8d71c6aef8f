import { createHash } from 'node:crypto';

/** The priority an environment tries first: a hash of its name into [min, max]. */
export function preferredPriority(name: string, min: number, max: number): number {
  const n = createHash('sha256').update(name).digest().readUInt32BE(0);
  return min + (n % (max - min + 1));
}

/**
 * A free listener rule priority for `name`: its preferred priority, or the next free one
 * after it (wrapping within [min, max]). Deterministic, so concurrent creates of different
 * environments rarely meet, and never "highest + 1", so they do not race for the same slot.
 * Returns undefined when every priority in the range is taken.
 */
export function pickPriority(
  name: string,
  taken: ReadonlySet<number>,
  min: number,
  max: number,
): number | undefined {
  const size = max - min + 1;
  const start = preferredPriority(name, min, max);
  for (let i = 0; i < size; i++) {
    const p = min + ((start - min + i) % size);
    if (!taken.has(p)) return p;
  }
  return undefined;
}
