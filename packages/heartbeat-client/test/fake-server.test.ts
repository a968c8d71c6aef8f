import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HealthchecksServer, startHealthchecksServer } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The fake must answer as a real Healthchecks server does, or the integration tests prove
// nothing: it is held here to the answers of a real v3.11 server (fixtures/healthchecks-v3.11,
// recorded with curl; see its README).
const FIXTURES = join(import.meta.dirname, 'fixtures', 'healthchecks-v3.11');
function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8').trim();
}
function fixtureJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fixture(name)) as T;
}

/**
 * The shape of a JSON value: field names in order, value types, and where null: what a
 * client's types depend on. Strings, numbers and booleans become their type names.
 */
function shape(value: unknown): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, shape(v)]));
  }
  return typeof value;
}

let hc: HealthchecksServer;
beforeAll(async () => {
  hc = await startHealthchecksServer({
    pingBodyLimit: 10,
    channels: [{ id: '1da7ae34-25bd-4bf4-8386-806ebd2be306', name: 'bars-email', kind: 'email' }],
  });
});
afterAll(() => hc.close());

async function hit(path: string, init: RequestInit = {}) {
  const res = await fetch(`${hc.url}${path}`, init);
  return {
    status: res.status,
    text: await res.text(),
    type: res.headers.get('content-type') ?? '',
    limit: res.headers.get('ping-body-limit'),
  };
}

function api(path: string, init: RequestInit & { key?: string } = {}) {
  const { key, ...rest } = init;
  return hit(`/api/v3/${path}`, {
    ...rest,
    headers: { 'x-api-key': key ?? hc.apiKey, ...(rest.headers as Record<string, string>) },
  });
}

async function apiJson(path: string, init: RequestInit & { key?: string } = {}) {
  const r = await api(path, init);
  expect(r.type, `${path}: ${r.text.slice(0, 80)}`).toBe('application/json');
  return { ...r, json: JSON.parse(r.text) as Record<string, unknown> };
}

function post(body: unknown): RequestInit {
  return { method: 'POST', body: JSON.stringify(body) };
}

