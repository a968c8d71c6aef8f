import { type HealthchecksServer, startHealthchecksServer } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The fake must answer as the notes describe, or the integration tests prove nothing.
let hc: HealthchecksServer;
beforeAll(async () => {
  hc = await startHealthchecksServer({ pingBodyLimit: 10 });
});
afterAll(() => hc.close());

async function hit(path: string, init: RequestInit = {}) {
  const res = await fetch(`${hc.url}${path}`, init);
  return { status: res.status, text: await res.text(), limit: res.headers.get('ping-body-limit') };
}

describe('the fake Healthchecks server', () => {
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

  it('follows the Management API auth rules and routes', async () => {
    expect(await hit('/api/v3/checks/')).toMatchObject({
      status: 401,
      text: '{"error":"missing api key"}',
    });
    expect(
      await hit('/api/v1/checks/', { headers: { 'x-api-key': 'x'.repeat(32) } }),
    ).toMatchObject({
      status: 401,
      text: '{"error":"wrong api key"}',
    });
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
    ).toMatchObject({
      status: 400,
      text: '{"error":"could not parse request body"}',
    });
    expect(
      await hit('/api/v3/channels/', { headers: { 'x-api-key': hc.readOnlyKey } }),
    ).toMatchObject({ status: 401 });
  });
});
