import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  type HealthchecksServer,
  runAction,
  startHealthchecksServer,
} from '@berth/testkit';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const actionDir = join(import.meta.dirname, '..');
let hc: HealthchecksServer;

beforeAll(() => {
  if (!existsSync(join(actionDir, 'dist', 'index.mjs'))) {
    throw new Error(
      'dist/index.mjs is missing: run pnpm --filter @berth/action-heartbeat build first',
    );
  }
});
beforeEach(async () => {
  hc = await startHealthchecksServer({ pingBodyLimit: 5_000 });
});
afterEach(() => hc.close());

describe('heartbeat action (action.yml, as the runner runs it)', () => {
  it('mode run: runs the command under heartbeat run and reports ok', async () => {
    const check = hc.addCheck({ name: 'nightly' });
    const run = await runAction(actionDir, {
      inputs: { command: 'echo "rows: 42"\necho done >&2', 'ping-url': hc.pingUrlOf(check) },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ ok: 'true', status: '200', 'exit-code': '0' });
    expect(run.outputs['run-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.steps.find((s) => s.kind === 'uses')?.skipped).toBe(true);
    expect(check.pings.map((p) => [p.kind, p.rid])).toEqual([
      ['start', run.outputs['run-id']],
      ['success', run.outputs['run-id']],
    ]);
    expect(check.pings[1]?.body.toString()).toBe('rows: 42\ndone\n');
    expect(run.stdout).toContain('rows: 42');
    expect(run.summary).toMatch(/✅ exit status 0 ping to .*\*+[0-9a-f]{4}: HTTP 200 OK/);
    expect(run.masks).toEqual(expect.arrayContaining([hc.pingUrlOf(check), check.uuid]));
    const shown = run.stdout.replace(/^::add-mask::.*$/gm, '') + run.stderr + run.summary;
    expect(shown).not.toContain(check.uuid);
  });

  it('mode run: a failing command fails the step with its code, under pipefail', async () => {
    const check = hc.addCheck();
    const run = await runAction(actionDir, {
      inputs: { command: 'false | cat\necho unreachable', 'ping-url': hc.pingUrlOf(check) },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ ok: 'true', 'exit-code': '1' });
    expect(check.pings.at(-1)).toMatchObject({ kind: 'fail', exitStatus: 1 });
    expect(run.stdout).not.toContain('unreachable');
    expect(run.stdout).toContain('::error::the command failed with exit code 1');
  });

  it('mode start then finish: the final ping follows the job status, with the same run id', async () => {
    const env = { HC_PING_URL: '', GITHUB_WORKFLOW: 'Nightly backup', GITHUB_RUN_NUMBER: '7' };
    const check = hc.addCheck();
    const start = await runAction(actionDir, {
      inputs: { mode: 'start', 'ping-url': hc.pingUrlOf(check) },
      env,
    });
    expect(start.exitCode).toBe(0);
    expect(start.outputs.ok).toBe('true');
    const rid = start.exportedEnv.HEARTBEAT_RUN_ID;
    expect(rid).toBe(start.outputs['run-id']);
    const finish = await runAction(actionDir, {
      inputs: { mode: 'finish', status: 'failure', 'ping-url': hc.pingUrlOf(check) },
      env: { ...env, HEARTBEAT_RUN_ID: rid as string },
    });
    expect(finish.exitCode).toBe(0);
    expect(finish.outputs).toMatchObject({ ok: 'true', status: '200', 'run-id': rid });
    expect(check.pings.map((p) => [p.kind, p.rid])).toEqual([
      ['start', rid],
      ['fail', rid],
    ]);
    expect(check.pings[1]?.body.toString()).toMatch(
      /^job failure: Nightly backup #7 https:\/\/github.com\/berth-dev\/demo\/actions\/runs\/1234567890/,
    );
  });

  it('mode finish with success pings success; cancelled pings fail', async () => {
    const check = hc.addCheck();
    for (const status of ['success', 'cancelled']) {
      const run = await runAction(actionDir, {
        inputs: { mode: 'finish', status, uuid: check.uuid, 'base-url': hc.pingBase },
      });
      expect(run.exitCode).toBe(0);
    }
    expect(check.pings.map((p) => p.kind)).toEqual(['success', 'fail']);
  });

  it('pings by slug with create, reading the ping key from the environment', async () => {
    const run = await runAction(actionDir, {
      inputs: { mode: 'start', slug: 'weekly-report', create: 'true', 'base-url': hc.pingBase },
      env: { HC_PING_KEY: hc.pingKey },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.status).toBe('201');
    expect(hc.checks.find((c) => c.slug === 'weekly-report')?.pings).toHaveLength(1);
    expect(run.masks).toContain(hc.pingKey);
  });

  it('ping problems are warnings, unless fail-on-ping-error', async () => {
    const url = `http://127.0.0.1:${await freePort()}/ping/${hc.addCheck().uuid}`;
    const soft = await runAction(actionDir, {
      inputs: { command: 'true', 'ping-url': url, retries: '0' },
    });
    expect(soft.exitCode).toBe(0);
    expect(soft.outputs).toMatchObject({ ok: 'false', status: '0', 'exit-code': '0' });
    expect(soft.stdout).toMatch(/::warning::ping start to .* failed: ECONNREFUSED/);
    const strict = await runAction(actionDir, {
      inputs: { mode: 'start', 'ping-url': url, retries: '0', 'fail-on-ping-error': 'true' },
    });
    expect(strict.exitCode).toBe(1);
  });

  // Several action runs one after another: slow on a loaded machine.
  it('mode sync: makes the checks match the file, with the plan in the job summary', {
    timeout: 90_000,
  }, async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'heartbeat-action-sync-'));
    writeFileSync(
      join(workspace, 'heartbeat.yml'),
      'defaults: { grace: 15m, channels: "*" }\nchecks:\n  nightly-backup: { schedule: "0 3 * * *", tz: Europe/Berlin }\n  queue-drain: { timeout: 5m }\n',
    );
    const inputs = { mode: 'sync', 'api-key': hc.apiKey, 'api-url': hc.url };
    const dry = await runAction(actionDir, {
      inputs: { ...inputs, 'dry-run': 'true' },
      cwd: workspace,
    });
    expect(dry.exitCode, dry.stdout).toBe(0);
    expect(dry.outputs).toMatchObject({ created: '2', changed: 'true' });
    expect(hc.checks).toHaveLength(0);
    const run = await runAction(actionDir, { inputs, cwd: workspace });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      created: '2',
      updated: '0',
      deleted: '0',
      changed: 'true',
    });
    expect(run.summary).toMatch(/\*\*Heartbeat sync\*\* of `heartbeat.yml`: 2 to create/);
    expect(run.summary).toMatch(/\| create \| `nightly-backup` \| .*schedule `0 3 \* \* \*`/);
    expect(run.masks).toContain(hc.apiKey);
    expect(hc.checks.map((c) => c.slug).sort()).toEqual(['nightly-backup', 'queue-drain']);
    const again = await runAction(actionDir, { inputs, cwd: workspace });
    expect(again.outputs).toMatchObject({ unchanged: '2', changed: 'false' });
    const bad = await runAction(actionDir, {
      inputs: { ...inputs, file: 'missing.yml' },
      cwd: workspace,
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(/::error::input "file": cannot read missing.yml/);
  });

  // Several action runs one after another: slow on a loaded machine.
  it('refuses bad inputs with an error annotation and sends nothing', {
    timeout: 90_000,
  }, async () => {
    const check = hc.addCheck();
    const url = hc.pingUrlOf(check);
    for (const [inputs, message] of [
      [{ 'ping-url': url }, /nothing to do/],
      [{ mode: 'restart', 'ping-url': url }, /must be run, start, finish or sync/],
      [{ mode: 'finish', 'ping-url': url }, /needs input "status"/],
      [{ mode: 'finish', status: 'skipped', 'ping-url': url }, /success, failure or cancelled/],
      [{ mode: 'start', command: 'true', 'ping-url': url }, /only for mode run/],
      [{ command: 'true' }, /no check to ping/],
      [{ command: 'true', 'ping-url': url, timeout: '10' }, /add a unit/],
      [{ command: 'true', 'ping-url': url, retries: 'lots' }, /input "retries"/],
    ] as [Record<string, string>, RegExp][]) {
      const run = await runAction(actionDir, { inputs, env: { HC_PING_URL: '' } });
      expect(run.exitCode, JSON.stringify(inputs)).toBe(1);
      expect(run.stdout).toMatch(message);
    }
    expect(check.pings).toHaveLength(0);
  });
});
