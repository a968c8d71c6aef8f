import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuthorizeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { signalExitCode } from '@berth/internal';
import { startHttpServer, useAws } from '@berth/testkit';
import { describe, expect, it } from 'vitest';
import { EXPIRES_TAG, OWNER_TAG } from '../src/tags.ts';
import { useSecurityGroups } from './security-groups.ts';

const aws = useAws();
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
// Children run in a scratch directory: a signal-killed child must not leave files in the repo.
const cwd = mkdtempSync(join(tmpdir(), 'sg-ip-window-cli-'));
const sg = useSecurityGroups(aws, { prefix: 'cli' });
const { newGroup, ingress } = sg;

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<number | null>;
  /** Resolves on exit even while an orphaned grandchild still holds the output pipes. */
  exited: Promise<NodeJS.Signals | null>;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): Run {
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
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, done, exited };
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = start(args, env);
  const code = await run.done;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

// A command that says it is ready (with its pid) and then waits to be stopped.
const WAITER = [
  '--',
  process.execPath,
  '-e',
  "console.log('ready ' + process.pid); setInterval(() => {}, 1000)",
];

describe('exec: real processes and signals', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const)(
    '%s is forwarded, the window closed after the command ends, exit 128+n',
    async (signal) => {
      const groupId = await newGroup();
      const run = start([
        'exec',
        '--group',
        groupId,
        '--port',
        '22',
        '--ip',
        '203.0.113.9',
        '--owner',
        `sig-${signal}`,
        ...WAITER,
      ]);
      await expect.poll(run.stdout, { timeout: 30_000 }).toContain('ready');
      const [rule] = await ingress(groupId);
      expect(rule?.CidrIpv4).toBe('203.0.113.9/32');
      run.child.kill(signal);
      const code = await run.done;
      expect(code).toBe(signalExitCode(signal));
      expect(run.stderr()).toContain(`closed ${rule?.SecurityGroupRuleId}`);
      expect(await ingress(groupId)).toEqual([]);
    },
  );

  it('returns the command exit code, even when the command handles the signal itself', async () => {
    const groupId = await newGroup();
    const run = start([
      'exec',
      '--group',
      groupId,
      '--port',
      '22',
      '--ip',
      '203.0.113.10',
      '--owner',
      'trap',
      '--',
      process.execPath,
      '-e',
      "process.on('SIGTERM', () => { console.error('cleaning up'); process.exit(3); }); console.log('ready'); setInterval(() => {}, 1000)",
    ]);
    await expect.poll(run.stdout, { timeout: 30_000 }).toContain('ready');
    run.child.kill('SIGTERM');
    expect(await run.done).toBe(3);
    expect(run.stderr()).toContain('cleaning up');
    expect(await ingress(groupId)).toEqual([]);

    const plain = await cli([
      'exec',
      '--group',
      groupId,
      '--port',
      '22',
      '--ip',
      '203.0.113.10',
      '--',
      process.execPath,
      '-e',
      'process.exit(7)',
    ]);
    expect(plain.code).toBe(7);
    const missing = await cli([
      'exec',
      '--group',
      groupId,
      '--port',
      '22',
      '--ip',
      '203.0.113.10',
      '--',
      'no-such-command-sg-ip-window',
    ]);
    expect(missing.code).toBe(127);
    expect(await ingress(groupId)).toEqual([]);
  });

  it('SIGKILL leaves the rule (nothing can run), and sweep removes it once expired', async () => {
    const groupId = await newGroup();
    const run = start([
      'exec',
      '--group',
      groupId,
      '--port',
      '22',
      '--ip',
      '203.0.113.11',
      '--ttl',
      '1s',
      '--owner',
      'killed',
      ...WAITER,
    ]);
    await expect.poll(run.stdout, { timeout: 30_000 }).toContain('ready');
    const childPid = Number(/ready (\d+)/.exec(run.stdout())?.[1]);
    run.child.kill('SIGKILL');
    expect(await run.exited).toBe('SIGKILL');
    process.kill(childPid, 'SIGKILL');
    await run.done;

    const [rule] = await ingress(groupId);
    expect(rule?.CidrIpv4).toBe('203.0.113.11/32');
    const tags = Object.fromEntries((rule?.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags[OWNER_TAG]).toBe('killed');
    const expiresAt = Date.parse(tags[EXPIRES_TAG] as string);

    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 50));
    const dryJson = await cli(['sweep', '--group', groupId, '--dry-run', '--json']);
    expect(dryJson.code).toBe(0);
    expect(JSON.parse(dryJson.stdout)).toMatchObject({
      dryRun: true,
      revoked: [{ ruleId: rule?.SecurityGroupRuleId, owner: 'killed', cidr: '203.0.113.11/32' }],
      kept: [],
    });
    const dry = await cli(['sweep', '--group', groupId, '--dry-run']);
    expect(dry.stdout.trim()).toBe(rule?.SecurityGroupRuleId);
    expect(dry.stderr).toContain('would revoke');
    expect(await ingress(groupId)).toHaveLength(1);
    const swept = await cli(['sweep', '--group', groupId, '--json']);
    expect(swept.code).toBe(0);
    expect(JSON.parse(swept.stdout).revoked).toEqual([
      expect.objectContaining({ ruleId: rule?.SecurityGroupRuleId, owner: 'killed' }),
    ]);
    expect(await ingress(groupId)).toEqual([]);
  });

  it('two execs with the default owner behind one address: the first to end keeps the rule for the other', async () => {
    const groupId = await newGroup();
    const window = ['exec', '--group', groupId, '--port', '22', '--ip', '203.0.113.13'];
    const long = start([...window, ...WAITER]);
    await expect.poll(long.stdout, { timeout: 30_000 }).toContain('ready');
    const short = await cli([...window, '--', process.execPath, '-e', '']);
    expect(short.code).toBe(0);
    expect(short.stderr).toContain('joined the identical window');
    expect(short.stderr).toMatch(/released sgr-\S+ \(sg-\S+\), still held by .+\/pid-\d+/);
    expect(await ingress(groupId)).toHaveLength(1);
    long.child.kill('SIGTERM');
    expect(await long.done).toBe(signalExitCode('SIGTERM'));
    expect(await ingress(groupId)).toEqual([]);
  });

  it('a signal during IP detection stops before anything is opened', async () => {
    const groupId = await newGroup();
    const hang = await startHttpServer(() => new Promise(() => {}));
    try {
      const run = start([
        'exec',
        '--group',
        groupId,
        '--port',
        '22',
        '--ip-source',
        hang.url,
        '--',
        'true',
      ]);
      await expect.poll(() => hang.requests.length, { timeout: 30_000 }).toBe(1);
      run.child.kill('SIGINT');
      expect(await run.done).toBe(130);
      expect(run.stderr()).toContain('interrupted by SIGINT');
      expect(await ingress(groupId)).toEqual([]);
    } finally {
      await hang.close();
    }
  });
});

