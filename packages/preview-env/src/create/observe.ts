import { DescribeServicesCommand, type Secret, type Service } from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  type Listener,
  type Rule,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import {
  findTargetGroup,
  listRules,
  listTargetGroups,
  ruleMatchesHost,
  takenPriorities,
} from '../aws-read.ts';
import { capacityError } from '../capacity.ts';
import { type AliasTarget, findRecords } from '../dns.ts';
import { PreviewEnvError } from '../errors.ts';
import { type PoolCandidate, placeInPool, readOtherPoolListeners } from '../pool.ts';
import { pickPriority } from '../priority.ts';
import { secretEntries } from '../secrets.ts';
import { awsStep, round } from '../steps.ts';
import { isOwnedBy, TAG, type TagMap, tagMap } from '../tags.ts';
import { waitWhileDraining } from '../wait.ts';
import { checkListenerForAccess } from './access.ts';
import type { CreateContext } from './context.ts';

/** What round 1 of a create found, checked: the reference, the environment's pieces, room. */
export interface Situation {
  reference: Service;
  /** The load-balanced container of the reference, its port and target group. */
  container: string;
  containerPort: number;
  referenceTargetGroupArn: string;
  /** The reference's target group, when it is on the load balancer (saves a read). */
  referenceTargetGroup: TargetGroup | undefined;
  /** The environment's service (ACTIVE), its tags. */
  existing: Service | undefined;
  existingTags: TagMap;
  /** The environment's target group, found by name. */
  group: TargetGroup | undefined;
  /** The rule for the environment's host on the listener. */
  rule: Rule | undefined;
  /** Every rule of the listener at the start. */
  rules: Rule[];
  listeners: Listener[];
  alias: AliasTarget | undefined;
  recordsBefore: ResourceRecordSet[];
  secretList: Secret[];
}

