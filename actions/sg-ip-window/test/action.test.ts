import { fileURLToPath } from 'node:url';
import {
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { runAction, startHttpServer, useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale } from './build.ts';

const aws = useAws();
const ACTION = fileURLToPath(new URL('..', import.meta.url));
let ec2: EC2Client;
let vpcId: string;

beforeAll(async () => {
  buildIfStale(ACTION);
  ec2 = new EC2Client(aws.clientConfig);
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId as string;
}, 120_000);

let groups = 0;
async function newGroup(): Promise<string> {
  groups++;
  const out = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: `action-${groups}`,
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

const jobEnv = (runner: string, step = '__berth-dev_berth') => ({
  GITHUB_JOB: 'deploy',
  RUNNER_NAME: runner,
  GITHUB_ACTION: step,
});

describe('sg-ip-window action', () => {
  it('main opens and saves the rules in the state; post closes exactly those', async () => {
    const a = await newGroup();
    const b = await newGroup();
    const main = await runAction(ACTION, {
      inputs: { 'group-ids': `${a}, ${b}`, port: '22', ip: '203.0.113.9' },
      env: jobEnv('runner-1'),
      phase: 'main',
    });
    expect(main.stderr).toBe('');
    expect(main.exitCode).toBe(0);
    expect(main.outputs.ip).toBe('203.0.113.9');
    const ruleIds = main.outputs['rule-ids']?.split(',') ?? [];
    expect(ruleIds).toHaveLength(2);
    expect((await ingress(a)).map((r) => r.SecurityGroupRuleId)).toEqual([ruleIds[0]]);
    expect(main.summary).toContain('203.0.113.9/32');
    const state = JSON.parse(main.state['sg-ip-window'] as string);
    expect(state).toEqual({
      owner: 'gh:berth-dev/demo/run/1234567890.1/deploy/runner-1/step/__berth-dev_berth',
      rules: [
        { groupId: a, ruleId: ruleIds[0] },
        { groupId: b, ruleId: ruleIds[1] },
      ],
      closed: false,
    });

    // The post step of a failed (or cancelled) job still runs and closes.
    const post = await runAction(ACTION, {
      env: jobEnv('runner-1'),
      phase: 'post',
      state: main.state,
      jobStatus: 'cancelled',
    });
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain(`closed ${ruleIds[0]}`);
    expect([...(await ingress(a)), ...(await ingress(b))]).toEqual([]);
  });

  it('two jobs behind one address share the rule; each post releases only its own hold', async () => {
    const groupId = await newGroup();
    const inputs = { 'group-ids': groupId, port: '22', ip: '203.0.113.10' };
    const one = await runAction(ACTION, { inputs, env: jobEnv('runner-1'), phase: 'main' });
    const two = await runAction(ACTION, { inputs, env: jobEnv('runner-2'), phase: 'main' });
    expect(two.outputs['rule-ids']).toBe(one.outputs['rule-ids']);
    const postOne = await runAction(ACTION, {
      env: jobEnv('runner-1'),
      phase: 'post',
      state: one.state,
    });
    expect(postOne.stdout).toContain(
      'still held by gh:berth-dev/demo/run/1234567890.1/deploy/runner-2/step/__berth-dev_berth',
    );
    expect(await ingress(groupId)).toHaveLength(1);
    await runAction(ACTION, { env: jobEnv('runner-2'), phase: 'post', state: two.state });
    expect(await ingress(groupId)).toEqual([]);
  });

  it('a second step of the same job with run keeps the job-long window of the first open', async () => {
    const groupId = await newGroup();
    const inputs = { 'group-ids': groupId, port: '22', ip: '203.0.113.14' };
    const jobLong = await runAction(ACTION, { inputs, env: jobEnv('runner-1'), phase: 'main' });
    expect(jobLong.exitCode).toBe(0);
    const oneCommand = await runAction(ACTION, {
      inputs: { ...inputs, run: 'true' },
      env: jobEnv('runner-1', '__berth-dev_berth_2'),
    });
    expect(oneCommand.exitCode).toBe(0);
    expect(oneCommand.stdout).toContain('sg-ip-window: joined');
    expect(oneCommand.stdout).toContain('1 still held by others');
    expect(await ingress(groupId)).toHaveLength(1);
    await runAction(ACTION, { env: jobEnv('runner-1'), phase: 'post', state: jobLong.state });
    expect(await ingress(groupId)).toEqual([]);
  });

  it('run executes inside the window and closes it when the command ends', async () => {
    const groupId = await newGroup();
    const result = await runAction(ACTION, {
      inputs: {
        'group-ids': groupId,
        port: '2222',
        ip: '2600:1f18::10',
        run: 'echo "inside the window"\ntest -n "$AWS_REGION"',
      },
      env: jobEnv('runner-1'),
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('inside the window');
    expect(result.outputs.ip).toBe('2600:1f18::10');
    expect(result.stdout).toContain('nothing to close');
    expect(await ingress(groupId)).toEqual([]);
  });

  it('a failing run fails the step with its exit code and still closes', async () => {
    const groupId = await newGroup();
    const result = await runAction(ACTION, {
      inputs: { 'group-ids': groupId, port: '22', ip: '203.0.113.11', run: 'exit 3' },
      env: jobEnv('runner-1'),
    });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toContain('::error::sg-ip-window: the run command exited with 3');
    expect(await ingress(groupId)).toEqual([]);
  });

  it('detects the address through the given sources', async () => {
    const source = await startHttpServer((_req, res) => {
      res.end('52.95.110.1\n');
    });
    try {
      const groupId = await newGroup();
      const result = await runAction(ACTION, {
        inputs: { 'group-ids': groupId, port: '22', 'ip-sources': source.url },
        env: jobEnv('runner-1'),
      });
      expect(result.exitCode).toBe(0);
      expect(result.outputs.ip).toBe('52.95.110.1');
      expect(result.summary).toContain(`address from ${source.url}`);
      expect(await ingress(groupId)).toEqual([]);
    } finally {
      await source.close();
    }
  });

  it('bad input fails main with a clear error, opens nothing, and post has nothing to do', async () => {
    const groupId = await newGroup();
    aws.proxy.resetStats();
    for (const [inputs, text] of [
      [{ 'group-ids': groupId, port: 'ssh', ip: '203.0.113.12' }, 'not a port'],
      [{ 'group-ids': groupId, port: '22', ip: 'auto', 'ip-family': '5' }, 'ip-family'],
      [{ 'group-ids': 'default', port: '22', ip: '203.0.113.12' }, 'not a security group id'],
      [{ port: '22', ip: '203.0.113.12' }, 'input "group-ids" is required'],
    ] as const) {
      const result = await runAction(ACTION, { inputs, env: jobEnv('runner-1') });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(text);
      expect(result.stdout).toContain('no window was opened');
    }
    expect(aws.proxy.stats().total).toBe(0);
  });
});
