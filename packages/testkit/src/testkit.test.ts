import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { seedAccount } from './seed.ts';
import { useAws } from './use-aws.ts';

const aws = useAws();

describe('test kit', () => {
  it('seeds a realistic account in this file’s own emulator account', async () => {
    const seeded = await seedAccount(aws.clientConfig);
    const ecs = new ECSClient(aws.clientConfig);
    const out = await ecs.send(
      new DescribeServicesCommand({ cluster: seeded.cluster, services: [seeded.referenceService] }),
    );
    expect(out.services?.[0]?.status).toBe('ACTIVE');
    expect(out.services?.[0]?.loadBalancers?.[0]?.targetGroupArn).toBe(seeded.targetGroupArn);
    const elb = new ElasticLoadBalancingV2Client(aws.clientConfig);
    const rules = await elb.send(new DescribeRulesCommand({ ListenerArn: seeded.listenerArn }));
    expect(rules.Rules?.map((r) => r.Priority).sort()).toEqual(['1', 'default']);
    expect(aws.proxy.stats().byOperation.CreateService).toBe(1);
  });

  it('lets SDK clients reach the emulator through AWS_ENDPOINT_URL alone', async () => {
    const sm = new SecretsManagerClient({});
    const out = await sm.send(new ListSecretsCommand({}));
    expect(out.SecretList?.map((s) => s.Name)).toContain('app/dev');
  });

  it('injects AWS errors into chosen calls', async () => {
    const stop = aws.proxy.fail({
      operation: 'ListSecrets',
      error: { code: 'AccessDeniedException' },
    });
    const sm = new SecretsManagerClient(aws.clientConfig);
    await expect(sm.send(new ListSecretsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    stop();
    await expect(sm.send(new ListSecretsCommand({}))).resolves.toBeDefined();
  });

  it('fails only the n-th matching call when asked', async () => {
    aws.proxy.fail({ operation: 'ListSecrets', nth: 2, error: { code: 'ThrottlingException' } });
    const sm = new SecretsManagerClient(aws.clientConfig);
    await expect(sm.send(new ListSecretsCommand({}))).resolves.toBeDefined();
    await expect(sm.send(new ListSecretsCommand({}))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    await expect(sm.send(new ListSecretsCommand({}))).resolves.toBeDefined();
    aws.proxy.clearFaults();
  });

  it('measures latency rounds and concurrency', async () => {
    aws.proxy.resetStats();
    aws.proxy.setLatency(50);
    const sm = new SecretsManagerClient(aws.clientConfig);
    await Promise.all([sm.send(new ListSecretsCommand({})), sm.send(new ListSecretsCommand({}))]);
    await sm.send(new ListSecretsCommand({}));
    aws.proxy.setLatency(0);
    const stats = aws.proxy.stats();
    expect(stats.total).toBe(3);
    expect(stats.maxInFlight).toBe(2);
    expect(stats.rounds).toBe(2);
  });
});
