import type { EC2Client, SecurityGroupRule } from '@aws-sdk/client-ec2';
import {
  type AwsClientOptions,
  type Clock,
  isAwsError,
  isLostResponse,
  mapLimit,
  systemClock,
} from '@berth/internal';
import {
  awsFailure,
  describeRules,
  revokeRule,
  type SgIpWindowClients,
  untagRule,
  withEc2,
} from './ec2-rules.ts';
import { SgIpWindowError } from './errors.ts';
import { defaultOwner, holdKey, liveHolds, readRuleTags } from './tags.ts';

/** A rule to close: its id and the group it is in. */
export interface RuleRef {
  groupId: string;
  ruleId: string;
}

/** Options of {@link closeRules}. */
export interface CloseRulesOptions extends AwsClientOptions {
  rules: readonly RuleRef[];
  /** Whose hold is released (default {@link defaultOwner}: the one `openWindow` used). */
  owner?: string;
  clients?: SgIpWindowClients;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
}

/** What closing did to each rule. */
export interface CloseResult {
  /** Rules revoked: no other unexpired hold remained. */
  revoked: RuleRef[];
  /** Rules kept because other holders still need them; our hold was removed. */
  released: (RuleRef & { heldBy: string[] })[];
  /** Rules that no longer existed (`InvalidPermission.NotFound`): already closed. */
  alreadyClosed: RuleRef[];
  /** Rules without sg-ip-window tags, or in another group: never touched. */
  notOurs: (RuleRef & { reason: string })[];
}

async function closeOne(
  ec2: EC2Client,
  ref: RuleRef,
  rule: SecurityGroupRule | undefined,
  owner: string,
  now: number,
  result: CloseResult,
): Promise<void> {
  if (!rule) {
    result.alreadyClosed.push(ref);
    return;
  }
  if (rule.GroupId !== ref.groupId) {
    result.notOurs.push({
      ...ref,
      reason: `the rule belongs to ${rule.GroupId}, not ${ref.groupId}`,
    });
    return;
  }
  const tags = readRuleTags(rule.Tags);
  if (!tags.ours) {
    result.notOurs.push({ ...ref, reason: 'the rule has no sg-ip-window tags' });
    return;
  }
  const others = liveHolds(tags, now, owner);
  if (others.length > 0) {
    if (tags.holds.some((h) => h.owner === owner)) {
      try {
        await untagRule(ec2, ref.ruleId, [holdKey(owner)]);
      } catch (error) {
        // The answer was lost: AWS may have removed the hold. Read the rule back.
        const after = isLostResponse(error) ? await readBack(ec2, ref.ruleId) : 'unknown';
        const held =
          after === 'unknown' ||
          (after !== 'gone' && readRuleTags(after.Tags).holds.some((h) => h.owner === owner));
        if (held) throw awsFailure(error, `remove the hold on ${ref.ruleId}`, ref.groupId);
      }
    }
    result.released.push({ ...ref, heldBy: others });
    return;
  }
  try {
    const revoked = await revokeRule(ec2, ref.groupId, ref.ruleId);
    (revoked ? result.revoked : result.alreadyClosed).push(ref);
  } catch (error) {
    // The answer was lost: AWS may have revoked it. Only a rule no longer there counts.
    if (isLostResponse(error) && (await readBack(ec2, ref.ruleId)) === 'gone') {
      result.revoked.push(ref);
      return;
    }
    throw awsFailure(error, `revoke ${ref.ruleId}`, ref.groupId);
  }
}

/** The rule as AWS has it now, `gone`, or `unknown` when it cannot be read either. */
async function readBack(
  ec2: EC2Client,
  ruleId: string,
): Promise<SecurityGroupRule | 'gone' | 'unknown'> {
  try {
    const [rule] = await describeRules(ec2, [{ Name: 'security-group-rule-id', Values: [ruleId] }]);
    return rule ?? 'gone';
  } catch (error) {
    return isAwsError(error, 'InvalidSecurityGroupRuleId.NotFound') ? 'gone' : 'unknown';
  }
}

/**
 * Closes rules by id, as a window's `close()` does: releases `owner`'s hold and revokes a
 * rule only when no other unexpired hold remains. A rule already gone counts as closed; a
 * rule without this tool's tags is never modified. Every rule is tried even when one fails.
 *
 * @throws SgIpWindowError `E_CLOSE_FAILED` naming the rules still open.
 * @example
 * ```ts
 * await closeRules({ rules: [{ groupId: 'sg-0123456789abcdef0', ruleId: 'sgr-0123456789abcdef0' }] });
 * ```
 */
export async function closeRules(options: CloseRulesOptions): Promise<CloseResult> {
  const result: CloseResult = { revoked: [], released: [], alreadyClosed: [], notOurs: [] };
  if (options.rules.length === 0) return result;
  const owner = options.owner ?? defaultOwner(options.env);
  const clock = options.clock ?? systemClock;
  return withEc2(options, async (ec2) => {
    const ids = [...new Set(options.rules.map((r) => r.ruleId))];
    let found: SecurityGroupRule[];
    try {
      found = await describeRules(ec2, [{ Name: 'security-group-rule-id', Values: ids }]);
    } catch (error) {
      throw new SgIpWindowError(
        'E_CLOSE_FAILED',
        `${awsFailure(error, `look up rules ${ids.join(', ')} to close them`).message}. ` +
          'Run `sg-ip-window close` again, or `sg-ip-window sweep` after they expire',
        { cause: error, retryable: true },
      );
    }
    const now = clock.now();
    const failures: { ref: RuleRef; error: SgIpWindowError }[] = [];
    await mapLimit(options.rules, 4, async (ref) => {
      const rule = found.find((r) => r.SecurityGroupRuleId === ref.ruleId);
      try {
        await closeOne(ec2, ref, rule, owner, now, result);
      } catch (error) {
        failures.push({ ref, error: awsFailure(error, `close ${ref.ruleId}`, ref.groupId) });
      }
    });
    if (failures.length > 0) {
      const list = failures
        .map((f) => `  ${f.ref.ruleId} (${f.ref.groupId}): ${f.error.message}`)
        .join('\n');
      throw new SgIpWindowError(
        'E_CLOSE_FAILED',
        `${failures.length} rule(s) are still open:\n${list}\n` +
          `Retry with \`sg-ip-window close --group <sg-id> --rule-id <sgr-id>\`; \`sg-ip-window sweep\` removes them once expired`,
        { cause: failures[0]?.error, retryable: failures.every((f) => f.error.retryable) },
      );
    }
    return result;
  });
}
