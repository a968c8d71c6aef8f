import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { startHttpServer, useAws } from '@berth/testkit';
import { afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { buildIfStale } from './build.ts';

// `main` in this process, so a cancellation can be delivered at an exact moment: the runner
// sends SIGINT then SIGTERM to a cancelled step; here the signal is emitted to the listeners.
const aws = useAws();
const ACTION = fileURLToPath(new URL('..', import.meta.url));
let run: typeof import('../src/main.ts').run;
let runPost: typeof import('../src/post.ts').runPost;
let ec2: EC2Client;
let vpcId: string;
let stdout: MockInstance<typeof process.stdout.write>;

beforeAll(async () => {
  // main.ts imports the library's built dist.
  buildIfStale(ACTION);
  ({ run } = await import('../src/main.ts'));
  ({ runPost } = await import('../src/post.ts'));
  ec2 = new EC2Client(aws.clientConfig);
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId as string;
}, 120_000);

afterEach(() => {
  stdout?.mockRestore();
});

function captureStdout(): () => string {
  let text = '';
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    text += String(chunk);
    return true;
  });
  return () => text;
}

let groups = 0;
async function newGroup(): Promise<string> {
  groups++;
  const out = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: `cancel-${groups}`,
      Description: 'ssh',
      VpcId: vpcId,
    }),
  );
  return out.GroupId as string;
}

async function ingress(groupId: string): Promise<SecurityGroupRule[]> {
  const out = await ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
  );
  return (out.SecurityGroupRules ?? []).filter((r) => r.IsEgress === false);
}

function stepEnv(inputs: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'sg-ip-window-cancel-'));
  const files = {
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const env: NodeJS.ProcessEnv = {
    ...aws.env,
    ...files,
    GITHUB_RUN_ID: '42',
    GITHUB_REPOSITORY: 'berth-dev/demo',
    GITHUB_JOB: 'deploy',
    RUNNER_NAME: 'runner-1',
    GITHUB_ACTION: '__berth-dev_berth',
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return { env, state: () => readFileSync(files.GITHUB_STATE, 'utf8') };
}

describe('cancellation of the main step', () => {
  it('while the rules are being opened: the call in flight is aborted, what was opened is closed again, 128+n', async () => {
    const groupId = await newGroup();
    // The signal arrives while AuthorizeSecurityGroupIngress is on its way to the emulator.
    const signalled = new EC2Client(aws.clientConfig);
    signalled.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'AuthorizeSecurityGroupIngressCommand') {
          process.emit('SIGHUP', 'SIGHUP');
        }
        return next(args);
      },
      { step: 'initialize', name: 'cancelDuringOpen' },
    );
    const step = stepEnv({ 'group-ids': groupId, port: '22', ip: '203.0.113.30', run: 'exit 0' });
    const out = captureStdout();
    const code = await run({ env: step.env, clients: { ec2: signalled } });
    stdout.mockRestore();
    expect(code).toBe(129);
    expect(out()).toContain('cancelled by SIGHUP before the window was open');
    expect(out()).toContain('nothing was left open');
    expect(out()).not.toContain('the run command exited');
    expect(await ingress(groupId)).toEqual([]);
    // No open window in the state, so the post step has nothing left to do.
    expect(step.state()).not.toContain('"closed":false');
    expect(process.listenerCount('SIGHUP')).toBe(0);
  });

  it('without run, a window being opened under a cancellation is closed at once too', async () => {
    const groupId = await newGroup();
    const signalled = new EC2Client(aws.clientConfig);
    signalled.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'AuthorizeSecurityGroupIngressCommand') {
          process.emit('SIGHUP', 'SIGHUP');
        }
        return next(args);
      },
      { step: 'initialize', name: 'cancelDuringOpen' },
    );
    const step = stepEnv({ 'group-ids': groupId, port: '22', ip: '203.0.113.31' });
    captureStdout();
    expect(await run({ env: step.env, clients: { ec2: signalled } })).toBe(129);
    stdout.mockRestore();
    expect(await ingress(groupId)).toEqual([]);
    expect(step.state()).not.toContain('"closed":false');
  });

  it('while the address is being detected: detection stops, nothing is opened, post has nothing to do', async () => {
    const groupId = await newGroup();
    const hang = await startHttpServer(() => new Promise(() => {}));
    try {
      const step = stepEnv({ 'group-ids': groupId, port: '22', 'ip-sources': hang.url });
      aws.proxy.resetStats();
      const out = captureStdout();
      const main = run({ env: step.env });
      await expect.poll(() => hang.requests.length).toBe(1);
      process.emit('SIGHUP', 'SIGHUP');
      expect(await main).toBe(129);
      expect(out()).toContain('cancelled by SIGHUP before the window was open');
      expect(aws.proxy.stats().total).toBe(0);
      expect(step.state()).toBe('');
      expect(await runPost({ env: step.env })).toBe(0);
      stdout.mockRestore();
      expect(out()).toContain('no window was opened');
    } finally {
      await hang.close();
    }
  });
});
