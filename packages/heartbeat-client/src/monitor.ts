import type { PingBody } from './body-fit.ts';
import { Pinger, type PingerOptions, type PingResult } from './pinger.ts';

/** Options of {@link monitor}: a ping target with its options, or a ready {@link Pinger}. */
export type MonitorOptions = PingerOptions | { pinger: Pinger };

/** What the monitored function receives. */
export interface MonitorContext {
  /** The run id sent with `start` and the final ping. */
  runId: string;
  /** Adds a log entry to the check during the run. */
  log(body: PingBody): Promise<PingResult>;
  /** The pinger, for anything else. */
  pinger: Pinger;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Runs `fn` as a monitored job: pings `start`, runs `fn`, then pings `success`, or `fail`
 * with the error's text (its stack) when `fn` throws. The job's own error is always
 * re-thrown, and its result returned; ping problems are warnings (unless `strict`: then a
 * failed `start` stops the job before it runs and a failed `success` rejects, but a failed
 * `fail` ping never hides the job's error).
 *
 * @example
 * ```ts
 * const rows = await monitor({ pingUrl: process.env.HC_PING_URL }, async ({ log }) => {
 *   const n = await copyRows();
 *   await log(`copied ${n} rows`);
 *   return n;
 * });
 * ```
 */
export async function monitor<T>(
  options: MonitorOptions,
  fn: (context: MonitorContext) => T | Promise<T>,
): Promise<T> {
  const pinger = 'pinger' in options ? options.pinger : new Pinger(options);
  await pinger.start();
  const context: MonitorContext = {
    runId: pinger.runId as string,
    log: (body) => pinger.log(body),
    pinger,
  };
  let value: T;
  try {
    value = await fn(context);
  } catch (error) {
    try {
      await pinger.fail(errorText(error));
    } catch {
      // strict mode: the ping failure is secondary to the job's own error
    }
    throw error;
  }
  await pinger.success();
  return value;
}
