import type { Service } from '@aws-sdk/client-ecs';
import type { Rule, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { systemClock } from '@berth/internal';
import {
  elbTagsOf,
  listRules,
  listServicesWithTags,
  listTargetGroups,
  ruleMatchesHost,
} from './aws-read.ts';
import { type ResolvedClients, resolveClients } from './clients.ts';
import { configOf, type OperationOptions } from './common.ts';
import type { PreviewEnvConfig } from './config.ts';
import { environmentNames } from './names.ts';
import { awsStep } from './steps.ts';
import { TAG, type TagMap, tagMap } from './tags.ts';

/** Where an environment stands. */
export type EnvironmentStatus =
  /** The service runs its task definition in one finished deployment. */
  | 'running'
  /** A deployment is in progress (or tasks are starting). */
  | 'deploying'
  /** The last deployment failed. */
  | 'failed'
  /** The service is being deleted. */
  | 'draining'
  /** Pieces are missing (an interrupted create or delete): `delete` or `sweep` removes the rest. */
  | 'incomplete';

/** One environment as `ls` shows it, read from the tags of its resources. */
export interface EnvironmentSummary {
  name: string;
  /** Pull request number, when the environment was created from one. */
  pr?: number;
  url: string;
  host: string;
  /** Image deployed last. */
  image?: string;
  /** ISO time of the first create. */
  createdAt?: string;
  /** ISO time of the last deployment. */
  deployedAt?: string;
  /** Milliseconds since the last deployment (or the create), at the time of listing. */
  idleMs?: number;
  status: EnvironmentStatus;
  /** Pieces not found: `service`, `target group`, `listener rule`. */
  missing: string[];
  serviceArn?: string;
  taskDefinitionArn?: string;
  targetGroupArn?: string;
  ruleArn?: string;
  rulePriority?: number;
  runningCount?: number;
  desiredCount?: number;
}

/** Options of {@link listEnvironments}. */
export type ListEnvironmentsOptions = OperationOptions;

function statusOf(service: Service | undefined, missing: string[]): EnvironmentStatus {
  if (!service) return 'incomplete';
  if (service.status === 'DRAINING') return 'draining';
  if (missing.length) return 'incomplete';
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if (primary?.rolloutState === 'FAILED') return 'failed';
  if ((service.deployments?.length ?? 0) > 1 || primary?.rolloutState === 'IN_PROGRESS')
    return 'deploying';
  if ((service.runningCount ?? 0) < (service.desiredCount ?? 0)) return 'deploying';
  return 'running';
}

/** Lists with already-made clients (shared by `ls`, `sweep` and the capacity error). */
export async function listEnvironmentsWith(
  config: PreviewEnvConfig,
  clients: ResolvedClients,
  now: number,
): Promise<EnvironmentSummary[]> {
  const { ecs, elbv2 } = clients;
  const prefix = `${config.namePrefix}-`;
  const [services, groups, rules] = await Promise.all([
    awsStep('list services', `cluster ${config.cluster}`, () =>
      listServicesWithTags(ecs, config.cluster),
    ),
    awsStep('list target groups', config.region, () => listTargetGroups(elbv2)),
    awsStep('read listener rules', config.listenerArn, () => listRules(elbv2, config.listenerArn)),
  ]);
  const candidateGroups = groups.filter((g) => g.TargetGroupName?.startsWith(prefix));
  const candidateRules = rules.filter((r) => !r.IsDefault);
  const arns = [...candidateGroups, ...candidateRules]
    .map((x) =>
      'TargetGroupArn' in x && x.TargetGroupArn ? x.TargetGroupArn : (x as Rule).RuleArn,
    )
    .filter((a): a is string => Boolean(a));
  const tags = arns.length
    ? await awsStep('read tags', 'target groups and rules', () => elbTagsOf(elbv2, arns))
    : new Map();

  type Entry = { tags: TagMap; service?: Service; group?: TargetGroup; rule?: Rule };
  const byName = new Map<string, Entry>();
  const add = (t: TagMap, piece: Partial<Entry>) => {
    const name = t[TAG.name];
    if (t[TAG.prefix] !== config.namePrefix || !name) return;
    const entry = byName.get(name) ?? { tags: {} };
    // The service's tags are the freshest (it is retagged on every deploy): they win.
    entry.tags = piece.service ? { ...entry.tags, ...t } : { ...t, ...entry.tags };
    byName.set(name, Object.assign(entry, piece));
  };
  for (const s of services) add(tagMap(s.tags), { service: s });
  for (const g of candidateGroups) add(tags.get(g.TargetGroupArn as string) ?? {}, { group: g });
  for (const r of candidateRules) add(tags.get(r.RuleArn as string) ?? {}, { rule: r });

  const out: EnvironmentSummary[] = [];
  for (const [name, e] of byName) {
    const names = environmentNames(name, config);
    const rule = e.rule ?? rules.find((r) => ruleMatchesHost(r, names.host));
    const missing = [
      ...(e.service ? [] : ['service']),
      ...(e.group ? [] : ['target group']),
      ...(rule ? [] : ['listener rule']),
    ];
    const deployedAt = e.tags[TAG.deployedAt];
    const createdAt = e.tags[TAG.createdAt];
    const since = Date.parse(deployedAt ?? createdAt ?? '');
    const pr = e.tags[TAG.pr] ? Number(e.tags[TAG.pr]) : undefined;
    out.push({
      name,
      ...(pr === undefined || Number.isNaN(pr) ? {} : { pr }),
      url: names.url,
      host: names.host,
      ...(e.tags[TAG.image] ? { image: e.tags[TAG.image] } : {}),
      ...(createdAt ? { createdAt } : {}),
      ...(deployedAt ? { deployedAt } : {}),
      ...(Number.isNaN(since) ? {} : { idleMs: Math.max(0, now - since) }),
      status: statusOf(e.service, missing),
      missing,
      ...(e.service?.serviceArn ? { serviceArn: e.service.serviceArn } : {}),
      ...(e.service?.taskDefinition ? { taskDefinitionArn: e.service.taskDefinition } : {}),
      ...(e.group?.TargetGroupArn ? { targetGroupArn: e.group.TargetGroupArn } : {}),
      ...(rule?.RuleArn ? { ruleArn: rule.RuleArn, rulePriority: Number(rule.Priority) } : {}),
      ...(e.service
        ? { runningCount: e.service.runningCount ?? 0, desiredCount: e.service.desiredCount ?? 0 }
        : {}),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Lists the preview environments of the configuration's prefix, found by the tags on their
 * services, target groups and listener rules (so half-created ones show up as `incomplete`).
 *
 * @example
 * ```ts
 * for (const env of await listEnvironments()) console.log(env.name, env.url, env.status);
 * ```
 */
export async function listEnvironments(
  options: ListEnvironmentsOptions = {},
): Promise<EnvironmentSummary[]> {
  const config = configOf(options);
  const clients = resolveClients(config, options.clients, options.aws);
  try {
    return await listEnvironmentsWith(config, clients, (options.clock ?? systemClock).now());
  } finally {
    clients.release();
  }
}
