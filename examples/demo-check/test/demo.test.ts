import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_SECRET_VALUE } from '../../../packages/testkit/src/seed.ts';

const root = resolve(import.meta.dirname, '../../..');

interface DemoReport {
  ok: boolean;
  durationMs: number;
  steps: { n: number; title: string; ok: boolean; durationMs: number; error?: string }[];
  leftovers: Record<string, string[]> | null;
}

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
  report: DemoReport | undefined;
}

/**
 * Runs the demo as `npm run demo` does after set-up, with a JSON report on the side.
 * `onOutput` sees stdout as it grows and may signal the process.
 */
async function runDemo(
  options: {
    env?: NodeJS.ProcessEnv;
    onOutput?: (stdout: string, child: ChildProcessWithoutNullStreams) => void;
  } = {},
): Promise<DemoRun> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-demo-check-'));
  try {
    const reportFile = join(dir, 'report.json');
    const child = spawn(process.execPath, ['scripts/demo/main.ts', '--report', reportFile], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      options.onOutput?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((done) => child.once('close', done));
    const report = await readFile(reportFile, 'utf8').then(
      (text) => JSON.parse(text) as DemoReport,
      () => undefined,
    );
    return { code, stdout, stderr, report };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Whether something still answers HTTP at `url`. */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

const motoUrl = (stdout: string) =>
  /moto_server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];

describe('npm run demo', () => {
  let run: DemoRun;
  let report: DemoReport;
  beforeAll(async () => {
    run = await runDemo();
    if (!run.report) {
      throw new Error(`the demo wrote no report (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
    }
    report = run.report;
    // Speed is not asserted (tests never assert on wall-clock time); it is printed.
    process.stdout.write(`demo took ${(report.durationMs / 1000).toFixed(1)}s\n`);
  }, 300_000);
  afterAll(() => {
    if (run && run.code !== 0) process.stdout.write(`${run.stdout}\n${run.stderr}\n`);
  });

  it('runs all seven steps and exits 0', () => {
    const failed = report.steps.find((s) => !s.ok);
    expect(failed?.error ?? '', `step ${failed?.n} failed`).toBe('');
    expect(report.steps.map((s) => s.n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
  });

  it('leaves nothing behind beyond the seeded account', () => {
    expect(report.leftovers).toEqual({
      targetGroups: [],
      rules: [],
      services: [],
      dnsRecords: [],
      taskDefinitionFamilies: [],
      ingressRules: [],
    });
    expect(run.stdout).toContain('Nothing left: the account is exactly as seeded.');
  });

  it('stops its emulator at the end', async () => {
    const url = motoUrl(run.stdout);
    expect(url).toBeDefined();
    expect(await answers(`${url}/moto-api/`)).toBe(false);
  });

  it('shows the commands as a user types them, with numbered steps', () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7]) expect(run.stdout).toContain(`[${n}/7]`);
    for (const command of [
      '$ semver-timestamp',
      '$ preview-env create 42 --image',
      '$ preview-env ls',
      '$ ecs-rollback history',
      '$ ecs-rollback --cluster dev --service',
      '$ secrets-env ecs-secrets --secret app/dev',
      '$ secrets-env exec --secret app/dev',
      '$ sg-ip-window exec',
      '$ heartbeat run',
      '$ preview-env delete 42',
      '$ preview-env sweep',
    ]) {
      expect(run.stdout).toContain(command);
    }
    expect(run.stdout).toContain('https://pr-42.preview.example.com');
  });

  it('shows sleep and wake, and a protected preview whose predeploy hook runs first', () => {
    for (const command of [
      '$ preview-env sleep 42',
      '$ preview-env wake 42',
      '$ preview-env create 43 --image',
      '$ preview-env delete 43',
    ]) {
      expect(run.stdout).toContain(command);
    }
    expect(run.stdout).toMatch(
      /predeploy hook: task \S+ ran `npm run migrate` and exited 0, before the service was created/,
    );
  });

  it('rolls back only after ECR confirms the target image exists', () => {
    expect(run.stdout).toMatch(/pushed \S+:\S+ to ECR/);
    expect(run.stdout).toMatch(/image web: present: tag \S+ exists in 123456789012\/app/);
  });

  it('never prints a secret value', () => {
    for (const value of Object.values(SEED_SECRET_VALUE)) {
      expect(run.stdout).not.toContain(value);
      expect(run.stderr).not.toContain(value);
    }
  });
});

describe('npm run demo when things go wrong', () => {
  it('a failing step exits 1, names the step, and stops the emulator', async () => {
    const failed = await runDemo({ env: { BERTH_DEMO_FAIL_STEP: '2' } });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(
      'step 2 (Preview environment for pull request 42: create, list, update) failed',
    );
    expect(failed.report?.ok).toBe(false);
    expect(failed.report?.steps.map((s) => s.ok)).toEqual([true, false]);
    expect(await answers(`${motoUrl(failed.stdout)}/moto-api/`)).toBe(false);
  }, 300_000);

  it('Ctrl-C stops the running command, the Healthchecks server and the emulator', async () => {
    let hcUrl: string | undefined;
    const interrupted = await runDemo({
      onOutput: (stdout, child) => {
        const found = /Healthchecks-compatible server on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (found && !hcUrl) {
          hcUrl = found[1];
          child.kill('SIGINT');
        }
      },
    });
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('SIGINT: stopping the running command and the emulator');
    expect(interrupted.stderr).toContain('demo: stopped; the emulator is gone.');
    expect(interrupted.stdout).not.toContain('Demo failed');
    expect(hcUrl).toBeDefined();
    expect(await answers(`${hcUrl}/api/v3/checks/`)).toBe(false);
    expect(await answers(`${motoUrl(interrupted.stdout)}/moto-api/`)).toBe(false);
  }, 300_000);
});
