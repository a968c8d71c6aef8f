import { type HealthchecksServer, startHealthchecksServer } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HealthchecksApi, HeartbeatError, Pinger } from '../src/index.ts';
import { fakeClock } from './helpers.ts';

let hc: HealthchecksServer;
let api: HealthchecksApi;

beforeEach(async () => {
  hc = await startHealthchecksServer({ checkLimit: 5 });
  api = new HealthchecksApi({
    apiKey: hc.apiKey,
    apiUrl: hc.url,
    clock: fakeClock(),
    random: () => 0,
  });
});
afterEach(() => hc.close());

async function code(p: Promise<unknown>): Promise<string> {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(HeartbeatError);
  return (e as HeartbeatError).code;
}

describe('HealthchecksApi against a Healthchecks server', () => {
  it('register is idempotent: creates once, then updates the same check', async () => {
    const spec = {
      name: 'worker i-0abc',
      slug: 'worker-i-0abc',
      tags: ['worker', 'prod'],
      timeout: 300,
      grace: 120,
    };
    const first = await api.register(spec);
    expect(first.created).toBe(true);
    expect(first.pingUrl).toBe(hc.pingUrlOf(first.check.uuid as string));
    const again = await api.register({ ...spec, grace: 600 });
    expect(again.created).toBe(false);
    expect(again.check.uuid).toBe(first.check.uuid);
    expect(again.check.grace).toBe(600);
    expect(hc.checks).toHaveLength(1);
    expect(hc.checks[0]?.tags).toBe('worker prod');
  });

  it('register by name when there is no slug, with a cron schedule', async () => {
    await api.register({
      name: 'report',
      schedule: '0 3 * * *',
      tz: 'Europe/Berlin',
      channels: '*',
    });
    const { check, created } = await api.register({
      name: 'report',
      schedule: '0 4 * * *',
      tz: 'Europe/Berlin',
    });
    expect(created).toBe(false);
    expect(check).toMatchObject({ schedule: '0 4 * * *', tz: 'Europe/Berlin' });
    expect(check.channels?.split(',')).toHaveLength(2);
  });

  it('deregister removes by slug, name or uuid and is fine when nothing matches', async () => {
    const a = await api.register({ name: 'a', slug: 'a' });
    await api.register({ name: 'b' });
    const c = await api.register({ name: 'c' });
    expect((await api.deregister({ slug: 'a' })).deleted.map((x) => x.uuid)).toEqual([
      a.check.uuid,
    ]);
    expect((await api.deregister({ name: 'b' })).deleted).toHaveLength(1);
    expect((await api.deregister({ uuid: c.check.uuid as string })).missing).toBe(false);
    expect(hc.checks).toHaveLength(0);
    expect(await api.deregister({ slug: 'a' })).toEqual({ deleted: [], missing: true });
    expect(await api.deregister({ uuid: c.check.uuid as string })).toEqual({
      deleted: [],
      missing: true,
    });
  });

  it('deregister refuses an ambiguous name unless all is set', async () => {
    hc.addCheck({ name: 'dup' });
    hc.addCheck({ name: 'dup' });
    expect(await code(api.deregister({ name: 'dup' }))).toBe('E_AMBIGUOUS');
    expect(hc.checks).toHaveLength(2);
    expect((await api.deregister({ name: 'dup' }, { all: true })).deleted).toHaveLength(2);
  });

  it('lists by tag and slug, gets, updates, pauses and resumes', async () => {
    const { check } = await api.createCheck({ name: 'x', slug: 'x', tags: 'prod db' });
    await api.createCheck({ name: 'y', tags: 'prod' });
    expect((await api.listChecks({ tags: ['prod'] })).map((c) => c.name)).toEqual(['x', 'y']);
    expect((await api.listChecks({ tags: ['prod', 'db'] })).map((c) => c.name)).toEqual(['x']);
    expect((await api.listChecks({ slug: 'x' })).map((c) => c.name)).toEqual(['x']);
    const uuid = check.uuid as string;
    expect((await api.getCheck(uuid)).name).toBe('x');
    expect((await api.updateCheck(uuid, { desc: 'nightly', timeout: 3600 })).timeout).toBe(3600);
    expect(await code(api.resumeCheck(uuid))).toBe('E_CONFLICT');
    expect((await api.pauseCheck(uuid)).status).toBe('paused');
    expect((await api.pauseCheck(uuid)).status).toBe('paused');
    expect((await api.resumeCheck(uuid)).status).toBe('new');
    expect((await api.deleteCheck(uuid)).name).toBe('x');
    expect(await code(api.getCheck(uuid))).toBe('E_NOT_FOUND');
  });

  it('reads pings, ping bodies, flips and channels', async () => {
    const { check } = await api.createCheck({ name: 'job' });
    const uuid = check.uuid as string;
    const pinger = new Pinger({ pingUrl: check.ping_url as string });
    await pinger.start();
    await pinger.fail('it broke');
    await pinger.success('fixed');
    const pings = await api.listPings(uuid);
    expect(pings.map((p) => p.type)).toEqual(['success', 'fail', 'start']);
    expect(pings[1]?.rid).toBe(pinger.runId);
    expect((await api.getPingBody(uuid, 2)).text()).toBe('it broke');
    expect(await code(api.getPingBody(uuid, 1))).toBe('E_NOT_FOUND');
    expect((await api.listFlips(uuid)).map((f) => f.up)).toEqual([1, 0]);
    expect((await api.listFlips(uuid, { seconds: 3600 })).length).toBe(2);
    expect((await api.listChannels()).map((c) => c.kind)).toEqual(['email', 'slack']);
  });

  it('maps server refusals: validation, check limit, wrong key, read-only key', async () => {
    expect(
      await code(api.createCheck({ name: 'x', schedule: '0 3 * * *', tz: 'Mars/Olympus' })),
    ).toBe('E_VALIDATION');
    expect(await code(api.createCheck({ name: 'x', channels: 'pager' }))).toBe('E_VALIDATION');
    for (let i = 0; i < 5; i++) await api.createCheck({ name: `c${i}` });
    expect(await code(api.createCheck({ name: 'one too many' }))).toBe('E_CHECK_LIMIT');
    // an upsert that matches needs no new slot
    expect((await api.upsertCheck({ name: 'c1', desc: 'still fine' }, ['name'])).created).toBe(
      false,
    );
    const wrong = new HealthchecksApi({ apiKey: `hcw_${'z'.repeat(28)}`, apiUrl: hc.apiUrl });
    expect(await code(wrong.listChecks())).toBe('E_UNAUTHORIZED');
    const readOnly = new HealthchecksApi({ apiKey: hc.readOnlyKey, apiUrl: hc.apiUrl });
    const listed = await readOnly.listChecks();
    expect(listed[0]?.uuid).toBeUndefined();
    expect(listed[0]?.unique_key).toMatch(/^[0-9a-f]{40}$/);
    expect((await readOnly.getCheck(listed[0]?.unique_key as string)).name).toBe('c0');
    expect(await code(readOnly.createCheck({ name: 'nope' }))).toBe('E_UNAUTHORIZED');
    expect(await code(readOnly.register({ name: 'nope' }))).toBe('E_UNAUTHORIZED');
  });

  it('retries 429 and 5xx from the API, and reports a server that stays down', async () => {
    hc.fault({ target: 'api', kind: 'fail', status: 429, times: 2 });
    hc.fault({ target: 'api', kind: 'fail', status: 503, times: 1 });
    expect(await api.listChecks()).toEqual([]);
    hc.fault({ target: 'api', kind: 'reset' });
    expect(await code(api.listChecks())).toBe('E_NETWORK');
  });

  it('times out a hanging API within its budget', async () => {
    hc.fault({ target: 'api', kind: 'hang' });
    const slow = new HealthchecksApi({
      apiKey: hc.apiKey,
      apiUrl: hc.apiUrl,
      timeoutMs: 100,
      retries: 1,
      clock: fakeClock(),
    });
    const e = await slow.listChecks().catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'E_NETWORK', retryable: true });
    expect((e as Error).message).toMatch(/ETIMEDOUT.*2 attempts/);
  });

  it('is rate limited like the hosted API and says so', async () => {
    await hc.close();
    hc = await startHealthchecksServer({ apiRateLimit: 2 });
    api = new HealthchecksApi({
      apiKey: hc.apiKey,
      apiUrl: hc.apiUrl,
      retries: 1,
      clock: fakeClock(),
    });
    await api.listChecks();
    await api.listChecks();
    const e = await api.listChecks().catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'E_RATE_LIMITED', status: 429 });
  });
});
