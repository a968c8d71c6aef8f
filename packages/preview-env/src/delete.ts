import { randomUUID } from 'node:crypto';
import { DescribeTaskDefinitionCommand, type Service } from '@aws-sdk/client-ecs';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { isLostResponse } from '@berth/internal';
import {
  describeActiveService,
  elbTagsOf,
  findTargetGroup,
  listTaskDefinitionRevisions,
  ruleMatchesHost,
  ruleTargetGroups,
} from './aws-read.ts';
import {
  deleteInactiveTaskDefinitions,
  deleteRuleIfPresent,
  deleteServiceIfPresent,
  deleteTargetGroupIfPresent,
  deregisterTaskDefinitions,
} from './cleanup.ts';
import type { HookConfig } from './config-objects.ts';
import type { OperationContext } from './context.ts';
import { deleteRecords, findRecords } from './dns.ts';
import { type HookReport, hookError, runHook } from './hooks.ts';
import { environmentNames } from './names.ts';
import { poolListeners, poolRules } from './pool.ts';
import { awsStep, round } from './steps.ts';
import { isOwnedBy, TAG, type TagMap, tagMap } from './tags.ts';

/** What a delete removed. */
export interface DeleteResult {
  name: string;
  pr?: number;
  /** True when anything was removed (false: nothing was there). */
  deleted: boolean;
  /** The pieces removed, e.g. `service preview-pr-123`. */
  removed: string[];
  /** Pieces found under the environment's names but not tagged as its own: left alone. */
  skipped: string[];
  /** The predelete hook, when it ran (a failed one is reported here and the delete goes on). */
  hooks: HookReport[];
}

/**
 * Deletes environment `name`: its service, listener rule, target group, DNS record (A-ALIAS
 * or CNAME, whichever exists) and every revision of its task definition family. Idempotent:
 * missing pieces are fine, so it also finishes an interrupted create or delete. Pieces with
 * the environment's names but without its tags are left alone and reported in `skipped`.
 * Shared by `delete` and `sweep`.
 */
