import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** What a CLI run printed and how it ended. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');

/** Runs `node src/cli.ts ...args` to completion; `onSpawn` can signal it while it runs. */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { cwd?: string; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    options.onSpawn?.(child);
  });
}
