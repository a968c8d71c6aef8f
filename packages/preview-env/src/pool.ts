import type {
  ElasticLoadBalancingV2Client,
  Listener,
  Rule,
  TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isAwsError } from '@berth/internal';
import { listRules, listTargetGroups, ruleMatchesHost } from './aws-read.ts';
import { loadBalancerArnOf, type PreviewEnvConfig } from './config.ts';
import type { AliasTarget } from './dns.ts';
import { PreviewEnvError } from './errors.ts';
import { awsStep } from './steps.ts';

/**
 * The listeners environments may live on: `listenerArns` (a pool, usually on several ALBs),
 * or the one `listenerArn`.
 */
export function poolListeners(
  config: Pick<PreviewEnvConfig, 'listenerArn'> & { listenerArns?: readonly string[] },
): string[] {
  const pool = config.listenerArns;
  return pool?.length ? [...pool] : [config.listenerArn];
}

/** The rules of every listener of the pool, by listener ARN (read in parallel). */
export async function poolRules(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArns: readonly string[],
): Promise<Map<string, Rule[]>> {
  const lists = await Promise.all(
    listenerArns.map((arn) => awsStep('read listener rules', arn, () => listRules(elbv2, arn))),
  );
  return new Map(listenerArns.map((arn, i) => [arn, lists[i] ?? []]));
}

/** The environment's rule (by host) on any listener of the pool, and which listener holds it. */
export function findHostRule(
  rules: ReadonlyMap<string, readonly Rule[]>,
  host: string,
): { listenerArn: string; rule: Rule } | undefined {
  for (const [listenerArn, list] of rules) {
    const rule = list.find((r) => !r.IsDefault && ruleMatchesHost(r, host));
    if (rule) return { listenerArn, rule };
  }
  return undefined;
}

/** How full one load balancer of the pool is. */
export interface ListenerLoad {
  listenerArn: string;
  loadBalancerArn: string;
  /** Rules on every listener of the load balancer, default rules not counted (the quota is per load balancer). */
  rules: number;
  /** Target groups the load balancer routes to. */
  targetGroups: number;
}

/** What a pool listener's load balancer looks like, read in create's first rounds. */
export interface PoolListenerRead {
  listenerArn: string;
  loadBalancerArn: string;
  /** Rules of the pool listener itself. */
  rules: Rule[];
  /** Target groups of its load balancer. */
  targetGroups: TargetGroup[];
  /** Every listener of its load balancer (the quota counts rules of all of them). */
  listeners: Listener[];
}

/** First-round reads of one pool listener: its rules, its load balancer's target groups and listeners. */
export async function readPoolListener(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<PoolListenerRead> {
  const loadBalancerArn = loadBalancerArnOf(listenerArn);
  const [rules, targetGroups, listeners] = await Promise.all([
    awsStep('read listener rules', listenerArn, () => listRules(elbv2, listenerArn)),
    awsStep('read target groups', loadBalancerArn, () =>
      listTargetGroups(elbv2, loadBalancerArn).catch((error: unknown) => {
        // A load balancer without target groups yet: AWS answers an empty list, the emulator
        // TargetGroupNotFound.
        if (isAwsError(error, 'TargetGroupNotFound', 'TargetGroupNotFoundException')) return [];
        throw error;
      }),
    ),
    awsStep(
      'read listeners',
      loadBalancerArn,
      async () =>
        (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn })))
          .Listeners ?? [],
    ),
  ]);
  return { listenerArn, loadBalancerArn, rules, targetGroups, listeners };
}

/**
 * The load of each pool listener's load balancer, counting the rules of its other listeners
 * (`otherRules`, by listener ARN, read in the next round) as the quota does.
 */
export function poolLoads(
  reads: readonly PoolListenerRead[],
  otherRules: ReadonlyMap<string, readonly Rule[]>,
): ListenerLoad[] {
  return reads.map((r) => {
    const others = r.listeners
      .map((l) => l.ListenerArn)
      .filter((arn): arn is string => Boolean(arn) && arn !== r.listenerArn);
    const rulesElsewhere = others.reduce(
      (n, arn) => n + (otherRules.get(arn) ?? []).filter((x) => !x.IsDefault).length,
      0,
    );
    return {
      listenerArn: r.listenerArn,
      loadBalancerArn: r.loadBalancerArn,
      rules: r.rules.filter((x) => !x.IsDefault).length + rulesElsewhere,
      targetGroups: r.targetGroups.length,
    };
  });
}

