import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function builtAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Builds the library and the action bundles when their sources are newer than the output:
 * the action test runs the real `dist/*.mjs`, as the runner does.
 */
export function buildIfStale(actionDir: string): void {
  const libDir = join(actionDir, '../../packages/sg-ip-window');
  const build = (cwd: string) => execFileSync('pnpm', ['run', 'build'], { cwd, stdio: 'ignore' });
  if (newest(join(libDir, 'src')) > builtAt(join(libDir, 'dist/index.js'))) build(libDir);
  const inputs = Math.max(newest(join(actionDir, 'src')), builtAt(join(libDir, 'dist/index.js')));
  if (inputs > builtAt(join(actionDir, 'dist/post.mjs'))) build(actionDir);
}
