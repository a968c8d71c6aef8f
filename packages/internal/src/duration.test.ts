import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.ts';
import { UsageError } from './errors.ts';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['3d', 259_200_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['2w', 1_209_600_000],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'abc', '5 parsecs', '1h 30m', '-5s', '3x'])('refuses %j', (text) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(UsageError);
  });

  it('names the input and hints a unit for bare numbers', () => {
    expect(() => parseDuration('10', '--timeout')).toThrow(/--timeout: "10".*add a unit: 10s/);
  });

  it('formats back', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(90_000)).toBe('1m30s');
  });
});
