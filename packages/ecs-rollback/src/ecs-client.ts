import { ECSClient } from '@aws-sdk/client-ecs';
import { awsClientConfig, awsErrorInfo, type Clock, systemClock } from '@berth/internal';
import { EcsRollbackError } from './errors.ts';
import type { EcsRollbackOptions } from './types.ts';

/** An ECS client for one operation, and how to release it. */
export interface EcsSession {
  ecs: ECSClient;
  clock: Clock;
  /** Destroys the client when this session built it; injected clients are left alone. */
  close(): void;
}

/** Uses the injected client, or builds one from the options (region, endpoint, retries). */
export function openSession(options: EcsRollbackOptions): EcsSession {
  const injected = options.clients?.ecs;
  const ecs = injected ?? new ECSClient(awsClientConfig(options));
  return {
    ecs,
    clock: options.clock ?? systemClock,
    close: () => {
      if (!injected) ecs.destroy();
    },
  };
}

/** Runs `fn` with a session and always releases it. */
export async function withSession<T>(
  options: EcsRollbackOptions,
  fn: (session: EcsSession) => Promise<T>,
): Promise<T> {
  const session = openSession(options);
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}

/**
 * Turns an SDK failure of `ecs:<operation>` into an {@link EcsRollbackError} that names the
 * operation (and the IAM action to grant when access was denied).
 */
export function awsFailure(operation: string, error: unknown): EcsRollbackError {
  if (error instanceof EcsRollbackError) return error;
  const info = awsErrorInfo(error);
  const hint = /AccessDenied|UnauthorizedOperation/.test(info.code)
    ? ` (grant the IAM action ecs:${operation})`
    : info.retryable
      ? ' (temporary: try again)'
      : '';
  return new EcsRollbackError(
    'E_AWS',
    `ecs:${operation} failed: ${info.code}: ${info.message}${hint}`,
    {
      cause: error,
      retryable: info.retryable,
    },
  );
}

/** Calls AWS and wraps any failure with {@link awsFailure}. */
export async function awsCall<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw awsFailure(operation, error);
  }
}
