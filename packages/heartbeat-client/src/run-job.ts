import type { Writable } from 'node:stream';
import { runChild } from '@berth/internal';
import type { PingBody } from './body-fit.ts';
import type { Pinger, PingResult } from './pinger.ts';

/** Output kept for the final ping: the server's limit is usually known only after `start`. */
const TAIL_BYTES = 1_048_576;

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
}

/** What {@link runJob} did. */
export interface RunJobResult {
  /** The command's exit code: its own, 128+n for signal n, 127 not found, 126 not executable. */
  exitCode: number;
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
 * with the output tail. Signals are forwarded to the command. Never rejects for ping
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
  const child = await runChild(options.command, options.args ?? [], {
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    output: sendOutput ? 'tee' : 'inherit',
    tailBytes: Math.max(TAIL_BYTES, pinger.bodyLimit),
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.stderr ? { stderr: options.stderr } : {}),
  });

  const deadline = Date.now() + budgetMs;
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      abandon.abort();
      resolve();
    }, budgetMs);
  });
  await Promise.race([started, gaveUp]);
  clearTimeout(timer);
  const start = await started;

  let body: PingBody | undefined;
  let spawnFailure: string | undefined;
  if (child.spawnError) {
    spawnFailure =
      child.exitCode === 127
        ? 'command not found'
        : `cannot execute (${child.spawnError.code ?? child.spawnError.message})`;
    body = `heartbeat: ${options.command}: ${spawnFailure}\n`;
  } else if (sendOutput) {
    body = { tail: child.tail, droppedBytes: child.droppedBytes };
  }
  let finish: PingResult | undefined;
  try {
    finish = await pinger.exitStatus(child.exitCode, body, {
      budgetMs: Math.max(0, deadline - Date.now()),
    });
  } catch (error) {
    pingError ??= { error };
  }
  if (pingError) throw pingError.error;
  return {
    exitCode: child.exitCode,
    signal: child.signal,
    ...(spawnFailure ? { spawnFailure } : {}),
    start: start as PingResult,
    finish: finish as PingResult,
    durationMs: child.durationMs,
  };
}
