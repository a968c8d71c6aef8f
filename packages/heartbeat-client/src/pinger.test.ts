import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeClock } from '../test/helpers.ts';
import { HeartbeatError } from './errors.ts';
import { Pinger, type PingerOptions } from './pinger.ts';

const UUID = '5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278';
const ORIGIN = 'https://hc-ping.com';

interface Seen {
  path: string;
  method: string;
  body: string;
  headers: Record<string, string>;
}

let agent: MockAgent;
let seen: Seen[];
let clock: ReturnType<typeof fakeClock>;
let warnings: string[];

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  seen = [];
  clock = fakeClock();
  warnings = [];
});
afterEach(async () => {
  await agent.close();
});

/** Queues answers for the next pings; each entry answers one request. */
function answer(
  ...replies: ({ status: number; body?: string; headers?: Record<string, string> } | Error)[]
) {
  const pool = agent.get(ORIGIN);
  for (const r of replies) {
    const scope = pool.intercept({ path: () => true, method: 'POST' });
    if (r instanceof Error) {
      scope.replyWithError(r);
      continue;
    }
    scope.reply((opts) => {
      seen.push({
        path: opts.path,
        method: opts.method,
        body:
          opts.body === undefined || opts.body === null
            ? ''
            : Buffer.from(opts.body as Uint8Array).toString(),
        headers: opts.headers as Record<string, string>,
      });
      return {
        statusCode: r.status,
        data: r.body ?? 'OK',
        responseOptions: { headers: r.headers ?? {} },
      };
    });
  }
}

function pinger(options: Partial<PingerOptions> = {}): Pinger {
  return new Pinger({
    uuid: UUID,
    dispatcher: agent,
    clock,
    random: () => 0.5,
    onWarning: (m) => warnings.push(m),
    ...options,
  });
}

