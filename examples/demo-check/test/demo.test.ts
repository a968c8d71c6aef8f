import { spawn } from 'node:child_process';
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
  report: DemoReport;
}

/** Runs the demo as `npm run demo` does after set-up, with a JSON report on the side. */
async function runDemo(): Promise<DemoRun> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-demo-check-'));
  try {
    const reportFile = join(dir, 'report.json');
    const child = spawn(process.execPath, ['scripts/demo/main.ts', '--report', reportFile], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((done) => child.once('close', done));
    const report = await readFile(reportFile, 'utf8').then(
      (text) => JSON.parse(text) as DemoReport,
      () => {
        throw new Error(`the demo wrote no report (exit ${code}):\n${stdout}\n${stderr}`);
      },
    );
    return { code, stdout, stderr, report };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('npm run demo', () => {
  let run: DemoRun;
  beforeAll(async () => {
    run = await runDemo();
    // Speed is not asserted here (tests never assert on wall-clock time); it is printed.
    process.stdout.write(`demo took ${(run.report.durationMs / 1000).toFixed(1)}s\n`);
  }, 300_000);
  afterAll(() => {
    if (run && run.code !== 0) process.stdout.write(`${run.stdout}\n${run.stderr}\n`);
  });

  it('runs all seven steps and exits 0', () => {
    const failed = run.report.steps.find((s) => !s.ok);
    expect(failed?.error ?? '', `step ${failed?.n} failed`).toBe('');
    expect(run.report.steps.map((s) => s.n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(run.code).toBe(0);
    expect(run.report.ok).toBe(true);
  });

  it('leaves nothing behind beyond the seeded account', () => {
    expect(run.report.leftovers).toEqual({
      targetGroups: [],
      rules: [],
      services: [],
      dnsRecords: [],
      taskDefinitionFamilies: [],
      ingressRules: [],
    });
    expect(run.stdout).toContain('Nothing left: the account is exactly as seeded.');
  });

  it('shows the commands as a user types them, with numbered steps', () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7]) expect(run.stdout).toContain(`[${n}/7]`);
    for (const command of [
      '$ semver-timestamp',
      '$ preview-env create 42 --image',
      '$ preview-env ls',
      '$ ecs-rollback history',
      '$ secrets-env ecs-secrets --secret app/dev',
      '$ secrets-env exec --secret app/dev',
      '$ sg-ip-window exec',
      '$ heartbeat run',
      '$ preview-env delete 42',
      '$ preview-env sweep',
    ]) {
      expect(run.stdout).toContain(command);
    }
  });

  it('never prints a secret value', () => {
    for (const value of Object.values(SEED_SECRET_VALUE)) {
      expect(run.stdout).not.toContain(value);
      expect(run.stderr).not.toContain(value);
    }
  });
});