describe('usage errors change nothing', () => {
  it.each([
    [
      [
        'exec',
        '--group',
        'sg-0123456789abcdef0',
        '--port',
        '22',
        '--cidr',
        '0.0.0.0/0',
        '--allow-wide',
        '--',
        'true',
      ],
      'whole internet',
    ],
    [
      [
        'exec',
        '--group',
        'sg-0123456789abcdef0',
        '--port',
        '22',
        '--cidr',
        '203.0.113.0/24',
        '--',
        'true',
      ],
      '--allow-wide',
    ],
    [
      ['exec', '--group', 'sg-0123456789abcdef0', '--port', '22', '--ip', '203.0.113.9'],
      'missing the command',
    ],
    [['exec', '--port', '22', '--ip', '203.0.113.9', '--', 'true'], 'missing --group'],
    [['exec', '--group', 'sg-0123456789abcdef0', '--port', 'ssh', '--', 'true'], 'not a port'],
    [['open', '--group', 'sg-0123456789abcdef0', '--port', '22', '--ttl', '10'], 'add a unit'],
    [
      ['open', '--group', 'sg-0123456789abcdef0', '--port', '22', '--family', '5'],
      'must be 4 or 6',
    ],
    [
      ['close', '--group', 'sg-0123456789abcdef0', '--rule-id', 'rule-1'],
      'not a security group rule id',
    ],
    [['sweep'], 'missing --group'],
  ])('%j', async (args, text) => {
    aws.proxy.resetStats();
    const out = await cli(args);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(text);
    expect(out.stdout).toBe('');
    expect(aws.proxy.stats().total).toBe(0);
  });
});

