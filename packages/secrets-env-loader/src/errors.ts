import { BerthError, type BerthErrorOptions } from '@berth/internal';

/**
 * Stable codes of {@link SecretsEnvError}.
 *
 * - `E_INVALID_SECRET_ID`, `E_INPUT`: bad input (CLI exit code 2); nothing was read.
 *   (`E_INPUT` replaces `E_INVALID_OPTION`, as in every Berth package.)
 * - `E_NOT_FOUND`: the secret (or a version of it, or any secret under a prefix) does not exist.
 * - `E_ACCESS_DENIED`: the caller may not read the secret (IAM or resource policy).
 * - `E_DECRYPTION`: Secrets Manager could not decrypt the secret with its KMS key.
 * - `E_NOT_JSON`: a JSON object was required and the secret holds something else.
 * - `E_INVALID_NAME`: a key or name cannot become an environment variable name.
 * - `E_CONFLICT`: two sources give the same variable.
 * - `E_AWS`: any other AWS failure (throttling after retries, network, service errors).
 * - `E_DOTENV_UNREPRESENTABLE`: a value no `.env` quoting can carry exactly.
 * - `E_TASK_DEFINITION`: the task definition file cannot be read, parsed, merged or written.
 * - `E_WRITE`: the `.env` file cannot be written (the target is left as it was).
 */
export type SecretsEnvErrorCode =
  | 'E_INVALID_SECRET_ID'
  | 'E_INPUT'
  | 'E_NOT_FOUND'
  | 'E_ACCESS_DENIED'
  | 'E_DECRYPTION'
  | 'E_NOT_JSON'
  | 'E_INVALID_NAME'
  | 'E_CONFLICT'
  | 'E_AWS'
  | 'E_DOTENV_UNREPRESENTABLE'
  | 'E_TASK_DEFINITION'
  | 'E_WRITE';

/** One secret that could not be loaded, as reported in {@link SecretsEnvError.failures}. */
export interface SecretFailure {
  /** The secret id as requested (name, ARN or prefix). */
  secretId: string;
  /** Why it failed, as a stable code. */
  code: SecretsEnvErrorCode;
  /** Why, in words; never contains a secret value. */
  reason: string;
}

/** Options of {@link SecretsEnvError}. */
export interface SecretsEnvErrorOptions extends BerthErrorOptions {
  /** The secret id the error is about, when there is one. */
  secretId?: string;
  /** Every secret that failed, when several did. */
  failures?: readonly SecretFailure[];
}

/**
 * The one error class of `@berth/secrets-env-loader`. Messages name the secret id and the
 * reason, never a secret value; `cause` never holds a value either.
 *
 * @example
 * ```ts
 * try {
 *   await loadSecrets({ secrets: [{ id: 'app/dev' }] });
 * } catch (error) {
 *   if (error instanceof SecretsEnvError && error.code === 'E_NOT_FOUND') console.error(error.message);
 * }
 * ```
 */
export class SecretsEnvError extends BerthError<SecretsEnvErrorCode> {
  override readonly name = 'SecretsEnvError';
  /** The secret id the error is about, when there is one. */
  readonly secretId: string | undefined;
  /** Every secret that failed (one entry when only one did). */
  readonly failures: readonly SecretFailure[];

  constructor(code: SecretsEnvErrorCode, message: string, options: SecretsEnvErrorOptions = {}) {
    const { secretId, failures, ...rest } = options;
    super(code, message, {
      ...rest,
      exitCode: rest.exitCode ?? (code === 'E_INVALID_SECRET_ID' || code === 'E_INPUT' ? 2 : 1),
    });
    this.secretId = secretId;
    this.failures =
      failures ?? (secretId === undefined ? [] : [{ secretId, code, reason: message }]);
  }

  /** The `--json` form: code, message, retryable, and the failed ids with their reasons (never values). */
  override toJSON(): {
    name: string;
    code: SecretsEnvErrorCode;
    message: string;
    retryable: boolean;
    secretId?: string;
    failures: readonly SecretFailure[];
  } {
    return {
      ...super.toJSON(),
      ...(this.secretId === undefined ? {} : { secretId: this.secretId }),
      failures: this.failures,
    };
  }
}
