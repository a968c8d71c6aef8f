import { awsErrorInfo, isBerthError } from '@berth/internal';
import { PreviewEnvError } from './errors.ts';

/** Progress messages a caller may receive (the CLI prints them on stderr). */
export interface ProgressLogger {
  info(message: string): void;
  debug?(message: string): void;
  warn?(message: string): void;
}

/** A logger that drops everything. */
export const silentLogger: ProgressLogger = { info: () => undefined };

/**
 * Wraps any failure of an AWS call into a `PreviewEnvError` (`E_AWS`) naming the step and the
 * resource; `PreviewEnvError`s pass through unchanged.
 */
export function stepError(step: string, resource: string, error: unknown): PreviewEnvError {
  if (error instanceof PreviewEnvError) return error;
  if (isBerthError(error)) {
    // another Berth package's error (the secrets loader): keep its message and its kind
    return new PreviewEnvError(
      error.exitCode === 2 ? 'E_INPUT' : 'E_AWS',
      `${step} failed for ${resource}: ${error.message}`,
      {
        cause: error,
        retryable: error.retryable,
        step,
        resource,
      },
    );
  }
  const info = awsErrorInfo(error);
  const hint = /AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(info.code)
    ? ' (check the IAM permissions listed in the @berth/preview-env README)'
    : '';
  return new PreviewEnvError(
    'E_AWS',
    `${step} failed for ${resource}: ${info.code}: ${info.message}${hint}`,
    {
      cause: error,
      retryable: info.retryable,
      step,
      resource,
      awsCode: info.code,
    },
  );
}

/** Runs one AWS step; a failure becomes an error naming the step and the resource. */
export async function awsStep<T>(step: string, resource: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw stepError(step, resource, error);
  }
}

/**
 * Waits for every task of a round, even when one fails, so that whatever the others created
 * is known before rolling back; then throws the first failure.
 */
export async function round<T extends readonly unknown[]>(
  tasks: { [K in keyof T]: Promise<T[K]> },
): Promise<T> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
