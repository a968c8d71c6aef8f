import { formatDuration, mapLimit, systemClock } from '@berth/internal';
import { resolveClients } from './clients.ts';
import { configOf, type OperationOptions } from './common.ts';
import { deleteEnvironmentWith } from './delete.ts';
import { PreviewEnvError } from './errors.ts';
import { type EnvironmentSummary, listEnvironmentsWith } from './list.ts';
import { environmentName } from './names.ts';
import { silentLogger } from './steps.ts';

/** Options of {@link sweepEnvironments}. */
export interface SweepOptions extends OperationOptions {
  /** Idle time after which an environment is swept (default: the configuration's `ttl`). */
  olderThanMs?: number;
  /** Names never swept (`123`, `pr-123` and `main` forms accepted). */
  keep?: readonly string[];
  /** Report what would be swept, change nothing. */
  dryRun?: boolean;
  /** "Now", as ms since the epoch or a Date (default: the clock's). */
  now?: number | Date;
  /** Environments deleted at once (default 4). */
  concurrency?: number;
}

/** One environment a sweep looked at. */
export interface SweepEntry {
  name: string;
  pr?: number;
  /** Time since the last deployment (or the create). */
  idleMs: number;
  deployedAt?: string;
  createdAt?: string;
  status: EnvironmentSummary['status'];
}

/** What {@link sweepEnvironments} did. */
export interface SweepResult {
  /** ISO time the sweep measured idleness from. */
  now: string;
  olderThanMs: number;
  dryRun: boolean;
  /** Deleted (or, with `dryRun`, to be deleted). */
  swept: SweepEntry[];
  /** Idle for less than `olderThanMs`, or in `keep`. */
  kept: SweepEntry[];
  /** Environments whose deletion failed, with the error. */
  failed: { name: string; error: PreviewEnvError }[];
}

/**
 * Deletes every environment not deployed for longer than `olderThanMs` (default the
 * configuration's `ttl`), except those in `keep`. Environments are found by tags, so
 * half-created ones are swept too. Deletions run a few at a time; one failing does not stop
 * the others (see `failed`).
 *
 * @example
 * ```ts
 * const { swept } = await sweepEnvironments({ olderThanMs: 3 * 86_400_000, keep: ['main'], dryRun: true });
 * ```
 */
export async function sweepEnvironments(options: SweepOptions = {}): Promise<SweepResult> {
  const config = configOf(options);
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? silentLogger;
  const now =
    options.now === undefined
      ? clock.now()
      : typeof options.now === 'number'
        ? options.now
        : options.now.getTime();
  const olderThanMs = options.olderThanMs ?? config.ttl;
  if (!Number.isFinite(olderThanMs) || olderThanMs < 0) {
    throw new PreviewEnvError(
      'E_INPUT',
      `olderThanMs must be a duration in ms, not ${olderThanMs}`,
    );
  }
  const keep = new Set((options.keep ?? []).map((k) => environmentName(k).name));
  const clients = resolveClients(config, options.clients, options.aws);
  try {
    const envs = await listEnvironmentsWith(config, clients, now);
    const swept: SweepEntry[] = [];
    const kept: SweepEntry[] = [];
    for (const e of envs) {
      const entry: SweepEntry = {
        name: e.name,
        ...(e.pr === undefined ? {} : { pr: e.pr }),
        idleMs: e.idleMs ?? Number.POSITIVE_INFINITY,
        ...(e.deployedAt ? { deployedAt: e.deployedAt } : {}),
        ...(e.createdAt ? { createdAt: e.createdAt } : {}),
        status: e.status,
      };
      (entry.idleMs > olderThanMs && !keep.has(e.name) ? swept : kept).push(entry);
    }
    log.info(
      `${swept.length} of ${envs.length} environments idle for more than ${formatDuration(olderThanMs)}${options.dryRun ? ' (dry run: nothing deleted)' : ''}`,
    );
    const failed: SweepResult['failed'] = [];
    if (!options.dryRun) {
      await mapLimit(swept, options.concurrency ?? 4, async (entry) => {
        try {
          await deleteEnvironmentWith(entry.name, config, clients, clock, log);
        } catch (error) {
          const err =
            error instanceof PreviewEnvError
              ? error
              : new PreviewEnvError(
                  'E_AWS',
                  `delete ${entry.name} failed: ${(error as Error).message}`,
                  { cause: error },
                );
          log.warn?.(`could not sweep ${entry.name}: ${err.message}`);
          failed.push({ name: entry.name, error: err });
        }
      });
    }
    const failedNames = new Set(failed.map((f) => f.name));
    return {
      now: new Date(now).toISOString(),
      olderThanMs,
      dryRun: Boolean(options.dryRun),
      swept: swept.filter((s) => !failedNames.has(s.name)),
      kept,
      failed,
    };
  } finally {
    clients.release();
  }
}
