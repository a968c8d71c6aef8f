import { type HealthchecksServer, startHealthchecksServer } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli, waitFor } from './helpers.ts';

// Issue 13 item 5 (the job is over when the command exits; signals reach its process
// group) and issue 19 (--max-runtime). Assertions are on events (who is still alive when
// heartbeat exits, what the server recorded), never on elapsed time.

let hc: HealthchecksServer;
const strays: number[] = [];
beforeEach(async () => {
  hc = await startHealthchecksServer();
});
afterEach(async () => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await hc.close();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids a job printed as `gc=<pid>` (its background processes). */
function grandchildren(stdout: string): number[] {
  const pids = [...stdout.matchAll(/gc=(\d+)/g)].map((m) => Number(m[1]));
  strays.push(...pids);
  return pids;
}

function run(args: string[]) {
  const check = hc.addCheck({ name: 'job' });
  const cli = startCli(['run', '--ping-url', hc.pingUrlOf(check), ...args]);
  return { check, cli };
}

describe('heartbeat run: the job is over when its command exits', () => {
  it('does not wait for a background process that holds stdout and stderr', async () => {
    const { check, cli } = run(['--', 'sh', '-c', 'sleep 60 & echo gc=$!; echo started']);
    const r = await cli.done;
    const [gc] = grandchildren(r.stdout);
    expect(r.code).toBe(0);
    // Still running when heartbeat exited: heartbeat did not wait for it.
    expect(alive(gc as number)).toBe(true);
    expect(check.pings.map((p) => [p.kind, p.exitStatus])).toEqual([
      ['start', undefined],
      ['success', 0],
    ]);
    expect(check.pings[1]?.body.toString()).toContain('started\n');
  });

  it('forwards SIGTERM to the whole process group, grandchildren included', async () => {
    const { check, cli } = run([
      '--',
      'sh',
      '-c',
      'sleep 60 & echo gc=$!; sleep 60 & echo gc=$!; echo started; wait',
    ]);
    await waitFor(() => cli.stdoutText().includes('started'), 'the job to start');
    const pids = grandchildren(cli.stdoutText());
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    expect(r.code).toBe(143);
    expect(check.pings.at(-1)).toMatchObject({ kind: 'fail', exitStatus: 143 });
    await waitFor(() => pids.every((pid) => !alive(pid)), 'the grandchildren to end');
  });

  it('forwards every signal, not only the first', async () => {
    const script = [
      'n=0',
      'trap \'n=$((n+1)); echo got-term-$n; [ "$n" -ge 2 ] && exit 7\' TERM',
      'echo started',
      'while :; do sleep 1; done',
    ].join('\n');
    const { check, cli } = run(['--', 'sh', '-c', script]);
    await waitFor(() => cli.stdoutText().includes('started'), 'the job to start');
    cli.child.kill('SIGTERM');
    await waitFor(() => cli.stdoutText().includes('got-term-1'), 'the first signal');
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    expect(r.stdout + r.stderr).toContain('got-term-2');
    expect(r.code).toBe(7);
    expect(check.pings.at(-1)).toMatchObject({ kind: 'fail', exitStatus: 7 });
  });
});

describe('heartbeat run --max-runtime', () => {
  it('ends a job that ignores SIGTERM with SIGKILL, reports it timed out, exits 124', async () => {
    const { check, cli } = run([
      '--max-runtime',
      '1s',
      '--kill-after',
      '1s',
      '--',
      'sh',
      '-c',
      'trap "" TERM; echo started; sleep 60 & echo gc=$!; wait',
    ]);
    const r = await cli.done;
    const pids = grandchildren(r.stdout);
    expect(r.code).toBe(124);
    expect(r.stderr).toMatch(/timed out after 1s \(--max-runtime\)/);
    const last = check.pings.at(-1);
    expect(last).toMatchObject({ kind: 'fail', exitStatus: 124 });
    const body = last?.body.toString() ?? '';
    expect(body).toMatch(/^started\n/);
    expect(body).toMatch(
      /\[heartbeat: timed out: still running after 1s \(max runtime\); sent SIGTERM to its process group, then SIGKILL after 1s\]\n$/,
    );
    await waitFor(() => pids.every((pid) => !alive(pid)), 'the whole group to end');
  });

  // Many CLI runs one after another: slow on a loaded machine, whatever the code does.
  it('ends the whole process group of a job with background processes', {
    timeout: 90_000,
  }, async () => {
    const { check, cli } = run([
      '--max-runtime',
      '1s',
      '--',
      'sh',
      '-c',
      'sleep 60 & echo gc=$!; echo started; sleep 60',
    ]);
    const r = await cli.done;
    const pids = grandchildren(r.stdout);
    expect(r.code).toBe(124);
    expect(check.pings.at(-1)?.body.toString()).toMatch(/sent SIGTERM to its process group\]\n$/);
    await waitFor(() => pids.every((pid) => !alive(pid)), 'the grandchild to end');
  });

  // Many CLI runs one after another: slow on a loaded machine, whatever the code does.
  it('refuses a bad --max-runtime or --kill-after without one (exit 2)', {
    timeout: 90_000,
  }, async () => {
    for (const args of [
      ['--max-runtime', '0s'],
      ['--max-runtime', 'soon'],
      ['--kill-after', '5s'],
    ]) {
      const { check, cli } = run([...args, '--', 'true']);
      const r = await cli.done;
      expect(r.code, args.join(' ')).toBe(2);
      expect(check.pings).toHaveLength(0);
    }
  });
});
