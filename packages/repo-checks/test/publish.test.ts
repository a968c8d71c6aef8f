// The published packages as npm will see them: the tarballs `pnpm pack` makes (with
// .pnpmfile.cjs's beforePacking, as `pnpm publish` applies it) carry LICENSE and name no
// unpublished workspace package; and a package depending on another Berth package installs
// from the two tarballs alone (no registry for @berth), the way the release publishes them.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/index.ts';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  [field: string]: unknown;
}

function manifests(): Array<{ dir: string; manifest: Manifest }> {
  const out: Array<{ dir: string; manifest: Manifest }> = [];
  for (const group of ['packages', 'actions', 'examples']) {
    for (const name of readdirSync(join(REPO_ROOT, group))) {
      try {
        const manifest = JSON.parse(
          readFileSync(join(REPO_ROOT, group, name, 'package.json'), 'utf8'),
        ) as Manifest;
        out.push({ dir: join(REPO_ROOT, group, name), manifest });
      } catch {
        // not a package
      }
    }
  }
  return out;
}
const all = manifests();
const published = all.filter((p) => p.manifest.private !== true && p.dir.includes('/packages/'));
const unpublished = new Set(
  all.filter((p) => p.manifest.private === true).map((p) => p.manifest.name),
);

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b;
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let tmp: string;
const tarballs = new Map<string, string>();

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-pack-'));
  for (const { dir, manifest } of published) {
    const packed = await run('pnpm', ['pack', '--pack-destination', tmp], dir);
    if (packed.code !== 0) throw new Error(`pnpm pack ${manifest.name}: ${packed.stderr}`);
    const file = `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`;
    tarballs.set(manifest.name, join(tmp, file));
  }
}, 300_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('published packages', () => {
  it('are the six libraries', () => {
    expect(published.map((p) => p.manifest.name).sort()).toEqual([
      '@berth/ecs-rollback',
      '@berth/heartbeat-client',
      '@berth/preview-env',
      '@berth/secrets-env-loader',
      '@berth/semver-timestamp',
      '@berth/sg-ip-window',
    ]);
  });

  it.each(published.map((p) => [p.manifest.name] as const))(
    '%s: the tarball has LICENSE and names no unpublished package',
    async (name) => {
      const tarball = tarballs.get(name)!;
      const list = await run('tar', ['-tzf', tarball], tmp);
      expect(list.stdout.split('\n')).toContain('package/LICENSE');
      const licence = await run('tar', ['-xOzf', tarball, 'package/LICENSE'], tmp);
      expect(licence.stdout).toBe(readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8'));
      const packed = JSON.parse(
        (await run('tar', ['-xOzf', tarball, 'package/package.json'], tmp)).stdout,
      ) as Record<string, Record<string, string> | undefined>;
      for (const field of [
        'dependencies',
        'devDependencies',
        'peerDependencies',
        'optionalDependencies',
      ]) {
        for (const [dep, range] of Object.entries(packed[field] ?? {})) {
          expect(unpublished.has(dep), `${field} ${dep}`).toBe(false);
          expect(range, `${field} ${dep}`).not.toMatch(/^(workspace|link|file):/);
        }
      }
    },
  );
});

describe('@berth/preview-env with @berth/secrets-env-loader', () => {
  it('installs from the two tarballs with npm, nothing of @berth from a registry', async () => {
    const dir = join(tmp, 'consumer');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'package.json'),
      '{"name":"consumer","private":true,"type":"module"}\n',
    );
    // Any @berth package npm would fetch instead of taking the tarball fails at once.
    writeFileSync(join(dir, '.npmrc'), '@berth:registry=http://127.0.0.1:9/\n');
    const env = { ...process.env, npm_config_update_notifier: 'false', NO_COLOR: '1' };
    const install = await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--ignore-scripts',
        '--loglevel=error',
        tarballs.get('@berth/secrets-env-loader')!,
        tarballs.get('@berth/preview-env')!,
      ],
      dir,
      env,
    );
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string }>;
    };
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path.includes('node_modules/@berth/')) expect(entry.resolved).toMatch(/^file:/);
    }
    const imported = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('@berth/preview-env'); console.log(typeof m === 'object');",
      ],
      dir,
      env,
    );
    expect(imported.stderr).toBe('');
    expect(imported.stdout.trim()).toBe('true');
    const version = JSON.parse(
      readFileSync(join(REPO_ROOT, 'packages/preview-env/package.json'), 'utf8'),
    ).version;
    const cli = await run(join(dir, 'node_modules/.bin/preview-env'), ['--version'], dir, env);
    expect(cli.stdout.trim()).toContain(version);
    expect(cli.code).toBe(0);
  }, 300_000);
});
