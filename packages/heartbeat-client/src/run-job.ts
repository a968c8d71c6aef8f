import type { Writable } from 'node:stream';
import { type Clock, formatDuration, systemClock } from '@berth/internal';
import type { PingBody } from './body-fit.ts';
import { runJobProcess } from './job-process.ts';
import type { Pinger, PingResult } from './pinger.ts';

/** Output kept for the final ping: the server's limit is usually known only after `start`. */
const TAIL_BYTES = 1_048_576;

/** Exit code of a job ended for running longer than `maxRuntimeMs`, as `timeout(1)` has it. */
export const TIMED_OUT_EXIT_CODE = 124;

/** Options of {@link runJob}. */
export interface RunJobOptions {
  /** The pinger of the check (its own timeout, retries and budget apply to `start`). */
  pinger: Pinger;
  command: string;
  args?: readonly string[];
  /** Capture stdout+stderr and send their tail with the final ping (default true). */
  sendOutput?: boolean;
  /**
   * Most time the pings may add after the command ends, waiting for `start` included (ms;
   * default 30 s).
   */
  budgetMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where the command's output is passed through (default this process's stdout/stderr). */
  stdout?: Writable;
  stderr?: Writable;
  /**
   * Most time the command may run (ms). Past it, its process group gets SIGTERM, then
   * SIGKILL after `killAfterMs`; the failure is reported with the output tail and a line
   * saying it timed out, and the exit code is 124.
   */
  maxRuntimeMs?: number;
  /** Time from SIGTERM to SIGKILL for `maxRuntimeMs` (ms; default 10 s). */
  killAfterMs?: number;
  /** Time source of the budget and `maxRuntimeMs` (inject a fake one in tests). */
  clock?: Clock;
}

/** What {@link runJob} did. */
export interface RunJobResult {
  /**
   * The command's exit code: its own, 128+n for signal n, 127 not found, 126 not executable,
   * 124 when it ran longer than `maxRuntimeMs`.
   */
  exitCode: number;
  /** True when the command ran longer than `maxRuntimeMs` and was ended. */
  timedOut: boolean;
  signal: NodeJS.Signals | null;
  /** Why the command could not start, in words (not found, not executable). */
  spawnFailure?: string;
  start: PingResult;
  finish: PingResult;
  /** Wall time of the command (ms). */
  durationMs: number;
}

/**
 * Runs a command as a monitored job, as `heartbeat run` does: `start` (with a new run id) is
 * sent as the command starts, so a slow or unreachable server never delays it; output is
 * passed through with its tail kept; when the command ends, `start` is awaited (or abandoned
 * when the budget runs out) so it cannot land after the final ping, then the exit status goes
 * with the output tail. The command runs in its own process group: signals are forwarded
 * to the whole group, and the job is over when the command exits (after a short drain of
 * its output), even if background processes it started still hold its stdout/stderr. Never
 * rejects for ping
 * problems, unless the pinger is strict: then it rejects with the first ping's error, but
 * only after the command ran to its end and its exit status was sent.
 *
 * @example
 * ```ts
 * const pinger = new Pinger(process.env.HC_PING_URL!);
 * const { exitCode } = await runJob({ pinger, command: 'pg_dump', args: ['-f', 'db.sql', 'app'] });
 * process.exitCode = exitCode;
 * ```
 */
export async function runJob(options: RunJobOptions): Promise<RunJobResult> {
  const { pinger } = options;
  const budgetMs = options.budgetMs ?? 30_000;
  const sendOutput = options.sendOutput ?? true;
  const abandon = new AbortController();
  // A strict pinger rejects: hold the error until the command has run and its exit status
  // was sent, instead of an unhandled rejection that would kill this process mid-job.
  let pingError: { error: unknown } | undefined;
  const started = pinger
    .start(undefined, { signal: abandon.signal })
    .catch((error: unknown): undefined => {
      pingError ??= { error };
      return undefined;
    });
  const clock = options.clock ?? systemClock;
  const child = await runJobProcess(options.command, options.args ?? [], {
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    output: sendOutput ? 'tee' : 'inherit',
    tailBytes: Math.max(TAIL_BYTES, pinger.bodyLimit),
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.stderr ? { stderr: options.stderr } : {}),
    ...(options.maxRuntimeMs !== undefined ? { maxRuntimeMs: options.maxRuntimeMs } : {}),
    ...(options.killAfterMs !== undefined ? { killAfterMs: options.killAfterMs } : {}),
    clock,
  });

  const deadline = clock.now() + budgetMs;
  const gaveUp = new AbortController();
  const waited = clock.sleep(budgetMs, gaveUp.signal).then(
    () => abandon.abort(),
    () => undefined,
  );
  await Promise.race([started, waited]);
  gaveUp.abort();
  const start = await started;

  const exitCode = child.timedOut ? TIMED_OUT_EXIT_CODE : child.exitCode;
  let body: PingBody | undefined;
  let spawnFailure: string | undefined;
  if (child.spawnError) {
    spawnFailure =
      child.exitCode === 127
        ? 'command not found'
        : `cannot execute (${child.spawnError.code ?? child.spawnError.message})`;
    body = `heartbeat: ${options.command}: ${spawnFailure}\n`;
  } else if (child.timedOut) {
    const line = `[heartbeat: timed out: still running after ${formatDuration(options.maxRuntimeMs ?? 0)} (max runtime); sent SIGTERM to its process group${child.killedWith === 'SIGKILL' ? `, then SIGKILL after ${formatDuration(options.killAfterMs ?? 10_000)}` : ''}]\n`;
    const kept = sendOutput ? child.tail : Buffer.alloc(0);
    const glue = kept.length > 0 && kept[kept.length - 1] !== 0x0a ? '\n' : '';
    body = {
      tail: Buffer.concat([kept, Buffer.from(glue + line)]),
      droppedBytes: sendOutput ? child.droppedBytes : 0,
    };
  } else if (sendOutput) {
    body = { tail: child.tail, droppedBytes: child.droppedBytes };
  }
  let finish: PingResult | undefined;
  try {
    finish = await pinger.exitStatus(exitCode, body, {
      budgetMs: Math.max(0, deadline - clock.now()),
    });
  } catch (error) {
    pingError ??= { error };
  }
  if (pingError) throw pingError.error;
  return {
    exitCode,
    timedOut: child.timedOut,
    signal: child.signal,
    ...(spawnFailure ? { spawnFailure } : {}),
    start: start as PingResult,
    finish: finish as PingResult,
    durationMs: child.durationMs,
  };
}
