import { BerthError, type BerthErrorOptions } from '@berth/internal';

/**
 * Stable codes of {@link HeartbeatError}:
 * - `E_INPUT`: an option, argument or file is wrong (nothing was sent); exit code 2, as
 *   every Berth CLI's bad input (`UsageError` has the same code).
 * - `E_PING_FAILED`: a ping was not accepted (strict mode only; pings resolve otherwise).
 * - `E_VALIDATION`: the Management API refused the request body (HTTP 400).
 * - `E_UNAUTHORIZED`: missing, wrong or read-only API key (HTTP 401).
 * - `E_CHECK_LIMIT`: the account's check limit is reached (HTTP 403 on create).
 * - `E_FORBIDDEN`: the check belongs to another project (HTTP 403).
 * - `E_NOT_FOUND`: no such check, ping or route (HTTP 404).
 * - `E_CONFLICT`: the request conflicts with the check's state (HTTP 409).
 * - `E_RATE_LIMITED`: still rate limited after the retries (HTTP 429).
 * - `E_SERVER`: the server failed (HTTP 5xx) after the retries.
 * - `E_NETWORK`: no answer: connection refused or reset, DNS, proxy, or a timeout.
 * - `E_BAD_RESPONSE`: the answer was not what the API documents.
 * - `E_AMBIGUOUS`: a name or slug matches more than one check.
 */
export type HeartbeatErrorCode =
  | 'E_INPUT'
  | 'E_PING_FAILED'
  | 'E_VALIDATION'
  | 'E_UNAUTHORIZED'
  | 'E_CHECK_LIMIT'
  | 'E_FORBIDDEN'
  | 'E_NOT_FOUND'
  | 'E_CONFLICT'
  | 'E_RATE_LIMITED'
  | 'E_SERVER'
  | 'E_NETWORK'
  | 'E_BAD_RESPONSE'
  | 'E_AMBIGUOUS';

/** Options of {@link HeartbeatError} beyond the Berth ones. */
export interface HeartbeatErrorOptions extends BerthErrorOptions {
  /** HTTP status of the answer, when there was one. */
  status?: number;
}

/**
 * The one error class of `@berth/heartbeat-client`. Match on `code`; `status` carries the
 * HTTP status when the server answered. Messages never contain API keys or whole ping UUIDs.
 *
 * @example
 * ```ts
 * try {
 *   await api.resumeCheck(uuid);
 * } catch (error) {
 *   if (error instanceof HeartbeatError && error.code === 'E_CONFLICT') {
 *     // not paused: nothing to do
 *   } else throw error;
 * }
 * ```
 */
export class HeartbeatError extends BerthError<HeartbeatErrorCode> {
  override readonly name = 'HeartbeatError';
  /** HTTP status of the answer, if the server answered. */
  readonly status: number | undefined;

  constructor(code: HeartbeatErrorCode, message: string, options: HeartbeatErrorOptions = {}) {
    super(code, message, {
      ...options,
      exitCode: options.exitCode ?? (code === 'E_INPUT' ? 2 : 1),
    });
    this.status = options.status;
  }
}
