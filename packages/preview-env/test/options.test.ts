import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SEED_SECRET_VALUE, useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  clientsFor,
  EMPTY,
  type Fixture,
  fakeClock,
  IMAGE_1,
  IMAGE_2,
  inventory,
  setup,
} from './helpers.ts';
import { createEnvironment, deleteEnvironment } from './legacy.ts';

const aws = useAws();
let fx: Fixture;
beforeAll(async () => {
  fx = await setup(aws);
});

/** Makes the service named `name` look DRAINING to `ecs` for its next `times` DescribeServices. */
function drainingFor(ecs: ECSClient, name: string, times: number): void {
  let left = times;
  ecs.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === 'DescribeServicesCommand' && left > 0) {
        const output = out.output as { services?: { serviceName?: string; status?: string }[] };
        for (const s of output.services ?? []) {
          if (s.serviceName === name) {
            s.status = 'DRAINING';
            left--;
          }
        }
        // A DRAINING service is still listed; moto drops deleted ones to INACTIVE at once.
      }
      return out;
    },
    { step: 'initialize', name: 'draining' },
  );
}

describe('secrets, waiting, draining', () => {
  it('adds one secrets entry per JSON key of --secrets-from, never a value', async () => {
    // An --env variable the secret also sets would be silently replaced: refused, nothing made.
    await expect(
      createEnvironment('pr-200', {
        image: IMAGE_1,
        secretsFrom: 'app/dev',
        env: { DB_HOST: 'overridden-by-the-secret' },
        config: fx.config,
        clients: fx.clients,
        secretsManager: fx.secretsManager,
      }),
    ).rejects.toMatchObject({
      code: 'E_INPUT',
      exitCode: 2,
      message: expect.stringMatching(/^--env DB_HOST: also a key of the secret app\/dev/),
    });
    expect(await inventory(fx)).toEqual(EMPTY);
    const env = await createEnvironment('pr-200', {
      image: IMAGE_1,
      secretsFrom: 'app/dev',
      config: fx.config,
      clients: fx.clients,
      secretsManager: fx.secretsManager,
    });
    const td = await fx.clients.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: env.taskDefinitionArn }),
    );
    const web = td.taskDefinition?.containerDefinitions?.find((c) => c.name === 'web');
    expect(web?.secrets).toEqual(
      Object.keys(SEED_SECRET_VALUE).map((key) => ({
        name: key,
        valueFrom: `${fx.seed.secretArn}:${key}::`,
      })),
    );
    expect(web?.environment?.map((e) => e.name)).not.toContain('DB_HOST');
    const everything = JSON.stringify([td, env]);
    for (const value of Object.values(SEED_SECRET_VALUE)) expect(everything).not.toContain(value);
    await deleteEnvironment('pr-200', { config: fx.config, clients: fx.clients });
  });

  it('names the secret when it cannot be read, and creates nothing', async () => {
    await expect(
      createEnvironment('pr-201', {
        image: IMAGE_1,
        secretsFrom: 'app/missing',
        config: fx.config,
        clients: fx.clients,
        secretsManager: fx.secretsManager,
      }),
    ).rejects.toMatchObject({
      step: 'read secret keys',
      message: expect.stringContaining('app/missing'),
    });
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('--wait returns once the service is stable and its targets healthy', async () => {
    let targetGroupArn = '';
    const clock = fakeClock(undefined, async () => {
      // ECS registers the task's IP in the target group; here the test does, as the clock ticks.
      if (targetGroupArn) {
        await fx.clients.elbv2.send(
          new RegisterTargetsCommand({
            TargetGroupArn: targetGroupArn,
            Targets: [{ Id: '10.0.1.20', Port: 8080 }],
          }),
        );
      }
    });
    const found = await createEnvironment('pr-202', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock,
    });
    targetGroupArn = found.targetGroupArn;
    const env = await createEnvironment('pr-202', {
      image: IMAGE_1,
      wait: true,
      config: fx.config,
      clients: fx.clients,
      clock,
    });
    expect(env.waited).toBe(true);
    expect(clock.slept.length).toBeGreaterThanOrEqual(1);
    await deleteEnvironment('pr-202', { config: fx.config, clients: fx.clients });
  });

  it('--wait gives up after waitTimeout when no target becomes healthy, keeping the environment', async () => {
    const clock = fakeClock();
    const error = await createEnvironment('pr-203', {
      image: IMAGE_1,
      wait: true,
      config: { ...fx.config, waitTimeout: 60_000 },
      clients: fx.clients,
      clock,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'E_WAIT_TIMEOUT',
      message: expect.stringContaining('1/1 tasks running, 0 healthy target(s)'),
    });
    expect((await inventory(fx)).services).toEqual(['app-pr-203']);
    await deleteEnvironment('pr-203', { config: fx.config, clients: fx.clients });
  });

  it('waits for a DRAINING service of the same name, then creates', async () => {
    await createEnvironment('pr-204', { image: IMAGE_1, config: fx.config, clients: fx.clients });
    await deleteEnvironment('pr-204', { config: fx.config, clients: fx.clients });
    const clients = clientsFor(aws);
    drainingFor(clients.ecs, 'app-pr-204', 3);
    const clock = fakeClock();
    const env = await createEnvironment('pr-204', {
      image: IMAGE_2,
      config: fx.config,
      clients,
      clock,
    });
    expect(env.created).toBe(true);
    expect(clock.slept).toEqual([5000, 5000, 5000]);
    await deleteEnvironment('pr-204', { config: fx.config, clients: fx.clients });
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('reports a service still DRAINING after drainTimeout clearly, creating nothing', async () => {
    await createEnvironment('pr-205', { image: IMAGE_1, config: fx.config, clients: fx.clients });
    await deleteEnvironment('pr-205', { config: fx.config, clients: fx.clients });
    const clients = clientsFor(aws);
    drainingFor(clients.ecs, 'app-pr-205', 1000);
    await expect(
      createEnvironment('pr-205', {
        image: IMAGE_1,
        config: { ...fx.config, drainTimeout: 30_000 },
        clients,
        clock: fakeClock(),
      }),
    ).rejects.toMatchObject({
      code: 'E_DRAINING',
      message: expect.stringContaining('still DRAINING after 30s'),
    });
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('rejects bad input before any AWS call', async () => {
    aws.proxy.resetStats();
    await expect(
      createEnvironment('pr-1', { image: 'has space', config: fx.config, clients: fx.clients }),
    ).rejects.toMatchObject({ code: 'E_INPUT', exitCode: 2 });
    await expect(
      createEnvironment('pr-1', {
        image: IMAGE_1,
        env: { '1BAD': 'x' },
        config: fx.config,
        clients: fx.clients,
      }),
    ).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(
      createEnvironment('---', { image: IMAGE_1, config: fx.config, clients: fx.clients }),
    ).rejects.toMatchObject({ code: 'E_NAME' });
    await expect(
      createEnvironment('pr-1', {
        image: IMAGE_1,
        config: { ...fx.config, container: 'api' },
        clients: fx.clients,
      }),
    ).rejects.toMatchObject({
      code: 'E_REFERENCE',
      message: expect.stringContaining('container "api"'),
    });
    expect(
      Object.keys(aws.proxy.stats().byOperation).filter((op) => !/^(Describe|List)/.test(op)),
    ).toEqual([]);
  });
});
