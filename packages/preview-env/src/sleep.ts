import {
  type Service,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  AddTagsCommand,
  ModifyRuleCommand,
  type Rule,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { asleepPage } from './asleep-page.ts';
import { describeActiveService, elbTagsOf, findTargetGroup } from './aws-read.ts';
import type { ResolvedClients } from './clients.ts';
import type { PreviewEnvConfig } from './config.ts';
import type { OperationContext } from './context.ts';
import { PreviewEnvError, type PreviewEnvErrorCode } from './errors.ts';
import { type EnvironmentNames, environmentNames } from './names.ts';
import { findHostRule, poolListeners, poolRules } from './pool.ts';
import { Rollback } from './rollback.ts';
import {
  answersAsleepPage,
  forwardTarget,
  isAsleep,
  resendableActions,
  SLEEP_TAG,
  sleepingActions,
  wokenActions,
} from './state.ts';
import { awsStep, type ProgressLogger, round, stepError } from './steps.ts';
import { ecsTags, elbTags, isOwnedBy, TAG, type TagMap, tagMap } from './tags.ts';
import { waitForEnvironment } from './wait.ts';

/** Options of `PreviewEnv.wake`. */
export interface WakeOptions {
  /** Wait until the service is stable and its targets healthy (`waitTimeout`). */
  wait?: boolean;
}

/** What `PreviewEnv.sleep` did. */
export interface SleepResult {
  name: string;
  pr?: number;
  url: string;
  state: 'asleep';
  /** False when the environment was asleep already: nothing changed. */
  changed: boolean;
  /** Tasks the environment runs when awake; `wake` restores this count. */
  desiredCount: number;
  /** When it was put to sleep (now, or the earlier sleep when unchanged and recorded). */
  sleptAt?: Date;
}

/** What `PreviewEnv.wake` did. */
export interface WakeResult {
  name: string;
  pr?: number;
  url: string;
  state: 'running';
  /** False when the environment was awake already: nothing changed. */
  changed: boolean;
  /** Tasks it runs again. */
  desiredCount: number;
  /** When it was woken (now, or the last wake when unchanged and recorded). */
  wokenAt?: Date;
  /** True when `wait` was asked and the service became stable and healthy. */
  waited: boolean;
}

/** An environment's pieces, as sleep and wake need them. */
interface Located {
  names: EnvironmentNames;
  service: Service;
  serviceTags: TagMap;
  rule: Rule;
  ruleTags: TagMap;
  group: TargetGroup | undefined;
  groupOwned: boolean;
}

function problem(code: PreviewEnvErrorCode, message: string, resource: string): PreviewEnvError {
  return new PreviewEnvError(code, message, { resource });
}

/** Finds the environment's service, rule (on any listener of the pool) and target group, checking they are its own. */
async function locate(
  name: string,
  config: PreviewEnvConfig,
  clients: ResolvedClients,
  verb: 'sleep' | 'wake',
): Promise<Located> {
  const names = environmentNames(name, config);
  const { ecs, elbv2 } = clients;
  const [service, rules, group] = await round([
    awsStep('read service', names.serviceName, () =>
      describeActiveService(ecs, config.cluster, names.serviceName),
    ),
    poolRules(elbv2, poolListeners(config)),
    awsStep('read target group', names.targetGroupName, () =>
      findTargetGroup(elbv2, names.targetGroupName),
    ),
  ] as const);
  if (!service) {
    throw problem(
      'E_NOT_FOUND',
      `cannot ${verb} ${names.name}: it does not exist (no ACTIVE service ${names.serviceName} in cluster ${config.cluster}); create it first`,
      names.serviceName,
    );
  }
  const serviceTags = tagMap(service.tags);
  if (!isOwnedBy(serviceTags, config.namePrefix, names.name)) {
    throw problem(
      'E_CONFLICT',
      `service ${names.serviceName} is not preview environment ${names.name}'s (no ${TAG.name} tag); left alone`,
      service.serviceArn ?? names.serviceName,
    );
  }
  const found = findHostRule(rules, names.host);
  if (!found) {
    throw problem(
      'E_NOT_FOUND',
      `cannot ${verb} ${names.name}: it has no listener rule for ${names.host} (an interrupted create?); run "preview-env create" again or "preview-env delete ${names.name}"`,
      names.host,
    );
  }
  const arns = [
    found.rule.RuleArn as string,
    ...(group?.TargetGroupArn ? [group.TargetGroupArn] : []),
  ];
  const tags = await awsStep('read tags', arns.join(', '), () => elbTagsOf(elbv2, arns));
  const ruleTags = tags.get(found.rule.RuleArn as string) ?? {};
  if (!isOwnedBy(ruleTags, config.namePrefix, names.name)) {
    throw problem(
      'E_CONFLICT',
      `the listener rule for ${names.host} is not preview environment ${names.name}'s (no ${TAG.name} tag); left alone`,
      found.rule.RuleArn as string,
    );
  }
  const groupOwned = group?.TargetGroupArn
    ? isOwnedBy(tags.get(group.TargetGroupArn) ?? {}, config.namePrefix, names.name)
    : false;
  return { names, service, serviceTags, rule: found.rule, ruleTags, group, groupOwned };
}

/** The desired count to run when awake: the one saved at the sleep, else the current one, else the configuration's. */
function awakeCount(found: Located, config: PreviewEnvConfig): number {
  const saved = Number(found.serviceTags[SLEEP_TAG.desiredCount]);
  const current = found.service.desiredCount ?? 0;
  if (!isAsleep(found.serviceTags) && current > 0) return current;
  return Number.isInteger(saved) && saved > 0 ? saved : current > 0 ? current : config.desiredCount;
}

/**
 * Sets tags on the service, registering first how to put back the previous values: the undo is
 * safe to run whether or not the write was applied (an answer lost after AWS applied it).
 */
function tagService(
  ctx: OperationContext,
  rollback: Rollback,
  found: Located,
  tags: TagMap,
): Promise<void> {
  const { ecs } = ctx.clients;
  // Undo steps use the clients without the signal: they run after an interruption too.
  const cleanup = ctx.cleanupClients.ecs;
  const arn = found.service.serviceArn as string;
  const before = found.serviceTags;
  const restore = Object.fromEntries(
    Object.keys(tags)
      .filter((k) => k in before)
      .map((k) => [k, before[k] as string]),
  );
  const added = Object.keys(tags).filter((k) => !(k in before));
  rollback.add(`tags of ${found.names.serviceName}`, async () => {
    if (Object.keys(restore).length) {
      await cleanup.send(new TagResourceCommand({ resourceArn: arn, tags: ecsTags(restore) }));
    }
    if (added.length) {
      await cleanup.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: added }));
    }
  });
  return awsStep('tag service', found.names.serviceName, async () => {
    await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: ecsTags(tags) }));
  });
}

