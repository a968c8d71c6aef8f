import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import {
  type Clock,
  FORWARDED_SIGNALS,
  signalExitCode,
  systemClock,
  TailBuffer,
} from '@berth/internal';

/** Options of {@link runJobProcess}. */
export interface JobProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** `tee`: pass output through and keep its tail; `inherit`: the child writes straight out. */
  output: 'tee' | 'inherit';
  /** Bytes of output kept with `tee`. */
  tailBytes: number;
  stdout?: Writable;
  stderr?: Writable;
  /** Ends the job (SIGTERM to its process group, then SIGKILL) after this long (ms). */
  maxRuntimeMs?: number;
  /** Time from SIGTERM to SIGKILL when `maxRuntimeMs` runs out (ms; default 10 s). */
  killAfterMs?: number;
  /**
   * How long output is still read after the command exits (ms; default 250). Background
   * processes it started may hold its stdout/stderr open: the job is over when the command
   * exits, not when they end.
   */
  drainMs?: number;
  /** Paces `maxRuntimeMs` and `killAfterMs`. */
  clock?: Clock;
}

/** What a job process ended with. */
export interface JobProcessResult {
  /** Shell-style: its own code, 128+n for signal n, 127 not found, 126 not executable. */
  exitCode: number;
  signal: NodeJS.Signals | null;
  /** Signals this process received and forwarded to the job's process group. */
  receivedSignals: NodeJS.Signals[];
  tail: Buffer;
  droppedBytes: number;
  spawnError?: NodeJS.ErrnoException;
  /** True when `maxRuntimeMs` ran out and the job was ended. */
  timedOut: boolean;
  /** The last signal sent to end a timed-out job. */
  killedWith?: 'SIGTERM' | 'SIGKILL';
  durationMs: number;
}

const GROUPS = process.platform !== 'win32';

/** Sends `signal` to the process group led by `pid` (or to `pid` alone where there are none). */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(GROUPS ? -pid : pid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left in the group
  }
}

function groupAlive(pid: number): boolean {
  return signalGroup(pid, 0 as unknown as NodeJS.Signals);
}

/**
 * Runs a job's command in its own process group, as `heartbeat run` needs it:
 * - the job is over when the command exits: its output is read for a short drain after
 *   that, then the pipes are closed, even if background processes it started still hold
 *   them (they keep running, as under a shell);
 * - SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded to the whole process group, every
 *   time they arrive;
 * - with `maxRuntimeMs`, a job running longer gets SIGTERM (to the group), and SIGKILL
 *   `killAfterMs` later if anything of it is still running.
 * Never rejects: a command that cannot start is exit code 127 (not found) or 126.
 */
export function runJobProcess(
  command: string,
  args: readonly string[],
  options: JobProcessOptions,
): Promise<JobProcessResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const tee = options.output === 'tee';
  const tail = new TailBuffer(tee ? options.tailBytes : 0);
  const received: NodeJS.Signals[] = [];
  const drainMs = options.drainMs ?? 250;
  const killAfterMs = options.killAfterMs ?? 10_000;

  return new Promise<JobProcessResult>((resolve) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: tee ? ['inherit', 'pipe', 'pipe'] : 'inherit',
      detached: GROUPS,
    });
    const pid = child.pid;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let timedOut = false;
    let killedWith: 'SIGTERM' | 'SIGKILL' | undefined;
    let settled = false;
    const stopTimers = new AbortController();

    // While the job runs, its signals are the job's: forwarded, and the job's own exit
    // code returned. Other listeners (the CLI's "stop and clean up" handler of `main()`)
    // are set aside until it ends, as `runChild` has `main()` do for its children.
    const handlers = new Map<NodeJS.Signals, () => void>();
    const setAside = new Map<NodeJS.Signals, ((...args: unknown[]) => void)[]>();
    for (const sig of FORWARDED_SIGNALS) {
      const others = process.listeners(sig) as ((...args: unknown[]) => void)[];
      setAside.set(sig, others);
      for (const listener of others) process.off(sig, listener);
      const handler = () => {
        received.push(sig);
        if (pid !== undefined) signalGroup(pid, sig);
      };
      handlers.set(sig, handler);
      process.on(sig, handler);
    }

    const outputs: Readable[] = [];
    if (tee) {
      const out = options.stdout ?? process.stdout;
      const err = options.stderr ?? process.stderr;
      child.stdout?.on('data', (chunk: Buffer) => {
        tail.push(chunk);
        out.write(chunk);
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        tail.push(chunk);
        err.write(chunk);
      });
      if (child.stdout) outputs.push(child.stdout);
      if (child.stderr) outputs.push(child.stderr);
    }

    const finish = (result: Omit<JobProcessResult, 'tail' | 'droppedBytes' | 'durationMs'>) => {
      if (settled) return;
      settled = true;
      stopTimers.abort();
      for (const [sig, handler] of handlers) process.off(sig, handler);
      for (const [sig, others] of setAside)
        for (const listener of others) process.on(sig, listener);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({
        ...result,
        tail: tail.toBuffer(),
        droppedBytes: tail.droppedBytes,
        durationMs: clock.now() - started,
      });
    };

    const outcome = () => {
      const { code, signal } = exited as NonNullable<typeof exited>;
      return {
        exitCode: signal ? signalExitCode(signal) : (code ?? 1),
        signal,
        receivedSignals: received,
        timedOut,
        ...(killedWith ? { killedWith } : {}),
      };
    };

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (pid !== undefined) return; // started; the exit says the rest
      finish({
        exitCode: error.code === 'ENOENT' ? 127 : 126,
        signal: null,
        receivedSignals: received,
        spawnError: error,
        timedOut: false,
      });
    });

    // A timed-out job ends as a whole: after the command exits, whatever is left of its
    // process group is waited for until the SIGKILL, which then ends it.
    let groupGone: Promise<void> = Promise.resolve();

    child.on('exit', (code, signal) => {
      exited = { code, signal };
      const open = outputs.filter((s) => !(s as Readable).closed);
      const drained = Promise.all(
        open.map((s) => new Promise<void>((r) => s.once('close', () => r()))),
      );
      // Cleared once the output is drained: a pending timer would hold the process open.
      let drainTimer: NodeJS.Timeout | undefined;
      const timer = new Promise<void>((r) => {
        drainTimer = setTimeout(r, drainMs);
      });
      void Promise.race([drained, timer])
        .then(() => clearTimeout(drainTimer))
        .then(() => groupGone)
        .then(() => finish(outcome()));
    });

    if (options.maxRuntimeMs !== undefined && pid !== undefined) {
      const limit = options.maxRuntimeMs;
      void clock
        .sleep(limit, stopTimers.signal)
        .then(async () => {
          if (exited || settled) return;
          timedOut = true;
          killedWith = 'SIGTERM';
          signalGroup(pid, 'SIGTERM');
          groupGone = new Promise<void>((gone) => {
            let done = false;
            const end = () => {
              done = true;
              gone();
            };
            // The group has no event for "all ended": poll it (a real, short timer).
            const poll = () => {
              if (done) return;
              if (!groupAlive(pid)) end();
              else setTimeout(poll, 50);
            };
            poll();
            void clock.sleep(killAfterMs).then(() => {
              if (done) return;
              if (groupAlive(pid)) {
                killedWith = 'SIGKILL';
                signalGroup(pid, 'SIGKILL');
              }
              end();
            });
          });
          await groupGone;
        })
        .catch(() => {
          // stopped: the job ended first
        });
    }
  });
}
