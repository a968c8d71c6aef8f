import { PassThrough } from 'node:stream';
import { type HealthchecksServer, startHealthchecksServer } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Pinger } from '../src/pinger.ts';
import { runJob } from '../src/run-job.ts';

let hc: HealthchecksServer;
beforeEach(async () => {
  hc = await startHealthchecksServer();
});
afterEach(() => hc.close());

describe('runJob with a strict pinger', () => {
  it('lets the command finish and sends its exit status before rejecting for a refused start', async () => {
    const check = hc.addCheck({ name: 'strict' });
    hc.fault({ target: 'ping', kind: 'fail', status: 500, times: 1 });
    const pinger = new Pinger({ pingUrl: hc.pingUrlOf(check), strict: true, retries: 0 });
    const error = await runJob({
      pinger,
      command: 'sh',
      args: ['-c', 'sleep 0.2; echo finished; exit 3'],
      stdout: new PassThrough(),
      stderr: new PassThrough(),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'HeartbeatError', code: 'E_PING_FAILED', status: 500 });
    expect(check.pings.map((p) => [p.kind, p.exitStatus, p.body.toString()])).toEqual([
      ['fail', 3, 'finished\n'],
    ]);
  });
});
