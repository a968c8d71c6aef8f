import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeClock } from '../test/helpers.ts';
import { HealthchecksApi, resolveApiUrl } from './api-client.ts';
import { HeartbeatError } from './errors.ts';

const ORIGIN = 'https://healthchecks.io';
const KEY = 'hcw_0123456789abcdefghijklmnopqr';
const UUID = '5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278';

let agent: MockAgent;
let clock: ReturnType<typeof fakeClock>;
const check = {
  name: 'backup',
  slug: 'backup',
  uuid: UUID,
  ping_url: `https://hc-ping.com/${UUID}`,
};

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  clock = fakeClock();
});
afterEach(() => agent.close());

function api() {
  return new HealthchecksApi({ apiKey: KEY, dispatcher: agent, clock, random: () => 0 });
}

function reply(method: string, status: number, body: unknown, times = 1) {
  agent
    .get(ORIGIN)
    .intercept({ path: () => true, method })
    .reply(status, typeof body === 'string' ? body : JSON.stringify(body))
    .times(times);
}

async function caught(p: Promise<unknown>): Promise<HeartbeatError> {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(HeartbeatError);
  return e as HeartbeatError;
}

describe('HealthchecksApi', () => {
  it('sends X-Api-Key to the v3 API and returns its JSON', async () => {
    let headers: Record<string, string> = {};
    let path = '';
    agent
      .get(ORIGIN)
      .intercept({ path: () => true, method: 'GET' })
      .reply((opts) => {
        headers = opts.headers as Record<string, string>;
        path = opts.path;
        return { statusCode: 200, data: JSON.stringify({ checks: [check] }) };
      });
    expect(await api().listChecks({ tags: ['prod', 'db'], slug: 'backup' })).toEqual([check]);
    expect(headers['x-api-key']).toBe(KEY);
    expect(path).toBe('/api/v3/checks/?tag=prod&tag=db&slug=backup');
  });

  it('maps answers to typed errors with stable codes', async () => {
    const cases: [string, number, unknown, string][] = [
      ['POST', 400, { error: 'json validation error: timeout is too small' }, 'E_VALIDATION'],
      ['GET', 401, { error: 'wrong api key' }, 'E_UNAUTHORIZED'],
      ['POST', 403, '', 'E_CHECK_LIMIT'],
      ['GET', 404, 'not found', 'E_NOT_FOUND'],
      ['POST', 409, 'check is not paused', 'E_CONFLICT'],
    ];
    for (const [method, status, body, code] of cases) {
      reply(method, status, body);
      const call =
        method === 'GET'
          ? status === 404
            ? api().getCheck(UUID)
            : api().listChecks()
          : status === 409
            ? api().resumeCheck(UUID)
            : api().createCheck({ name: 'x' });
      const e = await caught(call);
      expect(e.code).toBe(code);
      expect(e.status).toBe(status);
    }
  });

  it('includes the server reason for validation errors and never the API key', async () => {
    reply('POST', 400, { error: 'json validation error: tz is not a valid timezone' });
    const e = await caught(
      api().createCheck({ name: 'x', schedule: '0 3 * * *', tz: 'Mars/Olympus' }),
    );
    expect(e.message).toMatch(/tz is not a valid timezone/);
    reply('GET', 401, { error: 'wrong api key' });
    const u = await caught(api().listChecks());
    expect(u.message).toMatch(/\*+opqr was refused \(wrong api key\)/);
    expect(JSON.stringify({ m: u.message, j: u.toJSON() })).not.toContain(KEY);
  });

  it('says 403 is another project outside of create', async () => {
    reply('GET', 403, '');
    expect((await caught(api().getCheck(UUID))).code).toBe('E_FORBIDDEN');
  });

  it('retries 429 with backoff, then gives E_RATE_LIMITED', async () => {
    reply('GET', 429, { error: 'rate limited' }, 4);
    const e = await caught(api().listChecks());
    expect(e.code).toBe('E_RATE_LIMITED');
    expect(e.retryable).toBe(true);
    expect(clock.sleeps).toEqual([250, 500, 1000]);
    reply('GET', 429, '', 1);
    reply('GET', 200, { checks: [] });
    expect(await api().listChecks()).toEqual([]);
  });

  it('retries a plain create only on 429, never after a lost answer', async () => {
    reply('POST', 502, 'bad gateway');
    expect((await caught(api().createCheck({ name: 'x' }))).code).toBe('E_SERVER');
    expect(clock.sleeps).toEqual([]);
    agent
      .get(ORIGIN)
      .intercept({ path: () => true, method: 'POST' })
      .replyWithError(new Error('socket hang up'));
    const e = await caught(api().createCheck({ name: 'x' }));
    expect(e.code).toBe('E_NETWORK');
    expect(clock.sleeps).toEqual([]);
  });

  it('retries idempotent requests after network errors and 5xx', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: () => true, method: 'POST' })
      .replyWithError(new Error('socket hang up'));
    reply('POST', 503, 'unavailable');
    reply('POST', 201, check);
    const r = await api().createCheck({ name: 'backup', unique: ['name'] });
    expect(r).toEqual({ check, created: true });
    expect(clock.sleeps).toHaveLength(2);
  });

  it('tells created (201) from updated (200)', async () => {
    reply('POST', 200, check);
    expect((await api().upsertCheck({ name: 'backup' }, ['name'])).created).toBe(false);
  });

  it('rejects a body that is not JSON as E_BAD_RESPONSE', async () => {
    reply('GET', 200, '<html>login</html>');
    expect((await caught(api().listChecks())).code).toBe('E_BAD_RESPONSE');
  });

  it('validates input before sending anything', async () => {
    expect(() => new HealthchecksApi({ apiKey: '' })).toThrow(/set HC_API_KEY/);
    await expect(api().getCheck('nope')).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(api().createCheck({ name: 'x', timeout: 30 })).rejects.toThrow(/from 60/);
    await expect(
      api().createCheck({ name: 'x', timeout: 60, schedule: '* * * * *' }),
    ).rejects.toThrow(/not both/);
    await expect(api().createCheck({ name: 'x', slug: 'Bad' })).rejects.toThrow(/lowercase/);
    await expect(api().createCheck({ name: 'x', unique: ['slug'] })).rejects.toThrow(
      /no slug is given/,
    );
    await expect(api().getPingBody(UUID, 0)).rejects.toThrow(/positive integer/);
  });

  it('resolves the API URL from a site root or a versioned base', () => {
    expect(resolveApiUrl('https://hc.example.com').toString()).toBe(
      'https://hc.example.com/api/v3/',
    );
    expect(resolveApiUrl('https://hc.example.com/hc/').toString()).toBe(
      'https://hc.example.com/hc/api/v3/',
    );
    expect(resolveApiUrl('https://healthchecks.io/api/v1').toString()).toBe(
      'https://healthchecks.io/api/v1/',
    );
    expect(() => resolveApiUrl('nope')).toThrow(HeartbeatError);
  });
});
