import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { type HealthchecksServer, startHealthchecksServer } from '@berth/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { monitor, Pinger, type PingerOptions } from '../src/index.ts';
import { fakeClock } from './helpers.ts';

let hc: HealthchecksServer;
let warnings: string[];

afterEach(async () => {
  await hc?.close();
});

async function server(options: Parameters<typeof startHealthchecksServer>[0] = {}) {
  hc = await startHealthchecksServer(options);
  warnings = [];
  return hc;
}

function pinger(options: PingerOptions): Pinger {
  return new Pinger({ random: () => 0, onWarning: (m) => warnings.push(m), ...options });
}

describe('Pinger against a Healthchecks server', () => {
  it('records start and success under one run id, and learns the body limit', async () => {
    await server({ pingBodyLimit: 2_000 });
    const check = hc.addCheck({ name: 'nightly' });
    const p = pinger({ pingUrl: hc.pingUrlOf(check) });
    const start = await p.start();
    expect(p.bodyLimit).toBe(2_000);
    const big = `${'x'.repeat(10_000)}\nlast line\n`;
    const done = await p.success(big);
    expect(start.ok && done.ok).toBe(true);
    expect(check.pings.map((x) => [x.kind, x.rid])).toEqual([
      ['start', start.runId],
      ['success', start.runId],
    ]);
    const stored = check.pings[1];
    expect(stored?.receivedBytes).toBeLessThanOrEqual(2_000);
    expect(stored?.body.toString()).toMatch(/^\[heartbeat: \d+ bytes of earlier output cut\]\n/);
    expect(stored?.body.toString().endsWith('last line\n')).toBe(true);
    expect(check.status).toBe('up');
  });

  it('sends the final ping over the connection that start opened', async () => {
    await server();
    const check = hc.addCheck();
    const port = Number(new URL(hc.url).port);
    let connections = 0;
    const onResponse = (message: unknown) => {
      const { request } = message as { request: ClientRequest };
      if (request.socket?.remotePort === port && !request.reusedSocket) connections++;
    };
    diagnostics.subscribe('http.client.response.finish', onResponse);
    try {
      const p = pinger({ pingUrl: hc.pingUrlOf(check) });
      await p.start();
      await p.exitStatus(0, 'done');
    } finally {
      diagnostics.unsubscribe('http.client.response.finish', onResponse);
    }
    expect(check.pings).toHaveLength(2);
    // A second connection would cost a second TLS handshake against a real server.
    expect(connections).toBe(1);
  });

  it('pings by slug, creates with create (201), and reports exit statuses', async () => {
    await server();
    const p = pinger({
      slug: 'db-backup',
      pingKey: hc.pingKey,
      baseUrl: hc.pingBase,
      create: true,
    });
    const first = await p.exitStatus(0);
    expect(first).toMatchObject({ ok: true, status: 201, text: 'Created', created: true });
    const second = await p.exitStatus(2, 'exit 2');
    expect(second).toMatchObject({ ok: true, status: 200, created: false });
    const check = hc.checks.find((c) => c.slug === 'db-backup');
    expect(check?.name).toBe('db-backup');
    expect(check?.pings.map((x) => [x.kind, x.exitStatus])).toEqual([
      ['success', 0],
      ['fail', 2],
    ]);
  });

  it('reports a missing slug (404) and an ambiguous one (409) without retrying', async () => {
    await server();
    const missing = await pinger({
      slug: 'nope',
      pingKey: hc.pingKey,
      baseUrl: hc.pingBase,
    }).success();
    expect(missing).toMatchObject({ ok: false, status: 404, attempts: 1 });
    hc.addCheck({ name: 'a', slug: 'twin' });
    hc.addCheck({ name: 'b', slug: 'twin' });
    const twin = await pinger({
      slug: 'twin',
      pingKey: hc.pingKey,
      baseUrl: hc.pingBase,
    }).success();
    expect(twin).toMatchObject({ ok: false, status: 409, text: 'ambiguous slug' });
    expect(warnings[1]).toMatch(/more than one check has this slug/);
  });

  it('treats a self-hosted 404 and a hosted "OK (not found)" alike', async () => {
    await server();
    const unknown = '0b8a8a3c-8c2e-4d2b-9d5e-9c8f9a6b1c2d';
    expect((await pinger({ uuid: unknown, baseUrl: hc.pingBase }).success()).status).toBe(404);
    hc.setHosted(true);
    const hosted = await pinger({ uuid: unknown, baseUrl: hc.pingBase }).success();
    expect(hosted).toMatchObject({ ok: false, status: 200, text: 'OK (not found)' });
    expect(warnings.join('\n')).not.toContain(unknown);
  });

  it('reports rate limiting: hosted 200 "OK (rate-limited)" for uuids, 429 for slugs', async () => {
    await server({ hosted: true, pingRateLimit: 1 });
    const check = hc.addCheck({ name: 'chatty', slug: 'chatty' });
    const p = pinger({ pingUrl: hc.pingUrlOf(check), retries: 0 });
    expect((await p.success()).ok).toBe(true);
    expect(await p.success()).toMatchObject({ ok: false, text: 'OK (rate-limited)' });
    const s = await pinger({
      slug: 'chatty',
      pingKey: hc.pingKey,
      baseUrl: hc.pingBase,
      retries: 1,
    }).success();
    expect(s).toMatchObject({ ok: false, status: 429, attempts: 2 });
  });

  it('retries failing and reset connections, and times out hanging ones', async () => {
    await server();
    const check = hc.addCheck({ name: 'flaky' });
    hc.fault({ target: 'ping', kind: 'fail', status: 502, times: 1 });
    hc.fault({ target: 'ping', kind: 'reset', times: 1 });
    hc.fault({ target: 'ping', kind: 'hang', times: 1 });
    const r = await pinger({
      pingUrl: hc.pingUrlOf(check),
      timeoutMs: 200,
      clock: fakeClock(),
    }).success();
    expect(r).toMatchObject({ ok: true, attempts: 4 });
    expect(check.pings).toHaveLength(1);
  });

  it('gives up within the budget when the server hangs', async () => {
    await server();
    const check = hc.addCheck({ name: 'stuck' });
    hc.fault({ target: 'ping', kind: 'hang' });
    const r = await pinger({
      pingUrl: hc.pingUrlOf(check),
      timeoutMs: 100,
      retries: 10,
      budgetMs: 600,
    }).start();
    expect(r.ok).toBe(false);
    expect(r.status).toBe(0);
    expect(r.attempts).toBeLessThan(11);
    expect(r.error).toMatch(/ETIMEDOUT/);
  });

  it('keeps waiting through a slow answer within the timeout', async () => {
    await server();
    const check = hc.addCheck({ name: 'slow' });
    hc.fault({ target: 'ping', kind: 'slow', delayMs: 150, times: 1 });
    const r = await pinger({ pingUrl: hc.pingUrlOf(check), timeoutMs: 5_000 }).success();
    expect(r).toMatchObject({ ok: true, attempts: 1 });
  });

  it('fails fast when nothing listens', async () => {
    await server();
    const url = hc.pingUrlOf(hc.addCheck());
    await hc.close();
    const r = await pinger({ pingUrl: url, retries: 1 }).success();
    expect(r).toMatchObject({ ok: false, status: 0, attempts: 2 });
    expect(r.error).toMatch(/ECONNREFUSED/);
  });

  it('monitor() records a failed job with its error text', async () => {
    await server();
    const check = hc.addCheck({ name: 'job' });
    await expect(
      monitor({ pingUrl: hc.pingUrlOf(check) }, async () => {
        throw new Error('schema mismatch');
      }),
    ).rejects.toThrow('schema mismatch');
    expect(check.pings.map((x) => x.kind)).toEqual(['start', 'fail']);
    expect(check.pings[1]?.body.toString()).toMatch(/^Error: schema mismatch/);
    expect(check.status).toBe('down');
  });

  it('a check accepting only POST records every ping (all pings are POSTs)', async () => {
    await server();
    const check = hc.addCheck({ name: 'post-only', methods: 'POST' });
    await pinger({ pingUrl: hc.pingUrlOf(check) }).start();
    expect(check.pings[0]?.kind).toBe('start');
  });
});
