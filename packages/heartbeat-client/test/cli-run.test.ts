import { existsSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type HealthchecksServer, startHealthchecksServer } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor } from './helpers.ts';

let hc: HealthchecksServer;
beforeEach(async () => {
  hc = await startHealthchecksServer({ pingBodyLimit: 1_000 });
});
afterEach(() => hc.close());

function target() {
  const check = hc.addCheck({ name: 'job' });
  return { check, url: hc.pingUrlOf(check) };
}

describe('heartbeat run', () => {
  it('pings start and the exit status with the output tail, and exits with the code', async () => {
    const { check, url } = target();
    const r = await runCli([
      'run',
      '--ping-url',
      url,
      '--',
      'sh',
      '-c',
      'echo to-stdout; echo to-stderr >&2; exit 3',
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('to-stdout\n');
    expect(r.stderr).toContain('to-stderr\n');
    expect(check.pings.map((p) => [p.kind, p.exitStatus])).toEqual([
      ['start', undefined],
      ['fail', 3],
    ]);
    expect(check.pings[0]?.rid).toBeDefined();
    expect(check.pings[1]?.rid).toBe(check.pings[0]?.rid);
    expect(check.pings[1]?.body.toString()).toBe('to-stdout\nto-stderr\n');
  });

  it('reads HC_PING_URL, and reports success with exit status 0', async () => {
    const { check, url } = target();
    const r = await runCli(['run', '--', 'true'], { env: { HC_PING_URL: url } });
    expect(r.code).toBe(0);
    expect(check.pings.map((p) => [p.kind, p.exitStatus])).toEqual([
      ['start', undefined],
      ['success', 0],
    ]);
  });

  it('pings by slug with --create', async () => {
    const r = await runCli(
      ['run', '--slug', 'etl', '--create', '--base-url', hc.pingBase, '--', 'true'],
      {
        env: { HC_PING_KEY: hc.pingKey },
      },
    );
    expect(r.code).toBe(0);
    expect(hc.checks.find((c) => c.slug === 'etl')?.pings).toHaveLength(2);
    expect(r.stderr).toBe('');
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const)(
    'forwards %s to the command and exits 128+n',
    async (signal) => {
      const { check, url } = target();
      const run = startCli([
        'run',
        '--ping-url',
        url,
        '--',
        'sh',
        '-c',
        'echo ready; exec sleep 30',
      ]);
      await waitFor(() => run.stdoutText().includes('ready'), 'the command to start');
      run.child.kill(signal);
      const r = await run.done;
      const expected = 128 + (constants.signals[signal] as number);
      expect(r.code).toBe(expected);
      expect(check.pings.at(-1)).toMatchObject({ kind: 'fail', exitStatus: expected });
    },
  );

  it('exits 127 when the command is not found, and reports it', async () => {
    const { check, url } = target();
    const r = await runCli(['run', '--ping-url', url, '--', 'no-such-command-xyz', '--flag']);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/no-such-command-xyz: command not found/);
    expect(check.pings.at(-1)).toMatchObject({ kind: 'fail', exitStatus: 127 });
    expect(check.pings.at(-1)?.body.toString()).toMatch(/command not found/);
  });

  it('passes 5 MB of output through and sends only its tail, fitted to the server limit', async () => {
    const { check, url } = target();
    const size = 5 * 1024 * 1024;
    const script = `head -c ${size} /dev/zero | tr '\\0' a; echo; echo THE-END`;
    const r = await runCli(['run', '--ping-url', url, '--', 'sh', '-c', script]);
    expect(r.code).toBe(0);
    const total = size + 1 + 'THE-END\n'.length;
    expect(r.stdoutBytes).toBe(total);
    const last = check.pings.at(-1);
    expect(last?.receivedBytes).toBeLessThanOrEqual(1_000);
    const body = last?.body.toString() ?? '';
    const m = /^\[heartbeat: (\d+) bytes of earlier output cut\]\n/.exec(body);
    expect(m).not.toBeNull();
    expect(Number(m?.[1]) + Buffer.byteLength(body) - (m?.[0].length ?? 0)).toBe(total);
    expect(body.endsWith('THE-END\n')).toBe(true);
  });

  it('sends no output with --no-output', async () => {
    const { check, url } = target();
    const r = await runCli([
      'run',
      '--no-output',
      '--ping-url',
      url,
      '--',
      'sh',
      '-c',
      'echo secret-ish; exit 1',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('secret-ish\n');
    expect(check.pings.at(-1)?.receivedBytes).toBe(0);
  });

  it('still runs the command and keeps its code when the server is down', async () => {
    const port = await freePort();
    const uuid = hc.addCheck().uuid;
    const r = await runCli([
      'run',
      '--ping-url',
      `http://127.0.0.1:${port}/ping/${uuid}`,
      '--retries',
      '1',
      '--',
      'sh',
      '-c',
      'echo worked; exit 4',
    ]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('worked\n');
    expect(r.stderr).toMatch(/warning: ping start .* failed: ECONNREFUSED/);
    expect(r.stderr).toMatch(/warning: ping exit status 4 .* failed/);
    expect(r.stderr).not.toContain(uuid);
  });

  it('finishes within its budget when the server hangs, keeping the exit code', async () => {
    const { check, url } = target();
    hc.fault({ target: 'ping', kind: 'hang' });
    const r = await runCli([
      'run',
      '--ping-url',
      url,
      '--timeout',
      '300ms',
      '--retries',
      '5',
      '--budget',
      '1s',
      '--',
      'sh',
      '-c',
      'exit 0',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: ping start/);
    expect(r.stderr).toMatch(/warning: ping exit status 0/);
    expect(check.pings).toHaveLength(0);
  });

  // Many CLI runs one after another: slow on a loaded machine, whatever the code does.
  it('refuses bad input before running anything (exit 2)', { timeout: 90_000 }, async () => {
    const marker = join(tmpdir(), `heartbeat-never-${process.pid}`);
    const cases: [string[], RegExp][] = [
      [['run', '--', 'touch', marker], /no check to ping/],
      [['run', '--ping-url', 'http://x/ping/y'], /missing the command to run/],
      [['run', '--uuid', 'nope', '--', 'true'], /not a UUID/],
      [
        ['run', '--uuid', '5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278', '--slug', 's', '--', 'true'],
        /only one of --uuid, --slug/,
      ],
      [
        [
          'run',
          '--ping-url',
          'http://x/p/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278',
          '--timeout',
          '10',
          '--',
          'true',
        ],
        /add a unit/,
      ],
      [
        [
          'run',
          '--ping-url',
          'http://x/p/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278',
          '--retries',
          'many',
          '--',
          'true',
        ],
        /--retries/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(marker)).toBe(false);
  });
});
