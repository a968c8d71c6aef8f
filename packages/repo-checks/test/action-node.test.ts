// The composite actions run on the job's own Node when it is 20 or newer and leave the job
// as they found it: the same `node`, PATH and environment for the steps after them. Each
// action runs here with its real command (not only --help) on the oldest Node it accepts -
// the machine's Node 20 when there is one - between two probe steps that record what a
// later step of the job would see. Only a job without a usable Node gets Node 24 set up.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
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
import { delimiter, join } from 'node:path';
import { type ActionRun, runAction, seedAccount, startHttpServer, useAws } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/index.ts';

const aws = useAws();

/** The oldest Node the actions accept that this machine has (Node 20 where it exists). */
function oldestNode(): string {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    const v = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (v.status === 0 && /^v20\./.test(v.stdout)) return candidate;
  }
  return process.execPath;
}
const node = oldestNode();

let tmp: string;
let jobPath: string;
/** The job's environment before the action: its PATH has only Node 20 as `node`. */
let jobEnv: NodeJS.ProcessEnv;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-action-node-'));
  const bin = join(tmp, 'bin');
  mkdirSync(bin);
  symlinkSync(node, join(bin, 'node'));
  // bash and the core utilities, without the toolchain's Node 24 or any other node.
  const nodeReal = realpathSync(node);
  const system = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(
      (dir) =>
        dir && (!existsSync(join(dir, 'node')) || realpathSync(join(dir, 'node')) === nodeReal),
    );
  jobPath = [bin, ...system].join(delimiter);
  jobEnv = { PATH: jobPath, HOME: process.env.HOME, JOB_MARKER: 'kept' };
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** What a step of the job sees: `node --version`, PATH, and every variable. */
function probe(env: NodeJS.ProcessEnv): { node: string; path: string; env: string } {
  const script = 'node --version; printf "%s\\n" "$PATH"; env | LC_ALL=C sort';
  const r = spawnSync('bash', ['--noprofile', '--norc', '-c', script], {
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
  });
  const [version = '', path = '', ...vars] = r.stdout.split('\n');
  return {
    node: version,
    path,
    // bash's own per-process variables differ between any two shells.
    env: vars.filter((line) => !/^(_|SHLVL|PWD|OLDPWD)=/.test(line)).join('\n'),
  };
}

/**
 * Runs the action between two probes, as steps of one job, and returns the run and the
 * environment the next step would get: the job's, plus what the action exported
 * (GITHUB_ENV) and prepended to PATH (GITHUB_PATH), as the runner does.
 */
async function runInJob(
  action: string,
  inputs: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
): Promise<{ run: ActionRun; before: ReturnType<typeof probe>; after: ReturnType<typeof probe> }> {
  const pathFile = join(tmp, `${action}-path`);
  writeFileSync(pathFile, '');
  const job = { ...env, ...jobEnv };
  const before = probe(job);
  const saved = process.env.PATH;
  let run: ActionRun;
  try {
    // runAction starts from process.env: the job's PATH must be the one it passes on.
    process.env.PATH = jobPath;
    run = await runAction(join(REPO_ROOT, 'actions', action), {
      inputs,
      env: { ...job, GITHUB_PATH: pathFile },
    });
  } finally {
    process.env.PATH = saved;
  }
  const added = readFileSync(pathFile, 'utf8').split('\n').filter(Boolean).reverse();
  const nextPath = [...added, job.PATH].join(delimiter);
  const after = probe({ ...job, ...run.exportedEnv, PATH: nextPath });
  return { run, before, after };
}

function expectNoSideEffects(result: Awaited<ReturnType<typeof runInJob>>): void {
  const { run, before, after } = result;
  expect(run.steps.find((s) => s.uses?.startsWith('actions/setup-node'))?.skipped).toBe(true);
  expect(run.stdout).not.toContain('setting up Node.js');
  expect(run.exportedEnv).toEqual({});
  expect(after).toEqual(before);
  expect(before.node).toBe(spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim());
}

