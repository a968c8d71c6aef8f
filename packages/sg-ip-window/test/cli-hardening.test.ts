// Issue 13 items 4 and 7 at the CLI: hung AWS calls end on a timeout or a signal (128+n, with
// the normal cleanup), lost answers leave nothing behind, and hostile input is refused.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signalExitCode } from '@berth/internal';
import { useAws } from '@berth/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { useSecurityGroups } from './security-groups.ts';

const aws = useAws();
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'sg-ip-window-hardening-'));
const { newGroup, ingress } = useSecurityGroups(aws, { prefix: 'hard' });

beforeEach(() => {
  aws.proxy.clearFaults();
});

function start(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...aws.env, NO_COLOR: '1', GITHUB_RUN_ID: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

const execArgs = (groupId: string, owner: string) => [
  'exec',
  '--group',
  groupId,
  '--port',
  '22',
  '--ip',
  '203.0.113.9',
  '--owner',
  owner,
  '--',
  process.execPath,
  '-e',
  "console.log('ran')",
];

describe('exec with AuthorizeSecurityGroupIngress unanswered', () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    '%s during the hung call aborts it, closes what was opened, exits 128+n',
    async (signal) => {
      const [a, b] = [await newGroup(), await newGroup()];
      // The first group's rule is made; the second call hangs.
      aws.proxy.fail({ operation: 'AuthorizeSecurityGroupIngress', nth: 2, fault: 'no-answer' });
      const first = aws.proxy.nextCall('AuthorizeSecurityGroupIngress');
      const hung = first.then(() => aws.proxy.nextCall('AuthorizeSecurityGroupIngress'));
      const run = start(
        ['exec', '--group', `${a},${b}`, ...execArgs(a, `hung-${signal}`).slice(3)],
        {
          BERTH_AWS_TIMEOUT: '10m',
        },
      );
      await hung;
      run.child.kill(signal);
      expect(await run.done).toBe(signalExitCode(signal));
      expect(run.stdout()).not.toContain('ran');
      expect(run.stderr()).toContain(
        `interrupted by ${signal} while opening the window; nothing was left open`,
      );
      expect(await ingress(a)).toEqual([]);
      expect(await ingress(b)).toEqual([]);
    },
  );

  it('without a signal, ends on the timeout (BERTH_AWS_TIMEOUT) with exit 1 and leaves nothing', async () => {
    const groupId = await newGroup();
    aws.proxy.fail({ operation: 'AuthorizeSecurityGroupIngress', fault: 'no-answer' });
    const run = start(execArgs(groupId, 'timeout'), { BERTH_AWS_TIMEOUT: '1s' });
    expect(await run.done).toBe(1);
    expect(run.stderr()).toMatch(/AWS did not answer in time.*BERTH_AWS_TIMEOUT/);
    expect(run.stdout()).not.toContain('ran');
    expect(await ingress(groupId)).toEqual([]);
  });

  it('a bad BERTH_AWS_TIMEOUT is a usage error before any call', async () => {
    const run = start(execArgs('sg-0123456789abcdef0', 'bad'), { BERTH_AWS_TIMEOUT: 'soon' });
    expect(await run.done).toBe(2);
    expect(run.stderr()).toContain('BERTH_AWS_TIMEOUT');
    expect(aws.proxy.stats().total).toBe(0);
  });
});

describe('exec with a lost answer at every write', () => {
  it.each(['AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress'])(
    '%s applied, then the connection reset: the command runs and nothing is left',
    async (operation) => {
      const groupId = await newGroup();
      aws.proxy.fail({ operation, fault: 'applied-then-reset', times: 1 });
      const run = start(execArgs(groupId, `reset-${operation}`));
      expect(await run.done).toBe(0);
      expect(run.stdout()).toContain('ran');
      expect(await ingress(groupId)).toEqual([]);
    },
  );
});

describe('hostile input is refused (exit 2, nothing called)', () => {
  it.each([
    [['--ip', '::ffff:198.51.100.7'], 'use the IPv4 address 198.51.100.7'],
    [['--ip', '203.0.113.9', '--ip-timeout', '0s'], '--ip-timeout: "0s" is too short'],
    [['--cidr', '0.0.0.0/1', '--allow-wide'], 'wider than /16'],
    [
      ['--cidr', '10.0.0.0/8', '--allow-wide', '--confirm-wide', '10.0.0.0/9'],
      'does not confirm it',
    ],
    [['--ip', '203.0.113.9', '--ip', '203.0.113.10'], '--ip given more than once'],
    [['--ip', '203.0.113.9', '--ttl', '1h', '--ttl', '2h'], '--ttl given more than once'],
  ])('%j', async (extra, text) => {
    // `open` takes --json (exec passes its stdout to the command)
    const run = start([
      'open',
      '--group',
      'sg-0123456789abcdef0',
      '--port',
      '22',
      ...extra,
      '--json',
    ]);
    expect(await run.done).toBe(2);
    expect(run.stderr()).toContain(text);
    // --json: the error as a document on stdout
    expect(JSON.parse(run.stdout())).toMatchObject({
      error: { code: expect.stringMatching(/^E_(INPUT|WIDE_CIDR)$/) },
    });
    expect(aws.proxy.stats().total).toBe(0);
  });

  it('a /8 with --allow-wide and --confirm-wide of the same block is accepted', async () => {
    const groupId = await newGroup();
    const run = start([
      'exec',
      '--group',
      groupId,
      '--port',
      '22',
      '--cidr',
      '10.0.0.0/8',
      '--allow-wide',
      '--confirm-wide',
      '10.0.0.0/8',
      '--',
      process.execPath,
      '-e',
      "console.log('ran')",
    ]);
    expect(await run.done).toBe(0);
    expect(run.stdout()).toContain('ran');
    expect(await ingress(groupId)).toEqual([]);
  });
});