/**
 * Where a new environment goes: the listener whose load balancer has the most room for one
 * more rule and one more target group (the smaller of the two rooms), the first in the
 * pool's order on a tie. Undefined when every one is full.
 *
 * @example
 * ```ts
 * chooseListener([{ listenerArn: 'a', rules: 100, ... }, { listenerArn: 'b', rules: 3, ... }], 100, 100); // b
 * ```
 */
export function chooseListener(
  loads: readonly ListenerLoad[],
  maxRules: number,
  maxTargetGroups: number,
): ListenerLoad | undefined {
  let best: { load: ListenerLoad; room: number } | undefined;
  for (const load of loads) {
    const room = Math.min(maxRules - load.rules, maxTargetGroups - load.targetGroups);
    if (room <= 0) continue;
    if (!best || room > best.room) best = { load, room };
  }
  return best?.load;
}

/** One pool listener as create sees it: its reads and its load balancer's alias target. */
export interface PoolCandidate {
  listenerArn: string;
  loadBalancerArn: string;
  rules: Rule[];
  targetGroups: TargetGroup[];
  listeners: Listener[];
  alias: AliasTarget | undefined;
}

/**
 * Round-1 reads of the pool listeners after the first (whose reads create makes anyway):
 * rules, target groups and listeners of each, and every load balancer's DNS name in one call.
 */
export async function readOtherPoolListeners(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArns: readonly string[],
  withAlias: boolean,
): Promise<PoolCandidate[]> {
  const lbArns = [...new Set(listenerArns.map(loadBalancerArnOf))];
  const [reads, lbs] = await Promise.all([
    Promise.all(listenerArns.map((arn) => readPoolListener(elbv2, arn))),
    withAlias
      ? awsStep('read load balancers', lbArns.join(', '), async () => {
          const out = await elbv2.send(
            new DescribeLoadBalancersCommand({ LoadBalancerArns: lbArns }),
          );
          return out.LoadBalancers ?? [];
        })
      : Promise.resolve([]),
  ]);
  return reads.map((r) => {
    const lb = lbs.find((l) => l.LoadBalancerArn === r.loadBalancerArn);
    return {
      ...r,
      alias: lb
        ? { dnsName: lb.DNSName ?? '', hostedZoneId: lb.CanonicalHostedZoneId ?? '' }
        : undefined,
    };
  });
}

/**
 * Where create puts the environment in a pool: on the listener that has its rule already;
 * else with its target group's load balancer; else where the most room is
 * ({@link chooseListener}). When every load balancer is full, the least full one (create's
 * capacity check then refuses, naming it). Each candidate's listener must exist.
 */
export function placeInPool(
  candidates: readonly PoolCandidate[],
  host: string,
  group: TargetGroup | undefined,
  limits: { maxRules: number; maxTargetGroups: number },
): PoolCandidate {
  for (const c of candidates) {
    if (!c.listeners.some((l) => l.ListenerArn === c.listenerArn)) {
      throw new PreviewEnvError(
        'E_REFERENCE',
        `listener ${c.listenerArn} does not exist on its load balancer; check "listenerArns"`,
      );
    }
  }
  const withRule = findHostRule(new Map(candidates.map((c) => [c.listenerArn, c.rules])), host);
  if (withRule)
    return candidates.find((c) => c.listenerArn === withRule.listenerArn) as PoolCandidate;
  const onLb = candidates.find((c) => group?.LoadBalancerArns?.includes(c.loadBalancerArn));
  if (onLb) return onLb;
  const loads = poolLoads(candidates, new Map());
  const best =
    chooseListener(loads, limits.maxRules, limits.maxTargetGroups) ??
    [...loads].sort(
      (a, b) =>
        Math.min(limits.maxRules - b.rules, limits.maxTargetGroups - b.targetGroups) -
        Math.min(limits.maxRules - a.rules, limits.maxTargetGroups - a.targetGroups),
    )[0];
  return (
    candidates.find((c) => c.listenerArn === best?.listenerArn) ?? (candidates[0] as PoolCandidate)
  );
}
