// Runs the real, built Berth CLIs (`node packages/<dir>/dist/cli.js`) the way a user would run
// the installed binaries, shows the command line, and captures what they print.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { Output } from './output.ts';

/** The CLIs the demo runs, by command name, with the package directory that builds each. */
export const TOOLS = {
  'semver-timestamp': 'semver-timestamp',
  'preview-env': 'preview-env',
  'ecs-rollback': 'ecs-rollback',
  'secrets-env': 'secrets-env-loader',
  'sg-ip-window': 'sg-ip-window',
  heartbeat: 'heartbeat-client',
} as const;

export type Tool = keyof typeof TOOLS;

/** What a CLI run printed and how it ended. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link CliRunner.run}. */
export interface RunOptions {
  /** Exit codes that count as success (default `[0]`). */
  expect?: number[];
  /** Print nothing (the demo reads the result itself). */
  quiet?: boolean;
  /** Do not print stdout (e.g. long JSON the step summarises). */
  hideStdout?: boolean;
  /** Working directory for this run only (default: the runner's). */
  cwd?: string;
  /** Extra environment for this run only. */
  env?: NodeJS.ProcessEnv;
  /** Kill the CLI after this long (default 90 s): a hung tool must not hang the demo. */
  timeoutMs?: number;
}

/** Raised when a CLI ends with an unexpected exit code; carries what it printed. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  readonly result: CliResult;
  constructor(line: string, result: CliResult) {
    const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-8).join('\n');
    super(`\`${line}\` exited with ${result.code}${tail ? `:\n${tail}` : ''}`);
    this.result = result;
  }
}

/** Runs Berth CLIs with a fixed environment and working directory. */
export interface CliRunner {
  run(tool: Tool, args: string[], options?: RunOptions): Promise<CliResult>;
  /**
   * Signals every CLI still running (used on Ctrl-C) and waits until they have exited (at
   * most `graceMs`, then they are killed), so their own cleanup runs before the emulator stops.
   */
  stopAll(signal: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** Path of a tool's built CLI under the repository root. */
export function cliPath(root: string, tool: Tool): string {
  return join(root, 'packages', TOOLS[tool], 'dist', 'cli.js');
}

/** Tools whose built CLI is missing (the packages have not been built yet). */
export function missingClis(root: string, tools: Tool[]): Tool[] {
  return [...new Set(tools)].filter((t) => !existsSync(cliPath(root, t)));
}

/** Quotes an argument the way a POSIX shell user would have to type it. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** A command line for display. */
export function commandLine(tool: string, args: string[]): string {
  return [tool, ...args.map(shellQuote)].join(' ');
}

/** Creates a runner whose CLIs see `env` and run in `cwd`. */
export function createCliRunner(options: {
  root: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  out: Output;
}): CliRunner {
  const running = new Set<ReturnType<typeof spawn>>();
  return {
    async stopAll(signal, graceMs = 5_000) {
      const exits = [...running].map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('close', () => done());
            child.kill(signal);
          }),
      );
      const timer = setTimeout(() => {
        for (const child of running) child.kill('SIGKILL');
      }, graceMs);
      await Promise.all(exits);
      clearTimeout(timer);
    },
    async run(tool, args, runOptions = {}) {
      const line = commandLine(tool, args);
      if (!runOptions.quiet) options.out.command(line);
      const child = spawn(process.execPath, [cliPath(options.root, tool), ...args], {
        cwd: runOptions.cwd ?? options.cwd,
        env: { ...options.env, ...runOptions.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      running.add(child);
      let stdout = '';
      let stderr = '';
      // Both streams in arrival order, so logs show up where they happened.
      const printed: { err: boolean; text: string }[] = [];
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        printed.push({ err: false, text: d.toString() });
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        printed.push({ err: true, text: d.toString() });
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), runOptions.timeoutMs ?? 90_000);
      const code = await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (exitCode, signal) => {
          resolve(exitCode ?? (signal ? 128 + constants.signals[signal] : 1));
        });
      }).finally(() => {
        clearTimeout(timer);
        running.delete(child);
      });
      const result = { code, stdout, stderr };
      if (!runOptions.quiet) {
        for (const chunk of printed) {
          if (chunk.err) options.out.block(chunk.text, true);
          else if (!runOptions.hideStdout) options.out.block(chunk.text);
        }
      }
      if (!(runOptions.expect ?? [0]).includes(code)) throw new CliFailure(line, result);
      return result;
    },
  };
}

/** Parses a CLI's `--json` output, with a clear error when it is not JSON. */
export function parseJson<T>(tool: Tool, result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`${tool} --json printed something that is not JSON:\n${result.stdout}`);
  }
}
