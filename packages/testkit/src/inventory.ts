import { DescribeSecurityGroupRulesCommand, EC2Client } from '@aws-sdk/client-ec2';
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
import {
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  Route53Client,
} from '@aws-sdk/client-route-53';
import type { SeedClientConfig } from './seed.ts';

/** Where {@link listAccountResources} looks. */
export interface InventoryScope {
  /** ECS cluster whose ACTIVE services are listed. */
  cluster: string;
  /** Listener whose rules are listed (the default rule is left out). */
  listenerArn: string;
  /** Hosted zone whose records are listed (the zone's own NS and SOA are left out). */
  hostedZoneId: string;
  /** Security groups whose ingress rules are listed (default none). */
  securityGroupIds?: string[];
}

/** A listener rule, as far as leak checks care. */
export interface InventoryRule {
  arn: string;
  priority: string;
  hosts: string[];
  targetGroupArns: string[];
}

/** An ingress rule of a security group. */
export interface InventoryIngressRule {
  id: string;
  groupId: string;
  cidr: string;
  protocol: string;
  fromPort: number;
  toPort: number;
  description: string;
  tags: Record<string, string>;
}

/** What an account holds, by kind (sorted, so two inventories compare with `toEqual`). */
export interface AccountInventory {
  targetGroups: { name: string; arn: string }[];
  rules: InventoryRule[];
  /** ACTIVE services of the cluster, with the task definition each runs. */
  services: { name: string; taskDefinition: string }[];
  /** Records of the zone other than its apex NS and SOA, as `<name> <type>`. */
  records: string[];
  /** Families that still have ACTIVE task definition revisions, with their revision count. */
  taskDefinitionFamilies: { family: string; activeRevisions: number }[];
  ingressRules: InventoryIngressRule[];
}

/**
 * Lists what a preview environment or a security-group window could leave behind: target
 * groups, listener rules, ACTIVE services, DNS records, task definition families with ACTIVE
 * revisions, and security group ingress rules. Used by leak checks (tests, the demo) to prove
 * that a lifecycle left nothing.
 */
export async function listAccountResources(
  config: SeedClientConfig,
  scope: InventoryScope,
): Promise<AccountInventory> {
  const elb = new ElasticLoadBalancingV2Client(config);
  const ecs = new ECSClient(config);
  const r53 = new Route53Client(config);
  const ec2 = new EC2Client(config);
  try {
    const [targetGroups, rules, services, records, taskDefinitionFamilies, ingressRules] =
      await Promise.all([
        listTargetGroups(elb),
        listRules(elb, scope.listenerArn),
        listActiveServices(ecs, scope.cluster),
        listRecords(r53, scope.hostedZoneId),
        listActiveFamilies(ecs),
        listIngress(ec2, scope.securityGroupIds ?? []),
      ]);
    return { targetGroups, rules, services, records, taskDefinitionFamilies, ingressRules };
  } finally {
    for (const c of [elb, ecs, r53, ec2]) c.destroy();
  }
}

async function listTargetGroups(elb: ElasticLoadBalancingV2Client) {
  const out: { name: string; arn: string }[] = [];
  let marker: string | undefined;
  do {
    const page = await elb.send(new DescribeTargetGroupsCommand({ Marker: marker }));
    for (const tg of page.TargetGroups ?? []) {
      out.push({ name: tg.TargetGroupName ?? '', arn: tg.TargetGroupArn ?? '' });
    }
    marker = page.NextMarker;
  } while (marker);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

async function listRules(elb: ElasticLoadBalancingV2Client, listenerArn: string) {
  const out: InventoryRule[] = [];
  let marker: string | undefined;
  do {
    const page = await elb.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker }),
    );
    for (const rule of page.Rules ?? []) {
      if (rule.IsDefault) continue;
      out.push({
        arn: rule.RuleArn ?? '',
        priority: rule.Priority ?? '',
        hosts: (rule.Conditions ?? []).flatMap(
          (c) => c.HostHeaderConfig?.Values ?? (c.Field === 'host-header' ? (c.Values ?? []) : []),
        ),
        targetGroupArns: (rule.Actions ?? []).flatMap((a) =>
          a.TargetGroupArn
            ? [a.TargetGroupArn]
            : (a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn ?? ''),
        ),
      });
    }
    marker = page.NextMarker;
  } while (marker);
  return out.sort((a, b) => Number(a.priority) - Number(b.priority));
}

