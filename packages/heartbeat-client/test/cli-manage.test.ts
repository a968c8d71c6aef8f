import { type HealthchecksServer, startHealthchecksServer } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

let hc: HealthchecksServer;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  hc = await startHealthchecksServer();
  env = { HC_API_KEY: hc.apiKey, HC_API_URL: hc.url };
});
afterEach(() => hc.close());

function noSecrets(text: string) {
  expect(text).not.toContain(hc.apiKey);
  for (const c of hc.checks) expect(text).not.toContain(c.uuid);
}

describe('heartbeat register / deregister / ls', () => {
  it('register creates, then updates, and prints the ping URL', async () => {
    const args = [
      'register',
      '--name',
      'worker 1',
      '--slug',
      'worker-1',
      '--tags',
      'worker prod',
      '--timeout',
      '5m',
      '--grace',
      '2m',
      '--channels',
      '*',
    ];
    const first = await runCli(args, { env });
    expect(first.code).toBe(0);
    const check = hc.checks[0];
    expect(first.stdout).toBe(`${hc.pingUrlOf(check?.uuid as string)}\n`);
    expect(first.stderr).toMatch(/created check "worker 1" \(uuid \*+[0-9a-f]{4}\)/);
    expect(check).toMatchObject({ tags: 'worker prod', timeout: 300, grace: 120 });
    expect(check?.channels).toHaveLength(2);
    const again = await runCli([...args.slice(0, -4), '--grace', '1h'], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/updated check/);
    expect(again.stdout).toBe(first.stdout);
    expect(hc.checks).toHaveLength(1);
    expect(hc.checks[0]?.grace).toBe(3600);
    noSecrets(first.stderr + again.stderr);
  });

  it('register --json shows the ping URL asked for, and masks the rest', async () => {
    const r = await runCli(
      [
        'register',
        '--name',
        'nightly',
        '--schedule',
        '0 3 * * *',
        '--tz',
        'Europe/Berlin',
        '--unique',
        'name',
        '--json',
      ],
      { env },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const uuid = hc.checks[0]?.uuid as string;
    expect(out.created).toBe(true);
    expect(out.pingUrl).toBe(hc.pingUrlOf(uuid));
    expect(out.check).toMatchObject({
      name: 'nightly',
      schedule: '0 3 * * *',
      tz: 'Europe/Berlin',
    });
    expect(JSON.stringify(out.check)).not.toContain(uuid);
    expect(out.check.uuid).toBe(`********${uuid.slice(-4)}`);
  });

  it('ls lists checks by tag as a table or JSON, UUIDs masked', async () => {
    hc.addCheck({ name: 'api backup', slug: 'api-backup', tags: 'prod db', timeout: 86_400 });
    hc.addCheck({
      name: 'staging',
      tags: 'staging',
      kind: 'cron',
      schedule: '*/5 * * * *',
      tz: 'UTC',
    });
    const table = await runCli(['ls', '--tag', 'prod'], { env });
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SLUG\s+STATUS\s+PERIOD\s+LAST PING\s+UUID\s+TAGS$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^api backup\s+api-backup\s+new\s+every 1d\s+never\s+\*+[0-9a-f]{4}\s+prod db$/,
    );
    const json = await runCli(['ls', '--json'], { env });
    const list = JSON.parse(json.stdout);
    expect(list.map((c: { name: string }) => c.name)).toEqual(['api backup', 'staging']);
    noSecrets(table.stdout + json.stdout);
  });

  it('deregister deletes, and a missing check is exit 0 with a note', async () => {
    hc.addCheck({ name: 'w', slug: 'w-1' });
    const r = await runCli(['deregister', '--slug', 'w-1'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/deleted check "w"/);
    expect(hc.checks).toHaveLength(0);
    const again = await runCli(['deregister', '--slug', 'w-1'], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/no check with slug "w-1": nothing to delete/);
    const byUuid = await runCli(
      ['deregister', '--uuid', '0b8a8a3c-8c2e-4d2b-9d5e-9c8f9a6b1c2d', '--json'],
      { env },
    );
    expect(byUuid.code).toBe(0);
    expect(JSON.parse(byUuid.stdout)).toEqual({ missing: true, deleted: [] });
    expect(byUuid.stderr).not.toContain('0b8a8a3c-8c2e-4d2b-9d5e-9c8f9a6b1c2d');
  });

  it('deregister of an ambiguous name fails (exit 1) unless --all', async () => {
    hc.addCheck({ name: 'dup' });
    hc.addCheck({ name: 'dup' });
    const r = await runCli(['deregister', '--name', 'dup'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/matches 2 checks/);
    expect((await runCli(['deregister', '--name', 'dup', '--all'], { env })).code).toBe(0);
    expect(hc.checks).toHaveLength(0);
  });

  // Many CLI runs one after another: slow on a loaded machine, whatever the code does.
  it('reports API refusals without the key, and usage errors with exit 2', {
    timeout: 90_000,
  }, async () => {
    const wrong = await runCli(['ls'], { env: { ...env, HC_API_KEY: `hcw_${'q'.repeat(28)}` } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/was refused \(wrong api key\)/);
    expect(wrong.stderr).not.toContain('q'.repeat(28));
    const limit = await startHealthchecksServer({ checkLimit: 0 });
    const full = await runCli(['register', '--name', 'x'], {
      env: { HC_API_KEY: limit.apiKey, HC_API_URL: limit.apiUrl },
    });
    await limit.close();
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/check limit is reached/);
    const invalid = await runCli(
      ['register', '--name', 'x', '--schedule', '0 3 * * *', '--tz', 'Mars/Base'],
      { env },
    );
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/tz is not a valid timezone/);
    for (const [args, message, e] of [
      [['ls'], /set HC_API_KEY/, {}],
      [['register'], /missing --name: it is required/, env],
      [['register', '--name', 'x', '--timeout', '1d', '--schedule', '* * * * *'], /not both/, env],
      [['register', '--name', 'x', '--tz', 'UTC'], /add --schedule/, env],
      [['register', '--name', 'x', '--timeout', '30s'], /out of range/, env],
      [['register', '--name', 'x', '--unique', 'name,colour'], /"colour" is not one of/, env],
      [['register', '--name', 'x', '--slug', 'Bad'], /lowercase/, env],
      [['deregister'], /give --uuid, --slug or --name/, env],
      [['deregister', '--slug', 'a', '--name', 'b'], /only one of/, env],
    ] as [string[], RegExp, NodeJS.ProcessEnv][]) {
      const r = await runCli(args, { env: e });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
