import { spawn } from 'node:child_process';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** Options of {@link renderTaskDefinition}. */
export interface RenderOptions {
  /** The JSON secret whose keys become `secrets` entries (name, ARN). */
  secretId: string;
  /** Container that gets the entries (default `web`). */
  container?: string;
  /** The task definition kept in the repository. */
  input: string;
  /** Where the rendered copy goes (the input is never modified). */
  output: string;
  /** Environment of the CLI (AWS region and credentials come from here). */
  env?: NodeJS.ProcessEnv;
}

/** Path of the installed `secrets-env` CLI (the package's `bin`). */
export function secretsEnvBin(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@berth/secrets-env-loader/package.json');
  const { bin } = require(manifest) as { bin: Record<string, string> };
  return join(dirname(manifest), bin['secrets-env'] as string);
}

/**
 * Copies the task definition to `output` and merges into it, with `secrets-env ecs-secrets`,
 * one `{ name, valueFrom: "<arn>:KEY::" }` entry per key of the JSON secret. Only the keys
 * are read; no value ever lands in the file. Rejects with the CLI's message when it fails,
 * and then leaves no rendered file behind.
 */
export async function renderTaskDefinition(options: RenderOptions): Promise<string> {
  await mkdir(dirname(options.output), { recursive: true });
  await copyFile(options.input, options.output);
  const args = [
    secretsEnvBin(),
    'ecs-secrets',
    '--secret',
    options.secretId,
    '--container',
    options.container ?? 'web',
    '--task-definition',
    options.output,
  ];
  const child = spawn(process.execPath, args, {
    env: options.env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', done);
  });
  if (code !== 0) {
    // A half-rendered copy must not be deployed by a later step.
    if (resolve(options.output) !== resolve(options.input))
      await rm(options.output, { force: true });
    throw new Error(`secrets-env ecs-secrets failed (exit ${code}): ${stderr.trim()}`);
  }
  return options.output;
}
