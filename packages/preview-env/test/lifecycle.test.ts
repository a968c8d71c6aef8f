import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMPTY, type Fixture, fakeClock, IMAGE_1, IMAGE_2, inventory, setup } from './helpers.ts';
import { createEnvironment, deleteEnvironment, listEnvironments } from './legacy.ts';

const aws = useAws();
let fx: Fixture;
beforeAll(async () => {
  fx = await setup(aws);
});

describe('create, update, list, delete', () => {
  it('creates an environment copying the reference service, then deletes every piece of it', async () => {
    const clock = fakeClock();
    // Latency per call makes calls of one round overlap however busy the machine is, so the
    // proxy's count of sequential rounds reflects the code, not the scheduler.
    aws.proxy.setLatency(60);
    aws.proxy.resetStats();
    const env = await createEnvironment('123', {
      image: IMAGE_1,
      env: { DEBUG: '1' },
      config: fx.config,
      clients: fx.clients,
      clock,
    });
    const createStats = aws.proxy.stats();
    aws.proxy.setLatency(0);
    expect(createStats.rounds).toBe(4);
    expect(env).toMatchObject({
      name: 'pr-123',
      pr: 123,
      url: 'https://pr-123.preview.example.com',
      serviceName: 'app-pr-123',
      image: IMAGE_1,
      created: true,
      updated: false,
      unchanged: false,
      createdAt: '2026-11-20T09:00:00.000Z',
    });
    const { ecs, elbv2, route53 } = fx.clients;

    const svc = (
      await ecs.send(
        new DescribeServicesCommand({
          cluster: 'dev',
          services: ['app-pr-123'],
          include: ['TAGS'],
        }),
      )
    ).services?.[0];
    expect(svc?.status).toBe('ACTIVE');
    expect(svc?.launchType).toBe('FARGATE');
    expect(svc?.networkConfiguration?.awsvpcConfiguration?.subnets).toEqual(fx.seed.subnetIds);
    expect(svc?.loadBalancers).toEqual([
      { targetGroupArn: env.targetGroupArn, containerName: 'web', containerPort: 8080 },
    ]);
    expect(svc?.propagateTags).toBe('SERVICE');
    const tags = Object.fromEntries((svc?.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({
      'preview-env:prefix': 'app',
      'preview-env:name': 'pr-123',
      'preview-env:pr': '123',
      'preview-env:image': IMAGE_1,
      'preview-env:created-at': '2026-11-20T09:00:00.000Z',
      'preview-env:deployed-at': '2026-11-20T09:00:00.000Z',
      team: 'berth-demo',
    });

    const td = (
      await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: env.taskDefinitionArn }))
    ).taskDefinition;
    expect(td?.family).toBe('app-pr-123');
    const web = td?.containerDefinitions?.find((c) => c.name === 'web');
    expect(web?.image).toBe(IMAGE_1);
    expect(web?.environment).toEqual(
      expect.arrayContaining([
        { name: 'APP_ENV', value: 'dev' },
        { name: 'FEATURE_FLAGS', value: 'preview' },
        { name: 'DEBUG', value: '1' },
      ]),
    );
    expect(td?.cpu).toBe('256');

    const tg = (
      await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [env.targetGroupArn] }))
    ).TargetGroups?.[0];
    expect(tg).toMatchObject({
      TargetGroupName: 'app-pr-123',
      HealthCheckPath: '/healthz',
      HealthCheckIntervalSeconds: 15,
      HealthyThresholdCount: 2,
      Matcher: { HttpCode: '200-299' },
      TargetType: 'ip',
      Port: 8080,
    });
    const attrs = await elbv2.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: env.targetGroupArn }),
    );
    expect(attrs.Attributes).toContainEqual({
      Key: 'deregistration_delay.timeout_seconds',
      Value: '10',
    });

    const rules =
      (await elbv2.send(new DescribeRulesCommand({ ListenerArn: fx.seed.listenerArn }))).Rules ??
      [];
    const rule = rules.find((r) => r.RuleArn === env.ruleArn);
    expect(rule?.Conditions?.[0]?.HostHeaderConfig?.Values).toEqual(['pr-123.preview.example.com']);
    expect(Number(rule?.Priority)).toBe(env.rulePriority);
    expect(env.rulePriority).toBeGreaterThanOrEqual(1000);

    const records = await route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: fx.seed.hostedZoneId }),
    );
    const record = records.ResourceRecordSets?.find(
      (r) => r.Name === 'pr-123.preview.example.com.',
    );
    expect(record?.Type).toBe('A');
    expect(record?.AliasTarget?.DNSName).toBe(fx.seed.loadBalancerDnsName);

    const listed = await listEnvironments({ config: fx.config, clients: fx.clients, clock });
    expect(listed).toEqual([
      expect.objectContaining({
        name: 'pr-123',
        pr: 123,
        url: 'https://pr-123.preview.example.com',
        image: IMAGE_1,
        status: 'running',
        missing: [],
        createdAt: '2026-11-20T09:00:00.000Z',
        deployedAt: '2026-11-20T09:00:00.000Z',
      }),
    ]);

    aws.proxy.setLatency(60);
    aws.proxy.resetStats();
    const deleted = await deleteEnvironment('pr-123', {
      config: fx.config,
      clients: fx.clients,
      clock,
    });
    const deleteStats = aws.proxy.stats();
    aws.proxy.setLatency(0);
    // reads -> tags of the rule and target group, service, record, deregister -> rule ->
    // target group and task definition revisions
    expect(deleteStats.rounds).toBe(4);
    expect(deleted.deleted).toBe(true);
    expect(deleted.removed).toHaveLength(5);
    expect(await inventory(fx)).toEqual(EMPTY);
    expect(await listEnvironments({ config: fx.config, clients: fx.clients })).toEqual([]);
    const again = await deleteEnvironment('123', { config: fx.config, clients: fx.clients, clock });
    expect(again).toEqual({
      name: 'pr-123',
      pr: 123,
      deleted: false,
      removed: [],
      skipped: [],
      hooks: [],
    });
  });

  it('re-create with the same image is a no-op; a new image deploys a new revision', async () => {
    const clock = fakeClock();
    const first = await createEnvironment('feature/Login', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock,
    });
    expect(first.name).toBe('feature-login');

    clock.advance(3_600_000);
    aws.proxy.resetStats();
    const second = await createEnvironment('feature/Login', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock,
    });
    const writes = Object.keys(aws.proxy.stats().byOperation).filter(
      (op) => !/^(Describe|List)/.test(op),
    );
    expect(writes).toEqual([]);
    expect(second).toMatchObject({
      created: false,
      updated: false,
      unchanged: true,
      taskDefinitionArn: first.taskDefinitionArn,
    });

    clock.advance(3_600_000);
    const third = await createEnvironment('feature/Login', {
      image: IMAGE_2,
      config: fx.config,
      clients: fx.clients,
      clock,
    });
    expect(third).toMatchObject({
      created: false,
      updated: true,
      createdAt: first.createdAt,
      deployedAt: '2026-11-20T11:00:00.000Z',
      targetGroupArn: first.targetGroupArn,
      ruleArn: first.ruleArn,
    });
    expect(third.taskDefinitionArn).not.toBe(first.taskDefinitionArn);
    const svc = (
      await fx.clients.ecs.send(
        new DescribeServicesCommand({ cluster: 'dev', services: ['app-feature-login'] }),
      )
    ).services?.[0];
    expect(svc?.taskDefinition).toBe(third.taskDefinitionArn);
    const [listed] = await listEnvironments({ config: fx.config, clients: fx.clients, clock });
    expect(listed).toMatchObject({
      name: 'feature-login',
      image: IMAGE_2,
      createdAt: first.createdAt,
      deployedAt: third.deployedAt,
    });
    expect(listed?.idleMs).toBe(0);

    await deleteEnvironment('feature/Login', { config: fx.config, clients: fx.clients, clock });
    expect(await inventory(fx)).toEqual(EMPTY);
  });
});
