import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HealthchecksServer, startHealthchecksServer } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

let hc: HealthchecksServer;
beforeEach(async () => {
  hc = await startHealthchecksServer({ pingBodyLimit: 100 });
});
afterEach(() => hc.close());

describe('heartbeat ping', () => {
  it('start prints the run id; the final ping takes it with --rid', async () => {
    const check = hc.addCheck();
    const url = hc.pingUrlOf(check);
    const start = await runCli(['ping', 'start', '--ping-url', url]);
    expect(start.code).toBe(0);
    const rid = start.stdout.trim();
    expect(rid).toMatch(/^[0-9a-f-]{36}$/);
    const done = await runCli([
      'ping',
      '0',
      '--ping-url',
      url,
      '--rid',
      rid,
      '--body',
      'backup ok',
    ]);
    expect(done.code).toBe(0);
    expect(done.stdout).toBe('');
    expect(check.pings.map((p) => [p.kind, p.rid, p.body.toString()])).toEqual([
      ['start', rid, ''],
      ['success', rid, 'backup ok'],
    ]);
  });

  it('sends success, fail and log, with bodies from a file or stdin, fitted to the limit', async () => {
    const check = hc.addCheck();
    const env = { HC_PING_URL: hc.pingUrlOf(check) };
    const file = join(tmpdir(), `heartbeat-body-${process.pid}.txt`);
    writeFileSync(file, `${'x'.repeat(500)}\nfinal words\n`);
    expect((await runCli(['ping', 'success'], { env })).code).toBe(0);
    // a one-shot ping does not know the server's limit: without --body-limit the server cuts
    expect(
      (await runCli(['ping', 'fail', '--body-file', file, '--body-limit', '100'], { env })).code,
    ).toBe(0);
    expect(
      (await runCli(['ping', 'log', '--body-file', '-'], { env, input: 'from stdin' })).code,
    ).toBe(0);
    expect(check.pings.map((p) => p.kind)).toEqual(['success', 'fail', 'log']);
    expect(check.pings[1]?.receivedBytes).toBeLessThanOrEqual(100);
    expect(check.pings[1]?.body.toString()).toMatch(/cut\]\nfinal words\n$/);
    expect(check.pings[2]?.body.toString()).toBe('from stdin');
  });

  it('prints the result with --json and exits 1 when the ping is refused', async () => {
    const uuid = '0b8a8a3c-8c2e-4d2b-9d5e-9c8f9a6b1c2d';
    const r = await runCli([
      'ping',
      'success',
      '--uuid',
      uuid,
      '--base-url',
      hc.pingBase,
      '--json',
    ]);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({
      ok: false,
      status: 404,
      text: 'not found',
      attempts: 1,
      kind: 'success',
    });
    expect(r.stdout + r.stderr).not.toContain(uuid);
    expect(r.stderr).toMatch(/warning: ping success to .*\*+1c2d failed: HTTP 404/);
  });

  // Many CLI runs one after another: slow on a loaded machine, whatever the code does.
  it('refuses a bad kind, two bodies, or a bad run id (exit 2)', { timeout: 90_000 }, async () => {
    const env = { HC_PING_URL: hc.pingUrlOf(hc.addCheck()) };
    for (const [args, message] of [
      [['ping', '256'], /not a ping kind/],
      [['ping', 'done'], /not a ping kind/],
      [['ping', 'log', '--body', 'a', '--body-file', 'b'], /not both/],
      [['ping', 'fail', '--rid', 'run-1'], /not a UUID/],
      [['ping', 'log', '--body-file', '/nonexistent/file'], /cannot read/],
      [['ping'], /missing the ping kind/],
      [['ping', 'log', '--uuid', 'nope'], /not a UUID/],
    ] as [string[], RegExp][]) {
      const r = await runCli(args, { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/warning/);
    }
  });
});
