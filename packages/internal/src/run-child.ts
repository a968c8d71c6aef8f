import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Writable } from 'node:stream';
import { TailBuffer } from './tail-buffer.ts';

/** Signals a Berth wrapper forwards to its child, as a shell `trap` would catch them. */
export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

/** Options of {@link runChild}. */
export interface RunChildOptions {
  /** Environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Working directory of the child. */
  cwd?: string;
  /**
   * `inherit`: the child writes straight to this process's stdout/stderr (no copy kept).
   * `tee`: output is passed through and its last `tailBytes` kept (stdout and stderr
   * interleaved as they arrive).
   */
  output?: 'inherit' | 'tee';
  /** Bytes of output kept with `tee` (default 100,000). */
  tailBytes?: number;
  /** Where `tee` passes stdout and stderr (default this process's). */
  stdout?: Writable;
  stderr?: Writable;
  /** Signals forwarded to the child while it runs (default {@link FORWARDED_SIGNALS}). */
  forwardSignals?: readonly NodeJS.Signals[];
}

/** What a child run ended with. */
export interface ChildResult {
  /**
   * Shell-style exit code: the child's own code, 128+n when it was killed by signal n,
   * 127 when the command was not found, 126 when it could not be executed.
   */
  exitCode: number;
  /** The signal that killed the child, if any. */
  signal: NodeJS.Signals | null;
  /** Signals this process received (and forwarded) while the child ran. */
  receivedSignals: NodeJS.Signals[];
  /** The output tail (empty unless `output: 'tee'`). */
  tail: Buffer;
  /** Output bytes not kept in `tail`. */
  droppedBytes: number;
  /** Set when the child could not be started. */
  spawnError?: NodeJS.ErrnoException;
  /** Wall time of the child in milliseconds. */
  durationMs: number;
}

// Children of runChild that have not ended yet. While one runs, SIGINT/SIGTERM/SIGHUP/SIGQUIT
// belong to it (forwarded, the command returns the child's own exit code), so `main()`
// leaves them alone instead of aborting the command.
let runningChildren = 0;

/** True while a {@link runChild} child of this process runs (its signals are forwarded). */
export function childRunning(): boolean {
  return runningChildren > 0;
}

/** Exit code for a child killed by `signal` (128 + its number), as shells report it. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * Runs a command to completion, as a wrapper should: stdin is inherited, output passed
 * through (and optionally its tail kept), and SIGINT/SIGTERM/SIGHUP/SIGQUIT received by
 * this process are forwarded to the child instead of killing this process, so the caller
 * can still clean up after the child ends. Never rejects: failures to start are reported
 * in the result (exit code 127 or 126).
 */
export function runChild(
  command: string,
  args: readonly string[],
  options: RunChildOptions = {},
): Promise<ChildResult> {
  const started = performance.now();
  const tee = options.output === 'tee';
  const tail = new TailBuffer(tee ? (options.tailBytes ?? 100_000) : 0);
  const received: NodeJS.Signals[] = [];
  const signals = options.forwardSignals ?? FORWARDED_SIGNALS;

  return new Promise<ChildResult>((resolve) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: tee ? ['inherit', 'pipe', 'pipe'] : 'inherit',
    });

    runningChildren += 1;
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const sig of signals) {
      const handler = () => {
        received.push(sig);
        if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      };
      handlers.set(sig, handler);
      process.on(sig, handler);
    }
    let detached = false;
    const detach = () => {
      if (detached) return;
      detached = true;
      runningChildren -= 1;
      for (const [sig, handler] of handlers) process.off(sig, handler);
    };

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
    }

    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
    });
    child.on('close', (code, signal) => {
      detach();
      let exitCode: number;
      if (spawnError && child.pid === undefined) {
        exitCode = spawnError.code === 'ENOENT' ? 127 : 126;
      } else if (signal) {
        exitCode = signalExitCode(signal);
      } else {
        exitCode = code ?? 1;
      }
      resolve({
        exitCode,
        signal: signal ?? null,
        receivedSignals: received,
        tail: tail.toBuffer(),
        droppedBytes: tail.droppedBytes,
        ...(spawnError ? { spawnError } : {}),
        durationMs: performance.now() - started,
      });
    });
  });
}
