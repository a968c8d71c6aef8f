// The release, end to end, on a scratch git repository: a miniature Berth (a private
// internal package, two published libraries where one depends on the other, two actions
// that bundle them) with this repository's own release pieces copied in - the changesets
// configuration, .pnpmfile.cjs, turbo.json, the tsup bases, scripts/release/release.ts and
// the workflows - and the commands the release workflow runs, read from release.yml. A bare
// repository stands in for GitHub; a directory of tarballs stands in for npm.
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../src/index.ts';

interface WorkflowStep {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
const releaseWorkflow = parse(
  readFileSync(join(REPO_ROOT, '.github/workflows/release.yml'), 'utf8'),
) as { jobs: Record<string, { steps: WorkflowStep[] }> };
const allSteps = Object.values(releaseWorkflow.jobs).flatMap((job) => job.steps);
const changesetsStep = allSteps.find((s) => s.uses?.startsWith('changesets/action@'));
const v1Step = allSteps.find((s) => s.name === 'Release commit on v1');

// A node to run the bundles with: the machine's Node 20 when there is one (the oldest the
// actions promise to start on), else this one.
const oldNode = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;

let base: string;
let work: string;
let origin: string;
let registry: string;
let env: NodeJS.ProcessEnv;

interface Ran {
  stdout: string;
  stderr: string;
}

/** Runs a command (asynchronously: the test worker must keep answering vitest). */
function sh(command: string, args: string[], cwd = work, input?: Buffer): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const ran = { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (code === 0) resolve(ran);
      else
        reject(
          new Error(`${command} ${args.join(' ')} exited ${code}\n${ran.stdout}\n${ran.stderr}`),
        );
    });
    child.stdin.end(input);
  });
}
const git = async (...args: string[]) => (await sh('git', args)).stdout.trim();
/** A command line from release.yml, run the way the runner runs `run:` (bash -e). */
const workflowCommand = (line: string) => sh('bash', ['-eo', 'pipefail', '-c', line]);

function write(path: string, text: string): void {
  mkdirSync(dirname(join(work, path)), { recursive: true });
  writeFileSync(join(work, path), text);
}
function json(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(work, path), 'utf8')) as Record<string, unknown>;
}
function copyFromRepo(path: string): void {
  mkdirSync(dirname(join(work, path)), { recursive: true });
  cpSync(join(REPO_ROOT, path), join(work, path));
}

function library(name: string, deps: Record<string, string>, body: string): void {
  write(
    `packages/${name}/package.json`,
    JSON.stringify(
      {
        name: `@berth/${name}`,
        version: '0.0.0',
        license: 'MIT',
        type: 'module',
        exports: { '.': './dist/index.js', './package.json': './package.json' },
        files: ['dist'],
        scripts: { build: 'tsup' },
        dependencies: deps,
        devDependencies: { '@berth/internal': 'workspace:*', '@berth/testkit': 'workspace:*' },
      },
      null,
      2,
    ),
  );
  write(
    `packages/${name}/tsup.config.ts`,
    "import { berthTsup } from '../../tsup.base.ts';\nexport default berthTsup({ cli: false, extra: { dts: false } });\n",
  );
  write(`packages/${name}/src/index.ts`, body);
  copyFromRepo('LICENSE');
  cpSync(join(REPO_ROOT, 'LICENSE'), join(work, `packages/${name}/LICENSE`));
}

function action(name: string, deps: string[], body: string): void {
  write(
    `actions/${name}/package.json`,
    JSON.stringify(
      {
        name: `@berth/action-${name}`,
        version: '0.0.0',
        private: true,
        type: 'module',
        scripts: { build: 'tsup' },
        dependencies: Object.fromEntries(deps.map((d) => [d, 'workspace:*'])),
        devDependencies: { '@berth/testkit': 'workspace:*' },
      },
      null,
      2,
    ),
  );
  write(
    `actions/${name}/tsup.config.ts`,
    "import { berthActionTsup } from '../../tsup.action.ts';\nexport default berthActionTsup();\n",
  );
  write(
    `actions/${name}/action.yml`,
    `name: ${name}\ndescription: test action\nruns:\n  using: node24\n  main: dist/index.mjs\n`,
  );
  write(`actions/${name}/README.md`, `# ${name}\n`);
  write(`actions/${name}/src/index.ts`, body);
  write(`actions/${name}/test/action.test.ts`, '// not shipped\n');
}

function changeset(file: string, bumps: Record<string, 'patch' | 'minor'>, summary: string): void {
  const lines = Object.entries(bumps).map(([name, bump]) => `'${name}': ${bump}`);
  write(`.changeset/${file}.md`, `---\n${lines.join('\n')}\n---\n\n${summary}\n`);
}