export async function deleteWith(ctx: OperationContext, name: string): Promise<DeleteResult> {
  const { config, clients, clock, log } = ctx;
  const names = environmentNames(name, config);
  const { ecs, elbv2, route53 } = clients;
  const zone = config.hostedZoneId;
  const removed: string[] = [];
  const skipped: string[] = [];

  // Round 1: find every piece by its derived name (and the rule by its host).
  const [service, group, rules, records, revisions] = await round([
    awsStep('read service', names.serviceName, () =>
      describeActiveService(ecs, config.cluster, names.serviceName),
    ),
    awsStep('read target group', names.targetGroupName, () =>
      findTargetGroup(elbv2, names.targetGroupName),
    ),
    // Every listener of the pool: the environment's rule is on one of them.
    poolRules(elbv2, poolListeners(config)).then((all) => [...all.values()].flat()),
    zone
      ? awsStep('read DNS records', names.host, () => findRecords(route53, zone, names.host))
      : Promise.resolve([] as ResourceRecordSet[]),
    awsStep('list task definitions', names.family, () =>
      listTaskDefinitionRevisions(ecs, names.family),
    ),
  ] as const);
  const groupArn = group?.TargetGroupArn;
  const candidateRules = rules.filter(
    (r) =>
      !r.IsDefault &&
      (ruleMatchesHost(r, names.host) ||
        (groupArn !== undefined && ruleTargetGroups(r).includes(groupArn))),
  );
  const serviceOwned = service
    ? isOwnedBy(tagMap(service.tags), config.namePrefix, names.name)
    : false;
  if (service && !serviceOwned)
    skipped.push(`service ${names.serviceName} (not tagged ${TAG.name}=${names.name})`);
  const hooks: HookReport[] = [];
  const predelete = config.hooks?.predelete;
  if (predelete && service && serviceOwned) {
    const report = await predeleteHook(ctx, service, predelete);
    if (report) hooks.push(report);
  }
  const tagged = [
    ...(groupArn ? [groupArn] : []),
    ...candidateRules.map((r) => r.RuleArn as string),
  ];
  let foreignRuleUsesGroup = false;

  // Round 2: remove the service, the record, deregister the revisions; read the tags of the
  // target group and the rules, then remove the rules that are this environment's (a rule
  // someone else made for the same host is left alone, as create refuses to touch it).
  const [tags] = await round([
    tagged.length
      ? awsStep('read tags', tagged.join(', '), async () => {
          const found = await elbTagsOf(elbv2, tagged);
          await Promise.all(
            candidateRules.map(async (r) => {
              const what = `listener rule ${names.host} (priority ${r.Priority})`;
              if (!isOwnedBy(found.get(r.RuleArn as string) ?? {}, config.namePrefix, names.name)) {
                skipped.push(`${what} (not tagged ${TAG.name}=${names.name})`);
                if (groupArn && ruleTargetGroups(r).includes(groupArn)) foreignRuleUsesGroup = true;
                return;
              }
              await awsStep(
                'delete listener rule',
                `${names.host} (priority ${r.Priority})`,
                async () => {
                  if (await deleteRuleIfPresent(elbv2, r.RuleArn as string)) removed.push(what);
                },
              );
            }),
          );
          return found;
        })
      : Promise.resolve(new Map<string, TagMap>()),
    service && serviceOwned
      ? awsStep('delete service', names.serviceName, async () => {
          if (await deleteServiceIfPresent(ecs, config.cluster, names.serviceName))
            removed.push(`service ${names.serviceName}`);
        })
      : Promise.resolve(),
    zone && records.length
      ? awsStep('delete DNS record', names.host, async () => {
          try {
            await deleteRecords(route53, zone, records);
          } catch (error) {
            if (!isLostResponse(error)) throw error;
            // AWS may have applied it: delete what is still there, as it is now.
            await deleteRecords(route53, zone, await findRecords(route53, zone, names.host));
          }
          removed.push(...records.map((r) => `DNS record ${names.host} ${r.Type}`));
        })
      : Promise.resolve(),
    revisions.active.length
      ? awsStep('deregister task definitions', names.family, () =>
          deregisterTaskDefinitions(ecs, revisions.active),
        )
      : Promise.resolve(),
  ] as const);

  // Round 3: the target group (once no rule forwards to it) and the task definition revisions.
  const groupOwned = groupArn
    ? isOwnedBy(tags.get(groupArn) ?? {}, config.namePrefix, names.name)
    : false;
  if (groupArn && !groupOwned)
    skipped.push(`target group ${names.targetGroupName} (not tagged ${TAG.name}=${names.name})`);
  else if (groupArn && foreignRuleUsesGroup)
    skipped.push(
      `target group ${names.targetGroupName} (a listener rule that is not this environment's forwards to it)`,
    );
  await round([
    groupArn && groupOwned && !foreignRuleUsesGroup
      ? awsStep('delete target group', names.targetGroupName, async () => {
          if (await deleteTargetGroupIfPresent(elbv2, groupArn, clock))
            removed.push(`target group ${names.targetGroupName}`);
        })
      : Promise.resolve(),
    revisions.active.length + revisions.inactive.length
      ? awsStep('delete task definitions', names.family, async () => {
          await deleteInactiveTaskDefinitions(ecs, [...revisions.active, ...revisions.inactive]);
          removed.push(
            `task definition ${names.family} (${plural(revisions.active.length + revisions.inactive.length, 'revision')})`,
          );
        })
      : Promise.resolve(),
  ] as const);
  for (const s of skipped) log.warn?.(`left alone: ${s}`);
  log.info(
    removed.length
      ? `deleted ${names.name}: ${removed.join(', ')}`
      : `${names.name}: nothing to delete`,
  );
  return {
    name: names.name,
    ...(names.pr === undefined ? {} : { pr: names.pr }),
    deleted: removed.length > 0,
    removed,
    skipped,
    hooks,
  };
}

/**
 * Runs the predelete hook from the service's current revision. A failure is reported (the
 * task's exit code, reason and last log lines) and the delete goes on: nothing may leak
 * because a hook failed.
 */
async function predeleteHook(
  ctx: OperationContext,
  service: Service,
  hook: HookConfig,
): Promise<HookReport | undefined> {
  try {
    const td = await awsStep('read task definition', service.taskDefinition ?? '?', () =>
      ctx.clients.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }),
      ),
    );
    const containers = td.taskDefinition?.containerDefinitions ?? [];
    const tags = tagMap(service.tags);
    const report = await runHook(ctx, {
      hook: 'predelete',
      config: hook,
      taskDefinitionArn: service.taskDefinition as string,
      containers,
      defaultContainer:
        ctx.config.container ??
        service.loadBalancers?.[0]?.containerName ??
        containers[0]?.name ??
        '',
      placementFrom: service,
      tags: Object.fromEntries(
        [TAG.prefix, TAG.name, TAG.pr]
          .filter((k) => tags[k] !== undefined)
          .map((k) => [k, tags[k] as string]),
      ),
      clientToken: randomUUID(),
    });
    if (!report.ok) {
      const error = hookError(ctx, report, hook.timeout);
      ctx.log.warn?.(`${error.message}; deleting anyway`);
    }
    return report;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.log.warn?.(`the predelete hook could not run: ${message}; deleting anyway`);
    return { hook: 'predelete', ok: false, timedOut: false, stoppedReason: message };
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
