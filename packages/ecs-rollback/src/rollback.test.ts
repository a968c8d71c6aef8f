import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { fakeClock, useAws } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createService,
  familyArns,
  REPO,
  registerRevisions,
  serviceTaskDefinition,
} from '../test/ecs-fixtures.ts';
import { EcsRollbackError } from './errors.ts';
import { planRollback } from './plan.ts';
import { rollback } from './rollback.ts';

const aws = useAws();
const cluster = 'prod';
let ecs: ECSClient;
let serviceCount = 0;

beforeAll(() => {
  ecs = new ECSClient(aws.clientConfig);
});
afterAll(() => ecs.destroy());

/**
 * A fresh family and service: revisions with the given tags, the service on `currentIndex`.
 * Families and services are unique per test so tests do not see each other's revisions.
 */
async function setup(
  tags: string[],
  currentIndex = tags.length - 1,
  options: { sidecar?: boolean } = {},
) {
  serviceCount++;
  const family = `app${serviceCount}`;
  const service = `web${serviceCount}`;
  const arns = await registerRevisions(ecs, family, tags, options);
  await createService(ecs, cluster, service, arns[currentIndex] as string);
  return { family, service, arns, opts: { cluster, service, clients: { ecs } } };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<EcsRollbackError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EcsRollbackError);
  expect((error as EcsRollbackError).code).toBe(code);
  return error as EcsRollbackError;
}