async function commitAll(message: string): Promise<void> {
  await git('add', '-A');
  await git('commit', '--quiet', '-m', message);
}

/** What the release workflow does for one merged change: version PR, npm job, actions job. */
async function release(): Promise<{ publish: string; actions: string }> {
  await workflowCommand(changesetsStep?.with?.version ?? 'false');
  await commitAll('Version packages');
  await git('push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  const publish = (await workflowCommand(changesetsStep?.with?.publish ?? 'false')).stdout;
  await git('push', '--quiet', 'origin', '--tags'); // changesets/action pushes the tags
  const actions = (await workflowCommand(v1Step?.run ?? 'false')).stdout;
  return { publish, actions };
}

function version(path: string): string {
  return String(json(path).version);
}

/** `git archive` of a ref, unpacked: what a runner gets for `uses: ...@v1`. */
async function archive(ref: string): Promise<string> {
  const dir = mkdtempSync(join(base, 'archive-'));
  const file = join(base, 'archive.tar');
  await sh('git', ['archive', '--format=tar', '-o', file, ref], origin);
  await sh('tar', ['-xf', file, '-C', dir], base);
  return dir;
}

async function runBundle(dir: string, name: string): Promise<string> {
  const result = await sh(oldNode, [join(dir, 'actions', name, 'dist/index.mjs')], dir);
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

async function remoteGit(...args: string[]): Promise<string> {
  return (await sh('git', args, origin)).stdout.trim();
}

async function v1Files(): Promise<string[]> {
  return (await remoteGit('ls-tree', '-r', '--name-only', 'v1')).split('\n').sort();
}

const expectedTree = [
  'LICENSE',
  'README.md',
  'actions/alpha/CHANGELOG.md',
  'actions/alpha/README.md',
  'actions/alpha/action.yml',
  'actions/alpha/dist/index.mjs',
  'actions/beta/CHANGELOG.md',
  'actions/beta/README.md',
  'actions/beta/action.yml',
  'actions/beta/dist/index.mjs',
];

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'berth-release-test-'));
  work = join(base, 'berth');
  origin = join(base, 'origin.git');
  registry = join(base, 'registry');
  mkdirSync(work);
  mkdirSync(registry);
  env = {
    ...process.env,
    // The toolchain's pnpm, turbo, tsup and changeset, as the workflow has them installed.
    PATH: `${join(REPO_ROOT, 'node_modules/.bin')}:${process.env.PATH}`,
    GIT_AUTHOR_NAME: 'release test',
    GIT_AUTHOR_EMAIL: 'release@test.invalid',
    GIT_COMMITTER_NAME: 'release test',
    GIT_COMMITTER_EMAIL: 'release@test.invalid',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    BERTH_RELEASE_REGISTRY_DIR: registry,
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
    NO_COLOR: '1',
    npm_config_offline: 'true',
  };
  for (const key of Object.keys(env))
    if (key.startsWith('TURBO_') && key !== 'TURBO_TELEMETRY_DISABLED') delete env[key];

  await sh('git', ['init', '--quiet', '--bare', origin], base);
  await sh('git', ['init', '--quiet', '-b', 'main', work], base);
  await git('remote', 'add', 'origin', origin);

  for (const f of [
    'LICENSE',
    '.pnpmfile.cjs',
    'turbo.json',
    'tsup.base.ts',
    'tsup.action.ts',
    'pnpm-workspace.yaml',
    'scripts/release/release.ts',
    '.github/workflows/release.yml',
    '.github/workflows/ci.yml',
  ]) {
    copyFromRepo(f);
  }
  const rootManifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
    packageManager: string;
  };
  write(
    'package.json',
    JSON.stringify({
      name: 'berth',
      private: true,
      type: 'module',
      packageManager: rootManifest.packageManager,
      scripts: {
        'version-packages': rootManifest.scripts['version-packages'],
        release: rootManifest.scripts.release,
      },
    }),
  );
  // The real configuration, with changesets' plain changelog instead of changelog-github,
  // which asks the GitHub API for the pull request of each changeset.
  const config = JSON.parse(readFileSync(join(REPO_ROOT, '.changeset/config.json'), 'utf8'));
  write(
    '.changeset/config.json',
    JSON.stringify({ ...config, changelog: '@changesets/cli/changelog' }, null, 2),
  );
  write('.gitignore', 'node_modules/\ndist/\n.turbo/\n');

  write(
    'packages/internal/package.json',
    JSON.stringify({
      name: '@berth/internal',
      version: '0.0.0',
      private: true,
      type: 'module',
      exports: { '.': './src/index.ts' },
    }),
  );
  write('packages/internal/src/index.ts', 'export const mark = (s: string) => `[${s}]`;\n');
  write(
    'examples/demo/package.json',
    JSON.stringify({
      name: '@berth/example-demo',
      version: '0.0.0',
      private: true,
      dependencies: { '@berth/beta': 'workspace:*' },
    }),
  );
  write(
    'packages/testkit/package.json',
    JSON.stringify({ name: '@berth/testkit', version: '0.0.0', private: true, type: 'module' }),
  );
  library(
    'alpha',
    {},
    "import { mark } from '@berth/internal';\nexport const alpha = () => mark('alpha 1');\n",
  );
  library(
    'beta',
    { '@berth/alpha': 'workspace:^' },
    "import { alpha } from '@berth/alpha';\nexport const beta = () => `beta 1 + ${alpha()}`;\n",
  );
  action(
    'alpha',
    ['@berth/alpha', '@berth/internal'],
    "import { alpha } from '@berth/alpha';\nconsole.log(`action alpha: ${alpha()}`);\n",
  );
  action(
    'beta',
    ['@berth/alpha', '@berth/beta', '@berth/internal'],
    "import { beta } from '@berth/beta';\nconsole.log(`action beta: ${beta()}`);\n",
  );
  changeset(
    'initial',
    {
      '@berth/alpha': 'minor',
      '@berth/beta': 'minor',
      '@berth/action-alpha': 'minor',
      '@berth/action-beta': 'minor',
    },
    'First release.',
  );
  await sh('pnpm', ['install', '--offline', '--reporter=silent']);
  mkdirSync(join(work, 'node_modules/@changesets'), { recursive: true });
  symlinkSync(
    realpathSync(join(REPO_ROOT, 'node_modules/@changesets/cli')),
    join(work, 'node_modules/@changesets/cli'),
  );
  await commitAll('Berth in miniature');
  await git('push', '--quiet', 'origin', 'main');
}, 300_000);

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('the release workflow', () => {
  it('runs the release steps from scripts/release/release.ts', () => {
    expect(changesetsStep?.with?.version).toBe('pnpm run version-packages');
    expect(changesetsStep?.with?.publish).toBe('pnpm run release');
    expect(v1Step?.run).toMatch(/^node scripts\/release\/release\.ts actions /);
  });

  it('first release: packages in dependency order, v1 with only what users need', async () => {
    const out = await release();
    expect(version('packages/alpha/package.json')).toBe('0.1.0');
    expect(version('actions/beta/package.json')).toBe('0.1.0');
    const tags = [...out.publish.matchAll(/^New tag: (.+)$/gm)].map((m) => m[1]);
    expect(tags).toEqual(['@berth/alpha@0.1.0', '@berth/beta@0.1.0']);

    // The published manifests name nothing a consumer cannot install; LICENSE is in.
    for (const tarball of ['berth-alpha-0.1.0.tgz', 'berth-beta-0.1.0.tgz']) {
      const list = (await sh('tar', ['-tzf', join(registry, tarball)])).stdout;
      expect(list).toContain('package/LICENSE');
      const manifest = await sh('tar', ['-xOzf', join(registry, tarball), 'package/package.json']);
      expect(manifest.stdout).not.toMatch(/@berth\/(internal|testkit)|workspace:/);
    }
    const beta = await sh('tar', [
      '-xOzf',
      join(registry, 'berth-beta-0.1.0.tgz'),
      'package/package.json',
    ]);
    expect(JSON.parse(beta.stdout).dependencies).toEqual({ '@berth/alpha': '^0.1.0' });

    expect(await v1Files()).toEqual(expectedTree);
    expect(await remoteGit('show', 'v1:LICENSE')).toBe(
      readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8').trim(),
    );
    expect((await remoteGit('tag', '--list', '*-v*')).split('\n').sort()).toEqual([
      'alpha-v0.1.0',
      'beta-v0.1.0',
    ]);
    expect(await remoteGit('rev-parse', 'alpha-v0.1.0^{commit}')).toBe(
      await remoteGit('rev-parse', 'v1'),
    );
    const dir = await archive('v1');
    expect(await runBundle(dir, 'alpha')).toBe('action alpha: [alpha 1]');
    expect(await runBundle(dir, 'beta')).toBe('action beta: beta 1 + [alpha 1]');
  }, 300_000);

  it('a library-only patch reaches every action that bundles it', async () => {
    const before = await remoteGit('rev-parse', 'v1');
    write(
      'packages/alpha/src/index.ts',
      "import { mark } from '@berth/internal';\nexport const alpha = () => mark('alpha 2 fixed');\n",
    );
    changeset('alpha-fix', { '@berth/alpha': 'patch' }, 'Fix alpha.');
    await commitAll('Fix alpha');
    const out = await release();
    expect(version('packages/alpha/package.json')).toBe('0.1.1');
    // beta's range ^0.1.0 takes alpha 0.1.1: beta itself needs no new version.
    expect(version('packages/beta/package.json')).toBe('0.1.0');
    expect(version('actions/alpha/package.json')).toBe('0.1.1');
    expect(version('actions/beta/package.json')).toBe('0.1.1');
    expect([...out.publish.matchAll(/^New tag: (.+)$/gm)].map((m) => m[1])).toEqual([
      '@berth/alpha@0.1.1',
    ]);

    expect(await remoteGit('rev-parse', 'v1^')).toBe(before);
    expect(await v1Files()).toEqual(expectedTree);
    expect(await remoteGit('rev-parse', 'alpha-v0.1.1^{commit}')).toBe(
      await remoteGit('rev-parse', 'v1'),
    );
    expect(await remoteGit('rev-parse', 'beta-v0.1.1^{commit}')).toBe(
      await remoteGit('rev-parse', 'v1'),
    );
    expect(await remoteGit('rev-parse', 'alpha-v0.1.0^{commit}')).toBe(before);
    const dir = await archive('v1');
    expect(await runBundle(dir, 'alpha')).toBe('action alpha: [alpha 2 fixed]');
    expect(await runBundle(dir, 'beta')).toBe('action beta: beta 1 + [alpha 2 fixed]');
    expect(await remoteGit('show', 'v1:actions/beta/CHANGELOG.md')).toContain('@berth/alpha@0.1.1');
  }, 300_000);

  it('an action-only change releases that action alone', async () => {
    const before = await remoteGit('rev-parse', 'v1');
    write(
      'actions/beta/src/index.ts',
      "import { beta } from '@berth/beta';\nconsole.log(`action beta 2: ${beta()}`);\n",
    );
    changeset('action-beta-wording', { '@berth/action-beta': 'patch' }, 'New wording.');
    await commitAll('Action beta wording');
    const out = await release();
    expect(version('actions/beta/package.json')).toBe('0.1.2');
    expect(version('actions/alpha/package.json')).toBe('0.1.1');
    expect(out.publish).not.toContain('New tag:');
    expect(await remoteGit('rev-parse', 'v1^')).toBe(before);
    expect(await remoteGit('rev-parse', 'beta-v0.1.2^{commit}')).toBe(
      await remoteGit('rev-parse', 'v1'),
    );
    expect((await remoteGit('tag', '--list', 'alpha-v*')).split('\n')).toEqual([
      'alpha-v0.1.0',
      'alpha-v0.1.1',
    ]);
    const dir = await archive('v1');
    expect(await runBundle(dir, 'alpha')).toBe('action alpha: [alpha 2 fixed]');
    expect(await runBundle(dir, 'beta')).toBe('action beta 2: beta 1 + [alpha 2 fixed]');
    // No workflow file ever reached v1, in any of its commits.
    expect(await remoteGit('log', '--format=%H', 'v1', '--', '.github')).toBe('');
    expect(await remoteGit('rev-list', '--count', 'v1')).toBe('3');
  }, 300_000);

  it('a run with no new action version leaves v1 alone', async () => {
    const before = await remoteGit('rev-parse', 'v1');
    const out = (await workflowCommand(v1Step?.run ?? 'false')).stdout;
    expect(out).toContain('nothing to release');
    expect(await remoteGit('rev-parse', 'v1')).toBe(before);
  }, 300_000);
});

