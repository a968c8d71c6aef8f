#!/usr/bin/env node
// Berth's release steps, run by .github/workflows/release.yml and, on a scratch repository,
// by packages/repo-checks/test/release.test.ts (so the test proves what the workflow does).
//
//   node scripts/release/release.ts publish
//     Builds the published packages, then publishes every version that is not on the
//     registry yet, one package at a time in dependency order (a package only after the
//     workspace packages it depends on), stopping at the first failure. Tags each one
//     `<name>@<version>` and prints `New tag: ...` (changesets/action pushes the tags and
//     makes the GitHub releases from those lines). `pnpm publish` applies .pnpmfile.cjs.
//
//   node scripts/release/release.ts actions [--remote origin] [--branch v1]
//     When an action's version has no `<folder>-v<version>` tag yet: builds the actions and
//     commits, on top of the branch, a tree holding only what users need - LICENSE, a README,
//     and per action its action.yml, README.md, CHANGELOG.md and dist/ - then pushes the
//     branch and one tag per new action version. The branch never carries .github/ (no
//     workflow file is ever pushed with GITHUB_TOKEN) and is a history of its own, one
//     commit per release; main's files and history are not on it.
//
// Environment: BERTH_RELEASE_REGISTRY_DIR=<dir> makes `publish` write tarballs there
// (`pnpm pack`) instead of publishing to npm: the scratch-repository test uses it.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = process.cwd();

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

interface WorkspacePackage {
  dir: string;
  manifest: Manifest;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fail(message: string): never {
  process.stderr.write(`release: ${message}\n`);
  process.exit(1);
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; quiet?: boolean } = {},
): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env },
    input: options.input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', options.quiet ? 'pipe' : 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) fail(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    const detail = options.quiet ? `\n${result.stderr ?? ''}` : '';
    fail(`${command} ${args.join(' ')} exited with ${result.status}${detail}`);
  }
  return result.stdout;
}

function tryRun(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, {
    cwd: root,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
  });
  return { status: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

function workspacePackages(group: string): WorkspacePackage[] {
  const base = join(root, group);
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'package.json')))
    .map((d) => ({ dir: join(base, d.name), manifest: readManifest(join(base, d.name)) }))
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** Runtime dependencies of `pkg` that are other packages of the list. */
function internalDependencies(pkg: WorkspacePackage, names: Set<string>): string[] {
  const m = pkg.manifest;
  return [
    ...Object.keys(m.dependencies ?? {}),
    ...Object.keys(m.peerDependencies ?? {}),
    ...Object.keys(m.optionalDependencies ?? {}),
  ].filter((name) => names.has(name));
}