/** Round 1: everything that can be read without knowing anything else, then the checks. */
export async function observe(ctx: CreateContext): Promise<Situation> {
  const { config, names, clients, log } = ctx;
  const zone = config.hostedZoneId;
  const { ecs, elbv2 } = clients;
  log.info(`reading ${config.referenceService}, the listener and environment ${names.name}`);
  const secrets = ctx.request.secretsFrom;
  const pool = config.listenerArns;
  const [
    described,
    firstRules,
    firstGroups,
    groupFound,
    firstListeners,
    firstAlias,
    recordsBefore,
    secretList,
    others,
  ] = await round([
    awsStep(
      'read services',
      `${config.referenceService} and ${names.serviceName} in cluster ${config.cluster}`,
      () =>
        ecs.send(
          new DescribeServicesCommand({
            cluster: config.cluster,
            services: [config.referenceService, names.serviceName],
            include: ['TAGS'],
          }),
        ),
    ),
    awsStep('read listener rules', config.listenerArn, () => listRules(elbv2, config.listenerArn)),
    awsStep('read target groups', ctx.lbArn, () => listTargetGroups(elbv2, ctx.lbArn)),
    awsStep('read target group', names.targetGroupName, () =>
      findTargetGroup(elbv2, names.targetGroupName),
    ),
    awsStep(
      'read listeners',
      ctx.lbArn,
      async () =>
        (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: ctx.lbArn })))
          .Listeners ?? [],
    ),
    zone
      ? awsStep('read load balancer', ctx.lbArn, async () => {
          const out = await elbv2.send(
            new DescribeLoadBalancersCommand({ LoadBalancerArns: [ctx.lbArn] }),
          );
          const found = out.LoadBalancers?.[0];
          return {
            dnsName: found?.DNSName ?? '',
            hostedZoneId: found?.CanonicalHostedZoneId ?? '',
          } satisfies AliasTarget;
        })
      : Promise.resolve(undefined),
    zone
      ? awsStep('read DNS records', names.host, () =>
          findRecords(clients.route53, zone, names.host),
        )
      : Promise.resolve([] as ResourceRecordSet[]),
    secrets
      ? awsStep('read secret keys', secrets.secretId, () =>
          secretEntries(secrets, clients.secretsManager),
        )
      : Promise.resolve([] as Secret[]),
    // A pool: the same reads for its other listeners, in the same round.
    pool.length > 1
      ? readOtherPoolListeners(elbv2, pool.slice(1), zone !== undefined)
      : Promise.resolve([]),
  ] as const);
  const first: PoolCandidate = {
    listenerArn: config.listenerArn,
    loadBalancerArn: ctx.lbArn,
    rules: firstRules,
    targetGroups: firstGroups,
    listeners: firstListeners,
    alias: firstAlias,
  };
  const placed =
    others.length > 0 ? placeInPool([first, ...others], names.host, groupFound, config) : first;
  if (placed !== first) log.info(`${names.name} goes on listener ${placed.listenerArn}`);
  ctx.listenerArn = placed.listenerArn;
  ctx.lbArn = placed.loadBalancerArn;
  const { rules, listeners, alias } = placed;
  const lbGroups = placed.targetGroups;

  const listener = listeners.find((l) => l.ListenerArn === ctx.listenerArn);
  if (!listener) {
    throw new PreviewEnvError(
      'E_REFERENCE',
      `listener ${ctx.listenerArn} does not exist on its load balancer; check "listenerArn"`,
    );
  }
  checkListenerForAccess(config.access, listener);
  const reference = described.services?.find(
    (s) => s.serviceName === config.referenceService || s.serviceArn === config.referenceService,
  );
  if (reference?.status !== 'ACTIVE') {
    throw new PreviewEnvError(
      'E_REFERENCE',
      `reference service ${config.referenceService} ${reference ? `is ${reference.status}` : 'was not found'} in cluster ${config.cluster}; check "referenceService" and "cluster"`,
    );
  }
  const lbEntries = (reference.loadBalancers ?? []).filter(
    (l) => l.targetGroupArn && l.containerName,
  );
  const entry = config.container
    ? lbEntries.find((l) => l.containerName === config.container)
    : lbEntries.length === 1
      ? lbEntries[0]
      : undefined;
  if (!entry?.targetGroupArn || !entry.containerName || entry.containerPort === undefined) {
    throw new PreviewEnvError(
      'E_REFERENCE',
      config.container
        ? `reference service ${reference.serviceName} has no load balancer target group for container "${config.container}"; set "container" to the load-balanced one (${lbEntries.map((l) => l.containerName).join(', ') || 'none'})`
        : `reference service ${reference.serviceName} has ${lbEntries.length} load-balanced containers; it must have one, or set "container"`,
    );
  }

  let existing = described.services?.find(
    (s) => s.serviceName === names.serviceName && s.status !== 'INACTIVE',
  );
  if (existing?.status === 'DRAINING') {
    existing = await waitWhileDraining(
      ecs,
      config.cluster,
      names.serviceName,
      config.drainTimeout,
      ctx.clock,
      log,
    );
  }
  const existingTags = tagMap(existing?.tags);
  if (existing && !isOwnedBy(existingTags, config.namePrefix, names.name)) {
    throw new PreviewEnvError(
      'E_CONFLICT',
      `service ${names.serviceName} exists in cluster ${config.cluster} but is not preview environment ${names.name} (no ${TAG.name} tag); rename it or change "namePrefix"`,
      { resource: existing.serviceArn ?? names.serviceName },
    );
  }
  if (groupFound?.LoadBalancerArns?.length && !groupFound.LoadBalancerArns.includes(ctx.lbArn)) {
    throw new PreviewEnvError(
      'E_CONFLICT',
      `target group ${names.targetGroupName} belongs to another load balancer (${groupFound.LoadBalancerArns[0]}); change "namePrefix"`,
      { resource: groupFound.TargetGroupArn ?? names.targetGroupName },
    );
  }
  const rule = rules.find((r) => ruleMatchesHost(r, names.host));

  // Capacity is checked before anything is created (the rule priorities too: a full range
  // would otherwise be found only at CreateRule, after the target group was made).
  const needGroup = !groupFound?.LoadBalancerArns?.includes(ctx.lbArn);
  const rulesHere = rules.filter((r) => !r.IsDefault).length;
  if (needGroup && lbGroups.length + 1 > config.maxTargetGroups) {
    throw await capacityError('target groups', lbGroups.length, config.maxTargetGroups, ctx);
  }
  if (!rule && rulesHere + 1 > config.maxRules) {
    throw await capacityError('rules', rulesHere, config.maxRules, ctx);
  }
  if (
    !rule &&
    pickPriority(names.name, takenPriorities(rules), config.priorityMin, config.priorityMax) ===
      undefined
  ) {
    throw await capacityError('rule priorities', takenPriorities(rules).size, 0, ctx);
  }
  return {
    reference,
    container: entry.containerName,
    containerPort: entry.containerPort,
    referenceTargetGroupArn: entry.targetGroupArn,
    referenceTargetGroup: lbGroups.find((g) => g.TargetGroupArn === entry.targetGroupArn),
    existing,
    existingTags,
    group: groupFound,
    rule,
    rules,
    listeners,
    alias,
    recordsBefore,
    secretList,
  };
}