describe(`composite actions on the job's own Node (${node})`, () => {
  it('semver-timestamp makes a version and changes nothing else', async () => {
    const result = await runInJob('semver-timestamp', { date: '2026-01-05T09:03:07Z' });
    expect(result.run.stderr).toBe('');
    expect(result.run.exitCode).toBe(0);
    expect(result.run.outputs.version).toBe('2026.105.90307');
    expectNoSideEffects(result);
  });

  it('heartbeat runs a command with its pings and changes nothing else', async () => {
    const server = await startHttpServer((_req, res) => {
      res.end('OK');
    });
    try {
      const result = await runInJob('heartbeat', {
        mode: 'run',
        command: 'echo "the job ran"',
        'ping-url': `${server.url}/ping/5f0a2f5e-9b3c-4c55-9d49-36c2a4c1e111`,
        timeout: '5s',
        retries: '0',
      });
      expect(result.run.stdout).toContain('the job ran');
      expect(result.run.stderr).not.toMatch(/error|warning/i);
      expect(result.run.exitCode).toBe(0);
      expect(result.run.outputs).toMatchObject({ ok: 'true', 'exit-code': '0' });
      expect(server.requests.map((r) => r.url)).toEqual([
        expect.stringMatching(/\/ping\/5f0a2f5e-9b3c-4c55-9d49-36c2a4c1e111\/start/),
        expect.stringMatching(/\/ping\/5f0a2f5e-9b3c-4c55-9d49-36c2a4c1e111\/0/),
      ]);
      expectNoSideEffects(result);
    } finally {
      await server.close();
    }
  });

  it('ecs-rollback and preview-env work against the emulator and change nothing else', async () => {
    const seeded = await seedAccount(aws.clientConfig);
    const config = join(tmp, 'preview-env.yml');
    writeFileSync(
      config,
      [
        `cluster: ${seeded.cluster}`,
        `referenceService: ${seeded.referenceService}`,
        `listenerArn: ${seeded.listenerArn}`,
        `domain: ${seeded.domain}`,
        `hostedZoneId: ${seeded.hostedZoneId}`,
        'namePrefix: n20',
        '',
      ].join('\n'),
    );
    const rollback = await runInJob(
      'ecs-rollback',
      {
        cluster: seeded.cluster,
        service: seeded.referenceService,
        to: 'node-20',
        register: 'true',
        // The emulator has no ECR repository for the seeded image.
        'skip-image-check': 'true',
        'no-wait': 'true',
      },
      aws.env,
    );
    // The AWS SDK's own notice that its releases from 2027 on need Node 22; nothing else.
    const otherStderr = rollback.run.stderr
      .replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?https:\/\/\S+/g, '')
      .replace(/\(Use `node --trace-warnings[^\n]*/g, '')
      .trim();
    expect(otherStderr).toBe('');
    expect(rollback.run.exitCode).toBe(0);
    expect(rollback.run.outputs).toMatchObject({ status: 'started', registered: 'true' });
    expectNoSideEffects(rollback);

    const preview = await runInJob(
      'preview-env',
      { mode: 'ls', config, 'github-token': '' },
      aws.env,
    );
    expect(preview.run.exitCode).toBe(0);
    expect(preview.run.outputs).toMatchObject({ operation: 'listed', environments: '[]' });
    expectNoSideEffects(preview);
  });
});

describe('composite actions without a usable Node', () => {
  it.each([
    ['an old Node', 'v18.20.4'],
    ['no Node at all', ''],
  ])('with %s, set Node 24 up and say so in the log', async (_what, version) => {
    // Only bash (and the fake old node): no directory with a real node on PATH.
    const bin = mkdtempSync(join(tmp, 'old-'));
    const bash = spawnSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(bash, join(bin, 'bash'));
    if (version) {
      writeFileSync(join(bin, 'node'), `#!${bash}\necho ${version}\n`);
      chmodSync(join(bin, 'node'), 0o755);
    }
    const saved = process.env.PATH;
    let run: ActionRun;
    try {
      process.env.PATH = bin;
      run = await runAction(join(REPO_ROOT, 'actions', 'semver-timestamp'), {
        inputs: { date: '2026-01-05T09:03:07Z' },
        env: { PATH: process.env.PATH },
      });
    } finally {
      process.env.PATH = saved;
    }
    expect(run.steps[0]?.outputs).toEqual({ setup: 'true' });
    const setup = run.steps.find((s) => s.uses?.startsWith('actions/setup-node'));
    expect(setup?.skipped).toBe(false);
    expect(run.stdout).toContain(
      `::notice title=Berth::No Node.js 20 or newer on PATH (found: ${version || 'none'}); setting up Node.js 24`,
    );
  });
});
