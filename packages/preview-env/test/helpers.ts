import {
  DescribeServicesCommand,
  ECSClient,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '@berth/internal';
import { type AwsTestContext, type SeededAccount, seedAccount } from '@berth/testkit';
import type { PreviewEnvClients } from '../src/clients.ts';
import { type PreviewEnvConfig, resolveConfig } from '../src/config.ts';

/** A seeded account with the configuration and clients tests use. */
export interface Fixture {
  seed: SeededAccount;
  config: PreviewEnvConfig;
  clients: Required<Omit<PreviewEnvClients, 'secretsManager' | 'logs'>>;
  secretsManager: SecretsManagerClient;
}

export async function setup(
  aws: AwsTestContext,
  overrides: Partial<Record<string, unknown>> = {},
): Promise<Fixture> {
  const seed = await seedAccount(aws.clientConfig);
  const config = resolveConfig({
    cluster: seed.cluster,
    referenceService: seed.referenceService,
    listenerArn: seed.listenerArn,
    domain: seed.domain,
    hostedZoneId: seed.hostedZoneId,
    namePrefix: 'app',
    env: { FEATURE_FLAGS: 'preview' },
    ...overrides,
  });
  return {
    seed,
    config,
    clients: clientsFor(aws),
    secretsManager: new SecretsManagerClient(aws.clientConfig),
  };
}

export function clientsFor(
  aws: AwsTestContext,
): Required<Omit<PreviewEnvClients, 'secretsManager' | 'logs'>> {
  return {
    ecs: new ECSClient(aws.clientConfig),
    elbv2: new ElasticLoadBalancingV2Client(aws.clientConfig),
    route53: new Route53Client(aws.clientConfig),
  };
}

/** A clock that never waits: sleeping moves time forward. */
export function fakeClock(
  start = Date.parse('2026-11-20T09:00:00Z'),
  onSleep?: (ms: number) => Promise<void> | void,
): Clock & {
  t: number;
  advance(ms: number): void;
  slept: number[];
} {
  const clock = {
    t: start,
    slept: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.t += ms;
      await onSleep?.(ms);
    },
    advance: (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

/** Everything an environment could have left behind, beyond the seed's own resources. */
export interface Inventory {
  targetGroups: string[];
  rules: string[];
  services: string[];
  records: string[];
  taskDefinitions: string[];
}

/**
 * Lists every target group, listener rule, ACTIVE service, DNS record and task definition
 * revision of the account, minus the seed's: what a test expects to be empty.
 */
export async function inventory(fx: Fixture): Promise<Inventory> {
  const { ecs, elbv2, route53 } = fx.clients;
  const [groups, rules, serviceArns, records, active, inactive] = await Promise.all([
    elbv2.send(new DescribeTargetGroupsCommand({})),
    elbv2.send(new DescribeRulesCommand({ ListenerArn: fx.seed.listenerArn })),
    ecs.send(new ListServicesCommand({ cluster: fx.seed.cluster })),
    route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: fx.seed.hostedZoneId })),
    ecs.send(new ListTaskDefinitionsCommand({ status: 'ACTIVE' })),
    ecs.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE' })),
  ]);
  const arns = serviceArns.serviceArns ?? [];
  const described = arns.length
    ? await ecs.send(new DescribeServicesCommand({ cluster: fx.seed.cluster, services: arns }))
    : { services: [] };
  return {
    targetGroups: (groups.TargetGroups ?? [])
      .map((g) => g.TargetGroupName as string)
      .filter((n) => n !== 'app-dev00'),
    rules: (rules.Rules ?? [])
      .filter((r) => !r.IsDefault && r.RuleArn !== fx.seed.referenceRuleArn)
      .map((r) => `${r.Priority} ${r.Conditions?.[0]?.HostHeaderConfig?.Values?.join(',')}`),
    services: (described.services ?? [])
      .filter((s) => s.status === 'ACTIVE' && s.serviceName !== fx.seed.referenceService)
      .map((s) => s.serviceName as string),
    records: (records.ResourceRecordSets ?? [])
      .filter((r) => ['A', 'AAAA', 'CNAME'].includes(r.Type ?? ''))
      .map((r) => `${r.Name} ${r.Type}`),
    taskDefinitions: [...(active.taskDefinitionArns ?? []), ...(inactive.taskDefinitionArns ?? [])]
      .map((a) => a.split('/').pop() as string)
      .filter((n) => !n.startsWith('app:')),
  };
}

export const EMPTY: Inventory = {
  targetGroups: [],
  rules: [],
  services: [],
  records: [],
  taskDefinitions: [],
};

export const IMAGE_1 = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:sha-1111111';
export const IMAGE_2 = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:sha-2222222';

/** An SDK-shaped AWS error, as a client throws it. */
export function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
}
