import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  type Action,
  DescribeRulesCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Clock } from '@berth/internal';
import { useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { PreviewEnvError } from '../src/errors.ts';
import { createPreviewEnv } from '../src/preview-env.ts';
import { EMPTY, type Fixture, fakeClock, IMAGE_1, inventory, setup } from './helpers.ts';

const aws = useAws();
let fx: Fixture;
beforeAll(async () => {
  fx = await setup(aws);
});

const HOUR = 3_600_000;

/** The environment's service and rule as AWS has them. */
async function snapshot(name: string) {
  const { ecs, elbv2 } = fx.clients;
  const [described, rules] = await Promise.all([
    ecs.send(
      new DescribeServicesCommand({
        cluster: fx.seed.cluster,
        services: [`app-${name}`],
        include: ['TAGS'],
      }),
    ),
    elbv2.send(new DescribeRulesCommand({ ListenerArn: fx.seed.listenerArn })),
  ]);
  const service = described.services?.[0];
  const rule = rules.Rules?.find((r) =>
    r.Conditions?.some((c) => c.HostHeaderConfig?.Values?.includes(`${name}.${fx.seed.domain}`)),
  );
  const ruleTags = (
    await elbv2.send(new DescribeTagsCommand({ ResourceArns: [rule?.RuleArn as string] }))
  ).TagDescriptions?.[0]?.Tags;
  const tags = Object.fromEntries((service?.tags ?? []).map((t) => [t.key, t.value]));
  return {
    desiredCount: service?.desiredCount,
    state: tags['preview-env:state'],
    savedCount: tags['preview-env:desired-count'],
    actions: normalize(rule?.Actions ?? []),
    ruleArn: rule?.RuleArn as string,
    forwardTo: ruleTags?.find((t) => t.Key === 'preview-env:forward-to')?.Value,
  };
}

/** Actions as a comparable shape: type, order, target, authenticate settings, fixed response. */
function normalize(actions: readonly Action[]) {
  return [...actions]
    .sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0))
    .map((a) => ({
      type: a.Type,
      order: a.Order,
      ...(a.TargetGroupArn ? { target: a.TargetGroupArn } : {}),
      ...(a.AuthenticateOidcConfig
        ? {
            oidc: {
              issuer: a.AuthenticateOidcConfig.Issuer,
              clientId: a.AuthenticateOidcConfig.ClientId,
              authorizationEndpoint: a.AuthenticateOidcConfig.AuthorizationEndpoint,
              tokenEndpoint: a.AuthenticateOidcConfig.TokenEndpoint,
              userInfoEndpoint: a.AuthenticateOidcConfig.UserInfoEndpoint,
            },
          }
        : {}),
      ...(a.FixedResponseConfig
        ? {
            status: a.FixedResponseConfig.StatusCode,
            contentType: a.FixedResponseConfig.ContentType,
          }
        : {}),
    }));
}

const opts = (clock: Clock = fakeClock()) => ({ config: fx.config, clients: fx.clients, clock });
const previews = (clock: Clock = fakeClock()) => createPreviewEnv(opts(clock));
const createEnvironment = (name: string, o: { image: string; clock: Clock }) =>
  previews(o.clock).create(name, { image: o.image });
const deleteEnvironment = (name: string, o: { clock: Clock }) => previews(o.clock).delete(name);
const sleepEnvironment = (name: string, o: { clock: Clock }) => previews(o.clock).sleep(name);
const wakeEnvironment = (name: string, o: { clock: Clock }) => previews(o.clock).wake(name);

