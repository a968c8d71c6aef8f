/** `--tz`, the same for `generate` and `parse`. */
export const tzOption = {
  type: 'string',
  valueName: '<zone>',
  description: 'IANA time zone of the wall clock, e.g. Asia/Tokyo (default UTC)',
} as const;

/** `--precision`, the same for `generate` and `parse`: second unless told minute. */
export const precisionOption = {
  type: 'string',
  choices: ['second', 'minute'],
  default: 'second',
  description: 'second: YYYY.MMDD.HHMMSS; minute: YYYY.MMDD.HHMM',
} as const;
