import {
  type Action,
  AddTagsCommand,
  type AuthenticateCognitoActionConfig,
  type AuthenticateOidcActionConfig,
  CreateRuleCommand,
  ModifyRuleCommand,
  type Rule,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isAwsError, isLostResponse } from '@berth/internal';
import { elbTagsOf, listRules, ruleMatchesHost, takenPriorities } from '../aws-read.ts';
import { capacityError } from '../capacity.ts';
import { deleteRuleIfPresent } from '../cleanup.ts';
import type { AccessConfig } from '../config-objects.ts';
import { PreviewEnvError } from '../errors.ts';
import { pickPriority } from '../priority.ts';
import { awsStep, stepError } from '../steps.ts';
import { elbTags, TAG, type TagMap } from '../tags.ts';
import {
  accessConditions,
  authenticateAction,
  type ClientSecret,
  redact,
  resendable,
} from './access.ts';
import type { CreateContext } from './context.ts';

/** The conditions and actions the environment's rule should have. */
export interface RuleSpec {
  conditions: RuleCondition[];
  actions: Action[];
  /** The OIDC client secret inside `actions`, to keep it out of error messages. */
  secret?: ClientSecret | undefined;
}

/**
 * The rule of environment `host`: host header (and `source-ip` with `allowCidrs`), then an
 * authenticate action with `oidc` / `cognito`, then forward to its target group.
 */
export function ruleSpec(
  host: string,
  targetGroupArn: string,
  access?: AccessConfig,
  secret?: ClientSecret,
): RuleSpec {
  const auth = authenticateAction(access, secret);
  return {
    conditions: [
      { Field: 'host-header', HostHeaderConfig: { Values: [host] } },
      ...accessConditions(access),
    ],
    actions: [
      ...(auth ? [auth] : []),
      { Type: 'forward', TargetGroupArn: targetGroupArn, ...(auth ? { Order: 2 } : {}) },
    ],
    secret,
  };
}

function forwardTarget(action: Action | undefined): string | undefined {
  return action?.TargetGroupArn ?? action?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
}

function sourceIps(conditions: readonly RuleCondition[] | undefined): string {
  const values = (conditions ?? [])
    .filter((c) => c.Field === 'source-ip')
    .flatMap((c) => [...(c.SourceIpConfig?.Values ?? []), ...(c.Values ?? [])]);
  return [...new Set(values.map((v) => v.toLowerCase()))].sort().join(',');
}

/** What identifies an action, secret aside. */
function actionKey(action: Action | undefined): string {
  if (!action) return '';
  switch (action.Type) {
    case 'forward':
      return `forward ${forwardTarget(action)}`;
    case 'authenticate-oidc': {
      const o: Partial<AuthenticateOidcActionConfig> = action.AuthenticateOidcConfig ?? {};
      return `oidc ${JSON.stringify([o.Issuer, o.AuthorizationEndpoint, o.TokenEndpoint, o.UserInfoEndpoint, o.ClientId, o.Scope ?? 'openid', o.OnUnauthenticatedRequest ?? 'authenticate'])}`;
    }
    case 'authenticate-cognito': {
      const c: Partial<AuthenticateCognitoActionConfig> = action.AuthenticateCognitoConfig ?? {};
      return `cognito ${JSON.stringify([c.UserPoolArn, c.UserPoolClientId, c.UserPoolDomain, c.Scope ?? 'openid', c.OnUnauthenticatedRequest ?? 'authenticate'])}`;
    }
    default:
      return String(action.Type);
  }
}

