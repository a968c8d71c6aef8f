import {
  DescribeServicesCommand,
  type ECSClient,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  type Rule,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { chunk, collectAll, isAwsError } from '@berth/internal';
import { type TagMap, tagMap } from './tags.ts';

/** Every rule of a listener (all pages), default rule included. */
export async function listRules(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<Rule[]> {
  return collectAll(async (marker) => {
    const page = await elbv2.send(
      new DescribeRulesCommand({
        ListenerArn: listenerArn,
        PageSize: 400,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    return { items: page.Rules ?? [], next: page.NextMarker };
  });
}

/** Target groups, all pages, of a load balancer (or of the account and region). */
export async function listTargetGroups(
  elbv2: ElasticLoadBalancingV2Client,
  loadBalancerArn?: string,
): Promise<TargetGroup[]> {
  return collectAll(async (marker) => {
    const page = await elbv2.send(
      new DescribeTargetGroupsCommand({
        PageSize: 400,
        ...(loadBalancerArn ? { LoadBalancerArn: loadBalancerArn } : {}),
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    return { items: page.TargetGroups ?? [], next: page.NextMarker };
  });
}

/** The target group named `name`, or undefined. */
export async function findTargetGroup(
  elbv2: ElasticLoadBalancingV2Client,
  name: string,
): Promise<TargetGroup | undefined> {
  try {
    const out = await elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }));
    return out.TargetGroups?.[0];
  } catch (error) {
    if (isAwsError(error, 'TargetGroupNotFound', 'TargetGroupNotFoundException')) return undefined;
    throw error;
  }
}

/** The ACTIVE service `name` of `cluster`, with its tags (one DescribeServices call), if any. */
export async function describeActiveService(
  ecs: ECSClient,
  cluster: string,
  name: string,
): Promise<Service | undefined> {
  const out = await ecs.send(
    new DescribeServicesCommand({ cluster, services: [name], include: ['TAGS'] }),
  );
  return out.services?.find((s) => s.serviceName === name && s.status === 'ACTIVE');
}

/** Tags of ELBv2 resources (20 ARNs per call, in parallel), by ARN. */
export async function elbTagsOf(
  elbv2: ElasticLoadBalancingV2Client,
  arns: readonly string[],
): Promise<Map<string, TagMap>> {
  const out = new Map<string, TagMap>();
  await Promise.all(
    chunk(arns, 20).map(async (batch) => {
      const res = await elbv2.send(new DescribeTagsCommand({ ResourceArns: batch }));
      for (const d of res.TagDescriptions ?? []) {
        if (d.ResourceArn) out.set(d.ResourceArn, tagMap(d.Tags));
      }
    }),
  );
  return out;
}

/** True when the rule's host-header condition names `host`. */
export function ruleMatchesHost(rule: Rule, host: string): boolean {
  const wanted = host.toLowerCase();
  return (rule.Conditions ?? []).some(
    (c) =>
      c.Field === 'host-header' &&
      [...(c.HostHeaderConfig?.Values ?? []), ...(c.Values ?? [])].some(
        (v) => v.toLowerCase() === wanted,
      ),
  );
}

/** Target groups a rule forwards to. */
export function ruleTargetGroups(rule: Rule): string[] {
  const arns = new Set<string>();
  for (const a of rule.Actions ?? []) {
    if (a.TargetGroupArn) arns.add(a.TargetGroupArn);
    for (const t of a.ForwardConfig?.TargetGroups ?? [])
      if (t.TargetGroupArn) arns.add(t.TargetGroupArn);
  }
  return [...arns];
}

/** Priorities taken on a listener. */
export function takenPriorities(rules: readonly Rule[]): Set<number> {
  return new Set(
    rules.filter((r) => !r.IsDefault && r.Priority !== 'default').map((r) => Number(r.Priority)),
  );
}

/** Services (ACTIVE and DRAINING) of a cluster with their tags: all pages, 10 per describe. */
export async function listServicesWithTags(ecs: ECSClient, cluster: string): Promise<Service[]> {
  const arns = await collectAll(async (token) => {
    const page = await ecs.send(
      new ListServicesCommand({ cluster, maxResults: 100, ...(token ? { nextToken: token } : {}) }),
    );
    return { items: page.serviceArns ?? [], next: page.nextToken };
  });
  // DescribeServices takes at most 10 services.
  const described = await Promise.all(
    chunk(arns, 10).map((services) =>
      ecs.send(new DescribeServicesCommand({ cluster, services, include: ['TAGS'] })),
    ),
  );
  return described.flatMap((d) => d.services ?? []).filter((s) => s.status !== 'INACTIVE');
}

/** Every revision of a task definition family, ACTIVE and INACTIVE, of that exact family. */
export async function listTaskDefinitionRevisions(
  ecs: ECSClient,
  family: string,
): Promise<{ active: string[]; inactive: string[] }> {
  const lists = await Promise.all(
    (['ACTIVE', 'INACTIVE'] as const).map((status) =>
      collectAll(async (token) => {
        const page = await ecs.send(
          new ListTaskDefinitionsCommand({
            familyPrefix: family,
            status,
            ...(token ? { nextToken: token } : {}),
          }),
        );
        return { items: page.taskDefinitionArns ?? [], next: page.nextToken };
      }),
    ),
  );
  const exact = (arns: string[]) => [...new Set(arns.filter((arn) => familyOf(arn) === family))];
  return { active: exact(lists[0] ?? []), inactive: exact(lists[1] ?? []) };
}

/** `family` of `arn:...:task-definition/family:3`. */
export function familyOf(taskDefinitionArn: string): string {
  return (taskDefinitionArn.split('/').pop() ?? '').replace(/:\d+$/, '');
}
