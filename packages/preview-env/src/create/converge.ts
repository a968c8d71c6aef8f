import {
  type ContainerDefinition,
  DescribeTaskDefinitionCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import type { Rule, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbTagsOf, listRules } from '../aws-read.ts';
import { capacityError } from '../capacity.ts';
import { aliasInPlace } from '../dns.ts';
import { PreviewEnvError } from '../errors.ts';
import { type HookReport, hookError, runHook } from '../hooks.ts';
import { isAsleep, SLEEP_TAG, savedDesiredCount } from '../state.ts';
import { awsStep, round } from '../steps.ts';
import { ecsTags, inheritedTags, isOwnedBy, stateTags, TAG, type TagMap, tagMap } from '../tags.ts';
import { specHash, taskDefinitionInput } from '../task-definition.ts';
import { type ClientSecret, needsClientSecret, readClientSecret } from './access.ts';
import type { CreateContext, Owned } from './context.ts';
import { planCreate } from './decide.ts';
import { writeRecord } from './dns-step.ts';
import {
  createRule,
  modifyRule,
  retagLoadBalancing,
  ruleInPlace,
  ruleSpec,
} from './listener-rule-step.ts';
import { observe } from './observe.ts';
import { createService, updateService } from './service-step.ts';
import { createTargetGroup, setTargetGroupAttributes } from './target-group-step.ts';
import { registerTaskDefinition } from './task-definition-step.ts';

/** What a create converged to. */
export interface Converged {
  outcome: 'created' | 'updated' | 'unchanged';
  /** Hooks that ran (predeploy). */
  hooks: HookReport[];
  /** What a later hook (postcreate) needs: the revision's containers, the default one, placement. */
  containers: ContainerDefinition[];
  container: string;
  placementFrom: Service;
  service: Service;
  taskDefinitionArn: string;
  targetGroupArn: string;
  rule: Rule;
  createdAt: string;
  deployedAt: string;
}

/**
 * Brings environment `ctx.names` to what was asked, in at most 4 sequential rounds of AWS
 * calls (the calls of a round run in parallel):
 *
 * 1. read everything (reference, environment, listener, load balancer, DNS, secret keys);
 * 2. the reference task definition, the target group, tags of what exists;
 * 3. the task definition revision, the rule (needs the target group), the DNS record;
 * 4. the service (AWS refuses a service whose target group no rule forwards to).
 *
 * Each write records its undo in `ctx.rollback`; the caller runs it on failure.
 */
export async function converge(ctx: CreateContext): Promise<Converged> {
  const { config, names, clients, log } = ctx;
  const { ecs, elbv2 } = clients;
  const zone = config.hostedZoneId;

  // Round 1
  const found = await observe(ctx);
  checkEnvAgainstSecrets(ctx, found.secretList);
  const { reference, existing, existingTags } = found;

  // Round 2: the reference task definition, the target group, and what round 1 pointed at.
  const otherListeners = found.rule
    ? []
    : found.listeners.filter((l) => l.ListenerArn !== ctx.listenerArn);
  const ownedArns = [found.group?.TargetGroupArn, found.rule?.RuleArn].filter((a): a is string =>
    Boolean(a),
  );
  const [referenceTd, group, otherRules, ownership, clientSecret] = await round([
    awsStep('read reference task definition', reference.taskDefinition ?? '?', () =>
      ecs.send(
        new DescribeTaskDefinitionCommand({
          taskDefinition: reference.taskDefinition,
          include: ['TAGS'],
        }),
      ),
    ),
    found.group
      ? Promise.resolve<Owned<TargetGroup>>({ value: found.group, created: false })
      : createTargetGroup(ctx, found.referenceTargetGroupArn, found.referenceTargetGroup),
    Promise.all(
      otherListeners.map((l) =>
        awsStep('read listener rules', l.ListenerArn ?? '?', () =>
          listRules(elbv2, l.ListenerArn as string),
        ),
      ),
    ),
    ownedArns.length
      ? awsStep('read tags', ownedArns.join(', '), () => elbTagsOf(elbv2, ownedArns))
      : Promise.resolve(new Map<string, TagMap>()),
    config.access?.oidc && needsClientSecret(config.access, found.rule)
      ? awsStep('read OIDC client secret', config.access.oidc.clientSecretFrom, () =>
          readClientSecret(clients.secretsManager, config.access?.oidc?.clientSecretFrom ?? ''),
        )
      : Promise.resolve<ClientSecret>('existing'),
  ] as const);
  const groupArn = group.value.TargetGroupArn as string;
  checkOwnership(ctx, found.group, found.rule, ownership);
  if (!found.rule) {
    const rulesHere = found.rules.filter((r) => !r.IsDefault).length;
    const rulesElsewhere = otherRules.flat().filter((r) => !r.IsDefault).length;
    if (rulesHere + rulesElsewhere + 1 > config.maxRules) {
      throw await capacityError('rules', rulesHere + rulesElsewhere, config.maxRules, ctx);
    }
  }

  const td = referenceTd.taskDefinition;
  if (!td) {
    throw new PreviewEnvError(
      'E_REFERENCE',
      `reference task definition ${reference.taskDefinition} was not found`,
    );
  }
  const tdInput = taskDefinitionInput(td, {
    family: names.family,
    container: found.container,
    image: ctx.request.image,
    env: { ...config.env, ...ctx.request.env },
    secrets: found.secretList,
  });
  const spec = specHash(tdInput);
  const groupTags = found.group?.TargetGroupArn
    ? ownership.get(found.group.TargetGroupArn)
    : undefined;
  const createdAt = existingTags[TAG.createdAt] ?? groupTags?.[TAG.createdAt] ?? ctx.now;
  const state = stateTags(names, config.namePrefix, {
    createdAt,
    deployedAt: ctx.now,
    image: ctx.request.image,
    spec,
  });
  tdInput.tags = ecsTags({
    ...inheritedTags(tagMap(referenceTd.tags), 50 - Object.keys(state).length),
    ...state,
  });

  // A create of a sleeping environment wakes it: its tasks back, the rule forwarding again.
  const asleep = existing !== undefined && isAsleep(existingTags);
  const wantedRule = ruleSpec(names.host, groupArn, config.access, clientSecret);
  const plan = planCreate({
    existing,
    existingTags,
    family: names.family,
    spec,
    image: ctx.request.image,
    targetGroupArn: groupArn,
    targetGroupCreated: group.created,
    ruleExists: found.rule !== undefined,
    ruleInPlace: found.rule !== undefined && ruleInPlace(found.rule, wantedRule),
    recordInPlace:
      !zone || (found.alias !== undefined && aliasInPlace(found.recordsBefore, found.alias)),
    asleep,
  });
  if (plan.upToDate && existing && found.rule) {
    log.info(`${names.name} is already up to date at ${names.url}`);
    return {
      outcome: 'unchanged',
      hooks: [],
      containers: tdInput.containerDefinitions ?? [],
      container: found.container,
      placementFrom: existing,
      service: existing,
      taskDefinitionArn: existing.taskDefinition as string,
      targetGroupArn: groupArn,
      rule: found.rule,
      createdAt,
      deployedAt: existingTags[TAG.deployedAt] ?? createdAt,
    };
  }

  // Round 3: the task definition (then the predeploy hook, before any service runs it), the
  // rule (needs the target group), the DNS record.
  const hooks: HookReport[] = [];
  const predeploy = config.hooks?.predeploy;
  const [taskDefinitionArn, rule] = await round([
    plan.registerTaskDefinition
      ? registerTaskDefinition(ctx, tdInput).then(async (arn) => {
          if (predeploy) {
            const report = await runHook(ctx, {
              hook: 'predeploy',
              config: predeploy,
              taskDefinitionArn: arn,
              containers: tdInput.containerDefinitions ?? [],
              defaultContainer: found.container,
              placementFrom: existing ?? reference,
              tags: envTags(state),
              clientToken: `${ctx.createId}-predeploy`,
            });
            hooks.push(report);
            if (!report.ok) throw hookError(ctx, report, predeploy.timeout);
          }
          return arn;
        })
      : Promise.resolve(existing?.taskDefinition as string),
    plan.rule === 'create'
      ? createRule(ctx, found.rules, wantedRule, state)
      : plan.rule === 'modify'
        ? modifyRule(ctx, found.rule as Rule, wantedRule)
        : Promise.resolve(found.rule as Rule),
    plan.setTargetGroupAttributes ? setTargetGroupAttributes(ctx, groupArn) : Promise.resolve(),
    zone && plan.writeRecord && found.alias
      ? writeRecord(ctx, zone, found.alias, found.recordsBefore)
      : Promise.resolve(),
    plan.retagLoadBalancing
      ? retagLoadBalancing(
          ctx,
          [groupArn, found.rule?.RuleArn].filter((a): a is string => Boolean(a)),
          state,
          ownership,
        )
      : Promise.resolve(),
  ] as const);

  // Round 4: the service, now that the rule forwards to its target group.
  const target = {
    taskDefinitionArn,
    targetGroupArn: groupArn,
    container: found.container,
    containerPort: found.containerPort,
    state,
    wake: asleep
      ? {
          desiredCount: savedDesiredCount(existingTags, config.desiredCount),
          tags: { [SLEEP_TAG.state]: 'running', [SLEEP_TAG.wokenAt]: ctx.now },
        }
      : undefined,
  };
  const service =
    plan.service === 'create'
      ? await createService(ctx, reference, target)
      : plan.service === 'update' && existing
        ? await updateService(ctx, existing, target)
        : { value: existing as Service, created: false };
  if (asleep) log.info(`${names.name} was asleep: woken by this deploy`);
  log.info(
    `${service.created ? 'created' : plan.service === 'update' ? 'deployed' : 'updated'} ${names.name} at ${names.url}`,
  );
  return {
    outcome: service.created ? 'created' : 'updated',
    hooks,
    containers: tdInput.containerDefinitions ?? [],
    container: found.container,
    placementFrom: service.value.networkConfiguration ? service.value : (existing ?? reference),
    service: service.value,
    taskDefinitionArn,
    targetGroupArn: groupArn,
    rule,
    createdAt,
    deployedAt: plan.service === 'keep' ? (existingTags[TAG.deployedAt] ?? createdAt) : ctx.now,
  };
}

/**
 * A `--env` variable that `secretsFrom` also sets would be silently replaced by the secret:
 * refused before anything is written.
 */
function checkEnvAgainstSecrets(
  ctx: CreateContext,
  secrets: readonly { name?: string | undefined }[],
): void {
  const both = secrets.map((s) => s.name ?? '').filter((n) => n in ctx.request.env);
  if (both.length) {
    throw new PreviewEnvError(
      'E_INPUT',
      `--env ${both.join(', ')}: also a key of the secret ${ctx.request.secretsFrom?.secretId} (secretsFrom), which would replace it; drop the --env or the key`,
    );
  }
}

/** The tags that say whose a hook's task is. */
export function envTags(state: TagMap): TagMap {
  return Object.fromEntries(
    [TAG.prefix, TAG.name, TAG.pr]
      .filter((k) => state[k] !== undefined)
      .map((k) => [k, state[k] as string]),
  );
}

/** The environment's target group and rule found by name must carry its tags. */
function checkOwnership(
  ctx: CreateContext,
  group: TargetGroup | undefined,
  rule: Rule | undefined,
  tags: Map<string, TagMap>,
): void {
  const { config, names } = ctx;
  for (const [arn, what] of [
    [group?.TargetGroupArn, `target group ${names.targetGroupName}`],
    [rule?.RuleArn, `listener rule for ${names.host} (priority ${rule?.Priority})`],
  ] as const) {
    if (arn && !isOwnedBy(tags.get(arn) ?? {}, config.namePrefix, names.name)) {
      throw new PreviewEnvError(
        'E_CONFLICT',
        `${what} exists but is not preview environment ${names.name}'s (no ${TAG.name} tag); remove it or change "namePrefix"/"domain"`,
        { resource: arn },
      );
    }
  }
}
