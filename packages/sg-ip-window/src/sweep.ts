import type { EC2Client, SecurityGroupRule } from '@aws-sdk/client-ec2';
import { type AwsClientOptions, type Clock, systemClock } from '@berth/internal';
import {
  awsFailure,
  checkGroupIds,
  describeRules,
  revokeRule,
  type SgIpWindowClients,
  withEc2,
} from './ec2-rules.ts';
import { SgIpWindowError } from './errors.ts';
import { liveHolds, OWNER_TAG, readRuleTags } from './tags.ts';

/** Options of {@link sweep}. */
export interface SweepOptions extends AwsClientOptions {
  groupIds: readonly string[];
  /** The time rules are judged at (default `clock.now()`); a `Date` or epoch milliseconds. */
  now?: Date | number;
  /** Source of "now" (default the system clock). */
  clock?: Clock;
  /** Report what would be revoked without revoking. */
  dryRun?: boolean;
  clients?: SgIpWindowClients;
}

/** A rule seen by {@link sweep}. */
export interface SweptRule {
  groupId: string;
  ruleId: string;
  cidr: string;
  ports: string;
  owner: string | undefined;
  expiresAt: string | undefined;
}

/** What {@link sweep} found and did. */
export interface SweepResult {
  /** Expired rules revoked (with `dryRun`: the ones that would be). */
  revoked: SweptRule[];
  /** This tool's rules left in place, and why. */
  kept: (SweptRule & { reason: string })[];
  dryRun: boolean;
}

function describeRule(rule: SecurityGroupRule): SweptRule {
  const tags = readRuleTags(rule.Tags);
  const from = rule.FromPort ?? -1;
  const to = rule.ToPort ?? -1;
  return {
    groupId: rule.GroupId ?? '',
    ruleId: rule.SecurityGroupRuleId ?? '',
    cidr: rule.CidrIpv4 ?? rule.CidrIpv6 ?? '',
    ports: `${rule.IpProtocol}/${from === to ? from : `${from}-${to}`}`,
    owner: tags.owner,
    expiresAt: tags.expiresAt?.toISOString(),
  };
}

/** Why an expired-looking rule must stay, or `undefined` when it can go. */
function keepReason(rule: SecurityGroupRule, now: number): string | undefined {
  const tags = readRuleTags(rule.Tags);
  if (!tags.expiresAt) return 'no readable sg-ip-window:expires-at tag';
  if (tags.expiresAt.getTime() > now) return `not expired (until ${tags.expiresAt.toISOString()})`;
  const holders = liveHolds(tags, now);
  if (holders.length > 0) return `still held by ${holders.join(', ')}`;
  return undefined;
}

/**
 * Removes the leftovers of killed runs: revokes this tool's rules (tag `sg-ip-window:owner`)
 * whose `expires-at` has passed and that no unexpired hold keeps. Rules of other tools and
 * people are never touched. Each candidate is looked at again just before it is revoked, so a
 * holder joining meanwhile keeps it.
 *
 * @throws SgIpWindowError `E_GROUP_NOT_FOUND`, `E_AWS`.
 * @example
 * ```ts
 * const { revoked } = await sweep({ groupIds: ['sg-0123456789abcdef0'] });
 * ```
 */
export async function sweep(options: SweepOptions): Promise<SweepResult> {
  const groupIds = checkGroupIds(options.groupIds);
  const now =
    options.now === undefined
      ? (options.clock ?? systemClock).now()
      : new Date(options.now).getTime();
  if (Number.isNaN(now)) {
    throw new SgIpWindowError('E_INPUT', 'now: not a valid time', { exitCode: 2 });
  }
  const dryRun = options.dryRun === true;
  return withEc2(options, (ec2) => sweepGroups(ec2, groupIds, now, dryRun));
}

async function sweepGroups(
  ec2: EC2Client,
  groupIds: string[],
  now: number,
  dryRun: boolean,
): Promise<SweepResult> {
  const result: SweepResult = { revoked: [], kept: [], dryRun };
  const failures: string[] = [];
  for (const groupId of groupIds) {
    let rules: SecurityGroupRule[];
    try {
      rules = await describeRules(ec2, [
        { Name: 'group-id', Values: [groupId] },
        { Name: 'tag-key', Values: [OWNER_TAG] },
      ]);
    } catch (error) {
      throw awsFailure(error, 'list rules', groupId);
    }
    const candidates: SecurityGroupRule[] = [];
    for (const rule of rules.filter((r) => r.IsEgress === false)) {
      const reason = keepReason(rule, now);
      if (reason) result.kept.push({ ...describeRule(rule), reason });
      else candidates.push(rule);
    }
    if (candidates.length === 0) continue;
    if (dryRun) {
      result.revoked.push(...candidates.map(describeRule));
      continue;
    }
    let fresh: SecurityGroupRule[];
    try {
      fresh = await describeRules(ec2, [
        {
          Name: 'security-group-rule-id',
          Values: candidates.map((r) => r.SecurityGroupRuleId ?? ''),
        },
      ]);
    } catch (error) {
      throw awsFailure(error, 'check rules again', groupId);
    }
    for (const rule of fresh) {
      const reason = keepReason(rule, now);
      if (reason) {
        result.kept.push({ ...describeRule(rule), reason });
        continue;
      }
      try {
        if (await revokeRule(ec2, groupId, rule.SecurityGroupRuleId ?? '')) {
          result.revoked.push(describeRule(rule));
        }
      } catch (error) {
        failures.push(awsFailure(error, `revoke ${rule.SecurityGroupRuleId}`, groupId).message);
      }
    }
  }
  if (failures.length > 0) {
    // Revoked rules are named too: the caller gets no result object from a throw.
    const done = result.revoked.map((r) => r.ruleId).join(', ') || 'none';
    throw new SgIpWindowError(
      'E_AWS',
      `sweep could not revoke every expired rule (revoked: ${done}):\n  ${failures.join('\n  ')}`,
      { retryable: true },
    );
  }
  return result;
}