describe("this repository's actions", () => {
  const read = (path: string) =>
    JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as {
      name: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
  const libraries = new Map(
    [
      'ecs-rollback',
      'heartbeat-client',
      'preview-env',
      'secrets-env-loader',
      'semver-timestamp',
      'sg-ip-window',
    ].map((dir) => {
      const m = read(`packages/${dir}/package.json`);
      return [m.name, m] as const;
    }),
  );
  it.each([
    'ecs-rollback',
    'heartbeat',
    'preview-env',
    'secrets-env',
    'semver-timestamp',
    'sg-ip-window',
  ])(
    '%s lists every workspace package it bundles under dependencies (so their changesets bump it)',
    (dir) => {
      const action = read(`actions/${dir}/package.json`);
      const deps = action.dependencies ?? {};
      const bundled = new Set(['@berth/internal']);
      const visit = (name: string) => {
        bundled.add(name);
        for (const dep of Object.keys(libraries.get(name)?.dependencies ?? {})) {
          if (libraries.has(dep) && !bundled.has(dep)) visit(dep);
        }
      };
      for (const name of Object.keys(deps)) if (libraries.has(name)) visit(name);
      expect([...bundled].filter((name) => deps[name] !== 'workspace:*')).toEqual([]);
      const devBerth = Object.keys(action.devDependencies ?? {}).filter(
        (name) => name.startsWith('@berth/') && name !== '@berth/testkit',
      );
      expect(devBerth).toEqual([]);
    },
  );
});