/** True when `rule` already has the spec's conditions and actions (the secret cannot be compared). */
export function ruleInPlace(rule: Rule, spec: RuleSpec): boolean {
  if (sourceIps(rule.Conditions) !== sourceIps(spec.conditions)) return false;
  const actions = [...(rule.Actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
  if (actions.length !== spec.actions.length) return false;
  return spec.actions.every((want, i) => actionKey(actions[i]) === actionKey(want));
}

/**
 * Creates the environment's rule at the name's preferred free priority; on `PriorityInUse`
 * (another tool took it meanwhile) reads the rules again and tries the next, or adopts the
 * rule a concurrent create of the same environment made.
 */
export async function createRule(
  ctx: CreateContext,
  rulesAtStart: readonly Rule[],
  spec: RuleSpec,
  state: TagMap,
): Promise<Rule> {
  const { elbv2 } = ctx.clients;
  const { config, names, log } = ctx;
  let taken = takenPriorities(rulesAtStart);
  for (let attempt = 0; attempt < 8; attempt++) {
    const priority = pickPriority(names.name, taken, config.priorityMin, config.priorityMax);
    if (priority === undefined) {
      throw await capacityError('rule priorities', taken.size, 0, ctx);
    }
    try {
      const out = await elbv2.send(
        new CreateRuleCommand({
          ListenerArn: ctx.listenerArn,
          Priority: priority,
          Conditions: spec.conditions,
          Actions: spec.actions,
          Tags: elbTags({ ...state, [TAG.createId]: ctx.createId }),
        }),
      );
      const rule = out.Rules?.[0] as Rule;
      ctx.rollback.add(`listener rule for ${names.host}`, () =>
        deleteRuleIfPresent(ctx.cleanupClients.elbv2, rule.RuleArn as string),
      );
      return rule;
    } catch (error) {
      if (isLostResponse(error)) {
        // AWS may have made it: find it by host; our create-id tag says whether it is ours.
        ctx.rollback.add(`listener rule for ${names.host} (if it was made)`, async () => {
          const rules = await listRules(ctx.cleanupClients.elbv2, ctx.listenerArn);
          const made = rules.filter((r) => ruleMatchesHost(r, names.host));
          const arns = made.map((r) => r.RuleArn as string);
          const tags = arns.length ? await elbTagsOf(ctx.cleanupClients.elbv2, arns) : new Map();
          for (const arn of arns) {
            if (tags.get(arn)?.[TAG.createId] === ctx.createId) {
              await deleteRuleIfPresent(ctx.cleanupClients.elbv2, arn);
            }
          }
        });
      }
      if (!isAwsError(error, 'PriorityInUse', 'PriorityInUseException')) {
        throw stepError(
          'create listener rule',
          `${names.host} (priority ${priority})`,
          redact(error, spec.secret),
        );
      }
      log.debug?.(`priority ${priority} was taken meanwhile; reading the rules again`);
    }
    const fresh = await awsStep('read listener rules', ctx.listenerArn, () =>
      listRules(elbv2, ctx.listenerArn),
    );
    const mine = fresh.find((r) => ruleMatchesHost(r, names.host));
    if (mine) {
      // A concurrent create of this environment made the rule: use it, it is not ours to undo.
      ctx.ruleAdopted = true;
      return ruleInPlace(mine, spec) ? mine : modifyRule(ctx, mine, spec);
    }
    taken = takenPriorities(fresh);
    taken.add(priority);
  }
  throw new PreviewEnvError(
    'E_AWS',
    `create listener rule failed for ${names.host}: the priorities tried kept being taken by other rules; retry`,
    { step: 'create listener rule', resource: names.host, retryable: true },
  );
}

/** Brings an existing rule to the spec (actions and conditions); the rollback puts back the old ones. */
export async function modifyRule(ctx: CreateContext, rule: Rule, spec: RuleSpec): Promise<Rule> {
  const { elbv2 } = ctx.clients;
  const before = { actions: rule.Actions, conditions: rule.Conditions };
  const actions = (before.actions ?? []).map(resendable);
  const revert = () =>
    ctx.cleanupClients.elbv2.send(
      new ModifyRuleCommand({
        RuleArn: rule.RuleArn,
        Actions: actions,
        ...(before.conditions ? { Conditions: before.conditions.map(resendableCondition) } : {}),
      }),
    );
  // The revert is recorded when the change was applied, or may have been (a lost answer).
  const undoable = !ctx.ruleAdopted && before.actions !== undefined;
  const out = await awsStep('update listener rule', rule.RuleArn as string, async () => {
    try {
      const send = () =>
        elbv2.send(
          new ModifyRuleCommand({
            RuleArn: rule.RuleArn,
            Conditions: spec.conditions,
            Actions: spec.actions,
          }),
        );
      return undoable
        ? await ctx.rollback.around(`listener rule change for ${ctx.names.host}`, revert, send)
        : await send();
    } catch (error) {
      throw redact(error, spec.secret);
    }
  });
  return out.Rules?.[0] ?? rule;
}

/** A listed condition as ModifyRule takes it: `Values` or the typed config, not both. */
function resendableCondition(condition: RuleCondition): RuleCondition {
  const { Values, ...rest } = condition;
  const typed =
    rest.HostHeaderConfig ||
    rest.PathPatternConfig ||
    rest.SourceIpConfig ||
    rest.HttpHeaderConfig ||
    rest.HttpRequestMethodConfig ||
    rest.QueryStringConfig;
  return typed ? rest : { ...rest, ...(Values ? { Values } : {}) };
}

/** New deploy tags on the environment's existing target group and rule (reverted on rollback). */
export async function retagLoadBalancing(
  ctx: CreateContext,
  arns: string[],
  state: TagMap,
  before: Map<string, TagMap>,
): Promise<void> {
  const { elbv2 } = ctx.clients;
  const { [TAG.createdAt]: _keep, [TAG.spec]: _spec, ...fresh } = state;
  const revert = () =>
    Promise.all(
      arns.map((arn) => {
        const old = before.get(arn) ?? {};
        const previous = Object.fromEntries(
          Object.keys(fresh)
            .filter((k) => k in old)
            .map((k) => [k, old[k] as string]),
        );
        return Object.keys(previous).length
          ? ctx.cleanupClients.elbv2.send(
              new AddTagsCommand({ ResourceArns: [arn], Tags: elbTags(previous) }),
            )
          : undefined;
      }),
    );
  await awsStep('tag target group and rule', arns.join(', '), () =>
    ctx.rollback.around('tags of the target group and rule', revert, () =>
      elbv2.send(new AddTagsCommand({ ResourceArns: arns, Tags: elbTags(fresh) })),
    ),
  );
}
