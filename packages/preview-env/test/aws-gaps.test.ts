// moto differs from AWS in ways that matter here (see the team's moto notes). These tests put
// AWS's documented behaviour back with SDK middleware on real clients talking to the emulator.
import { CreateServiceCommand, DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  awsError,
  clientsFor,
  EMPTY,
  type Fixture,
  fakeClock,
  IMAGE_1,
  IMAGE_2,
  inventory,
  setup,
} from './helpers.ts';
import { createEnvironment, deleteEnvironment, listEnvironments } from './legacy.ts';

const aws = useAws();
let fx: Fixture;
beforeAll(async () => {
  fx = await setup(aws);
});

/** AWS: CreateService with a target group no listener or rule forwards to is refused. */
function requireAttachedTargetGroup(ecs: ECSClient, elbv2: ElasticLoadBalancingV2Client): void {
  ecs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'CreateServiceCommand') {
        const input = args.input as { loadBalancers?: { targetGroupArn?: string }[] };
        for (const lb of input.loadBalancers ?? []) {
          const out = await elbv2.send(
            new DescribeTargetGroupsCommand({ TargetGroupArns: [lb.targetGroupArn as string] }),
          );
          if (!out.TargetGroups?.[0]?.LoadBalancerArns?.length) {
            throw awsError(
              'InvalidParameterException',
              `The target group with targetGroupArn ${lb.targetGroupArn} does not have an associated load balancer.`,
            );
          }
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'requireAttachedTargetGroup' },
  );
}

/** AWS: CreateTargetGroup with an existing name and the same settings returns that group. */
function idempotentCreateTargetGroup(
  elbv2: ElasticLoadBalancingV2Client,
  plain: ElasticLoadBalancingV2Client,
): void {
  elbv2.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (
          context.commandName !== 'CreateTargetGroupCommand' ||
          (error as Error).name !== 'DuplicateTargetGroupNameException'
        )
          throw error;
        const name = (args.input as { Name: string }).Name;
        const out = await plain.send(new DescribeTargetGroupsCommand({ Names: [name] }));
        return { output: { TargetGroups: out.TargetGroups, $metadata: {} }, response: {} };
      }
    },
    { step: 'initialize', name: 'idempotentCreateTargetGroup' },
  );
}

/** AWS: CreateService with the name of an ACTIVE service fails (moto overwrites it silently). */
function refuseDuplicateService(ecs: ECSClient, plain: ECSClient): void {
  ecs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'CreateServiceCommand') {
        const input = args.input as { cluster?: string; serviceName?: string };
        const out = await plain.send(
          new DescribeServicesCommand({
            cluster: input.cluster,
            services: [input.serviceName as string],
          }),
        );
        if (out.services?.some((s) => s.status === 'ACTIVE')) {
          throw awsError('InvalidParameterException', 'Creation of service was not idempotent.');
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'refuseDuplicateService' },
  );
}

/** Hides an environment from its first reads, as if it was made right after them (a race). */
function staleFirstReads(
  clients: ReturnType<typeof clientsFor>,
  serviceName: string,
  groupName: string,
  host: string,
): void {
  const seen = new Set<string>();
  const once = (command: string) => {
    if (seen.has(command)) return false;
    seen.add(command);
    return true;
  };
  clients.ecs.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === 'DescribeServicesCommand' && once('DescribeServices')) {
        const o = out.output as { services?: { serviceName?: string }[] };
        o.services = (o.services ?? []).filter((s) => s.serviceName !== serviceName);
      }
      return out;
    },
    { step: 'initialize', name: 'stale' },
  );
  clients.elbv2.middlewareStack.add(
    (next, context) => async (args) => {
      if (
        context.commandName === 'DescribeTargetGroupsCommand' &&
        (args.input as { Names?: string[] }).Names?.includes(groupName) &&
        once('tg')
      ) {
        throw awsError('TargetGroupNotFoundException', 'One or more target groups not found');
      }
      const out = await next(args);
      if (context.commandName === 'DescribeRulesCommand' && once('DescribeRules')) {
        const o = out.output as {
          Rules?: { Conditions?: { HostHeaderConfig?: { Values?: string[] } }[] }[];
        };
        o.Rules = (o.Rules ?? []).filter(
          (r) => !r.Conditions?.some((c) => c.HostHeaderConfig?.Values?.includes(host)),
        );
      }
      return out;
    },
    { step: 'initialize', name: 'stale' },
  );
}

