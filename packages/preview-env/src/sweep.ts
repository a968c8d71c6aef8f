import { formatDuration, mapLimit } from '@berth/internal';
import type { OperationContext } from './context.ts';
import { deleteWith } from './delete.ts';
import { PreviewEnvError } from './errors.ts';
import { type EnvironmentSummary, listWith } from './list.ts';
import { environmentName } from './names.ts';
import { sleepWith } from './sleep.ts';

/** Options of a sweep. */
export interface SweepOptions {
  /** Idle time after which an environment is swept (default: the configuration's `ttl`). */
  olderThanMs?: number;
  /**
   * Idle time (since the last deploy or wake) after which an environment is put to sleep
   * instead (default: the configuration's `sleepAfter`; unset: none is).
   */
  sleepAfterMs?: number;
  /** Names never swept nor put to sleep (`123`, `pr-123` and `main` forms accepted). */
  keep?: readonly string[];
  /** Report what would be swept, change nothing. */
  dryRun?: boolean;
  /** "Now", as ms since the epoch or a Date (default: the clock's). */
  now?: number | Date;
  /** Environments deleted at once (default 4). */
  concurrency?: number;
}

/** States an environment can be put to sleep from. */
const AWAKE: ReadonlySet<EnvironmentSummary['status']> = new Set([
  'running',
  'deploying',
  'failed',
]);

/** One environment a sweep looked at. */
export interface SweepEntry {
  name: string;
  pr?: number;
  /** Time since the last deployment (or the create). */
  idleMs: number;
  deployedAt?: Date;
  createdAt?: Date;
  status: EnvironmentSummary['status'];
}

/** What a sweep did. */
export interface SweepResult {
  /** The time the sweep measured idleness from. */
  now: Date;
  olderThanMs: number;
  dryRun: boolean;
  /** Deleted (or, with `dryRun`, to be deleted). */
  swept: SweepEntry[];
  /** Idle for less than `olderThanMs`, or in `keep` (those put to sleep included). */
  kept: SweepEntry[];
  /** The `sleepAfterMs` applied, when any. */
  sleepAfterMs?: number;
  /**
   * Put to sleep (or, with `dryRun`, to be): not deployed or woken for longer than
   * `sleepAfterMs`, not swept, not asleep already.
   */
  slept: SweepEntry[];
  /** Environments whose deletion (or sleep) failed, with the error. */
  failed: { name: string; error: PreviewEnvError; action?: 'delete' | 'sleep' }[];
}

/**
 * Deletes every environment not deployed for longer than `olderThanMs` (default the
 * configuration's `ttl`), except those in `keep`; with `sleepAfterMs` (or `sleepAfter`),
 * puts to sleep those not deployed or woken for that long. Environments are found by tags, so
 * half-created ones are swept too. Deletions run a few at a time; one failing does not stop
 * the others (see `failed`).
 */
export async function sweepWith(
  ctx: OperationContext,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const { config, log } = ctx;
  const now =
    options.now === undefined
      ? ctx.clock.now()
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
  const sleepAfterMs = options.sleepAfterMs ?? config.sleepAfter;
  if (sleepAfterMs !== undefined && (!Number.isFinite(sleepAfterMs) || sleepAfterMs <= 0)) {
    throw new PreviewEnvError(
      'E_INPUT',
      `sleepAfterMs must be a duration in ms above 0, not ${sleepAfterMs}`,
    );
  }
  const keep = new Set((options.keep ?? []).map((k) => environmentName(k).name));
  const envs = await listWith({ ...ctx, clock: { ...ctx.clock, now: () => now } });
  const swept: SweepEntry[] = [];
  const kept: SweepEntry[] = [];
  const toSleep: SweepEntry[] = [];
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
    // Asleep after sleepAfter without a deploy or a wake; the TTL (from the deploy) still deletes.
    const active = Math.max(
      (e.deployedAt ?? e.createdAt)?.getTime() ?? Number.NEGATIVE_INFINITY,
      e.wokenAt?.getTime() ?? Number.NEGATIVE_INFINITY,
    );
    if (
      sleepAfterMs !== undefined &&
      kept.at(-1) === entry &&
      !keep.has(e.name) &&
      AWAKE.has(e.status) &&
      now - active > sleepAfterMs
    ) {
      toSleep.push(entry);
    }
  }
  if (sleepAfterMs !== undefined) {
    log.info(
      `${toSleep.length} of ${envs.length} environments not deployed or woken for more than ${formatDuration(sleepAfterMs)}: put to sleep${options.dryRun ? ' (dry run: nothing changed)' : ''}`,
    );
  }
  log.info(
    `${swept.length} of ${envs.length} environments idle for more than ${formatDuration(olderThanMs)}${options.dryRun ? ' (dry run: nothing deleted)' : ''}`,
  );
  const failed: SweepResult['failed'] = [];
  if (!options.dryRun) {
    await mapLimit(swept, options.concurrency ?? 4, async (entry) => {
      try {
        await deleteWith(ctx, entry.name);
      } catch (error) {
        const err = asPreviewEnvError(error, `delete ${entry.name}`);
        log.warn?.(`could not sweep ${entry.name}: ${err.message}`);
        failed.push({ name: entry.name, error: err, action: 'delete' });
      }
    });
  }
  const notSlept = new Set<string>();
  if (!options.dryRun) {
    await mapLimit(toSleep, options.concurrency ?? 4, async (entry) => {
      try {
        await sleepWith(ctx, entry.name);
      } catch (error) {
        const err = asPreviewEnvError(error, `sleep ${entry.name}`);
        log.warn?.(`could not put ${entry.name} to sleep: ${err.message}`);
        failed.push({ name: entry.name, error: err, action: 'sleep' });
        notSlept.add(entry.name);
      }
    });
  }
  const failedNames = new Set(failed.filter((f) => f.action !== 'sleep').map((f) => f.name));
  return {
    now: new Date(now),
    olderThanMs,
    dryRun: Boolean(options.dryRun),
    swept: swept.filter((s) => !failedNames.has(s.name)),
    kept,
    ...(sleepAfterMs === undefined ? {} : { sleepAfterMs }),
    slept: toSleep.filter((s) => !notSlept.has(s.name)),
    failed,
  };
}

/** The error as it is when it is ours, else an `E_AWS` error saying what failed. */
function asPreviewEnvError(error: unknown, doing: string): PreviewEnvError {
  return error instanceof PreviewEnvError
    ? error
    : new PreviewEnvError('E_AWS', `${doing} failed: ${(error as Error).message}`, {
        cause: error,
      });
}
