import { describe, expect, it } from 'vitest';
import { parseIntegerOption } from './integer-option.ts';

describe('parseIntegerOption', () => {
  it('parses whole numbers in range', () => {
    expect(parseIntegerOption('--desired-count', '2', { min: 0, max: 10 })).toBe(2);
    expect(parseIntegerOption('priority', '-3', { min: -5 })).toBe(-3);
  });

  it.each([
    ['99999999999999999999', 'out of range'],
    ['11', 'out of range'],
    ['-1', 'out of range'],
    ['1e3', 'not a whole number'],
    ['0x10', 'not a whole number'],
    [' 2', 'not a whole number'],
    ['', 'not a whole number'],
  ])('refuses %j (%s), naming the option', (raw, why) => {
    expect(() => parseIntegerOption('--desired-count', raw, { min: 0, max: 10 })).toThrow(
      new RegExp(`^--desired-count: .* ${why}; use (a number|one) in 0\\.\\.10$`),
    );
  });
});