describe('AWS behaviour the emulator lacks', () => {
  it('the fake refuses CreateService for a target group no rule forwards to (as AWS does)', async () => {
    const clients = clientsFor(aws);
    requireAttachedTargetGroup(clients.ecs, clients.elbv2);
    const tg = await clients.elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'lonely',
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: fx.seed.vpcId,
        TargetType: 'ip',
      }),
    );
    await expect(
      clients.ecs.send(
        new CreateServiceCommand({
          cluster: 'dev',
          serviceName: 'lonely',
          taskDefinition: fx.seed.taskDefinitionArn,
          loadBalancers: [
            {
              targetGroupArn: tg.TargetGroups?.[0]?.TargetGroupArn,
              containerName: 'web',
              containerPort: 8080,
            },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await fx.clients.elbv2.send(
      new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroups?.[0]?.TargetGroupArn }),
    );
  });

  it('create makes the rule before the service, so AWS accepts the service', async () => {
    const clients = clientsFor(aws);
    requireAttachedTargetGroup(clients.ecs, clients.elbv2);
    const env = await createEnvironment('pr-300', { image: IMAGE_1, config: fx.config, clients });
    expect(env.created).toBe(true);
    await deleteEnvironment('pr-300', { config: fx.config, clients });
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it("with idempotent CreateTargetGroup, a racing create that fails leaves the other create's environment intact", async () => {
    const winner = await createEnvironment('pr-301', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock: fakeClock(),
    });

    // The loser read before the winner created anything; AWS hands it the winner's target group.
    const loser = clientsFor(aws);
    idempotentCreateTargetGroup(loser.elbv2, fx.clients.elbv2);
    staleFirstReads(loser, winner.serviceName, 'app-pr-301', winner.host);
    aws.proxy.fail({ operation: 'CreateService', error: { code: 'AccessDeniedException' } });
    await expect(
      createEnvironment('pr-301', {
        image: IMAGE_2,
        config: fx.config,
        clients: loser,
        clock: fakeClock(),
      }),
    ).rejects.toMatchObject({ code: 'E_AWS', step: 'create service' });
    aws.proxy.clearFaults();

    const [env] = await listEnvironments({ config: fx.config, clients: fx.clients });
    expect(env).toMatchObject({
      name: 'pr-301',
      status: 'running',
      image: IMAGE_1,
      targetGroupArn: winner.targetGroupArn,
      ruleArn: winner.ruleArn,
      taskDefinitionArn: winner.taskDefinitionArn,
    });
    const inv = await inventory(fx);
    expect(inv).toEqual({
      targetGroups: ['app-pr-301'],
      rules: [`${winner.rulePriority} ${winner.host}`],
      services: ['app-pr-301'],
      records: [`${winner.host}. A`],
      taskDefinitions: ['app-pr-301:1'],
    });
    await deleteEnvironment('pr-301', { config: fx.config, clients: fx.clients });
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('with idempotent CreateTargetGroup, two racing creates both succeed with one environment', async () => {
    const winner = await createEnvironment('pr-302', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock: fakeClock(),
    });
    const other = clientsFor(aws);
    idempotentCreateTargetGroup(other.elbv2, fx.clients.elbv2);
    refuseDuplicateService(other.ecs, fx.clients.ecs);
    staleFirstReads(other, winner.serviceName, 'app-pr-302', winner.host);
    const second = await createEnvironment('pr-302', {
      image: IMAGE_1,
      config: fx.config,
      clients: other,
      clock: fakeClock(),
    });
    expect(second.targetGroupArn).toBe(winner.targetGroupArn);
    expect(second.ruleArn).toBe(winner.ruleArn);
    // AWS refused the second CreateService: it deployed to the winner's service instead.
    expect(second).toMatchObject({ created: false, updated: true, serviceArn: winner.serviceArn });
    const inv = await inventory(fx);
    expect(inv.targetGroups).toEqual(['app-pr-302']);
    expect(inv.rules).toHaveLength(1);
    expect(inv.services).toEqual(['app-pr-302']);
    await deleteEnvironment('pr-302', { config: fx.config, clients: fx.clients });
    expect(await inventory(fx)).toEqual(EMPTY);
  });
});
