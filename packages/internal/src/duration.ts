import { UsageError } from './errors.ts';
import { quoteInput } from './safe-text.ts';

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
  if (trimmed === '' || matched !== trimmed.length || !Number.isSafeInteger(Math.round(total))) {
    const hint = /^\d+(\.\d+)?$/.test(trimmed)
      ? ` (add a unit: ${trimmed}s, ${trimmed}m, ...)`
      : '';
    throw new UsageError(
      Number.isSafeInteger(Math.round(total)) || matched !== trimmed.length
        ? `${what}: ${quoteInput(text)} is not a duration; use forms like 90s, 15m, 1h, 3d or 1h30m${hint}`
        : `${what}: ${quoteInput(text)} is too long a duration`,
    );
  }
  return Math.round(total);
}

/** Bounds of {@link parseDurationOption}, in milliseconds. */
export interface DurationBounds {
  /** Smallest accepted duration; `1` refuses zero (a duration ≤ 0 makes no sense here). */
  min?: number;
  /** Largest accepted duration. */
  max?: number;
}

/**
 * Parses the value of a duration option (`--ttl 15m`) into milliseconds, refusing with a
 * {@link UsageError} (`E_INPUT`, exit 2) text that is not a duration and, when the option
 * says so, one below `min` or above `max`.
 *
 * @param name the option as the user typed it, e.g. `--ip-timeout` (a bare name gets `--`).
 * @example
 * ```ts
 * const ttlMs = parseDurationOption('--ttl', values.ttl, { min: 1, max: 12 * 3_600_000 });
 * // --ttl 0s → "--ttl: "0s" is too short; it must be more than 0s"
 * ```
 */
export function parseDurationOption(
  name: string,
  raw: string,
  bounds: DurationBounds = {},
): number {
  const flag = name.startsWith('-') ? name : `--${name}`;
  const ms = parseDuration(raw, flag);
  if (bounds.min !== undefined && ms < bounds.min) {
    throw new UsageError(
      bounds.min <= 1
        ? `${flag}: ${quoteInput(raw)} is too short; it must be more than 0s`
        : `${flag}: ${quoteInput(raw)} is too short; it must be at least ${formatDuration(bounds.min)}`,
    );
  }
  if (bounds.max !== undefined && ms > bounds.max) {
    throw new UsageError(
      `${flag}: ${quoteInput(raw)} is too long; it must be at most ${formatDuration(bounds.max)}`,
    );
  }
  return ms;
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
