import {
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionFamiliesCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import type { Rule, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { collectAll } from '@berth/internal';
import { elbTagsOf, listServicesWithTags, listTargetGroups, ruleMatchesHost } from './aws-read.ts';
import type { OperationContext } from './context.ts';
import { environmentNames } from './names.ts';
import { poolListeners, poolRules } from './pool.ts';
import { isAsleep, SLEEP_TAG } from './state.ts';
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
  /** Put to sleep (`sleep`, or `sweep` after `sleepAfter`): no tasks, the rule answers the asleep page. */
  | 'asleep'
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
  /** When the environment was first created. */
  createdAt?: Date;
  /** When it was last deployed. */
  deployedAt?: Date;
  /** Milliseconds since the last deployment (or the create), at the time of listing. */
  idleMs?: number;
  /** When it was last put to sleep. */
  sleptAt?: Date;
  /** When it was last woken. */
  wokenAt?: Date;
  /** The pool listener its rule is on. */
  listenerArn?: string;
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

function statusOf(
  service: Service | undefined,
  missing: string[],
  tags: TagMap,
): EnvironmentStatus {
  if (!service) return 'incomplete';
  if (service.status === 'DRAINING') return 'draining';
  if (missing.length) return 'incomplete';
  if (isAsleep(tags)) return 'asleep';
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if (primary?.rolloutState === 'FAILED') return 'failed';
  if ((service.deployments?.length ?? 0) > 1 || primary?.rolloutState === 'IN_PROGRESS')
    return 'deploying';
  if ((service.runningCount ?? 0) < (service.desiredCount ?? 0)) return 'deploying';
  return 'running';
}

/**
 * Lists the environments of the configuration's prefix, found by the tags on their services,
 * target groups and listener rules (so half-created ones show up as `incomplete`). Shared by
 * `ls`, `sweep` and the capacity error.
 */
export async function listWith(ctx: OperationContext): Promise<EnvironmentSummary[]> {
  const { config, clients } = ctx;
  const now = ctx.clock.now();
  const { ecs, elbv2 } = clients;
  const prefix = `${config.namePrefix}-`;
  const [services, groups, rulesByListener, families] = await Promise.all([
    awsStep('list services', `cluster ${config.cluster}`, () =>
      listServicesWithTags(ecs, config.cluster),
    ),
    awsStep('list target groups', config.region, () => listTargetGroups(elbv2)),
    poolRules(elbv2, poolListeners(config)),
    awsStep('list task definition families', prefix, () => taskDefinitionFamilies(ecs, prefix)),
  ]);
  // Every listener of the pool: an environment lives on one of them.
  const rules = [...rulesByListener.values()].flat();
  const listenerOf = new Map(
    [...rulesByListener].flatMap(([arn, list]) => list.map((r) => [r.RuleArn, arn] as const)),
  );
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
  // Task definition revisions whose environment has nothing else left (a create whose
  // rollback could not finish): found by family, owned by their tags, so delete removes them.
  const known = new Set([...byName.keys()].map((n) => environmentNames(n, config).family));
  const strays = families.filter((f) => !known.has(f));
  const strayTags = await Promise.all(
    strays.map(async (family) => {
      try {
        const out = await ecs.send(
          new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }),
        );
        return out.taskDefinition?.status === 'ACTIVE' ? tagMap(out.tags) : {};
      } catch {
        return {}; // no ACTIVE revision left: nothing to show
      }
    }),
  );
  for (const t of strayTags) add(t, {});

  const out: EnvironmentSummary[] = [];
  for (const [name, e] of byName) {
    const names = environmentNames(name, config);
    const rule = e.rule ?? rules.find((r) => ruleMatchesHost(r, names.host));
    const missing = [
      ...(e.service ? [] : ['service']),
      ...(e.group ? [] : ['target group']),
      ...(rule ? [] : ['listener rule']),
    ];
    const deployedAt = dateOf(e.tags[TAG.deployedAt]);
    const createdAt = dateOf(e.tags[TAG.createdAt]);
    const since = (deployedAt ?? createdAt)?.getTime() ?? Number.NaN;
    const sleptAt = dateOf(e.tags[SLEEP_TAG.sleptAt]);
    const wokenAt = dateOf(e.tags[SLEEP_TAG.wokenAt]);
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
      ...(sleptAt ? { sleptAt } : {}),
      ...(wokenAt ? { wokenAt } : {}),
      ...(rule?.RuleArn && listenerOf.has(rule.RuleArn)
        ? { listenerArn: listenerOf.get(rule.RuleArn) as string }
        : {}),
      status: statusOf(e.service, missing, e.service ? tagMap(e.service.tags) : {}),
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

/** Task definition families starting with `prefix` that have ACTIVE revisions. */
async function taskDefinitionFamilies(ecs: OperationContext['clients']['ecs'], prefix: string) {
  return collectAll(async (token) => {
    const page = await ecs.send(
      new ListTaskDefinitionFamiliesCommand({
        familyPrefix: prefix,
        status: 'ACTIVE',
        ...(token ? { nextToken: token } : {}),
      }),
    );
    return { items: page.families ?? [], next: page.nextToken };
  });
}

function dateOf(iso: string | undefined): Date | undefined {
  const t = Date.parse(iso ?? '');
  return Number.isNaN(t) ? undefined : new Date(t);
}
