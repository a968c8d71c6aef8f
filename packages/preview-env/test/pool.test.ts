import { DescribeServicesCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import type { Clock } from '@berth/internal';
import { useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { type PreviewEnvConfig, resolveConfig } from '../src/config.ts';
import { PreviewEnvError } from '../src/errors.ts';
import { createPreviewEnv } from '../src/preview-env.ts';
import { type Fixture, fakeClock, IMAGE_1, IMAGE_2, setup } from './helpers.ts';

const aws = useAws();
let fx: Fixture;
/** The second ALB of the pool: its listener and DNS name. */
let second: { listenerArn: string; dnsName: string; firstDnsName: string };
let pool: PreviewEnvConfig;

beforeAll(async () => {
  fx = await setup(aws);
  const { elbv2 } = fx.clients;
  const lb = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'shared-preview-b',
      Subnets: fx.seed.subnetIds,
      SecurityGroups: [fx.seed.securityGroupId],
      Scheme: 'internet-facing',
      Type: 'application',
    }),
  );
  const listener = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn,
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn: fx.seed.certificateArn }],
      DefaultActions: [
        {
          Type: 'fixed-response',
          FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' },
        },
      ],
    }),
  );
  second = {
    listenerArn: listener.Listeners?.[0]?.ListenerArn as string,
    dnsName: lb.LoadBalancers?.[0]?.DNSName as string,
    firstDnsName: fx.seed.loadBalancerDnsName,
  };
  // Room for 2 rules and 2 target groups per ALB. The first ALB holds the reference
  // service's rule and target group already: room 1 there, 2 on the second.
  const { listenerArn: _one, listenerArns: _pool, source: _source, ...rest } = fx.config;
  pool = resolveConfig({
    ...rest,
    listenerArns: [fx.seed.listenerArn, second.listenerArn],
    maxRules: 2,
    maxTargetGroups: 2,
  });
});

const previews = (clock: Clock = fakeClock(), config = pool) =>
  createPreviewEnv({ config, clients: fx.clients, clock });

/** Where each environment's rule is, and what its DNS record aliases. */
async function placement() {
  const { elbv2, route53 } = fx.clients;
  const [a, b, records] = await Promise.all([
    elbv2.send(new DescribeRulesCommand({ ListenerArn: fx.seed.listenerArn })),
    elbv2.send(new DescribeRulesCommand({ ListenerArn: second.listenerArn })),
    route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: fx.seed.hostedZoneId })),
  ]);
  const hosts = (rules: typeof a) =>
    (rules.Rules ?? [])
      .filter((r) => !r.IsDefault && r.RuleArn !== fx.seed.referenceRuleArn)
      .flatMap((r) => r.Conditions?.flatMap((c) => c.HostHeaderConfig?.Values ?? []) ?? [])
      .map((h) => h.split('.')[0])
      .sort();
  const alias = Object.fromEntries(
    (records.ResourceRecordSets ?? [])
      .filter((r) => r.Type === 'A' && r.AliasTarget)
      .map((r) => [
        (r.Name as string).split('.')[0],
        (r.AliasTarget?.DNSName ?? '').replace(/\.$/, '').replace(/^dualstack\./, ''),
      ]),
  );
  return { first: hosts(a), second: hosts(b), alias };
}

/** What is left in the account beyond the seed, on both ALBs. */
async function leftovers() {
  const { ecs, elbv2 } = fx.clients;
  const [groups, services, where] = await Promise.all([
    elbv2.send(new DescribeTargetGroupsCommand({})),
    ecs.send(new ListServicesCommand({ cluster: fx.seed.cluster })),
    placement(),
  ]);
  const described = services.serviceArns?.length
    ? await ecs.send(
        new DescribeServicesCommand({ cluster: fx.seed.cluster, services: services.serviceArns }),
      )
    : { services: [] };
  return {
    targetGroups: (groups.TargetGroups ?? [])
      .map((g) => g.TargetGroupName)
      .filter((n) => n !== 'app-dev00'),
    services: (described.services ?? [])
      .filter((s) => s.status === 'ACTIVE' && s.serviceName !== fx.seed.referenceService)
      .map((s) => s.serviceName),
    rules: [...where.first, ...where.second],
    records: Object.keys(where.alias),
  };
}
const CLEAN = { targetGroups: [], services: [], rules: [], records: [] };

