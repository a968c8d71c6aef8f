import { UsageError } from './errors.ts';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

/**
 * Parses a duration such as `90s`, `15m`, `1h`, `3d`, `1h30m` or `500ms` into milliseconds.
 * A bare number is refused: `--timeout 10` could mean seconds or minutes.
 *
 * @param what names the input in the error message, e.g. `--timeout`.
 * @throws UsageError when the text is not a duration.
 */
export function parseDuration(text: string, what = 'duration'): number {
  const trimmed = text.trim();
  let total = 0;
  PART.lastIndex = 0;
  let matched = 0;
  for (let m = PART.exec(trimmed); m !== null; m = PART.exec(trimmed)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    matched = PART.lastIndex;
  }
  if (trimmed === '' || matched !== trimmed.length) {
    const hint = /^\d+(\.\d+)?$/.test(trimmed)
      ? ` (add a unit: ${trimmed}s, ${trimmed}m, ...)`
      : '';
    throw new UsageError(
      `${what}: "${text}" is not a duration; use forms like 90s, 15m, 1h, 3d or 1h30m${hint}`,
    );
  }
  return Math.round(total);
}

/** Formats milliseconds as a short duration (`1h30m`, `45s`, `250ms`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