describe('planRollback and rollback over the task definition family', () => {
  it('rolls back to the newest older ACTIVE revision whose images differ, reusing it', async () => {
    // revision 4 runs the same image as 3 (a config-only change): previous is 2.
    const { arns, opts, family, service } = await setup(['v1', 'v2', 'v3', 'v3']);
    const plan = await planRollback(opts);
    expect(plan.current.taskDefinitionArn).toBe(arns[3]);
    expect(plan.target.taskDefinitionArn).toBe(arns[1]);
    expect(plan.target.containers[0]?.image).toBe(`${REPO}:v2`);
    expect(plan.willRegister).toBe(false);
    expect(plan.source).toBe('task-definition-family');
    expect(plan.note).toMatch(/ListServiceDeployments unavailable/);
    expect(plan.reason).toMatch(/older than 4/);

    const result = await rollback(plan, { wait: false, clients: { ecs } });
    expect(result.status).toBe('started');
    expect(result.registered).toBe(false);
    expect(result.taskDefinitionArn).toBe(arns[1]);
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[1]);
    expect(await familyArns(ecs, family)).toEqual(arns);
  });

  it('rolls back to a tag by reusing the newest ACTIVE revision that ran it', async () => {
    const { arns, opts, family, service } = await setup(['v1', 'v2', 'v1', 'v3']);
    const result = await rollback({ ...opts, to: 'v1' }, { wait: false });
    expect(result.plan.target.taskDefinitionArn).toBe(arns[2]);
    expect(result.plan.source).toBe('image-lookup');
    expect(result.plan.reason).toMatch(/reused as is/);
    expect(result.registered).toBe(false);
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[2]);
    expect(await familyArns(ecs, family)).toEqual(arns);
  });

  it('finds a tag given as a full image reference or as tag:<digits>', async () => {
    const { arns, opts } = await setup(['1234', 'v2']);
    expect((await planRollback({ ...opts, to: 'tag:1234' })).target.taskDefinitionArn).toBe(
      arns[0],
    );
    expect((await planRollback({ ...opts, to: `${REPO}:1234` })).target.taskDefinitionArn).toBe(
      arns[0],
    );
    // A bare number is a revision.
    expect((await planRollback({ ...opts, to: '1' })).target.taskDefinitionArn).toBe(arns[0]);
  });

  it('rolls back to a revision number, family:revision, or ARN', async () => {
    const { arns, opts, family, service } = await setup(['v1', 'v2', 'v3']);
    expect((await planRollback({ ...opts, to: '1' })).target.taskDefinitionArn).toBe(arns[0]);
    expect((await planRollback({ ...opts, to: `${family}:2` })).target.taskDefinitionArn).toBe(
      arns[1],
    );
    const result = await rollback({ ...opts, to: arns[0] as string }, { wait: false });
    expect(result.plan.source).toBe('explicit');
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[0]);
  });

  it('changes nothing in a dry run', async () => {
    const { arns, opts, family, service } = await setup(['v1', 'v2', 'v3']);
    aws.proxy.resetStats();
    const result = await rollback({ ...opts, to: 'v9', register: true }, { dryRun: true });
    expect(result.status).toBe('dry-run');
    expect(result.plan.willRegister).toBe(true);
    expect(result.taskDefinitionArn).toBeUndefined();
    const ops = aws.proxy.stats().byOperation;
    for (const op of ['UpdateService', 'RegisterTaskDefinition', 'DeregisterTaskDefinition']) {
      expect(ops[op] ?? 0).toBe(0);
    }
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[2]);
    expect(await familyArns(ecs, family)).toEqual(arns);
  });

  it('lists the tags that exist when no revision runs the tag, and changes nothing', async () => {
    const { arns, opts, family, service } = await setup(['v1', 'v2', 'v2', 'v3']);
    const error = await expectCode(planRollback({ ...opts, to: 'v9' }), 'E_TAG_NOT_FOUND');
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain('"v9"');
    expect(error.message).toMatch(/v3 \(revision 4\)/);
    expect(error.message).toMatch(/v2 \(revision 3, 2\)/);
    expect(error.message).toMatch(/v1 \(revision 1\)/);
    expect(error.message).toMatch(/--register/);
    await expectCode(rollback({ ...opts, to: 'v9' }, { wait: false }), 'E_TAG_NOT_FOUND');
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[3]);
    expect(await familyArns(ecs, family)).toEqual(arns);
  });

  it('registers a clone of the current revision with the image swapped when told to', async () => {
    const { arns, opts, family, service } = await setup(['v1', 'v2']);
    const plan = await planRollback({ ...opts, to: 'v0', register: true });
    expect(plan.willRegister).toBe(true);
    expect(plan.registerFrom).toBe(arns[1]);
    expect(plan.target.containers[0]?.image).toBe(`${REPO}:v0`);
    const result = await rollback(plan, { wait: false, clients: { ecs } });
    expect(result.registered).toBe(true);
    const now = await familyArns(ecs, family);
    expect(now).toHaveLength(3);
    expect(result.taskDefinitionArn).toBe(now[2]);
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(now[2]);
    const clone = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: now[2], include: ['TAGS'] }),
    );
    const web = clone.taskDefinition?.containerDefinitions?.[0];
    expect(web?.image).toBe(`${REPO}:v0`);
    expect(web?.environment).toEqual([{ name: 'BUILD', value: '2' }]);
    expect(clone.taskDefinition?.cpu).toBe('256');
    expect(clone.taskDefinition?.executionRoleArn).toMatch(/ecsTaskExecutionRole/);
    expect(clone.tags).toEqual([
      { key: 'team', value: 'berth' },
      { key: 'berth:rollback-request', value: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    ]);
  });

  it('refuses an INACTIVE target, and re-registers it with register', async () => {
    const { arns, opts, family, service } = await setup(['v1', 'v2', 'v3']);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arns[0] }));
    const error = await expectCode(planRollback({ ...opts, to: '1' }), 'E_TARGET_INACTIVE');
    expect(error.message).toMatch(/INACTIVE/);
    expect(error.message).toMatch(/--register/);
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[2]);

    const result = await rollback({ ...opts, to: '1', register: true }, { wait: false });
    expect(result.plan.willRegister).toBe(true);
    expect(result.plan.registerFrom).toBe(arns[0]);
    const active = await familyArns(ecs, family);
    expect(active).toEqual([arns[1], arns[2], result.taskDefinitionArn]);
    const copy = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: result.taskDefinitionArn }),
    );
    expect(copy.taskDefinition?.containerDefinitions?.[0]?.image).toBe(`${REPO}:v1`);
  });

  it('skips INACTIVE revisions when looking for previous, and says when there is none', async () => {
    const { arns, opts } = await setup(['v1', 'v2', 'v3']);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arns[1] }));
    expect((await planRollback(opts)).target.taskDefinitionArn).toBe(arns[0]);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arns[0] }));
    const error = await expectCode(planRollback(opts), 'E_NO_PREVIOUS');
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/older INACTIVE revisions exist \(2, 1\)/);
    // With register, the newest INACTIVE one with other images is brought back as a copy.
    const plan = await planRollback({ ...opts, register: true });
    expect(plan.willRegister).toBe(true);
    expect(plan.registerFrom).toBe(arns[1]);
    expect(plan.target.containers[0]?.tag).toBe('v2');
    expect(plan.reason).toMatch(/newest INACTIVE one that does; .*:2 is INACTIVE, so a copy/);
  });

  it('says there is nothing to do when the service already runs the target', async () => {
    const { opts } = await setup(['v1', 'v2']);
    await expectCode(planRollback({ ...opts, to: 'v2' }), 'E_ALREADY_CURRENT');
    await expectCode(planRollback({ ...opts, to: '2' }), 'E_ALREADY_CURRENT');
  });

  it('reports a revision that does not exist', async () => {
    const { opts } = await setup(['v1', 'v2']);
    const error = await expectCode(planRollback({ ...opts, to: '99' }), 'E_TARGET_NOT_FOUND');
    expect(error.exitCode).toBe(3);
  });

  it('asks for --container when the task definition has several', async () => {
    const { arns, opts } = await setup(['v1', 'v2'], 1, { sidecar: true });
    const error = await expectCode(planRollback({ ...opts, to: 'v1' }), 'E_CONTAINER');
    expect(error.message).toMatch(/web, envoy/);
    expect(error.exitCode).toBe(2);
    await expectCode(planRollback({ ...opts, to: 'v1', container: 'nginx' }), 'E_CONTAINER');
    expect(
      (await planRollback({ ...opts, to: 'v1', container: 'web' })).target.taskDefinitionArn,
    ).toBe(arns[0]);
    // previous compares every container's image.
    expect((await planRollback(opts)).target.taskDefinitionArn).toBe(arns[0]);
  });

  it('rolls a service with a sidecar back to a revision, family:revision or ARN without --container', async () => {
    const { arns, opts, family, service } = await setup(['v1', 'v2', 'v3'], 2, { sidecar: true });
    expect((await planRollback({ ...opts, to: '1' })).target.taskDefinitionArn).toBe(arns[0]);
    expect((await planRollback({ ...opts, to: `${family}:2` })).target.taskDefinitionArn).toBe(
      arns[1],
    );
    const result = await rollback({ ...opts, to: arns[0] as string }, { wait: false });
    expect(result.status).toBe('started');
    expect(result.plan.target.containers.map((c) => c.container)).toEqual(['web', 'envoy']);
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[0]);
  });

  it('reports a missing cluster or service as bad input', async () => {
    await setup(['v1']);
    const e1 = await expectCode(
      planRollback({ cluster: 'nope', service: 'web', clients: { ecs } }),
      'E_CLUSTER_NOT_FOUND',
    );
    expect(e1.exitCode).toBe(2);
    await expectCode(
      planRollback({ cluster, service: 'nope', clients: { ecs } }),
      'E_SERVICE_NOT_FOUND',
    );
    await expectCode(planRollback({ cluster, service: '', clients: { ecs } }), 'E_INPUT');
    await expectCode(
      planRollback({ cluster, service: 'web1', to: 'not a tag!', clients: { ecs } }),
      'E_INPUT',
    );
  });

  it('refuses a plan that no longer matches the service', async () => {
    const { arns, opts, service } = await setup(['v1', 'v2', 'v3']);
    const plan = await planRollback(opts);
    await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: arns[0] }));
    await expectCode(rollback(plan, { wait: false, clients: { ecs } }), 'E_PLAN_STALE');
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[0]);
  });

  it('deregisters the revision rolled back from with deregisterFailed', async () => {
    const { arns, opts, family } = await setup(['v1', 'v2']);
    const result = await rollback(opts, { wait: false, deregisterFailed: true });
    expect(result.deregistered).toBe(arns[1]);
    expect(await familyArns(ecs, family, 'INACTIVE')).toEqual([arns[1]]);
  });

  it('deregisters the revision it registered when UpdateService fails', async () => {
    const { arns, opts, family, service } = await setup(['v1', 'v2']);
    const stop = aws.proxy.fail({
      operation: 'UpdateService',
      error: { code: 'AccessDeniedException', status: 400, message: 'not allowed' },
    });
    try {
      const error = await expectCode(
        rollback({ ...opts, to: 'v0', register: true }, { wait: false }),
        'E_AWS',
      );
      expect(error.message).toMatch(/ecs:UpdateService/);
      expect(error.message).toMatch(/was deregistered again/);
    } finally {
      stop();
    }
    expect(await familyArns(ecs, family)).toEqual(arns);
    expect(await familyArns(ecs, family, 'INACTIVE')).toHaveLength(1);
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[1]);
  });

  it('fails with a retryable error when ECS throttles, changing nothing', async () => {
    const { arns, opts, service } = await setup(['v1', 'v2']);
    const stop = aws.proxy.fail({
      operation: 'ListTaskDefinitions',
      error: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
    });
    try {
      const error = await expectCode(rollback(opts, { wait: false }), 'E_AWS');
      expect(error.retryable).toBe(true);
    } finally {
      stop();
    }
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[1]);
  });

  it('waits, and times out honestly when ECS never starts the deployment (the emulator)', async () => {
    const { arns, opts } = await setup(['v1', 'v2']);
    const clock = fakeClock();
    const result = await rollback(opts, {
      timeoutMs: 30_000,
      pollMs: 5_000,
      clock,
      deregisterFailed: true,
    });
    expect(result.status).toBe('timeout');
    expect(result.reason).toMatch(/no deployment of app\d+:1/);
    expect(result.deployment?.elapsedMs).toBe(30_000);
    expect(result.deployment?.polls).toBe(7);
    // A rollback that did not succeed leaves the failed revision alone.
    expect(result.deregistered).toBeUndefined();
    expect(result.taskDefinitionArn).toBe(arns[0]);
  });
});