describe('the fake Healthchecks server answers as Healthchecks v3.11 does', () => {
  it('check fields: a cron check after pings, a new simple check, a paused one', async () => {
    const cron = await apiJson(
      'checks/',
      post({
        name: 'nightly-backup',
        slug: 'nightly-backup',
        tags: 'prod db',
        desc: 'pg_dump to S3',
        grace: 900,
        schedule: '0 3 * * *',
        tz: 'Europe/Berlin',
        channels: '*',
      }),
    );
    expect(cron.status).toBe(201);
    const uuid = cron.json.uuid as string;
    await hit(`/ping/${uuid}/fail`, { method: 'POST', body: 'x' });
    const got = await apiJson(`checks/${uuid}`);
    expect(shape(got.json)).toEqual(shape(fixtureJson('check-cron.json')));
    expect(got.json.badge_url).toMatch(/\/b\/2\/[0-9a-f-]{36}\.svg$/);
    expect(got.json.badge_url).not.toContain(uuid);

    const simple = await apiJson(
      'checks/',
      post({ name: 'queue-drain', slug: 'queue-drain', timeout: 300, grace: 120 }),
    );
    expect(shape(simple.json)).toEqual(shape(fixtureJson('check-simple-new.json')));
    const paused = await apiJson(`checks/${simple.json.uuid}/pause`, { method: 'POST' });
    expect(shape(paused.json)).toEqual(shape(fixtureJson('check-paused.json')));
    expect(paused.json.status).toBe('paused');

    const listed = await apiJson('checks/?tag=prod');
    expect(shape(listed.json)).toEqual(shape(fixtureJson('checks-list-by-tag.json')));
    const readOnly = await apiJson('checks/?slug=nightly-backup', { key: hc.readOnlyKey });
    expect(shape(readOnly.json)).toEqual(shape(fixtureJson('checks-list-readonly-key.json')));
    const [entry] = readOnly.json.checks as { unique_key: string }[];
    expect(entry?.unique_key).toBe(hc.uniqueKeyOf(uuid));
    expect(readOnly.text).not.toContain(uuid);
    const byKey = await apiJson(`checks/${entry?.unique_key}`, { key: hc.readOnlyKey });
    expect(byKey.json.name).toBe('nightly-backup');
  });

  it('pings: every field always sent, nulls where the server has none, no exit status', async () => {
    const check = hc.addCheck({ name: 'p' });
    const rid = '4f6c6a3e-8b1e-4a64-9b0e-0c5d1f2a3b4c';
    const ping = (suffix: string, init: RequestInit = {}) =>
      hit(`/ping/${check.uuid}${suffix}`, init);
    await ping(`/start?rid=${rid}`);
    await ping(`?rid=${rid}`, { method: 'POST', body: 'done' });
    await ping('/log', { method: 'POST', body: 'a log line' });
    await ping('/fail');
    await ping('', { method: 'HEAD' });
    await ping('', { method: 'HEAD' });
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]);
    expect((await ping('/3', { method: 'POST', body: binary })).status).toBe(200);
    const { json } = await apiJson(`checks/${check.uuid}/pings/`);
    expect(shape(json)).toEqual(shape(fixtureJson('pings.json')));
    const body = await fetch(`${hc.apiUrl}checks/${check.uuid}/pings/7/body`, {
      headers: { 'x-api-key': hc.apiKey },
    });
    expect(Buffer.from(await body.arrayBuffer())).toEqual(binary);
  });

  it('flips, channels, badges and status', async () => {
    const check = hc.addCheck({ name: 'f', tags: 'seed' });
    for (const s of ['', '/fail', '', '/fail']) await hit(`/ping/${check.uuid}${s}`);
    const flips = await apiJson(`checks/${check.uuid}/flips/`);
    expect(shape(flips.json)).toEqual(shape(fixtureJson('flips.json')));
    expect((flips.json.flips as { timestamp: string }[])[0]?.timestamp).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/,
    );
    const byKey = await apiJson(`checks/${hc.uniqueKeyOf(check)}/flips/`, { key: hc.readOnlyKey });
    expect(byKey.json).toEqual(flips.json);
    expect((await api(`checks/${check.uuid}/flips/?seconds=soon`)).status).toBe(400);

    const channels = await api('channels/');
    expect(JSON.parse(channels.text)).toEqual(fixtureJson('channels.json'));
    // Python's json.dumps spacing, as Django writes it.
    expect(channels.text).toMatch(/^\{"channels": \[\{"id": "/);

    const badges = await apiJson('badges/', { key: hc.readOnlyKey });
    const recorded = fixtureJson<{ badges: Record<string, unknown> }>('badges.json').badges;
    const served = badges.json.badges as Record<string, unknown>;
    expect(Object.keys(served)).toEqual(expect.arrayContaining(['seed', 'prod', 'db', '*']));
    for (const tag of Object.keys(served)) {
      expect(shape(served[tag])).toEqual(shape(recorded.seed));
    }
    expect((served['*'] as { svg: string }).svg).toMatch(/\/badge\/[^/]+\/[^/]+-2\.svg$/);

    const status = await hit('/api/v3/status/');
    expect(status).toMatchObject({ status: 200, text: fixture('status.txt') });
  });

  it('errors: 401 and 400 bodies, a plain-text 409, and an HTML 404 for unknown checks', async () => {
    const wrong = await api('checks/', { key: 'x'.repeat(32) });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.text)).toEqual(fixtureJson('wrong-api-key.json'));
    expect(await hit('/api/v3/checks/')).toMatchObject({
      status: 401,
      text: '{"error": "missing api key"}',
    });
    const invalid = await api('checks/', post({ name: 'x', timeout: 5 }));
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.text)).toEqual(fixtureJson('create-invalid-timeout.json'));
    const c = hc.addCheck({ name: 'r' });
    const resume = await api(`checks/${c.uuid}/resume`, { method: 'POST' });
    expect(resume).toMatchObject({ status: 409, text: fixture('resume-not-paused.txt') });

    const unknown = 'a5b6c7d8-1234-4abc-9def-0123456789ab';
    const missing = await api(`checks/${unknown}`);
    expect(missing.status).toBe(404);
    expect(missing.type).toBe('text/html; charset=utf-8');
    expect(missing.text).toMatch(/^<!DOCTYPE html>/);
    expect((await api(`checks/${unknown}/pings/`)).type).toMatch(/^text\/html/);
    expect((await api('no-such-route/')).status).toBe(404);
  });

  it('validates fields as the server does: code points, cron and OnCalendar, zones, channels', async () => {
    const refused = async (body: Record<string, unknown>) =>
      JSON.parse((await api('checks/', post(body))).text).error as string | undefined;
    expect(await refused({ name: '🙂'.repeat(60) })).toBeUndefined();
    expect(await refused({ name: '🙂'.repeat(101) })).toBe(
      'json validation error: name is too long',
    );
    expect(await refused({ name: 'x', grace: 31_536_001 })).toBe(
      'json validation error: grace is too large',
    );
    expect(await refused({ name: 'x', schedule: '61 * * * *' })).toBe(
      'json validation error: schedule is not a valid cron or OnCalendar expression',
    );
    expect(await refused({ name: 'x', schedule: 'Mon..Fri 08:00' })).toBeUndefined();
    expect(await refused({ name: 'x', schedule: '0 3 * * mon-fri', tz: 'Mars/Base' })).toBe(
      'json validation error: tz is not a valid timezone',
    );
    expect(await refused({ name: 'x', channels: 'pager' })).toBe(
      'invalid channel identifier: pager',
    );
    expect(await refused({ name: 'x', unique: ['colour'] })).toBe(
      "json validation error: an item in 'unique' has unexpected value",
    );
  });

  it('upserts with unique: 200 and the same check when it matches, 201 otherwise', async () => {
    const a = await apiJson('checks/', post({ name: 'u', slug: 'u-1', unique: ['slug'] }));
    const b = await apiJson('checks/', post({ name: 'u2', slug: 'u-1', unique: ['slug'] }));
    expect([a.status, b.status]).toEqual([201, 200]);
    expect(b.json.uuid).toBe(a.json.uuid);
    expect(b.json.name).toBe('u2');
  });
});

