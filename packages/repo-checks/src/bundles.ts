import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { build } from 'esbuild';
import type { Problem } from './problems.ts';
import { repoPath } from './repo.ts';

/** Largest bundle accepted (bytes): an action is downloaded with the repository at every job start. */
export const BUNDLE_BUDGET_BYTES = 2 * 1024 * 1024;

const BUILTINS = new Set(builtinModules);

/** Whether a specifier is a Node built-in (`node:fs`, `fs`, `fs/promises`). */
export function isBuiltin(spec: string): boolean {
  return spec.startsWith('node:') || BUILTINS.has(spec);
}

/**
 * Every module a bundle loads (static and dynamic `import`, `require`), as esbuild's parser
 * sees them: real import sites, not text in strings (the AWS SDK's error messages quote
 * `require("@aws-sdk/signature-v4-crt")`, which a regular expression would take for one).
 */
export async function bundleImports(path: string): Promise<string[]> {
  const seen = new Set<string>();
  await build({
    entryPoints: [path],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    plugins: [
      {
        name: 'record-imports',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined;
            seen.add(args.path);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  return [...seen].sort();
}

/** What checking one bundle found. */
export interface BundleReport {
  file: string;
  bytes: number;
  problems: Problem[];
}

/**
 * Checks one built bundle: it exists, fits {@link BUNDLE_BUDGET_BYTES}, loads nothing but
 * Node built-ins (every dependency is inside), and starts on its own: a copy of its `dist/`
 * folder, alone in a temporary directory with no node_modules anywhere above it, answers
 * `node <bundle> --help` with exit 0 and help on stdout, in an environment without the
 * runner's variables or credentials.
 */
export async function checkBundle(
  path: string,
  budget = BUNDLE_BUDGET_BYTES,
): Promise<BundleReport> {
  const file = repoPath(path);
  if (!existsSync(path)) {
    return {
      file,
      bytes: 0,
      problems: [
        { file, message: 'bundle missing: build the action first (pnpm turbo run build)' },
      ],
    };
  }
  const problems: Problem[] = [];
  const bytes = statSync(path).size;
  if (bytes > budget) {
    problems.push({
      file,
      message: `bundle is ${(bytes / 1024).toFixed(0)} KiB, over the ${(budget / 1024).toFixed(0)} KiB budget`,
    });
  }
  try {
    const foreign = (await bundleImports(path)).filter((s) => !isBuiltin(s));
    if (foreign.length > 0) {
      problems.push({
        file,
        message: `bundle loads ${foreign.join(', ')}: every dependency must be bundled in`,
      });
    }
  } catch (error) {
    problems.push({
      file,
      message: `bundle does not parse: ${(error as Error).message.split('\n')[0]}`,
    });
  }
  const alone = mkdtempSync(join(tmpdir(), 'berth-bundle-'));
  try {
    const dist = join(alone, basename(dirname(path)));
    cpSync(dirname(path), dist, { recursive: true });
    const help = spawnSync(process.execPath, [join(dist, basename(path)), '--help'], {
      encoding: 'utf8',
      cwd: alone,
      timeout: 30_000,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    });
    if (help.status !== 0 || help.stdout.trim() === '') {
      const why = help.error
        ? `failed to run (${help.error.message})`
        : `exited ${help.status ?? help.signal}`;
      problems.push({
        file,
        message: `"node ${file} --help" ${why}${help.stdout.trim() === '' ? ' with no help on stdout' : ''}: ${help.stderr
          .trim()
          .split('\n')
          .slice(-3)
          .join(' | ')}`,
      });
    }
  } finally {
    rmSync(alone, { recursive: true, force: true });
  }
  return { file, bytes, problems };
}
