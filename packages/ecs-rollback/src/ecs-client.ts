import { ECSClient } from '@aws-sdk/client-ecs';
import {
  type AwsClientOptions,
  abortable,
  type Clock,
  awsFailure as describeAwsFailure,
  systemClock,
  withClients,
} from '@berth/internal';
import { EcsRollbackError } from './errors.ts';
import type { EcsRollbackOptions } from './types.ts';

/** The ECS clients of one operation, and the clock. */
export interface EcsSession {
  /** For the work itself: its calls are aborted by `options.signal`. */
  ecs: ECSClient;
  /** For cleanup that must run even after an abort (never aborted). */
  plain: ECSClient;
  clock: Clock;
}

/** The AWS settings of the options, as `@berth/internal` takes them. */
export function awsOptions(options: EcsRollbackOptions): AwsClientOptions {
  return {
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.awsTimeoutMs !== undefined ? { timeoutMs: options.awsTimeoutMs } : {}),
  };
}

/**
 * Runs `fn` with the injected ECS client, or one built from the options (region, endpoint,
 * retries, timeouts) and always released afterwards.
 */
export function withSession<T>(
  options: EcsRollbackOptions,
  fn: (session: EcsSession) => Promise<T>,
): Promise<T> {
  return withClients(
    { ecs: ECSClient },
    { ...awsOptions(options), clients: { ecs: options.clients?.ecs } },
    async ({ ecs }) => {
      try {
        return await fn({
          ecs: abortable(ecs, options.signal),
          plain: ecs,
          clock: options.clock ?? systemClock,
        });
      } catch (error) {
        // Whatever an aborted call turned into on its way up, the cause is the signal.
        if (options.signal?.aborted) throw options.signal.reason ?? error;
        throw error;
      }
    },
  );
}

/**
 * Turns an SDK failure of `ecs:<operation>` into an {@link EcsRollbackError} (`E_AWS`) that
 * names the operation, the IAM action to grant when access was denied, and whether AWS may
 * have applied a write whose answer was lost.
 */
export function awsFailure(operation: string, error: unknown): EcsRollbackError {
  if (error instanceof EcsRollbackError) return error;
  const f = describeAwsFailure(error, {
    doing: `call ecs:${operation}`,
    iamActions: [`ecs:${operation}`],
  });
  return new EcsRollbackError('E_AWS', f.message, { cause: error, retryable: f.retryable });
}

/** Calls AWS and wraps any failure with {@link awsFailure}. */
export async function awsCall<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw awsFailure(operation, error);
  }
}
