import {
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { abortable, awsClientConfig, isLostResponse } from '@berth/internal';
import { describe, expect, inject, it } from 'vitest';
import { startAwsProxy } from './aws-proxy.ts';
import { fixtureClient } from './fixture-clients.ts';
import { useAws } from './use-aws.ts';

const aws = useAws();

/** A client as the packages build it, with a short per-attempt timeout. */
const ec2With = (options: { timeoutMs?: number; maxAttempts?: number } = {}) =>
  new EC2Client(
    awsClientConfig({
      endpoint: aws.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      ...options,
    }),
  );

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );

describe('connection faults', () => {
  it('applied-then-reset: the emulator applies the call, the client sees a lost response', async () => {
    const ec2 = ec2With();
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    const VpcId = vpc.Vpc?.VpcId as string;
    aws.proxy.fail({ operation: 'CreateSecurityGroup', fault: 'applied-then-reset', times: 1 });
    const error = await failure(
      ec2.send(new CreateSecurityGroupCommand({ GroupName: 'lost', Description: 'x', VpcId })),
    );
    expect(error).toBeDefined();
    expect(isLostResponse(error)).toBe(true);
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['lost'] }] }),
    );
    expect(groups.SecurityGroups).toHaveLength(1);
    expect(aws.proxy.calls.find((c) => c.operation === 'CreateSecurityGroup')).toMatchObject({
      injected: 'applied-then-reset',
      status: 200,
    });
  });

  it('applied-then-reset: the SDK retry then meets what the first attempt made', async () => {
    const ec2 = ec2With({ maxAttempts: 2 });
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.8.0.0/16' }));
    const VpcId = vpc.Vpc?.VpcId as string;
    aws.proxy.fail({ operation: 'CreateSecurityGroup', fault: 'applied-then-reset', times: 1 });
    const error = await failure(
      ec2.send(new CreateSecurityGroupCommand({ GroupName: 'twice', Description: 'x', VpcId })),
    );
    expect(error?.name).toBe('InvalidGroup.Duplicate');
    expect(aws.proxy.stats().byOperation.CreateSecurityGroup).toBe(2);
  });

  it('no-answer: a client with a short timeout gives up, and is not left hanging', async () => {
    const stop = aws.proxy.fail({ operation: 'DescribeVpcs', fault: 'no-answer' });
    const error = await failure(ec2With({ timeoutMs: 300 }).send(new DescribeVpcsCommand({})));
    stop();
    expect(error?.name).toBe('TimeoutError');
    expect(isLostResponse(error)).toBe(true);
    expect(aws.proxy.calls.find((c) => c.operation === 'DescribeVpcs')).toMatchObject({
      injected: 'no-answer',
      status: 0,
    });
  });

  it('no-answer: an abort signal ends the held call at once; nextCall tells when it hangs', async () => {
    aws.proxy.fail({ operation: 'DescribeVpcs', fault: 'no-answer', times: 1 });
    const controller = new AbortController();
    const hung = aws.proxy.nextCall('DescribeVpcs');
    const ec2 = ec2With({ timeoutMs: 60_000 });
    const call = failure(abortable(ec2, controller.signal).send(new DescribeVpcsCommand({})));
    expect(await hung).toMatchObject({ operation: 'DescribeVpcs', injected: 'no-answer' });
    controller.abort();
    expect((await call)?.name).toBe('AbortError');
    // the fault was used once: the same client goes on
    await expect(ec2.send(new DescribeVpcsCommand({}))).resolves.toBeDefined();
  });

  it('no-answer: closing the proxy releases held connections', async () => {
    const proxy = await startAwsProxy({ upstream: inject('motoEndpoint') });
    proxy.fail({ fault: 'no-answer' });
    const ec2 = new EC2Client(
      awsClientConfig({
        endpoint: proxy.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
        timeoutMs: 120_000,
      }),
    );
    const hung = proxy.nextCall();
    const call = failure(ec2.send(new DescribeVpcsCommand({})));
    await hung;
    await proxy.close();
    expect(isLostResponse(await call)).toBe(true);
  });
});

describe('call counting', () => {
  it('measure counts only the calls made while it runs', async () => {
    const ec2 = ec2With();
    await ec2.send(new DescribeVpcsCommand({}));
    const { result, stats } = await aws.proxy.measure(async () => {
      await Promise.all([
        ec2.send(new DescribeVpcsCommand({})),
        ec2.send(new DescribeVpcsCommand({})),
      ]);
      await ec2.send(new DescribeSecurityGroupsCommand({}));
      return 'done';
    });
    expect(result).toBe('done');
    expect(stats.byOperation).toEqual({ DescribeVpcs: 2, DescribeSecurityGroups: 1 });
    expect(stats.total).toBe(3);
  });

  it('resetStats ignores calls that were in flight before it', async () => {
    aws.proxy.fail({ operation: 'DescribeVpcs', fault: 'no-answer', times: 1 });
    const controller = new AbortController();
    const hung = aws.proxy.nextCall('DescribeVpcs');
    const straggler = failure(
      abortable(ec2With(), controller.signal).send(new DescribeVpcsCommand({})),
    );
    await hung;
    aws.proxy.resetStats();
    controller.abort();
    await straggler;
    await ec2With().send(new DescribeSecurityGroupsCommand({}));
    expect(aws.proxy.stats().byOperation).toEqual({ DescribeSecurityGroups: 1 });
  });

  it('starts each test with no recorded calls', () => {
    expect(aws.proxy.stats().total).toBe(0);
  });
});

describe('fixture clients', () => {
  it('retry the HTML 500 pages a loaded emulator answers with', async () => {
    aws.proxy.fail({
      operation: 'CreateSecret',
      times: 2,
      error: { code: 'InternalServerError', status: 500, html: true },
    });
    const plain = new SecretsManagerClient(aws.clientConfig);
    await expect(
      plain.send(new CreateSecretCommand({ Name: 'fx/plain', SecretString: '{}' })),
    ).rejects.toBeDefined();
    const sm = fixtureClient(SecretsManagerClient, aws.clientConfig);
    const out = await sm.send(new CreateSecretCommand({ Name: 'fx/one', SecretString: '{}' }));
    expect(out.Name).toBe('fx/one');
    expect(aws.proxy.stats().byOperation.CreateSecret).toBe(3);
  });
});
