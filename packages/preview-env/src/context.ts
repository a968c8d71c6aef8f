import type { Clock } from '@berth/internal';
import type { ResolvedClients } from './clients.ts';
import type { PreviewEnvConfig } from './config.ts';
import type { ProgressLogger } from './steps.ts';

/**
 * What every operation (create, delete, list, sweep, ...) works with: one object instead of
 * long argument lists. Made by the instance ({@link PreviewEnv}) per call: the clients are
 * released when the call ends.
 */
export interface OperationContext {
  readonly config: PreviewEnvConfig;
  /** The clients for forward work: their calls stop when `signal` aborts. */
  readonly clients: ResolvedClients;
  /** The same clients without the signal: cleanup (rollback, stopping a hook) uses these. */
  readonly cleanupClients: ResolvedClients;
  readonly clock: Clock;
  readonly log: ProgressLogger;
  /** Aborts the forward work of the call (a signal to the CLI); cleanup still runs. */
  readonly signal?: AbortSignal | undefined;
}
