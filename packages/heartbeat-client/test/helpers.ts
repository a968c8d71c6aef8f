import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The CLI entry, run from source by Node 24. */
export const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');

/** The test kit's one fake clock: time moves only when code sleeps; records every sleep. */
export { fakeClock } from '@berth/testkit';

/** The environment for a CLI child: this process's, without any HC_* variable. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('HC_') && !/_PROXY$/i.test(k)) env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** What a CLI run ended with. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stdoutBytes: number;
  stderr: string;
}

/** Starts `heartbeat <args>`; `done` resolves when it exits. */
export function startCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): { child: ChildProcess; done: Promise<CliRun>; stdoutText(): string } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  let outBytes = 0;
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    outBytes += d.length;
    if (outBytes < 200_000) out.push(d);
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  child.stdin?.end(options.input ?? '');
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString(),
        stdoutBytes: outBytes,
        stderr: err,
      });
    });
  });
  return { child, done, stdoutText: () => Buffer.concat(out).toString() };
}

/** Runs `heartbeat <args>` to completion. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CliRun> {
  return startCli(args, options).done;
}

/** Resolves once `predicate` holds, polling every 20 ms (fails after 10 s). */
export async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
