import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { type ProcessRun, runProcess } from '@berth/testkit';

/** What a CLI run printed and how it ended. */
export type CliRun = ProcessRun;

export const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');

/** Runs `node src/cli.ts ...args` to completion; `onSpawn` can signal it while it runs. */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { cwd?: string; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<CliRun> {
  return runProcess(process.execPath, [CLI, ...args], { env, ...options });
}
