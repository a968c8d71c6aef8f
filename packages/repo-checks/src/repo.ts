import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** The repository root (this package lives in packages/repo-checks/src). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** Path relative to the repository root, with forward slashes. */
export function repoPath(file: string, root = REPO_ROOT): string {
  return relative(root, file).split('\\').join('/');
}

/** Every action folder under `actions/` that has an action.yml (or action.yaml). */
export function listActionDirs(root = REPO_ROOT): string[] {
  const base = join(root, 'actions');
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(base, d.name))
    .filter((dir) => existsSync(join(dir, 'action.yml')) || existsSync(join(dir, 'action.yaml')))
    .sort();
}

/** The metadata file of an action folder. */
export function actionFile(dir: string): string {
  const yml = join(dir, 'action.yml');
  return existsSync(yml) ? yml : join(dir, 'action.yaml');
}

/** Every workflow file under `.github/workflows` and `examples/workflows`. */
export function listWorkflowFiles(root = REPO_ROOT): string[] {
  const files: string[] = [];
  for (const dir of ['.github/workflows', 'examples/workflows']) {
    const base = join(root, dir);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      if (/\.ya?ml$/.test(name)) files.push(join(base, name));
    }
  }
  return files.sort();
}

/** A complete workflow quoted in a Markdown file. */
export interface QuotedWorkflow {
  file: string;
  /** Line of the fence's first content line in the Markdown file. */
  line: number;
  text: string;
}

/**
 * The complete workflows (fenced `yaml` blocks with top-level `on:` and `jobs:`) quoted in
 * each action's README: what users copy must be valid too.
 */
export function listReadmeWorkflows(root = REPO_ROOT): QuotedWorkflow[] {
  const out: QuotedWorkflow[] = [];
  for (const dir of listActionDirs(root)) {
    const file = join(dir, 'README.md');
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^```ya?ml\s*$/.test(lines[i] as string)) continue;
      const start = i + 1;
      let end = start;
      while (end < lines.length && !/^```\s*$/.test(lines[end] as string)) end++;
      const text = lines.slice(start, end).join('\n');
      if (/^on:/m.test(text) && /^jobs:/m.test(text)) out.push({ file, line: start + 1, text });
      i = end;
    }
  }
  return out;
}
