import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HealthchecksServer, startHealthchecksServer } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_BODY_LIMIT,
  HealthchecksApi,
  HeartbeatError,
  HOSTED_BODY_LIMIT,
  Pinger,
} from '../src/index.ts';
import { fakeClock, runCli } from './helpers.ts';

// Issue 12: what broke when the client met a real (self-hosted v3.11) Healthchecks server.

let hc: HealthchecksServer;
let api: HealthchecksApi;
beforeEach(async () => {
  hc = await startHealthchecksServer();
  api = new HealthchecksApi({ apiKey: hc.apiKey, apiUrl: hc.url, clock: fakeClock() });
});
afterEach(() => hc.close());

async function failure(p: Promise<unknown>): Promise<HeartbeatError> {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(HeartbeatError);
  return e as HeartbeatError;
}

describe('answers that are not JSON, and UUIDs in answers', () => {
  it('never quotes the HTML 404 page of an unknown check, nor its UUID', async () => {
    const unknown = '0b8a8a3c-8c2e-4d2b-9d5e-9c8f9a6b1c2d';
    for (const call of [
      api.getCheck(unknown),
      api.listPings(unknown),
      api.pauseCheck(unknown),
      api.getPingBody(unknown, 1),
    ]) {
      const e = await failure(call);
      expect(e.code).toBe('E_NOT_FOUND');
      expect(e.message).toMatch(/HTML "not found" page/);
      expect(e.message).not.toMatch(/<|DOCTYPE|html>/i);
      expect(e.message).not.toContain(unknown);
    }
  });

  it('masks UUIDs in what it quotes from the server', async () => {
    const channel = 'c0ffee00-1234-4abc-9def-0123456789ab';
    const e = await failure(api.createCheck({ name: 'x', channels: channel }));
    expect(e.code).toBe('E_VALIDATION');
    expect(e.message).toMatch(/invalid channel identifier: \*+89ab/);
    expect(e.message).not.toContain(channel);
  });

  it('a ping answered with an HTML page says so, without quoting it', async () => {
    const check = hc.addCheck();
    hc.fault({
      target: 'ping',
      kind: 'fail',
      status: 502,
      body: `<html><body><h1>502 Bad Gateway</h1><p>${check.uuid}</p></body></html>`,
    });
    const warnings: string[] = [];
    const result = await new Pinger({
      pingUrl: hc.pingUrlOf(check),
      retries: 0,
      onWarning: (m) => warnings.push(m),
    }).success();
    expect(result).toMatchObject({ ok: false, status: 502, text: '' });
    expect(result.error).toMatch(/HTTP 502 an HTML page: the server failed/);
    expect(warnings.join('\n')).not.toMatch(/<|Bad Gateway/);
    expect(warnings.join('\n')).not.toContain(check.uuid);
  });
});

describe('the Management API as the server has it', () => {
  it('getPingBody returns the bytes as sent, with a text accessor', async () => {
    const check = hc.addCheck();
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]);
    await new Pinger({ pingUrl: hc.pingUrlOf(check) }).exitStatus(3, bytes);
    await new Pinger({ pingUrl: hc.pingUrlOf(check) }).log('grüße\n');
    const binary = await api.getPingBody(check.uuid, 1);
    expect(Buffer.from(binary.bytes)).toEqual(bytes);
    expect((await api.getPingBody(check.uuid, 2)).text()).toBe('grüße\n');
    const [ping] = await api.listPings(check.uuid);
    expect(ping).not.toHaveProperty('exitstatus');
    expect(ping?.body_url).toMatch(/\/pings\/2\/body$/);
  });

  it('counts a name in characters, as the server does', async () => {
    const name = '🙂'.repeat(60);
    const { check, created } = await api.createCheck({ name });
    expect(created).toBe(true);
    expect(check.name).toBe(name);
    const e = await failure(api.createCheck({ name: '🙂'.repeat(101) }));
    expect(e).toMatchObject({ code: 'E_INPUT' });
    expect(e.message).toBe('name is 101 characters; the limit is 100');
  });

  it('lists badges, reads the server status, and lists flips by unique_key (read-only key)', async () => {
    const check = hc.addCheck({ name: 'b', tags: 'prod db' });
    await new Pinger({ pingUrl: hc.pingUrlOf(check) }).success();
    const badges = await api.listBadges();
    expect(Object.keys(badges).sort()).toEqual(['*', 'db', 'prod']);
    expect(badges.prod?.svg).toMatch(/\/prod\.svg$/);
    expect(await api.getStatus()).toBe('OK');
    const readOnly = new HealthchecksApi({ apiKey: hc.readOnlyKey, apiUrl: hc.apiUrl });
    const [listed] = await readOnly.listChecks();
    expect(listed?.uuid).toBeUndefined();
    const flips = await readOnly.listFlips(listed?.unique_key as string);
    expect(flips.map((f) => f.up)).toEqual([1]);
    expect(await readOnly.listBadges()).toEqual(badges);
  });
});

describe('ping body limit', () => {
  it('assumes 10,000 bytes unless the host is the hosted service', () => {
    const uuid = '5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278';
    expect(DEFAULT_BODY_LIMIT).toBe(10_000);
    expect(new Pinger(`https://hc.example.com/ping/${uuid}`).bodyLimit).toBe(10_000);
    expect(new Pinger(`https://hc-ping.com/${uuid}`).bodyLimit).toBe(HOSTED_BODY_LIMIT);
    expect(new Pinger({ uuid }).bodyLimit).toBe(100_000);
    expect(new Pinger(`https://healthchecks.io/ping/${uuid}`).bodyLimit).toBe(100_000);
    expect(new Pinger({ uuid, bodyLimit: 500 }).bodyLimit).toBe(500);
  });

  it('a one-shot ping to a self-hosted server keeps the end of a long body, marked', async () => {
    const check = hc.addCheck();
    const file = join(tmpdir(), `heartbeat-big-${process.pid}.log`);
    const lines = Array.from({ length: 3_000 }, (_, i) => `line ${i}`).join('\n');
    writeFileSync(file, `${lines}\nTHE LAST LINE\n`);
    const r = await runCli([
      'ping',
      'fail',
      '--ping-url',
      hc.pingUrlOf(check),
      '--body-file',
      file,
    ]);
    expect(r.code).toBe(0);
    const stored = check.pings[0];
    expect(stored?.receivedBytes).toBeLessThanOrEqual(10_000);
    const body = stored?.body.toString() ?? '';
    expect(body).toMatch(/^\[heartbeat: \d+ bytes of earlier output cut\]\n/);
    expect(body.endsWith('THE LAST LINE\n')).toBe(true);
  });
});
