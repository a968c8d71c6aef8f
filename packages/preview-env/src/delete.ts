import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { type Clock, systemClock } from '@berth/internal';
import {
  elbTagsOf,
  findTargetGroup,
  listRules,
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
import { type ResolvedClients, resolveClients } from './clients.ts';
import { configOf, type OperationOptions } from './common.ts';
import type { PreviewEnvConfig } from './config.ts';
import { deleteRecords, findRecords } from './dns.ts';
import { environmentNames } from './names.ts';
import { awsStep, type ProgressLogger, round, silentLogger } from './steps.ts';
import { isOwnedBy, TAG, type TagMap, tagMap } from './tags.ts';

/** Options of {@link deleteEnvironment}. */
export type DeleteEnvironmentOptions = OperationOptions;

/** What {@link deleteEnvironment} removed. */
export interface DeleteEnvironmentResult {
  name: string;
  pr?: number;
  /** True when anything was removed (false: nothing was there). */
  deleted: boolean;
  /** The pieces removed, e.g. `service preview-pr-123`. */
  removed: string[];
  /** Pieces found under the environment's names but not tagged as its own: left alone. */
  skipped: string[];
}

/** Deletes with already-made clients (shared with `sweep`). */
export async function deleteEnvironmentWith(
  name: string,
  config: PreviewEnvConfig,
  clients: ResolvedClients,
  clock: Clock,
  log: ProgressLogger,
): Promise<DeleteEnvironmentResult> {
  const names = environmentNames(name, config);
  const { ecs, elbv2, route53 } = clients;
  const zone = config.hostedZoneId;
  const removed: string[] = [];
  const skipped: string[] = [];

  // Round 1: find every piece by its derived name (and the rule by its host).
  const [described, group, rules, records, revisions] = await round([
    awsStep('read service', names.serviceName, () =>
      ecs.send(
        new DescribeServicesCommand({
          cluster: config.cluster,
          services: [names.serviceName],
          include: ['TAGS'],
        }),
      ),
    ),
    awsStep('read target group', names.targetGroupName, () =>
      findTargetGroup(elbv2, names.targetGroupName),
    ),
    awsStep('read listener rules', config.listenerArn, () => listRules(elbv2, config.listenerArn)),
    zone
      ? awsStep('read DNS records', names.host, () => findRecords(route53, zone, names.host))
      : Promise.resolve([] as ResourceRecordSet[]),
    awsStep('list task definitions', names.family, () =>
      listTaskDefinitionRevisions(ecs, names.family),
    ),
  ] as const);
  const service = described.services?.find(
    (s) => s.serviceName === names.serviceName && s.status === 'ACTIVE',
  );
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
          await deleteRecords(route53, zone, records);
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
  };
}

/**
 * Deletes environment `name`: its service, listener rule, target group, DNS record (A-ALIAS
 * or CNAME, whichever exists) and every revision of its task definition family. Idempotent:
 * missing pieces are fine, so it also finishes an interrupted create or delete. Pieces with
 * the environment's names but without its tags are left alone and reported in `skipped`.
 *
 * @throws PreviewEnvError `E_AWS` naming the step and resource when AWS refuses a call.
 * @example
 * ```ts
 * const { removed } = await deleteEnvironment('123');
 * ```
 */
export async function deleteEnvironment(
  name: string,
  options: DeleteEnvironmentOptions = {},
): Promise<DeleteEnvironmentResult> {
  const config = configOf(options);
  environmentNames(name, config);
  const clients = resolveClients(config, options.clients, options.aws);
  try {
    return await deleteEnvironmentWith(
      name,
      config,
      clients,
      options.clock ?? systemClock,
      options.logger ?? silentLogger,
    );
  } finally {
    clients.release();
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