describe('the fake pinging API', () => {
  it('follows the pinging API', async () => {
    const c = hc.addCheck({ name: 'n', slug: 'n' });
    expect(await hit(`/ping/${c.uuid}`, { method: 'HEAD' })).toMatchObject({
      status: 200,
      limit: '10',
    });
    expect(await hit(`/ping/${c.uuid}/start?rid=nope`)).toMatchObject({
      status: 400,
      text: 'invalid uuid format',
    });
    expect(await hit(`/ping/${c.uuid}/256`)).toMatchObject({ status: 400 });
    expect(
      await hit(`/ping/${c.uuid}/log`, { method: 'POST', body: '0123456789abcdef' }),
    ).toMatchObject({ status: 200 });
    expect(c.pings.at(-1)?.body.toString()).toBe('0123456789');
    expect(await hit(`/ping/${hc.pingKey}/N`)).toMatchObject({ status: 400 });
    expect(await hit(`/ping/${hc.pingKey}/new-one?create=1`)).toMatchObject({
      status: 201,
      text: 'Created',
    });
    expect(await hit(`/ping/wrongkey/n`)).toMatchObject({ status: 404, text: 'not found' });
    expect(await hit(`/ping/${c.uuid}`, { method: 'PUT' })).toMatchObject({ status: 405 });
  });

  it('takes the API key from a POST body and refuses read-only keys for writes', async () => {
    const post = await hit('/api/v3/checks/', {
      method: 'POST',
      body: JSON.stringify({ api_key: hc.apiKey, name: 'k' }),
    });
    expect(post.status).toBe(201);
    expect(
      await hit('/api/v3/checks/', {
        method: 'POST',
        headers: { 'x-api-key': hc.apiKey },
        body: '{',
      }),
    ).toMatchObject({ status: 400, text: '{"error": "could not parse request body"}' });
    expect(await api('channels/', { key: hc.readOnlyKey })).toMatchObject({ status: 401 });
  });
});
