import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeClock } from '../test/helpers.ts';
import { monitor } from './monitor.ts';
import { Pinger } from './pinger.ts';

const URL_BASE = 'https://hc.example.com';
const UUID = '5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278';

let agent: MockAgent;
let paths: string[];
let bodies: string[];

function serve(status: number, text = 'OK', times = 10) {
  agent
    .get(URL_BASE)
    .intercept({ path: () => true, method: 'POST' })
    .reply((opts) => {
      paths.push(opts.path);
      bodies.push(opts.body ? Buffer.from(opts.body as Uint8Array).toString() : '');
      return { statusCode: status, data: text };
    })
    .times(times);
}

const options = () => ({
  pingUrl: `${URL_BASE}/ping/${UUID}`,
  dispatcher: agent,
  clock: fakeClock(),
  retries: 0,
  onWarning: false as const,
});

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  paths = [];
  bodies = [];
});
afterEach(() => agent.close());

describe('monitor', () => {
  it('pings start, runs the job, pings success, and returns the result', async () => {
    serve(200);
    const result = await monitor(options(), async ({ runId, log }) => {
      expect(runId).toMatch(/^[0-9a-f-]{36}$/);
      await log('halfway');
      return 42;
    });
    expect(result).toBe(42);
    expect(paths.map((p) => p.replace(/\?rid=.*/, ''))).toEqual([
      `/ping/${UUID}/start`,
      `/ping/${UUID}/log`,
      `/ping/${UUID}`,
    ]);
    const rids = paths.map((p) => new URLSearchParams(p.split('?')[1]).get('rid'));
    expect(new Set(rids).size).toBe(1);
  });

  it('pings fail with the error text and re-throws the job error', async () => {
    serve(200);
    const boom = new Error('disk full');
    await expect(
      monitor(options(), () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(paths[1]).toMatch(new RegExp(`^/ping/${UUID}/fail\\?rid=`));
    expect(bodies[1]).toMatch(/^Error: disk full\n\s+at /);
  });

  it('runs the job even when the server is down (pings are warnings)', async () => {
    agent
      .get(URL_BASE)
      .intercept({ path: () => true, method: 'POST' })
      .replyWithError(new Error('ECONNREFUSED'))
      .times(2);
    expect(await monitor(options(), () => 'done')).toBe('done');
  });

  it('re-throws the job error even when the fail ping fails in strict mode', async () => {
    serve(200, 'OK', 1);
    serve(500, 'down', 1);
    const boom = new Error('job failed');
    await expect(
      monitor({ ...options(), strict: true }, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });

  it('in strict mode, does not run the job when start is refused', async () => {
    serve(404, 'not found');
    let ran = false;
    await expect(
      monitor({ ...options(), strict: true }, () => {
        ran = true;
      }),
    ).rejects.toMatchObject({ code: 'E_PING_FAILED', status: 404 });
    expect(ran).toBe(false);
  });

  it('accepts a ready pinger', async () => {
    serve(200);
    const pinger = new Pinger(options());
    await monitor({ pinger }, () => undefined);
    expect(paths).toHaveLength(2);
  });
});