async function listActiveServices(ecs: ECSClient, cluster: string) {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await ecs.send(new ListServicesCommand({ cluster, nextToken: token }));
    arns.push(...(page.serviceArns ?? []));
    token = page.nextToken;
  } while (token);
  const out: { name: string; taskDefinition: string }[] = [];
  for (let i = 0; i < arns.length; i += 10) {
    const page = await ecs.send(
      new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10) }),
    );
    for (const s of page.services ?? []) {
      if (s.status !== 'ACTIVE') continue;
      out.push({ name: s.serviceName ?? '', taskDefinition: s.taskDefinition ?? '' });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

async function listRecords(r53: Route53Client, hostedZoneId: string) {
  const out: string[] = [];
  let next: { name?: string; type?: string } | undefined = {};
  let apex: string | undefined;
  while (next) {
    const page: ListResourceRecordSetsCommandOutput = await r53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: hostedZoneId,
        ...(next.name ? { StartRecordName: next.name } : {}),
        ...(next.type ? { StartRecordType: next.type as 'A' } : {}),
      }),
    );
    for (const r of page.ResourceRecordSets ?? []) {
      if ((r.Type === 'SOA' || r.Type === 'NS') && (apex === undefined || apex === r.Name)) {
        apex = r.Name;
        continue;
      }
      out.push(`${r.Name} ${r.Type}`);
    }
    next = page.IsTruncated
      ? { name: page.NextRecordName ?? '', type: page.NextRecordType ?? '' }
      : undefined;
  }
  return out.sort();
}

async function listActiveFamilies(ecs: ECSClient) {
  const counts = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await ecs.send(
      new ListTaskDefinitionsCommand({ status: 'ACTIVE', nextToken: token }),
    );
    for (const arn of page.taskDefinitionArns ?? []) {
      const family = arn.split('/').pop()?.split(':')[0] ?? arn;
      counts.set(family, (counts.get(family) ?? 0) + 1);
    }
    token = page.nextToken;
  } while (token);
  return [...counts]
    .map(([family, activeRevisions]) => ({ family, activeRevisions }))
    .sort((a, b) => a.family.localeCompare(b.family));
}

/** The ingress rules of security groups (sorted by rule id). */
export async function listIngressRules(
  config: SeedClientConfig,
  groupIds: string[],
): Promise<InventoryIngressRule[]> {
  const ec2 = new EC2Client(config);
  try {
    return await listIngress(ec2, groupIds);
  } finally {
    ec2.destroy();
  }
}

async function listIngress(ec2: EC2Client, groupIds: string[]) {
  if (groupIds.length === 0) return [];
  const out: InventoryIngressRule[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: groupIds }],
        NextToken: token,
      }),
    );
    for (const r of page.SecurityGroupRules ?? []) {
      if (r.IsEgress) continue;
      out.push({
        id: r.SecurityGroupRuleId ?? '',
        groupId: r.GroupId ?? '',
        cidr: r.CidrIpv4 ?? r.CidrIpv6 ?? r.ReferencedGroupInfo?.GroupId ?? '',
        protocol: r.IpProtocol ?? '',
        fromPort: r.FromPort ?? -1,
        toPort: r.ToPort ?? -1,
        description: r.Description ?? '',
        tags: Object.fromEntries((r.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      });
    }
    token = page.NextToken;
  } while (token);
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
