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

/** A command-line usage error: exit code 2, one line on stderr. */
export class UsageError extends BerthError<'E_USAGE'> {
  override readonly name = 'UsageError';
  constructor(message: string, options: Omit<BerthErrorOptions, 'exitCode'> = {}) {
    super('E_USAGE', message, { ...options, exitCode: 2 });
  }
}
