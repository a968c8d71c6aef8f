import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseDurationOption } from './duration.ts';
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

  it('refuses durations too long to count, and quotes long input cut', () => {
    expect(() => parseDuration('99999999999999999999h', '--ttl')).toThrow(/too long a duration/);
    const e = (() => {
      try {
        parseDuration('x'.repeat(100_000), '--ttl');
      } catch (error) {
        return error as UsageError;
      }
    })();
    expect(e?.code).toBe('E_INPUT');
    expect(e?.message.length).toBeLessThan(200);
  });
});

describe('parseDurationOption', () => {
  it('parses and checks bounds, naming the option', () => {
    expect(parseDurationOption('--ttl', '15m', { min: 1 })).toBe(900_000);
    expect(parseDurationOption('ttl', '0s')).toBe(0);
    expect(() => parseDurationOption('--ip-timeout', '0s', { min: 1 })).toThrow(
      '--ip-timeout: "0s" is too short; it must be more than 0s',
    );
    expect(() => parseDurationOption('ttl', '30s', { min: 60_000 })).toThrow(
      '--ttl: "30s" is too short; it must be at least 1m',
    );
    expect(() => parseDurationOption('--ttl', '2d', { max: 86_400_000 })).toThrow(
      '--ttl: "2d" is too long; it must be at most 1d',
    );
    expect(() => parseDurationOption('--ttl', '10', { min: 1 })).toThrow(UsageError);
  });
});
