import { UsageError } from './errors.ts';
import { quoteInput } from './safe-text.ts';

/**
 * Parses the value of an integer option (`--desired-count 2`): digits with an optional
 * leading `-` (no `+`, no `1e3`, no `0x10`, no blanks), within `min`..`max` (default
 * 0..`Number.MAX_SAFE_INTEGER`, so a negative number needs a negative `min`), else a
 * {@link UsageError} (`E_INPUT`, exit 2) naming the option.
 *
 * @example
 * ```ts
 * const count = parseIntegerOption('--desired-count', values['desired-count'], { min: 0, max: 10 });
 * ```
 */
export function parseIntegerOption(
  name: string,
  raw: string,
  bounds: { min?: number; max?: number } = {},
): number {
  const flag = name.startsWith('-') ? name : `--${name}`;
  const min = bounds.min ?? 0;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  const range = `${min}..${max}`;
  if (!/^-?\d+$/.test(raw)) {
    throw new UsageError(`${flag}: ${quoteInput(raw)} is not a whole number; use one in ${range}`);
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag}: ${quoteInput(raw)} is out of range; use a number in ${range}`);
  }
  return value;
}