describe('a pool of listeners on two ALBs', () => {
  it('places new environments where the most room is, keeps existing ones, aliases each to its own ALB, refuses only when all are full', async () => {
    const clock = fakeClock();
    const p = previews(clock);
    // The second ALB has more room.
    await p.create('401', { image: IMAGE_1 });
    // A tie (room 1 each): the first of the pool.
    await p.create('402', { image: IMAGE_1 });
    // The first ALB is full now: the second.
    await p.create('403', { image: IMAGE_1 });
    expect(await placement()).toEqual({
      first: ['pr-402'],
      second: ['pr-401', 'pr-403'],
      alias: {
        'pr-401': second.dnsName,
        'pr-402': second.firstDnsName,
        'pr-403': second.dnsName,
      },
    });

    // An existing environment stays where it is (a new image, nothing moves).
    clock.advance(60_000);
    expect((await p.create('401', { image: IMAGE_2 })).outcome).toBe('updated');
    expect((await placement()).second).toEqual(['pr-401', 'pr-403']);

    // Every ALB full: the capacity error, and nothing made.
    const error = await p.create('404', { image: IMAGE_1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreviewEnvError);
    expect((error as PreviewEnvError).code).toBe('E_CAPACITY');
    expect((error as PreviewEnvError).message).toContain(
      'every other load balancer of the pool (2 listeners) is as full',
    );

    // ls, sleep, wake and delete find environments on either listener.
    const listed = await p.list();
    expect(listed.map((e) => [e.name, e.listenerArn, e.status])).toEqual([
      ['pr-401', second.listenerArn, 'running'],
      ['pr-402', fx.seed.listenerArn, 'running'],
      ['pr-403', second.listenerArn, 'running'],
    ]);
    expect((await p.sleep('403')).changed).toBe(true);
    expect((await p.list()).find((e) => e.name === 'pr-403')?.status).toBe('asleep');
    expect((await p.wake('403')).changed).toBe(true);
    const removed = await p.delete('401');
    expect(removed.removed).toEqual(
      expect.arrayContaining([expect.stringMatching(/^listener rule pr-401\./)]),
    );
    expect((await placement()).second).toEqual(['pr-403']);

    // Room again on the second ALB: the next one goes there.
    await p.create('404', { image: IMAGE_1 });
    expect((await placement()).second).toEqual(['pr-403', 'pr-404']);

    // sweep covers both.
    clock.advance(4 * 86_400_000);
    const swept = await p.sweep();
    expect(swept.swept.map((e) => e.name).sort()).toEqual(['pr-402', 'pr-403', 'pr-404']);
    expect(await leftovers()).toEqual(CLEAN);
  });

  it('a failure at any AWS call of a create on the second ALB leaves nothing behind', async () => {
    const p = previews();
    aws.proxy.resetStats();
    await p.create('410', { image: IMAGE_1 });
    const calls = aws.proxy.stats().total;
    expect((await placement()).second).toEqual(['pr-410']);
    await p.delete('410');
    expect(await leftovers()).toEqual(CLEAN);

    for (let nth = 1; nth <= calls; nth++) {
      aws.proxy.resetStats();
      aws.proxy.fail({ nth, error: { code: 'AccessDenied', message: 'injected', status: 403 } });
      const error = await p.create('411', { image: IMAGE_1 }).catch((e: unknown) => e);
      aws.proxy.clearFaults();
      const failed = aws.proxy.calls.find((c) => c.injected)?.operation;
      expect(error, `call ${nth} (${failed})`).toBeInstanceOf(PreviewEnvError);
      expect(await leftovers(), `after failing call ${nth} (${failed})`).toEqual(CLEAN);
    }
  });

  it('an answer lost at any read of the pool (applied-then-reset) fails the create cleanly', async () => {
    const p = previews();
    aws.proxy.resetStats();
    await p.create('412', { image: IMAGE_1 });
    const reads = [
      'DescribeRules',
      'DescribeTargetGroups',
      'DescribeListeners',
      'DescribeLoadBalancers',
    ];
    const counts = Object.fromEntries(
      reads.map((op) => [op, aws.proxy.calls.filter((c) => c.operation === op).length]),
    );
    await p.delete('412');
    for (const operation of reads) {
      for (let nth = 1; nth <= (counts[operation] ?? 0); nth++) {
        const stop = aws.proxy.fail({ operation, nth, fault: 'applied-then-reset' });
        const error = await p.create('413', { image: IMAGE_1 }).catch((e: unknown) => e);
        stop();
        expect(error, `${operation} #${nth}`).toBeInstanceOf(PreviewEnvError);
        expect(await leftovers(), `after ${operation} #${nth}`).toEqual(CLEAN);
      }
    }
  });

  it('a lost CreateRule answer (applied-then-reset) on the second ALB leaves no rule on any listener', async () => {
    const p = previews();
    // A fresh pool chooses the second ALB (the first holds the reference service already).
    aws.proxy.fail({ operation: 'CreateRule', times: 1, fault: 'applied-then-reset' });
    const error = await p.create('414', { image: IMAGE_1 }).catch((e: unknown) => e);
    aws.proxy.clearFaults();
    expect(error).toBeInstanceOf(PreviewEnvError);
    expect((error as PreviewEnvError).code).toBe('E_AWS');
    expect((error as Error).message).toContain('everything this call created was removed');
    expect(await leftovers()).toEqual(CLEAN);
  });
});
