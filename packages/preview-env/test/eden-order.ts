// The calls of a create and a delete made one after another in EDEN's order (aws-eden-core:
// describe the reference, register the task definition, create the target group, pick
// "highest priority + 1", create the rule, create the service, upsert DNS). The benchmark
// compares @berth/preview-env against it; the calls are the same ones preview-env makes.
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import type { PreviewEnvClients } from '../src/clients.ts';
import type { PreviewEnvConfig } from '../src/config.ts';
import { loadBalancerArnOf } from '../src/config.ts';
import { environmentNames } from '../src/names.ts';

type Clients = Required<Omit<PreviewEnvClients, 'secretsManager' | 'logs'>>;

/** The three clients, for code outside the package (the benchmark) that has no SDK of its own. */
export function clientsAt(settings: {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
}): Clients {
  return {
    ecs: new ECSClient(settings),
    elbv2: new ElasticLoadBalancingV2Client(settings),
    route53: new Route53Client(settings),
  };
}

/** Creates environment `name` with one call at a time, in EDEN's order. */
export async function edenCreate(
  name: string,
  image: string,
  config: PreviewEnvConfig,
  c: Clients,
): Promise<void> {
  const n = environmentNames(name, config);
  const lbArn = loadBalancerArnOf(config.listenerArn);
  const svc = (
    await c.ecs.send(
      new DescribeServicesCommand({
        cluster: config.cluster,
        services: [config.referenceService, n.serviceName],
      }),
    )
  ).services?.[0];
  const td = (
    await c.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc?.taskDefinition }))
  ).taskDefinition;
  const registered = await c.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: n.family,
      containerDefinitions: td?.containerDefinitions?.map((d) => ({ ...d, image })),
      networkMode: td?.networkMode,
      requiresCompatibilities: td?.requiresCompatibilities,
      cpu: td?.cpu,
      memory: td?.memory,
    }),
  );
  const refTg = (await c.elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lbArn })))
    .TargetGroups?.[0];
  await c.elbv2
    .send(new DescribeTargetGroupsCommand({ Names: [n.targetGroupName] }))
    .catch(() => undefined);
  const tg = (
    await c.elbv2.send(
      new CreateTargetGroupCommand({
        Name: n.targetGroupName,
        Protocol: refTg?.Protocol,
        Port: refTg?.Port,
        VpcId: refTg?.VpcId,
        TargetType: refTg?.TargetType,
        HealthCheckPath: refTg?.HealthCheckPath,
      }),
    )
  ).TargetGroups?.[0];
  await c.elbv2.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: tg?.TargetGroupArn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }],
    }),
  );
  await c.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }));
  const rules =
    (await c.elbv2.send(new DescribeRulesCommand({ ListenerArn: config.listenerArn }))).Rules ?? [];
  const highest = Math.max(0, ...rules.filter((r) => !r.IsDefault).map((r) => Number(r.Priority)));
  await c.elbv2.send(
    new CreateRuleCommand({
      ListenerArn: config.listenerArn,
      Priority: highest + 1,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [n.host] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: tg?.TargetGroupArn }],
    }),
  );
  await c.ecs.send(
    new CreateServiceCommand({
      cluster: config.cluster,
      serviceName: n.serviceName,
      taskDefinition: registered.taskDefinition?.taskDefinitionArn,
      desiredCount: 1,
      launchType: svc?.launchType,
      networkConfiguration: svc?.networkConfiguration,
      loadBalancers: [
        { targetGroupArn: tg?.TargetGroupArn, containerName: 'web', containerPort: 8080 },
      ],
    }),
  );
  const lb = (await c.elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] })))
    .LoadBalancers?.[0];
  await c.route53.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: config.hostedZoneId,
      StartRecordName: n.host,
      MaxItems: 10,
    }),
  );
  await c.route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: config.hostedZoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: n.host,
              Type: 'A',
              AliasTarget: {
                DNSName: lb?.DNSName,
                HostedZoneId: lb?.CanonicalHostedZoneId,
                EvaluateTargetHealth: false,
              },
            },
          },
        ],
      },
    }),
  );
}

/** Deletes environment `name` with one call at a time, in EDEN's order. */
export async function edenDelete(
  name: string,
  config: PreviewEnvConfig,
  c: Clients,
): Promise<void> {
  const n = environmentNames(name, config);
  await c.ecs.send(
    new DescribeServicesCommand({ cluster: config.cluster, services: [n.serviceName] }),
  );
  await c.ecs.send(
    new DeleteServiceCommand({ cluster: config.cluster, service: n.serviceName, force: true }),
  );
  const rules =
    (await c.elbv2.send(new DescribeRulesCommand({ ListenerArn: config.listenerArn }))).Rules ?? [];
  const rule = rules.find((r) =>
    r.Conditions?.some((x) => x.HostHeaderConfig?.Values?.includes(n.host)),
  );
  await c.elbv2.send(new DeleteRuleCommand({ RuleArn: rule?.RuleArn }));
  const tg = (await c.elbv2.send(new DescribeTargetGroupsCommand({ Names: [n.targetGroupName] })))
    .TargetGroups?.[0];
  await c.elbv2.send(new DescribeTagsCommand({ ResourceArns: [tg?.TargetGroupArn as string] }));
  await c.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg?.TargetGroupArn }));
  const records = await c.route53.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: config.hostedZoneId,
      StartRecordName: n.host,
      MaxItems: 10,
    }),
  );
  const record = records.ResourceRecordSets?.find((r) => r.Name === `${n.host}.`);
  if (record) {
    const { TTL: _ttl, ResourceRecords: _rr, ...alias } = record;
    await c.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: config.hostedZoneId,
        ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: alias }] },
      }),
    );
  }
  const active =
    (await c.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: n.family, status: 'ACTIVE' })))
      .taskDefinitionArns ?? [];
  await c.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: n.family, status: 'INACTIVE' }));
  for (const arn of active)
    await c.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
  await c.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: active }));
}