describe('Pinger', () => {
  it('sends start and the final ping as POSTs with the same run id', async () => {
    answer({ status: 200 }, { status: 200 });
    const p = pinger();
    const start = await p.start();
    const done = await p.success('all good');
    expect(start).toMatchObject({ ok: true, status: 200, text: 'OK', attempts: 1, kind: 'start' });
    expect(done).toMatchObject({ ok: true, kind: 'success', runId: start.runId });
    expect(start.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.map((s) => s.path)).toEqual([
      `/${UUID}/start?rid=${start.runId}`,
      `/${UUID}?rid=${start.runId}`,
    ]);
    expect(seen.every((s) => s.method === 'POST')).toBe(true);
    expect(seen[1]?.body).toBe('all good');
    expect(seen[1]?.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(seen[0]?.headers['user-agent']).toMatch(/^berth-heartbeat\//);
  });

  it('uses a new run id for every start, and a given one first', async () => {
    answer({ status: 200 }, { status: 200 }, { status: 200 });
    const given = '0b8a8a3c-8c2e-4d2b-9d5e-9c8f9a6b1c2d';
    const p = pinger({ runId: given });
    expect((await p.exitStatus(0)).runId).toBe(given);
    const a = await p.start();
    const b = await p.start();
    expect(a.runId).not.toBe(given);
    expect(b.runId).not.toBe(a.runId);
  });

  it('reports exit statuses on their own path', async () => {
    answer({ status: 200 });
    const r = await pinger().exitStatus(143, 'killed');
    expect(r).toMatchObject({ ok: true, kind: 'exit-status', exitStatus: 143 });
    expect(seen[0]?.path).toBe(`/${UUID}/143`);
  });

  it('refuses an exit status outside 0-255 without sending', async () => {
    const r = await pinger().exitStatus(256);
    expect(r).toMatchObject({ ok: false, attempts: 0, status: 0 });
    expect(warnings[0]).toMatch(/exit status 256/);
    await expect(pinger({ strict: true }).exitStatus(-1)).rejects.toMatchObject({
      code: 'E_INPUT',
      retryable: false,
    });
  });

  it('retries 5xx, 429, 408 and network errors with growing, jittered waits', async () => {
    answer({ status: 503 }, { status: 429 }, new Error('socket hang up'), { status: 200 });
    const r = await pinger({ retries: 3 }).fail('boom');
    expect(r).toMatchObject({ ok: true, attempts: 4 });
    // full jitter with random() = 0.5: 3/4 of 500, 1000, 2000 ms
    expect(clock.sleeps).toEqual([375, 750, 1500]);
  });

  it('waits as long as Retry-After asks when that fits the budget', async () => {
    answer({ status: 429, headers: { 'retry-after': '7' } }, { status: 200 });
    const r = await pinger().success();
    expect(r.ok).toBe(true);
    expect(clock.sleeps).toEqual([7000]);
  });

  it('does not retry answers that will not change (400, 404, 409)', async () => {
    for (const status of [400, 404, 409]) {
      answer({ status, body: 'nope' });
      const r = await pinger().success();
      expect(r).toMatchObject({ ok: false, status, attempts: 1, text: 'nope' });
    }
    expect(clock.sleeps).toEqual([]);
    expect(warnings).toHaveLength(3);
    expect(warnings[1]).toMatch(/HTTP 404 "nope": no such check/);
  });

  it('gives up after the retries and says why, without the whole UUID', async () => {
    answer({ status: 500 }, { status: 502 }, { status: 503 });
    const r = await pinger({ retries: 2 }).start();
    expect(r).toMatchObject({ ok: false, status: 503, attempts: 3 });
    expect(r.error).toMatch(/ping start to https:\/\/hc-ping.com\/\*+a278 failed: HTTP 503/);
    expect(r.error).not.toContain(UUID);
  });

  it('stops retrying when the next wait would pass the budget', async () => {
    answer({ status: 500 }, { status: 500 }, { status: 500 });
    const r = await pinger({ retries: 5, budgetMs: 1000 }).success();
    expect(r.attempts).toBe(2);
    expect(clock.sleeps).toEqual([375]);
    expect(r.error).toMatch(/budget spent/);
  });

  it('times out a hanging attempt and retries it', async () => {
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: () => true, method: 'POST' })
      .reply(200, 'OK')
      .delay(5_000);
    pool.intercept({ path: () => true, method: 'POST' }).reply(200, 'OK');
    const r = await pinger({ timeoutMs: 50 }).success();
    expect(r).toMatchObject({ ok: true, attempts: 2 });
  });

  it('treats hosted "OK (not found)" and "OK (rate-limited)" as not ok, with a warning, and does not retry', async () => {
    answer({ status: 200, body: 'OK (not found)' }, { status: 200, body: 'OK (rate-limited)' });
    const a = await pinger().success();
    const b = await pinger().success();
    expect(a).toMatchObject({ ok: false, status: 200, text: 'OK (not found)', attempts: 1 });
    expect(b).toMatchObject({ ok: false, status: 200, text: 'OK (rate-limited)', attempts: 1 });
    expect(warnings[0]).toMatch(/does not know this check/);
    expect(warnings[1]).toMatch(/rate-limited/);
  });

  it('throws HeartbeatError E_PING_FAILED in strict mode', async () => {
    answer({ status: 200, body: 'OK (not found)' });
    const error = await pinger({ strict: true })
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeartbeatError);
    expect(error).toMatchObject({ code: 'E_PING_FAILED', status: 200 });
    expect(warnings).toEqual([]);
  });

  it('learns Ping-Body-Limit and fits later bodies to it, keeping the tail', async () => {
    answer({ status: 200, headers: { 'ping-body-limit': '120' } }, { status: 200 });
    const p = pinger();
    expect(p.bodyLimit).toBe(100_000);
    await p.start();
    expect(p.bodyLimit).toBe(120);
    const output = Array.from({ length: 100 }, (_, i) => `row ${i}`).join('\n');
    const r = await p.exitStatus(1, output);
    const sent = seen[1]?.body ?? '';
    expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(120);
    expect(sent).toMatch(/^\[heartbeat: \d+ bytes of earlier output cut\]\nrow/);
    expect(sent.endsWith('row 99')).toBe(true);
    expect(r.bodyCutBytes).toBeGreaterThan(0);
  });

  it('can be cancelled with a signal', async () => {
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: () => true, method: 'POST' })
      .reply(200, 'OK')
      .delay(5_000);
    const controller = new AbortController();
    const pending = pinger().start(undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const r = await pending;
    expect(r).toMatchObject({ ok: false, status: 0 });
    expect(r.error).toMatch(/aborted/);
  });

  it('sends nothing with a zero budget', async () => {
    const r = await pinger().success(undefined, { budgetMs: 0 });
    expect(r).toMatchObject({ ok: false, attempts: 0 });
    expect(r.error).toMatch(/no time left/);
    // Not the caller's input at fault: strict mode reports a failed ping, worth a retry.
    await expect(
      pinger({ strict: true }).success(undefined, { budgetMs: 0 }),
    ).rejects.toMatchObject({ code: 'E_PING_FAILED', retryable: true });
  });

  it('masks the check UUID in the answer text too', async () => {
    answer({ status: 404, body: `no check ${UUID} here` });
    const r = await pinger().success();
    expect(r.text).toBe(`no check ********${UUID.slice(-4)} here`);
    expect(JSON.stringify(r) + warnings.join('')).not.toContain(UUID);
  });

  it('warns through process.emitWarning by default', async () => {
    answer({ status: 404, body: 'not found' });
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    await new Pinger({ uuid: UUID, dispatcher: agent, clock }).success();
    expect(spy).toHaveBeenCalledWith(
      expect.stringMatching(/HTTP 404/),
      expect.objectContaining({ type: 'HeartbeatWarning' }),
    );
  });

  it('validates its options', () => {
    expect(() => pinger({ retries: -1 })).toThrow(/retries must be an integer >= 0/);
    expect(() => pinger({ runId: 'run-1' })).toThrow(/not a UUID/);
    expect(() => new Pinger('nope')).toThrow(HeartbeatError);
  });
});