function setDesiredCount(
  ctx: OperationContext,
  rollback: Rollback,
  found: Located,
  count: number,
): Promise<void> {
  const { ecs } = ctx.clients;
  const { config } = ctx;
  const before = found.service.desiredCount ?? 0;
  const service = found.names.serviceName;
  rollback.add(`desired count of ${service} (back to ${before})`, () =>
    ctx.cleanupClients.ecs.send(
      new UpdateServiceCommand({ cluster: config.cluster, service, desiredCount: before }),
    ),
  );
  return awsStep('set desired count', `${service} (to ${count})`, async () => {
    await ecs.send(
      new UpdateServiceCommand({ cluster: config.cluster, service, desiredCount: count }),
    );
  });
}

function setRuleActions(
  ctx: OperationContext,
  rollback: Rollback,
  found: Located,
  actions: Parameters<typeof sleepingActions>[0],
  step: string,
): Promise<void> {
  const { elbv2 } = ctx.clients;
  const ruleArn = found.rule.RuleArn as string;
  const before = resendableActions(found.rule.Actions ?? []);
  rollback.add(`actions of the listener rule for ${found.names.host}`, () =>
    ctx.cleanupClients.elbv2.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: before })),
  );
  return awsStep(step, found.names.host, async () => {
    await elbv2.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: [...actions] }));
  });
}