/** The packages in an order where each comes after the workspace packages it depends on. */
function dependencyOrder(packages: WorkspacePackage[]): WorkspacePackage[] {
  const byName = new Map(packages.map((p) => [p.manifest.name, p]));
  const names = new Set(byName.keys());
  const ordered: WorkspacePackage[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (pkg: WorkspacePackage, path: string[]): void => {
    const name = pkg.manifest.name;
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') fail(`dependency cycle: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const dep of internalDependencies(pkg, names)) visit(byName.get(dep)!, [...path, name]);
    state.set(name, 'done');
    ordered.push(pkg);
  };
  for (const pkg of packages) visit(pkg, []);
  return ordered;
}

function turboBuild(filter: string): void {
  run('pnpm', ['turbo', 'run', 'build', `--filter=${filter}`, '--output-logs=errors-only'], {
    env: { TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', TURBO_UI: 'false' },
  });
}

function tarballName(m: Manifest): string {
  return `${m.name.replace(/^@/, '').replace('/', '-')}-${m.version}.tgz`;
}

function isPublished(m: Manifest, registryDir: string | undefined): boolean {
  if (registryDir) return existsSync(join(registryDir, tarballName(m)));
  const view = tryRun('npm', ['view', `${m.name}@${m.version}`, 'version', '--json']);
  if (view.status === 0) return view.stdout.trim() !== '';
  if (/E404|404 Not Found|is not in this registry/.test(view.stderr + view.stdout)) return false;
  fail(`could not ask the registry whether ${m.name}@${m.version} exists:\n${view.stderr}`);
}

function publish(): void {
  const registryDir = process.env.BERTH_RELEASE_REGISTRY_DIR || undefined;
  const packages = workspacePackages('packages').filter((p) => p.manifest.private !== true);
  const names = new Set(packages.map((p) => p.manifest.name));
  const ordered = dependencyOrder(packages);
  log(
    `Publish order: ${ordered.map((p) => `${p.manifest.name}@${p.manifest.version}`).join(', ')}`,
  );
  turboBuild('./packages/*');
  const available = new Set<string>();
  const existingTags = new Set(run('git', ['tag', '--list']).split('\n').filter(Boolean));
  for (const pkg of ordered) {
    const m = pkg.manifest;
    const id = `${m.name}@${m.version}`;
    // Its workspace dependencies are published (just now, or earlier) at the versions this
    // manifest will name: a consumer can always install it.
    for (const dep of internalDependencies(pkg, names)) {
      const depManifest = packages.find((p) => p.manifest.name === dep)!.manifest;
      const depId = `${dep}@${depManifest.version}`;
      if (!available.has(depId) && !isPublished(depManifest, registryDir)) {
        fail(`${id} needs ${depId}, which is not published; not publishing ${m.name}`);
      }
    }
    if (isPublished(m, registryDir)) {
      log(`${id} is already published`);
      available.add(id);
      continue;
    }
    if (registryDir) {
      run('pnpm', ['pack', '--pack-destination', registryDir], { cwd: pkg.dir, quiet: true });
    } else {
      run('pnpm', ['publish', '--no-git-checks', '--access', 'public'], { cwd: pkg.dir });
    }
    available.add(id);
    if (!existingTags.has(id)) run('git', ['tag', id]);
    // changesets/action reads these lines for its `published` output and GitHub releases.
    log(`New tag: ${id}`);
  }
}

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const value = args[i + 1];
  if (!value) fail(`${name} needs a value`);
  return value;
}

/** Every file under `dir`, relative to the repository root, sorted. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(relative(root, full).split('\\').join('/'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

interface ActionRelease {
  folder: string;
  version: string;
  tag: string;
}

function branchReadme(actions: ActionRelease[], source: string): string {
  const rows = actions.map(
    (a) => `| [\`${a.folder}\`](actions/${a.folder}) | ${a.version} | \`${a.tag}\` |`,
  );
  return [
    '# Berth GitHub Actions (release branch)',
    '',
    'This branch holds the released GitHub Actions of [Berth](https://github.com/berth-dev/berth),',
    'built: each `actions/<name>/` has its `action.yml`, README, changelog and the bundled',
    '`dist/` it runs. Use them as `uses: berth-dev/berth/actions/<name>@v1`, or pin the commit',
    'of a release tag. The source, tests and workflows are on `main`; this branch is written',
    'only by the release workflow.',
    '',
    '| action | version | tag |',
    '|---|---|---|',
    ...rows,
    '',
    `Built from ${source}. Licence: MIT, see [LICENSE](LICENSE).`,
    '',
  ].join('\n');
}

function releaseActions(args: string[]): void {
  const remote = option(args, '--remote', 'origin');
  const branch = option(args, '--branch', 'v1');
  const actions = workspacePackages('actions')
    .filter((p) => existsSync(join(p.dir, 'action.yml')))
    .map((p) => {
      const folder = p.dir.split(/[\\/]/).pop()!;
      return { folder, version: p.manifest.version, tag: `${folder}-v${p.manifest.version}` };
    });
  if (actions.length === 0) fail('no actions under actions/');

  const remoteTags = new Set(
    run('git', ['ls-remote', '--tags', remote], { quiet: true })
      .split('\n')
      .map((line) =>
        line
          .split('\t')[1]
          ?.replace(/^refs\/tags\//, '')
          .replace(/\^\{\}$/, ''),
      )
      .filter((t): t is string => Boolean(t)),
  );
  const fresh = actions.filter((a) => !remoteTags.has(a.tag));
  if (fresh.length === 0) {
    log(`Every action version already has its tag on ${remote}; nothing to release on ${branch}.`);
    return;
  }
  log(`New action versions: ${fresh.map((a) => a.tag).join(', ')}`);

  turboBuild('./actions/*');

  const files = ['LICENSE'];
  for (const a of actions) {
    const dir = join(root, 'actions', a.folder);
    const dist = filesUnder(join(dir, 'dist'));
    if (dist.length === 0) fail(`actions/${a.folder} has no dist/ after the build`);
    for (const name of ['action.yml', 'README.md', 'CHANGELOG.md']) {
      if (existsSync(join(dir, name))) files.push(`actions/${a.folder}/${name}`);
    }
    files.push(...dist);
  }
  for (const f of files) {
    if (!existsSync(join(root, f)) || !statSync(join(root, f)).isFile()) fail(`${f} is missing`);
  }

  const source = run('git', ['rev-parse', 'HEAD']).trim();
  const work = mkdtempSync(join(tmpdir(), 'berth-release-'));
  try {
    // A separate index: main's index and working tree are never touched.
    const env = { GIT_INDEX_FILE: join(work, 'index') };
    const readme = join(work, 'README.md');
    writeFileSync(readme, branchReadme(actions, `main at ${source}`));
    const entries = [
      ...files.map((f) => ({ path: f, file: join(root, f) })),
      { path: 'README.md', file: readme },
    ];
    const blobs = run('git', ['hash-object', '-w', '--stdin-paths', '--no-filters'], {
      input: `${entries.map((e) => e.file).join('\n')}\n`,
    })
      .trim()
      .split('\n');
    const indexInfo = entries.map((e, i) => `100644 ${blobs[i]}\t${e.path}`).join('\n');
    run('git', ['update-index', '--add', '--index-info'], { env, input: `${indexInfo}\n` });
    const tree = run('git', ['write-tree'], { env }).trim();

    // The branch's own history: the new commit's parent is the branch head, so the push is
    // a fast-forward. A head that still carries .github/ (the old layout) is not built on:
    // a commit removing workflow files counts as changing them, which GITHUB_TOKEN may not.
    const fetched = tryRun('git', [
      'fetch',
      '--quiet',
      remote,
      `+refs/heads/${branch}:refs/berth-release/${branch}`,
    ]);
    let parent: string | undefined;
    let head: string | undefined;
    if (fetched.status === 0) {
      head = run('git', ['rev-parse', `refs/berth-release/${branch}`]).trim();
      const oldLayout = tryRun('git', ['cat-file', '-e', `${head}:.github`]).status === 0;
      parent = oldLayout ? undefined : head;
      if (oldLayout)
        log(`${remote}/${branch} has the old layout (.github/); starting a new history`);
    }
    const message = [
      `Release actions from ${source.slice(0, 12)}`,
      '',
      ...actions.map((a) => `${a.folder} ${a.version}`),
      '',
    ].join('\n');
    const commit = run('git', ['commit-tree', tree, ...(parent ? ['-p', parent] : [])], {
      input: message,
    }).trim();
    // Replacing an old-layout head: only if nobody moved it since it was fetched.
    const lease = head && !parent ? [`--force-with-lease=refs/heads/${branch}:${head}`] : [];
    run('git', ['push', '--quiet', ...lease, remote, `${commit}:refs/heads/${branch}`]);
    log(`Pushed ${branch} at ${commit.slice(0, 12)} (tree ${tree.slice(0, 12)})`);
    for (const a of fresh) {
      run('git', ['tag', '--force', a.tag, commit]);
      run('git', ['push', '--quiet', remote, `refs/tags/${a.tag}`]);
      log(`New action tag: ${a.tag}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    tryRun('git', ['update-ref', '-d', `refs/berth-release/${branch}`]);
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'publish') publish();
else if (command === 'actions') releaseActions(rest);
else {
  process.stderr.write(
    'usage: node scripts/release/release.ts publish | actions [--remote origin] [--branch v1]\n',
  );
  process.exit(2);
}