describe('sleep and wake', () => {
  it('round trip: desired count, the asleep page, rule actions with an authenticate action restored exactly, tags', async () => {
    const clock = fakeClock();
    const env = await createEnvironment('301', { image: IMAGE_1, ...opts(clock) });
    // What issue 15's access control puts on the rule: sign in, then forward.
    await fx.clients.elbv2.send(
      new ModifyRuleCommand({
        RuleArn: env.ruleArn,
        Actions: [
          {
            Type: 'authenticate-oidc',
            Order: 1,
            AuthenticateOidcConfig: {
              Issuer: 'https://login.example.com',
              AuthorizationEndpoint: 'https://login.example.com/authorize',
              TokenEndpoint: 'https://login.example.com/token',
              UserInfoEndpoint: 'https://login.example.com/userinfo',
              ClientId: 'preview-apps',
              ClientSecret: 'not-a-real-secret',
            },
          },
          { Type: 'forward', Order: 2, TargetGroupArn: env.targetGroupArn },
        ],
      }),
    );
    const awake = await snapshot('pr-301');
    expect(awake.desiredCount).toBe(1);

    clock.advance(2 * HOUR);
    const slept = await sleepEnvironment('301', opts(clock));
    expect(slept).toMatchObject({
      name: 'pr-301',
      state: 'asleep',
      changed: true,
      desiredCount: 1,
      sleptAt: new Date('2026-11-20T11:00:00.000Z'),
    });
    const asleep = await snapshot('pr-301');
    expect(asleep).toMatchObject({
      desiredCount: 0,
      state: 'asleep',
      savedCount: '1',
      forwardTo: env.targetGroupArn,
    });
    expect(asleep.actions).toEqual([
      awake.actions[0],
      { type: 'fixed-response', order: 2, status: '503', contentType: 'text/html' },
    ]);
    const rules = await fx.clients.elbv2.send(
      new DescribeRulesCommand({ RuleArns: [asleep.ruleArn] }),
    );
    const page =
      rules.Rules?.[0]?.Actions?.find((a) => a.Type === 'fixed-response')?.FixedResponseConfig
        ?.MessageBody ?? '';
    expect(page).toContain('Preview pr-301 is asleep');
    expect(page).toContain('/preview wake');
    expect(page).toContain('preview-env wake pr-301');
    expect(page.length).toBeLessThanOrEqual(1024);

    // Idempotent: a second sleep changes nothing.
    aws.proxy.resetStats();
    expect((await sleepEnvironment('pr-301', opts(clock))).changed).toBe(false);
    expect(aws.proxy.calls.filter((c) => !/^(Describe|List)/.test(c.operation))).toEqual([]);

    clock.advance(HOUR);
    const woken = await wakeEnvironment('pr-301', opts(clock));
    expect(woken).toMatchObject({
      state: 'running',
      changed: true,
      desiredCount: 1,
      wokenAt: new Date('2026-11-20T12:00:00.000Z'),
      waited: false,
    });
    const after = await snapshot('pr-301');
    expect(after.desiredCount).toBe(1);
    expect(after.state).toBe('running');
    expect(after.actions).toEqual(awake.actions);
    expect((await wakeEnvironment('pr-301', opts(clock))).changed).toBe(false);

    await deleteEnvironment('pr-301', opts(clock));
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('ls shows the state; a create of a sleeping environment wakes it', async () => {
    const clock = fakeClock();
    const p = previews(clock);
    await p.create('304', { image: IMAGE_1 });
    const status = async () => (await p.list()).find((e) => e.name === 'pr-304');
    expect((await status())?.status).toBe('running');
    const running = await snapshot('pr-304');
    clock.advance(HOUR);
    await p.sleep('304');
    expect(await status()).toMatchObject({
      status: 'asleep',
      desiredCount: 0,
      sleptAt: new Date('2026-11-20T10:00:00.000Z'),
    });
    clock.advance(HOUR);
    // The same image: without the sleep this create would change nothing.
    const created = await p.create('304', { image: IMAGE_1 });
    expect(created.outcome).toBe('updated');
    const after = await snapshot('pr-304');
    expect(after).toMatchObject({ desiredCount: 1, state: 'running' });
    expect(after.actions).toEqual(running.actions);
    expect(await status()).toMatchObject({
      status: 'running',
      wokenAt: new Date('2026-11-20T11:00:00.000Z'),
    });
    expect((await p.create('304', { image: IMAGE_1 })).outcome).toBe('unchanged');
    await p.delete('304');
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('sweep with sleepAfter puts environments to sleep that were not deployed or woken for that long; the ttl still deletes', async () => {
    const clock = fakeClock();
    const p = previews(clock);
    const sleepy = createPreviewEnv({
      ...opts(clock),
      config: { ...fx.config, sleepAfter: 12 * HOUR },
    });
    await p.create('305', { image: IMAGE_1 });
    clock.advance(10 * HOUR);
    await p.create('306', { image: IMAGE_1 });
    clock.advance(3 * HOUR); // 305: 13h idle, 306: 3h

    const dry = await sleepy.sweep({ dryRun: true });
    expect(dry.slept.map((e) => e.name)).toEqual(['pr-305']);
    expect((await snapshot('pr-305')).desiredCount).toBe(1);
    const first = await sleepy.sweep();
    expect(first).toMatchObject({ sleepAfterMs: 12 * HOUR, swept: [], failed: [] });
    expect(first.slept.map((e) => e.name)).toEqual(['pr-305']);
    expect((await snapshot('pr-305')).state).toBe('asleep');
    expect((await snapshot('pr-306')).desiredCount).toBe(1);

    clock.advance(HOUR);
    await p.wake('305'); // woken at +14h
    clock.advance(9 * HOUR); // +23h: 305 woken 9h ago, 306 deployed 13h ago
    const second = await p.sweep({ sleepAfterMs: 12 * HOUR });
    expect(second.slept.map((e) => e.name)).toEqual(['pr-306']);
    // Asleep already, in keep, or not idle long enough: left alone.
    expect((await p.sweep({ sleepAfterMs: 12 * HOUR, keep: ['305'] })).slept).toEqual([]);

    clock.advance(3 * 86_400_000); // past the 3d ttl: asleep or not, both go
    const last = await sleepy.sweep();
    expect(last.swept.map((e) => e.name).sort()).toEqual(['pr-305', 'pr-306']);
    expect(last.slept).toEqual([]);
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('an answer lost after AWS applied a write, or never sent, leaves the environment as it was', async () => {
    // Clients that give up on a call after a second (the no-answer fault holds it forever).
    const handler = { requestTimeout: 1000, connectionTimeout: 1000, throwOnRequestTimeout: true };
    // (awsClientConfig sets the same handler options, with BERTH_AWS_TIMEOUT or 30 s.)
    const clients = {
      ecs: new ECSClient({ ...aws.clientConfig, requestHandler: handler }),
      elbv2: new ElasticLoadBalancingV2Client({ ...aws.clientConfig, requestHandler: handler }),
      route53: fx.clients.route53,
    };
    const p = createPreviewEnv({ config: fx.config, clients, clock: fakeClock() });
    await p.create('307', { image: IMAGE_1 });
    const running = await snapshot('pr-307');
    await p.sleep('307');
    const asleep = await snapshot('pr-307');
    await p.wake('307');
    for (const fault of ['applied-then-reset', 'no-answer'] as const) {
      for (const operation of ['TagResource', 'AddTags', 'ModifyRule', 'UpdateService']) {
        const stop = aws.proxy.fail({ operation, fault, times: 1 });
        const error = await p.sleep('307').catch((e: unknown) => e);
        stop();
        const what = `sleep, ${operation} ${fault}`;
        expect(error, what).toBeInstanceOf(PreviewEnvError);
        const now = await snapshot('pr-307');
        expect(now.desiredCount, what).toBe(1);
        expect(now.actions, what).toEqual(running.actions);
        expect(now.state, what).not.toBe('asleep');
      }
    }
    await p.sleep('307');
    for (const fault of ['applied-then-reset', 'no-answer'] as const) {
      for (const operation of ['TagResource', 'ModifyRule', 'UpdateService']) {
        const stop = aws.proxy.fail({ operation, fault, times: 1 });
        const error = await p.wake('307').catch((e: unknown) => e);
        stop();
        const what = `wake, ${operation} ${fault}`;
        expect(error, what).toBeInstanceOf(PreviewEnvError);
        const now = await snapshot('pr-307');
        expect(now.desiredCount, what).toBe(0);
        expect(now.actions, what).toEqual(asleep.actions);
        expect(now.state, what).toBe('asleep');
      }
    }
    await p.delete('307');
    expect(await inventory(fx)).toEqual(EMPTY);
  }, 240_000);

  it('refuses environments that do not exist', async () => {
    for (const op of [sleepEnvironment, wakeEnvironment]) {
      const error = await op('302', opts()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PreviewEnvError);
      expect((error as PreviewEnvError).code).toBe('E_NOT_FOUND');
      expect((error as PreviewEnvError).message).toContain('app-pr-302');
    }
  });

  it('a failure at any call of a sleep or a wake leaves the environment as it was', async () => {
    await createEnvironment('303', { image: IMAGE_1, ...opts() });
    const running = await snapshot('pr-303');
    aws.proxy.resetStats();
    await sleepEnvironment('303', opts());
    const sleepCalls = aws.proxy.stats().total;
    const asleep = await snapshot('pr-303');
    aws.proxy.resetStats();
    await wakeEnvironment('303', opts());
    const wakeCalls = aws.proxy.stats().total;
    expect((await snapshot('pr-303')).actions).toEqual(running.actions);

    const faults = [
      { error: { code: 'AccessDenied', message: 'injected', status: 403 } },
      { error: { code: 'ServiceUnavailable', message: 'injected', status: 503 } },
    ] as const;
    for (const fault of faults) {
      for (let nth = 1; nth <= sleepCalls; nth++) {
        aws.proxy.resetStats();
        aws.proxy.fail({ nth, ...fault });
        const error = await sleepEnvironment('303', opts()).catch((e: unknown) => e);
        aws.proxy.clearFaults();
        const failedOp = aws.proxy.calls.find((c) => c.injected)?.operation;
        const now = await snapshot('pr-303');
        if (error === undefined) {
          // A retried error (503) the SDK got past: the sleep went through.
          expect(now, `sleep, call ${nth} (${failedOp})`).toMatchObject({ desiredCount: 0 });
          await wakeEnvironment('303', opts());
          continue;
        }
        expect(error, `sleep, call ${nth} (${failedOp})`).toBeInstanceOf(PreviewEnvError);
        expect((error as PreviewEnvError).code).toBe('E_AWS');
        expect(now.desiredCount, `sleep, call ${nth} (${failedOp})`).toBe(1);
        expect(now.actions, `sleep, call ${nth} (${failedOp})`).toEqual(running.actions);
        expect(now.state).not.toBe('asleep');
      }
    }
    await sleepEnvironment('303', opts());
    for (let nth = 1; nth <= wakeCalls; nth++) {
      aws.proxy.resetStats();
      aws.proxy.fail({ nth, error: { code: 'AccessDenied', message: 'injected', status: 403 } });
      const error = await wakeEnvironment('303', opts()).catch((e: unknown) => e);
      aws.proxy.clearFaults();
      const failedOp = aws.proxy.calls.find((c) => c.injected)?.operation;
      expect(error, `wake, call ${nth} (${failedOp})`).toBeInstanceOf(PreviewEnvError);
      const now = await snapshot('pr-303');
      expect(now.desiredCount, `wake, call ${nth} (${failedOp})`).toBe(0);
      expect(now.actions, `wake, call ${nth} (${failedOp})`).toEqual(asleep.actions);
      expect(now.state).toBe('asleep');
    }
    await deleteEnvironment('303', opts());
    expect(await inventory(fx)).toEqual(EMPTY);
  });
});
