import { BerthError, type BerthErrorOptions } from '@berth/internal';

/**
 * Stable codes of {@link SemverTimestampError}, one per thing that can go wrong:
 *
 * - `E_INVALID_DATE`: the date is not an ISO-8601 date-time, or falls outside years 1000-9999.
 * - `E_INVALID_TIME_ZONE`: the time zone is not an IANA zone name the runtime knows.
 * - `E_INVALID_PRECISION`: precision is neither `second` nor `minute`.
 * - `E_INVALID_PRERELEASE`, `E_INVALID_BUILD`: not SemVer prerelease / build identifiers.
 * - `E_DOCKER_TAG_TOO_LONG`: the version would not fit in a 128-character image tag.
 * - `E_REPEATED_LOCAL_TIME`: the local time happens twice (clocks go back), so the version
 *   could sort after later ones.
 * - `E_NONEXISTENT_LOCAL_TIME`: the local time is skipped (clocks go forward).
 * - `E_NOT_TIMESTAMP_VERSION`: the text is not SemVer, or not a `YYYY.MMDD.HHMMSS` version.
 * - `E_AMBIGUOUS_PRECISION`: no longer raised (`parse` reads at second precision unless told
 *   `minute`); kept so code that matches it still compiles.
 * - `E_INVALID_AFTER`: no timestamp version can be made greater than the `after` version.
 * - `E_WRITE_FAILED`: the version file could not be written.
 */
export type SemverTimestampErrorCode =
  | 'E_INVALID_DATE'
  | 'E_INVALID_TIME_ZONE'
  | 'E_INVALID_PRECISION'
  | 'E_INVALID_PRERELEASE'
  | 'E_INVALID_BUILD'
  | 'E_DOCKER_TAG_TOO_LONG'
  | 'E_REPEATED_LOCAL_TIME'
  | 'E_NONEXISTENT_LOCAL_TIME'
  | 'E_NOT_TIMESTAMP_VERSION'
  | 'E_AMBIGUOUS_PRECISION'
  | 'E_INVALID_AFTER'
  | 'E_WRITE_FAILED';

/**
 * The one error class of `@berth/semver-timestamp`. Match on `code`, never on the message.
 * These specific codes are the package's documented contract and stay; bad command-line
 * usage (unknown or repeated options, values outside the choices) is the `E_INPUT` of every
 * Berth CLI.
 * Errors caused by the caller's input carry `exitCode` 2 (the CLI's usage-error code); the
 * refusal of the current time during a repeated hour and write failures carry 1.
 *
 * @example
 * ```ts
 * import { parse, SemverTimestampError } from '@berth/semver-timestamp';
 * try {
 *   parse('1.2.3');
 * } catch (error) {
 *   if (error instanceof SemverTimestampError && error.code === 'E_NOT_TIMESTAMP_VERSION') {
 *     // not one of ours
 *   }
 * }
 * ```
 */
export class SemverTimestampError extends BerthError<SemverTimestampErrorCode> {
  override readonly name = 'SemverTimestampError';

  constructor(code: SemverTimestampErrorCode, message: string, options: BerthErrorOptions = {}) {
    super(code, message, { exitCode: 2, ...options });
  }
}
