import { constants } from 'node:os';

/** Options every Berth error accepts. */
export interface BerthErrorOptions {
  /** The underlying error, kept for debugging; never shown with secret values. */
  cause?: unknown;
  /** Whether retrying the same operation may succeed. */
  retryable?: boolean;
  /** Process exit code a CLI should use for this error (default 1, usage errors 2). */
  exitCode?: number;
}

/**
 * The pattern every package's own error base class follows: a literal `name`, a stable
 * string `code` users can match on, the `cause`, and `retryable`.
 *
 * @example
 * ```ts
 * export type SemverTimestampErrorCode = 'E_INVALID_DATE' | 'E_NOT_TIMESTAMP_VERSION';
 * export class SemverTimestampError extends BerthError<SemverTimestampErrorCode> {
 *   override readonly name = 'SemverTimestampError';
 * }
 * ```
 */
export abstract class BerthError<Code extends string = string> extends Error {
  abstract override readonly name: string;
  /** Stable machine-readable code, e.g. `E_INVALID_DATE`. */
  readonly code: Code;
  /** Whether retrying may succeed. */
  readonly retryable: boolean;
  /** Exit code a CLI uses when this error ends a command. */
  readonly exitCode: number;

  constructor(code: Code, message: string, options: BerthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.exitCode = options.exitCode ?? 1;
  }

  /** A JSON form without the cause (causes may hold request data). */
  toJSON(): { name: string; code: Code; message: string; retryable: boolean } {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable };
  }
}

/** True when `error` is a {@link BerthError} (across bundled copies, by shape). */
export function isBerthError(error: unknown): error is BerthError {
  return (
    error instanceof Error &&
    typeof (error as Partial<BerthError>).code === 'string' &&
    typeof (error as Partial<BerthError>).exitCode === 'number'
  );
}

/**
 * Bad input to a CLI (an unknown, missing, repeated or malformed option or argument): code
 * `E_INPUT`, the one bad-input code of every Berth package, and exit code 2. The CLI prints
 * it as one line on stderr with a pointer to `--help`.
 */
export class UsageError extends BerthError<'E_INPUT'> {
  override readonly name = 'UsageError';
  constructor(message: string, options: Omit<BerthErrorOptions, 'exitCode'> = {}) {
    super('E_INPUT', message, { ...options, exitCode: 2 });
  }
}

/**
 * The reason of `ctx.signal` when the CLI received SIGINT, SIGTERM or SIGHUP: code
 * `E_INTERRUPTED`, exit code 128+n. A command that lets it propagate (for example from
 * `clock.sleep(ms, ctx.signal)`) is reported as "interrupted by SIGTERM".
 */
export class InterruptedError extends BerthError<'E_INTERRUPTED'> {
  override readonly name = 'InterruptedError';
  /** The signal received. */
  readonly signal: NodeJS.Signals;
  constructor(signal: NodeJS.Signals) {
    super('E_INTERRUPTED', `interrupted by ${signal}`, {
      exitCode: 128 + (constants.signals[signal] ?? 0),
    });
    this.signal = signal;
  }
}