describe('open, close, whoami', () => {
  it('open prints the rule ids; close closes them; a second close finds them already closed', async () => {
    const a = await newGroup();
    const b = await newGroup();
    const opened = await cli([
      'open',
      '--group',
      `${a},${b}`,
      '--port',
      '22',
      '--port',
      '8000-8100',
      '--ip',
      '2600:1f18::10',
      '--json',
    ]);
    expect(opened.code).toBe(0);
    const window = JSON.parse(opened.stdout);
    expect(window).toMatchObject({ ip: '2600:1f18::10', cidr: '2600:1f18::10/128' });
    expect(window.ruleIds).toHaveLength(4);
    expect(window.owner).toMatch(/@/);

    const closed = await cli([
      'close',
      '--group',
      a,
      '--group',
      b,
      ...window.ruleIds.flatMap((id: string) => ['--rule-id', id]),
    ]);
    expect(closed.code).toBe(0);
    expect(closed.stdout.trim().split('\n').sort()).toEqual([...window.ruleIds].sort());
    expect([...(await ingress(a)), ...(await ingress(b))]).toEqual([]);

    const again = await cli(['close', '--group', a, '--rule-id', window.ruleIds[0], '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).alreadyClosed).toEqual([
      { groupId: a, ruleId: window.ruleIds[0] },
    ]);
  });

  it('open in text mode prints one rule id a line; close by another owner only releases', async () => {
    const groupId = await newGroup();
    const opened = await cli([
      'open',
      '--group',
      groupId,
      '--port',
      '22',
      '--ip',
      '203.0.113.12',
      '--owner',
      'deploy-1',
    ]);
    const ids = opened.stdout.trim().split('\n');
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^sgr-/);
    const other = await cli([
      'close',
      '--group',
      groupId,
      '--rule-id',
      ids[0] as string,
      '--owner',
      'someone-else',
    ]);
    expect(other.code).toBe(0);
    expect(other.stderr).toContain('still held by deploy-1');
    expect(await ingress(groupId)).toHaveLength(1);
    await cli(['close', '--group', groupId, '--rule-id', ids[0] as string, '--owner', 'deploy-1']);
    expect(await ingress(groupId)).toEqual([]);
  });

  it('close leaves a rule of someone else alone and says so (exit 1)', async () => {
    const groupId = await newGroup();
    const manual = await sg.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '198.51.100.0/24' }],
          },
        ],
      }),
    );
    const ruleId = manual.SecurityGroupRules?.[0]?.SecurityGroupRuleId as string;
    const out = await cli(['close', '--group', groupId, '--rule-id', ruleId]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`${ruleId} (the rule has no sg-ip-window tags)`);
    expect(await ingress(groupId)).toHaveLength(1);
  });

  it('whoami prints the address and the source that answered', async () => {
    const priv = await startHttpServer((_req, res) => {
      res.end('192.168.1.20');
    });
    const good = await startHttpServer((_req, res) => {
      setTimeout(() => res.end('52.95.110.1\n'), 20);
    });
    try {
      const text = await cli(['whoami', '--ip-source', priv.url, '--ip-source', good.url]);
      expect(text).toMatchObject({ code: 0, stdout: `52.95.110.1 ${good.url}\n` });
      const json = await cli(['whoami', '--json', '--ip-source', `${priv.url},${good.url}`]);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ip: '52.95.110.1',
        family: 4,
        source: good.url,
        failures: [{ source: priv.url, reason: '192.168.1.20 is not public (private-use)' }],
      });
      const none = await cli(['whoami', '--ip-source', priv.url]);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('could not detect');
    } finally {
      await priv.close();
      await good.close();
    }
  });
});
