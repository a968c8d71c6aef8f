import {
  AuthorizeSecurityGroupIngressCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  type Filter,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
  type Tag,
} from '@aws-sdk/client-ec2';
import {
  type AwsClientOptions,
  awsErrorInfo,
  collectAll,
  isAwsError,
  quoteInput,
  awsFailure as readAwsFailure,
  withClients,
} from '@berth/internal';
import { SgIpWindowError } from './errors.ts';
import { sameCidr } from './ip-address.ts';
import type { PortRange, WindowProtocol } from './ports.ts';

/** Injected AWS clients (tests, custom middleware). */
export interface SgIpWindowClients {
  ec2?: EC2Client;
}

/** Runs `fn` with the injected EC2 client, or one built (and always released) for the call. */
export function withEc2<T>(
  options: AwsClientOptions & { clients?: SgIpWindowClients | undefined },
  fn: (ec2: EC2Client) => Promise<T>,
): Promise<T> {
  const { clients, ...aws } = options;
  return withClients({ ec2: EC2Client }, { ...aws, clients }, ({ ec2 }) => fn(ec2));
}

/** An EC2 client held past one call (an open window's), and how to let it go. */
export interface Ec2Lease {
  ec2: EC2Client;
  /** Releases the client: destroyed when it was built for the lease, never when injected. */
  release(): void;
}

/**
 * Like {@link withEc2}, for a client that must outlive the call that got it (a window is
 * closed later): `withClients` keeps the client until `release()` is called.
 */
export function leaseEc2(
  options: AwsClientOptions & { clients?: SgIpWindowClients | undefined },
): Promise<Ec2Lease> {
  return new Promise((resolve, reject) => {
    let leased = false;
    withEc2(
      options,
      (ec2) =>
        new Promise<void>((released) => {
          leased = true;
          resolve({ ec2, release: () => released() });
        }),
    ).catch((error: unknown) => {
      if (!leased) reject(error);
    });
  });
}

const GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const RULE_ID = /^sgr-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** Validates security group ids (`sg-` and 8 or 17 hex digits); at least one. */
export function checkGroupIds(groupIds: readonly string[] | undefined): string[] {
  const ids = [...new Set((groupIds ?? []).map((g) => g.trim()).filter((g) => g !== ''))];
  if (ids.length === 0) {
    throw new SgIpWindowError('E_INPUT', 'group: give at least one security group id (sg-...)', {
      exitCode: 2,
    });
  }
  for (const id of ids) {
    if (!GROUP_ID.test(id)) {
      throw new SgIpWindowError(
        'E_INPUT',
        `group: ${quoteInput(id)} is not a security group id; ids look like sg-0123456789abcdef0`,
        { exitCode: 2 },
      );
    }
  }
  return ids;
}

/** Validates rule ids (`sgr-` and 8 or 17 hex digits); at least one. */
export function checkRuleIds(ruleIds: readonly string[] | undefined): string[] {
  const ids = [...new Set((ruleIds ?? []).map((r) => r.trim()).filter((r) => r !== ''))];
  if (ids.length === 0) {
    throw new SgIpWindowError('E_INPUT', 'rule-id: give at least one rule id (sgr-...)', {
      exitCode: 2,
    });
  }
  for (const id of ids) {
    if (!RULE_ID.test(id)) {
      throw new SgIpWindowError(
        'E_INPUT',
        `rule-id: ${quoteInput(id)} is not a security group rule id; ids look like sgr-0123456789abcdef0`,
        { exitCode: 2 },
      );
    }
  }
  return ids;
}

/** Every IAM action the package calls. */
const IAM_ACTIONS = [
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:RevokeSecurityGroupIngress',
  'ec2:DescribeSecurityGroupRules',
  'ec2:CreateTags',
  'ec2:DeleteTags',
];

/**
 * Turns an AWS failure into an {@link SgIpWindowError} that names the group and what to do:
 * `E_RULE_LIMIT`, `E_GROUP_NOT_FOUND`, or `E_AWS` with the shared message (IAM actions when
 * access was denied, the timeout setting when AWS did not answer).
 *
 * @param doing what was being done, as a verb phrase (`open port 22 for 203.0.113.9/32`).
 */
export function awsFailure(error: unknown, doing: string, groupId?: string): SgIpWindowError {
  if (error instanceof SgIpWindowError) return error;
  const f = readAwsFailure(error, {
    doing,
    ...(groupId ? { resource: `in ${groupId}` } : {}),
    iamActions: IAM_ACTIONS,
  });
  if (f.awsCode === 'RulesPerSecurityGroupLimitExceeded') {
    return new SgIpWindowError(
      'E_RULE_LIMIT',
      `security group ${groupId ?? ''} has reached its inbound rule limit (60 by default, counted separately for IPv4 and IPv6): ` +
        `run \`sg-ip-window sweep --group ${groupId ?? '<sg-id>'}\` (or sweep()) to remove windows left behind by killed runs, ` +
        'or raise the "Inbound or outbound rules per security group" quota',
      { cause: error },
    );
  }
  if (
    f.awsCode === 'InvalidGroup.NotFound' ||
    f.awsCode === 'InvalidGroupId.NotFound' ||
    f.awsCode === 'InvalidGroupId.Malformed'
  ) {
    return new SgIpWindowError(
      'E_GROUP_NOT_FOUND',
      `security group ${groupId ?? ''} was not found in this account and region: check the id and AWS_REGION`,
      { cause: error },
    );
  }
  return new SgIpWindowError('E_AWS', f.message, { cause: error, retryable: f.retryable });
}