/** Runs the writes of a sleep or wake; on failure puts back what they changed. */
async function apply(
  verb: 'sleep' | 'wake',
  found: Located,
  rollback: Rollback,
  log: ProgressLogger,
  writes: () => Promise<unknown>,
): Promise<void> {
  try {
    await writes();
  } catch (error) {
    const failure = stepError(verb, found.names.name, error);
    const leftovers = await rollback.run(log);
    if (leftovers.length === 0) {
      failure.message += `; ${found.names.name} was put back as it was`;
      throw failure;
    }
    throw new PreviewEnvError(
      'E_ROLLBACK',
      `${failure.message}; could not put back ${leftovers.join(', ')}: run "preview-env ${verb} ${found.names.name}" again`,
      {
        cause: failure,
        leftovers,
        ...(failure.step ? { step: failure.step } : {}),
        ...(failure.resource ? { resource: failure.resource } : {}),
        ...(failure.awsCode ? { awsCode: failure.awsCode } : {}),
      },
    );
  }
}

const dateOf = (iso: string | undefined) => {
  const t = Date.parse(iso ?? '');
  return Number.isNaN(t) ? undefined : new Date(t);
};

/**
 * Puts environment `name` to sleep: its service scales to 0 tasks and its listener rule
 * answers a small HTML page (503) saying it is asleep and how to wake it. What `wake` needs
 * (the desired count, the target group) is kept in tags. Idempotent; on a failure what was
 * changed is put back. Used by `PreviewEnv.sleep` and `sweep` with `sleepAfter`.
 */
export async function sleepWith(ctx: OperationContext, name: string): Promise<SleepResult> {
  const { config, clients, clock, log } = ctx;
  const found = await locate(name, config, clients, 'sleep');
  const { names, service, serviceTags, rule } = found;
  const count = awakeCount(found, config);
  const base = {
    name: names.name,
    ...(names.pr === undefined ? {} : { pr: names.pr }),
    url: names.url,
    state: 'asleep' as const,
    desiredCount: count,
  };
  const ruleAsleep = answersAsleepPage(rule.Actions);
  const scaledDown = (service.desiredCount ?? 0) === 0;
  if (isAsleep(serviceTags) && ruleAsleep && scaledDown) {
    log.info(`${names.name} is asleep already`);
    const earlier = dateOf(serviceTags[SLEEP_TAG.sleptAt]);
    return { ...base, changed: false, ...(earlier ? { sleptAt: earlier } : {}) };
  }
  const target = forwardTarget(rule.Actions) ?? found.ruleTags[SLEEP_TAG.forwardTo];
  if (!ruleAsleep && !target) {
    throw problem(
      'E_CONFLICT',
      `the listener rule for ${names.host} neither forwards to a target group nor answers the asleep page; run "preview-env create" to repair it`,
      rule.RuleArn as string,
    );
  }
  const sleptAt = new Date(clock.now());
  const rollback = new Rollback();
  log.info(
    `putting ${names.name} to sleep (desired count ${count} -> 0, rule answers the asleep page)`,
  );
  await apply('sleep', found, rollback, log, async () => {
    // The tags first: an interrupted sleep is then recognisable, and `wake` knows what to restore.
    await round([
      tagService(ctx, rollback, found, {
        [SLEEP_TAG.state]: 'asleep',
        [SLEEP_TAG.desiredCount]: String(count),
        [SLEEP_TAG.sleptAt]: sleptAt.toISOString(),
      }),
      ruleAsleep
        ? Promise.resolve()
        : awsStep('tag listener rule', names.host, async () => {
            await clients.elbv2.send(
              new AddTagsCommand({
                ResourceArns: [rule.RuleArn as string],
                Tags: elbTags({ [SLEEP_TAG.forwardTo]: target as string }),
              }),
            );
          }),
    ] as const);
    await round([
      ruleAsleep
        ? Promise.resolve()
        : setRuleActions(
            ctx,
            rollback,
            found,
            sleepingActions(rule.Actions ?? [], asleepPage(names.name, names.pr)),
            'answer the asleep page',
          ),
      scaledDown ? Promise.resolve() : setDesiredCount(ctx, rollback, found, 0),
    ] as const);
  });
  log.info(`${names.name} is asleep; wake it with "preview-env wake ${names.name}"`);
  return { ...base, changed: true, sleptAt };
}

