import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HealthchecksServer, startHealthchecksServer } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

// Issue 19: `heartbeat sync`, against the test kit's Healthchecks server.

let hc: HealthchecksServer;
let env: NodeJS.ProcessEnv;
let dir: string;
beforeEach(async () => {
  hc = await startHealthchecksServer();
  env = { HC_API_KEY: hc.apiKey, HC_API_URL: hc.url };
  dir = mkdtempSync(join(tmpdir(), 'heartbeat-sync-'));
});
afterEach(async () => {
  await hc.close();
  rmSync(dir, { recursive: true, force: true });
});

const EXAMPLE = `# heartbeat.yml
defaults: { tz: Europe/Berlin, grace: 15m, channels: "*", tags: [prod] }
checks:
  nightly-backup:   { schedule: "0 3 * * *", desc: "pg_dump to S3" }
  invoice-run:      { schedule: "OnCalendar=Mon..Fri 08:00", grace: 1h, tags: [billing] }
  queue-drain:      { timeout: 5m, grace: 2m, channels: [Ops email] }
`;

function file(text: string): string {
  const path = join(dir, `heartbeat-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(path, text);
  return path;
}

function sync(path: string, ...args: string[]) {
  return runCli(['sync', '--file', path, ...args], { env });
}

describe('heartbeat sync', () => {
  it('plans and creates the checks of the file, then a second run changes nothing', async () => {
    const path = file(EXAMPLE);
    const first = await sync(path);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^plan: 3 to create, 0 to update, 0 to delete, 0 unchanged$/m);
    expect(first.stdout).toMatch(/^\+ create nightly-backup$/m);
    expect(first.stdout).toMatch(/^ {4}schedule: 0 3 \* \* \*$/m);
    expect(first.stderr).toMatch(/synced: 3 changes applied/);
    const bySlug = (slug: string) => hc.checks.find((c) => c.slug === slug);
    const [email, slack] = hc.channels;
    expect(bySlug('nightly-backup')).toMatchObject({
      name: 'nightly-backup',
      kind: 'cron',
      schedule: '0 3 * * *',
      tz: 'Europe/Berlin',
      grace: 900,
      desc: 'pg_dump to S3',
      tags: 'prod managed-by:heartbeat-sync',
    });
    expect(bySlug('nightly-backup')?.channels.sort()).toEqual([email?.id, slack?.id].sort());
    expect(bySlug('invoice-run')).toMatchObject({
      kind: 'oncalendar',
      schedule: 'Mon..Fri 08:00',
      grace: 3600,
      tags: 'prod billing managed-by:heartbeat-sync',
    });
    expect(bySlug('queue-drain')).toMatchObject({ kind: 'simple', timeout: 300, grace: 120 });
    expect(bySlug('queue-drain')?.channels).toEqual([email?.id]);
    // Creates carry unique: [slug], so a retried create never makes a duplicate.
    const creates = hc.writeRequests().map((r) => JSON.parse(r.body).unique);
    expect(creates).toEqual([['slug'], ['slug'], ['slug']]);

    const writes = hc.writeRequests().length;
    const again = await sync(path);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^plan: 0 to create, 0 to update, 0 to delete, 3 unchanged$/m);
    expect(again.stderr).toMatch(/in sync: nothing to change/);
    expect(hc.writeRequests()).toHaveLength(writes);
    expect(hc.checks).toHaveLength(3);
  });

  it('updates only the fields that differ, and shows them', async () => {
    await sync(file(EXAMPLE));
    const writes = hc.writeRequests().length;
    const changed = EXAMPLE.replace('grace: 15m', 'grace: 30m').replace(
      '"0 3 * * *"',
      '"30 2 * * *"',
    );
    const r = await sync(file(changed));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^plan: 0 to create, 1 to update, 0 to delete, 2 unchanged$/m);
    expect(r.stdout).toMatch(/^~ update nightly-backup \(\*+[0-9a-f]{4}\)$/m);
    expect(r.stdout).toMatch(/^ {4}schedule: 0 3 \* \* \* -> 30 2 \* \* \*$/m);
    expect(r.stdout).toMatch(/^ {4}grace: 900 -> 1800$/m);
    expect(r.stdout).toMatch(/^= unchanged invoice-run/m);
    const sent = hc.writeRequests().slice(writes);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({
      schedule: '30 2 * * *',
      tz: 'Europe/Berlin',
      grace: 1800,
    });
    for (const c of hc.checks) expect(r.stdout).not.toContain(c.uuid);
  });

  it('--dry-run prints the plan and makes no write call', async () => {
    const r = await sync(file(EXAMPLE), '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/plan: 3 to create/);
    expect(r.stderr).toMatch(/dry run: nothing was changed/);
    expect(hc.writeRequests()).toHaveLength(0);
  });

  // Many CLI runs one after another: slow on a loaded machine, whatever the code does.
  it('--prune deletes managed checks no longer in the file, never hand-made ones', {
    timeout: 90_000,
  }, async () => {
    hc.addCheck({ name: 'made by hand', slug: 'by-hand', tags: 'prod' });
    await sync(file(EXAMPLE));
    const smaller = EXAMPLE.split('\n')
      .filter((l) => !l.includes('queue-drain'))
      .join('\n');
    const kept = await sync(file(smaller));
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(
      /note: 1 managed check is no longer in the file and kept .*queue-drain/,
    );
    expect(hc.checks.map((c) => c.slug).sort()).toContain('queue-drain');
    const pruned = await sync(file(smaller), '--prune', '--json');
    expect(pruned.code, pruned.stderr).toBe(0);
    const out = JSON.parse(pruned.stdout);
    expect(out).toMatchObject({
      dryRun: false,
      prune: true,
      applied: true,
      counts: { create: 0, update: 0, delete: 1, unchanged: 2 },
    });
    expect(out.steps.find((s: { action: string }) => s.action === 'delete')).toMatchObject({
      slug: 'queue-drain',
      uuid: expect.stringMatching(/^\*+[0-9a-f]{4}$/),
    });
    expect(hc.checks.map((c) => c.slug).sort()).toEqual([
      'by-hand',
      'invoice-run',
      'nightly-backup',
    ]);
  });

  // Many CLI runs one after another: slow on a loaded machine, whatever the code does.
  it('refuses a bad file before any request, naming every check and field (exit 2)', {
    timeout: 90_000,
  }, async () => {
    const bad = `defaults: { tz: Mars/Base, grace: 30s }
checks:
  backup: { schedule: "61 * * * *" }
  report: { timeout: 400d, schedule: "0 3 * * *" }
  weekly: { schedule: "OnCalendar=Someday 25:00" }
  Bad_Slug: {}
  typo: { grase: 1h, channels: 5 }
`;
    const r = await sync(file(bad));
    expect(r.code).toBe(2);
    for (const line of [
      /defaults\.tz: "Mars\/Base" is not an IANA time zone/,
      /defaults\.grace: 30s is out of range; it must be from 1m \(60 s\) to 365d/,
      /checks\.backup\.schedule: minute "61": "61" is not a value \(0-59\)/,
      /checks\.report\.timeout: 400d is out of range/,
      /checks\.report: give timeout .* not both/,
      /checks\.weekly\.schedule: "Someday 25:00" is not an OnCalendar expression/,
      /checks\.Bad_Slug: the key is the check's slug/,
      /checks\.typo\.grase: unknown field/,
      /checks\.typo\.channels: must be "\*"/,
    ]) {
      expect(r.stderr).toMatch(line);
    }
    expect(hc.requests).toHaveLength(0);
    const yaml = await sync(file('checks:\n  a: { timeout: 5m\n'));
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toMatch(/not valid YAML/);
    const missing = await sync(join(dir, 'nope.yml'));
    expect(missing.code).toBe(2);
    expect(hc.requests).toHaveLength(0);
  });

  it('resolves channels by name; an unknown name fails before any write (exit 2)', async () => {
    const r = await sync(file('checks:\n  a: { channels: [Ops email, Pager] }\n'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/checks\.a\.channels: no channel named "Pager" in the project/);
    expect(hc.writeRequests()).toHaveLength(0);
    expect(hc.requests.map((q) => q.url).sort()).toEqual(['/api/v3/channels/', '/api/v3/checks/']);
  });

  it('reports API failures with exit 1, the key masked', async () => {
    const r = await runCli(['sync', '--file', file(EXAMPLE)], {
      env: { ...env, HC_API_KEY: `hcw_${'k'.repeat(28)}` },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wrong api key/);
    expect(r.stderr).not.toContain('k'.repeat(28));
  });
});

describe('examples/heartbeat.yml', () => {
  it('is a valid file whose plan creates its checks', async () => {
    const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'heartbeat.yml');
    const r = await runCli(['sync', '--file', example, '--dry-run', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.counts).toEqual({ create: 3, update: 0, delete: 0, unchanged: 0 });
    expect(hc.writeRequests()).toHaveLength(0);
  });
});