/** What one rule is: group, protocol, ports and the CIDR it admits. */
export interface RuleSpec {
  groupId: string;
  protocol: WindowProtocol;
  ports: PortRange;
  cidr: string;
  family: 4 | 6;
}

/** Authorizes one ingress rule with tags and description; returns its rule id. */
export async function authorizeRule(
  ec2: EC2Client,
  spec: RuleSpec,
  description: string,
  tags: Tag[],
): Promise<string> {
  const range =
    spec.family === 4
      ? { IpRanges: [{ CidrIp: spec.cidr, Description: description }] }
      : { Ipv6Ranges: [{ CidrIpv6: spec.cidr, Description: description }] };
  const out = await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: spec.groupId,
      // One permission per call: a Duplicate must be attributable to one rule, and moto
      // returns only the last permission's rules for several.
      IpPermissions: [
        { IpProtocol: spec.protocol, FromPort: spec.ports.from, ToPort: spec.ports.to, ...range },
      ],
      TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: tags }],
    }),
  );
  const id = out.SecurityGroupRules?.[0]?.SecurityGroupRuleId;
  if (!id) throw new Error('AuthorizeSecurityGroupIngress returned no rule id');
  return id;
}

/** Lists security group rules matching `filters`, all pages. */
export function describeRules(ec2: EC2Client, filters: Filter[]): Promise<SecurityGroupRule[]> {
  return collectAll(async (token) => {
    const out = await ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: filters,
        MaxResults: 1000,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    return { items: out.SecurityGroupRules ?? [], next: out.NextToken };
  });
}

/**
 * The ingress rules of `groupId` that carry `tags` (all of them, key and value): how a
 * rollback finds what a call may have made when AWS applied it but the answer was lost.
 */
export async function rulesTagged(
  ec2: EC2Client,
  groupId: string,
  tags: readonly Tag[],
): Promise<SecurityGroupRule[]> {
  const rules = await describeRules(ec2, [
    { Name: 'group-id', Values: [groupId] },
    ...tags.map((t) => ({ Name: `tag:${t.Key}`, Values: [t.Value ?? ''] })),
  ]);
  return rules.filter(
    (r) =>
      r.IsEgress === false &&
      tags.every((t) => r.Tags?.some((have) => have.Key === t.Key && have.Value === t.Value)),
  );
}

const PROTOCOL_NUMBERS: Record<WindowProtocol, string> = { tcp: '6', udp: '17' };

/** True when `rule` is the ingress rule `spec` describes (protocol, ports, CIDR). */
export function sameRule(r: SecurityGroupRule, spec: RuleSpec): boolean {
  return (
    r.IsEgress === false &&
    (r.IpProtocol === spec.protocol || r.IpProtocol === PROTOCOL_NUMBERS[spec.protocol]) &&
    r.FromPort === spec.ports.from &&
    r.ToPort === spec.ports.to &&
    sameCidr((spec.family === 4 ? r.CidrIpv4 : r.CidrIpv6) ?? '', spec.cidr)
  );
}

/** Finds the ingress rule identical to `spec` (protocol, ports, CIDR), if any. */
export async function findIdenticalRule(
  ec2: EC2Client,
  spec: RuleSpec,
): Promise<SecurityGroupRule | undefined> {
  const rules = await describeRules(ec2, [{ Name: 'group-id', Values: [spec.groupId] }]);
  return rules.find((r) => sameRule(r, spec));
}

/** Adds or overwrites tags on a rule. */
export async function tagRule(ec2: EC2Client, ruleId: string, tags: Tag[]): Promise<void> {
  await ec2.send(new CreateTagsCommand({ Resources: [ruleId], Tags: tags }));
}

/** Removes tags (by key) from a rule. */
export async function untagRule(ec2: EC2Client, ruleId: string, keys: string[]): Promise<void> {
  await ec2.send(
    new DeleteTagsCommand({ Resources: [ruleId], Tags: keys.map((Key) => ({ Key })) }),
  );
}

/** Revokes one rule by id; `false` when it was already gone (`InvalidPermission.NotFound`). */
export async function revokeRule(
  ec2: EC2Client,
  groupId: string,
  ruleId: string,
): Promise<boolean> {
  try {
    const out = await ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [ruleId] }),
    );
    // Some regions report an unknown rule as UnknownIpPermissions instead of failing.
    return (out.UnknownIpPermissions?.length ?? 0) === 0;
  } catch (error) {
    if (isAwsError(error, 'InvalidPermission.NotFound', 'InvalidSecurityGroupRuleId.NotFound'))
      return false;
    throw error;
  }
}

/** True for the errors a vanished rule gives to tag calls. */
export function isRuleGone(error: unknown): boolean {
  return /NotFound/.test(awsErrorInfo(error).code);
}
