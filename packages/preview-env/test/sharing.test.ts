import { CreateRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PreviewEnvError } from '../src/errors.ts';
import { environmentNames } from '../src/names.ts';
import { preferredPriority } from '../src/priority.ts';
import { EMPTY, type Fixture, fakeClock, IMAGE_1, inventory, setup } from './helpers.ts';
import {
  createEnvironment,
  deleteEnvironment,
  listEnvironments,
  sweepEnvironments,
} from './legacy.ts';

const aws = useAws();
let fx: Fixture;
beforeAll(async () => {
  fx = await setup(aws);
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('many environments on one load balancer', () => {
  it('probes past taken priorities and retries when one is taken meanwhile', async () => {
    const p = preferredPriority('pr-7', 1000, 50000);
    for (const [i, host] of ['x.example.org', 'y.example.org'].entries()) {
      await fx.clients.elbv2.send(
        new CreateRuleCommand({
          ListenerArn: fx.seed.listenerArn,
          Priority: p + i,
          Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [host] } }],
          Actions: [{ Type: 'forward', TargetGroupArn: fx.seed.targetGroupArn }],
        }),
      );
    }
    const env = await createEnvironment('7', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock: fakeClock(),
    });
    expect(env.rulePriority).toBe(p + 2);

    // Another tool takes the next priority between our read and our CreateRule.
    const q = preferredPriority('pr-8', 1000, 50000);
    aws.proxy.fail({
      operation: 'CreateRule',
      nth: 1,
      error: { code: 'PriorityInUse', message: 'taken' },
    });
    const env8 = await createEnvironment('8', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock: fakeClock(),
    });
    aws.proxy.clearFaults();
    expect(env8.rulePriority).toBe(q + 1);
    expect(
      (await inventory(fx)).rules.filter((r) => r.endsWith('pr-8.preview.example.com')),
    ).toHaveLength(1);

    await deleteEnvironment('7', { config: fx.config, clients: fx.clients });
    await deleteEnvironment('8', { config: fx.config, clients: fx.clients });
    expect((await inventory(fx)).rules).toHaveLength(2); // the two hand-made rules stay
  });

  it('gives two 40-character branch names with a common prefix their own resources', async () => {
    const a = 'feature/checkout-redesign-payment-step-a';
    const b = 'feature/checkout-redesign-payment-step-b';
    expect([a.length, b.length]).toEqual([40, 40]);
    const [ea, eb] = await Promise.all([
      createEnvironment(a, {
        image: IMAGE_1,
        config: fx.config,
        clients: fx.clients,
        clock: fakeClock(),
      }),
      createEnvironment(b, {
        image: IMAGE_1,
        config: fx.config,
        clients: fx.clients,
        clock: fakeClock(),
      }),
    ]);
    const na = environmentNames(a, fx.config);
    const nb = environmentNames(b, fx.config);
    expect(ea.name).toBe('feature-checkout-redesign-payment-step-a');
    for (const n of [na, nb]) {
      expect(n.targetGroupName.length).toBeLessThanOrEqual(32);
      expect(n.targetGroupName).toMatch(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/);
    }
    expect(na.targetGroupName).not.toBe(nb.targetGroupName);
    expect(na.targetGroupName.slice(0, 25)).toBe(nb.targetGroupName.slice(0, 25));
    expect(ea.targetGroupArn).not.toBe(eb.targetGroupArn);
    expect(environmentNames(a, fx.config)).toEqual(na); // stable
    const listed = await listEnvironments({ config: fx.config, clients: fx.clients });
    expect(listed.map((e) => e.name)).toEqual([ea.name, eb.name]);
    expect(listed.every((e) => e.status === 'running')).toBe(true);
    await deleteEnvironment(a, { config: fx.config, clients: fx.clients });
    await deleteEnvironment(b, { config: fx.config, clients: fx.clients });
    expect((await inventory(fx)).targetGroups).toEqual([]);
  });

  it('ends two concurrent creates of one name with one environment and no orphans', async () => {
    const results = await Promise.allSettled([
      createEnvironment('pr-9', {
        image: IMAGE_1,
        config: fx.config,
        clients: fx.clients,
        clock: fakeClock(),
      }),
      createEnvironment('pr-9', {
        image: IMAGE_1,
        config: fx.config,
        clients: fx.clients,
        clock: fakeClock(),
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const inv = await inventory(fx);
    expect(inv.targetGroups).toEqual(['app-pr-9']);
    expect(inv.rules.filter((r) => r.endsWith('pr-9.preview.example.com'))).toHaveLength(1);
    expect(inv.services).toEqual(['app-pr-9']);
    expect(inv.records).toEqual(['pr-9.preview.example.com. A']);
    const listed = await listEnvironments({ config: fx.config, clients: fx.clients });
    expect(listed.filter((e) => e.name === 'pr-9')).toHaveLength(1);
    await deleteEnvironment('pr-9', { config: fx.config, clients: fx.clients });
    const after = await inventory(fx);
    expect({ ...after, rules: [] }).toEqual(EMPTY);
  });

  it('refuses a create when the load balancer is full, naming the environments idle longest', async () => {
    const config = { ...fx.config, maxTargetGroups: 3 };
    const clock = fakeClock();
    await createEnvironment('old-one', { image: IMAGE_1, config, clients: fx.clients, clock });
    clock.advance(HOUR);
    await createEnvironment('newer-one', { image: IMAGE_1, config, clients: fx.clients, clock });
    clock.advance(HOUR);
    const before = await inventory(fx);
    const error = (await createEnvironment('one-too-many', {
      image: IMAGE_1,
      config,
      clients: fx.clients,
      clock,
    }).catch((e: unknown) => e)) as PreviewEnvError;
    expect(error.code).toBe('E_CAPACITY');
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('3 of 3 target groups');
    expect(error.message).toContain('old-one (2h), newer-one (1h)');
    expect(error.idleEnvironments).toEqual([
      { name: 'old-one', idleMs: 2 * HOUR },
      { name: 'newer-one', idleMs: HOUR },
    ]);
    expect(await inventory(fx)).toEqual(before);

    const used = (await inventory(fx)).rules.length + 1; // the reference service's rule counts too
    const full = { ...fx.config, maxRules: used };
    await expect(
      createEnvironment('one-too-many', {
        image: IMAGE_1,
        config: full,
        clients: fx.clients,
        clock,
      }),
    ).rejects.toMatchObject({
      code: 'E_CAPACITY',
      message: expect.stringContaining(`${used} of ${used} rules`),
    });
    expect(await inventory(fx)).toEqual(before);
    await deleteEnvironment('old-one', { config, clients: fx.clients });
    await deleteEnvironment('newer-one', { config, clients: fx.clients });
  });

  it('sweeps environments idle longer than the TTL, with an injected clock', async () => {
    const clock = fakeClock();
    await createEnvironment('pr-100', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock,
    });
    clock.advance(DAY);
    await createEnvironment('pr-101', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock,
    });
    await createEnvironment('main', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock,
    });
    clock.advance(2 * DAY + HOUR); // pr-100 idle 3d1h, the others 2d1h
    const common = { config: fx.config, clients: fx.clients, clock };

    const dry = await sweepEnvironments({ ...common, dryRun: true });
    expect(dry.swept.map((s) => s.name)).toEqual(['pr-100']);
    expect(dry.swept[0]).toMatchObject({ pr: 100, idleMs: 3 * DAY + HOUR, status: 'running' });
    expect((await listEnvironments(common)).map((e) => e.name)).toEqual([
      'main',
      'pr-100',
      'pr-101',
    ]);

    const one = await sweepEnvironments({ ...common, olderThanMs: 2 * DAY, keep: ['main'] });
    expect(one.swept.map((s) => s.name)).toEqual(['pr-100', 'pr-101']);
    expect(one.kept.map((s) => s.name)).toEqual(['main']);
    expect(one.failed).toEqual([]);
    expect((await listEnvironments(common)).map((e) => e.name)).toEqual(['main']);

    const later = await sweepEnvironments({ ...common, now: clock.now() + 5 * DAY });
    expect(later.swept.map((s) => s.name)).toEqual(['main']);
    const after = await inventory(fx);
    expect({ ...after, rules: [] }).toEqual(EMPTY);
  });
});