/**
 * Wakes environment `name`: restores its desired count and its rule's actions exactly as they
 * were before the sleep (authenticate actions included), and with `wait` waits until it is
 * stable and healthy. Idempotent: an environment that is awake is left as it is.
 */
export async function wakeWith(
  ctx: OperationContext,
  name: string,
  options: WakeOptions = {},
): Promise<WakeResult> {
  const { config, clients, clock, log } = ctx;
  const found = await locate(name, config, clients, 'wake');
  const { names, service, serviceTags, rule } = found;
  const count = awakeCount(found, config);
  const ruleAsleep = answersAsleepPage(rule.Actions);
  const current = service.desiredCount ?? 0;
  const changed = isAsleep(serviceTags) || ruleAsleep || current === 0;
  const wokenAt = changed ? new Date(clock.now()) : dateOf(serviceTags[SLEEP_TAG.wokenAt]);
  const target = ruleAsleep
    ? (found.ruleTags[SLEEP_TAG.forwardTo] ??
      (found.groupOwned ? found.group?.TargetGroupArn : undefined))
    : forwardTarget(rule.Actions);
  if (!target) {
    throw problem(
      'E_NOT_FOUND',
      `cannot wake ${names.name}: its target group ${names.targetGroupName} is gone; run "preview-env create" to rebuild it`,
      names.targetGroupName,
    );
  }
  if (changed) {
    const rollback = new Rollback();
    log.info(`waking ${names.name} (desired count ${current} -> ${count})`);
    await apply('wake', found, rollback, log, () =>
      round([
        current === count ? Promise.resolve() : setDesiredCount(ctx, rollback, found, count),
        ruleAsleep
          ? setRuleActions(
              ctx,
              rollback,
              found,
              wokenActions(rule.Actions ?? [], target),
              'forward to the target group',
            )
          : Promise.resolve(),
        tagService(ctx, rollback, found, {
          [SLEEP_TAG.state]: 'running',
          [SLEEP_TAG.wokenAt]: (wokenAt as Date).toISOString(),
        }),
      ] as const),
    );
  } else {
    log.info(`${names.name} is awake already`);
  }
  let waited = false;
  if (options.wait) {
    log.info(`waiting for ${names.serviceName} to be stable and its targets healthy`);
    await waitForEnvironment(
      clients.ecs,
      clients.elbv2,
      {
        cluster: config.cluster,
        serviceName: names.serviceName,
        targetGroupArn: target,
        taskDefinitionArn: service.taskDefinition as string,
        timeoutMs: config.waitTimeout,
      },
      clock,
      log,
    );
    waited = true;
  }
  if (changed) log.info(`${names.name} is awake at ${names.url}`);
  return {
    name: names.name,
    ...(names.pr === undefined ? {} : { pr: names.pr }),
    url: names.url,
    state: 'running',
    changed,
    desiredCount: count,
    ...(wokenAt ? { wokenAt } : {}),
    waited,
  };
}
