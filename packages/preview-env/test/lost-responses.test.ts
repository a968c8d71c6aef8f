import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPreviewEnv } from '../src/preview-env.ts';
import { EMPTY, type Fixture, fakeClock, IMAGE_1, IMAGE_2, inventory, setup } from './helpers.ts';

const aws = useAws();
let fx: Fixture;
beforeAll(async () => {
  fx = await setup(aws);
});

const previews = () =>
  createPreviewEnv({ config: fx.config, clients: fx.clients, clock: fakeClock() });

// Every write of a create, a deploy and a delete, answered "applied, then connection reset":
// AWS made the change but the caller never heard back.
const CREATE_WRITES = [
  'CreateTargetGroup',
  'ModifyTargetGroupAttributes',
  'RegisterTaskDefinition',
  'CreateRule',
  'ChangeResourceRecordSets',
  'CreateService',
];
const UPDATE_WRITES = ['RegisterTaskDefinition', 'AddTags', 'UpdateService', 'TagResource'];
const DELETE_WRITES = [
  'DeleteService',
  'ChangeResourceRecordSets',
  'DeregisterTaskDefinition',
  'DeleteRule',
  'DeleteTargetGroup',
  'DeleteTaskDefinitions',
];

describe('answers lost after AWS applied the write', () => {
  it('a create leaves nothing behind, whichever write lost its answer', async () => {
    for (const operation of CREATE_WRITES) {
      aws.proxy.fail({ operation, times: 1, fault: 'applied-then-reset' });
      const error = await previews()
        .create('pr-600', { image: IMAGE_1 })
        .catch((e: unknown) => e);
      aws.proxy.clearFaults();
      expect(error, operation).toMatchObject({ code: 'E_AWS' });
      expect((error as Error).message, operation).toContain(
        'everything this call created was removed',
      );
      expect(await inventory(fx), operation).toEqual(EMPTY);
    }
  });

  it('a deploy leaves the environment as it was, whichever write lost its answer', async () => {
    const first = await previews().create('pr-601', { image: IMAGE_1 });
    for (const operation of UPDATE_WRITES) {
      aws.proxy.fail({ operation, times: 1, fault: 'applied-then-reset' });
      const error = await previews()
        .create('pr-601', { image: IMAGE_2 })
        .catch((e: unknown) => e);
      aws.proxy.clearFaults();
      expect(error, operation).toMatchObject({ code: 'E_AWS' });
      const [env] = await previews().list();
      expect(env, operation).toMatchObject({
        name: 'pr-601',
        image: IMAGE_1,
        taskDefinitionArn: first.taskDefinitionArn,
      });
      expect((await inventory(fx)).taskDefinitions, operation).toEqual(['app-pr-601:1']);
    }
    await previews().delete('pr-601');
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('a delete finishes, whichever write lost its answer', async () => {
    for (const operation of DELETE_WRITES) {
      await previews().create('pr-602', { image: IMAGE_1 });
      aws.proxy.fail({ operation, times: 1, fault: 'applied-then-reset' });
      const result = await previews().delete('pr-602');
      aws.proxy.clearFaults();
      expect(result.deleted, operation).toBe(true);
      expect(await inventory(fx), operation).toEqual(EMPTY);
    }
  });

  it('a call that never answers times out (BERTH_AWS_TIMEOUT / aws.timeoutMs) and is cleaned up', async () => {
    const { endpoint, region, credentials } = aws.clientConfig as never as {
      endpoint: string;
      region: string;
      credentials: { accessKeyId: string; secretAccessKey: string };
    };
    const timing = createPreviewEnv({
      config: fx.config,
      aws: { endpoint, region, credentials, maxAttempts: 1, timeoutMs: 1000 },
      clock: fakeClock(),
    });
    for (const operation of ['CreateRule', 'CreateService']) {
      aws.proxy.fail({ operation, times: 1, fault: 'no-answer' });
      const error = await timing.create('pr-603', { image: IMAGE_1 }).catch((e: unknown) => e);
      aws.proxy.clearFaults();
      expect(error, operation).toMatchObject({ code: 'E_AWS' });
      expect(await inventory(fx), operation).toEqual(EMPTY);
    }
  });

  it('a signal during a call that hangs stops it, cleans up, and reports the interruption', async () => {
    aws.proxy.fail({ operation: 'CreateService', times: 1, fault: 'no-answer' });
    const controller = new AbortController();
    const arrived = aws.proxy.nextCall('CreateService');
    const pending = previews()
      .create('pr-604', { image: IMAGE_1, signal: controller.signal })
      .catch((e: unknown) => e);
    await arrived;
    const reason = new Error('interrupted by SIGTERM');
    controller.abort(reason);
    const error = await pending;
    aws.proxy.clearFaults();
    expect(error).toBe(reason);
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('ls and delete see a stray task definition revision of an environment', async () => {
    const { ecs } = fx.clients;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'app-pr-605',
        containerDefinitions: [{ name: 'web', image: IMAGE_1, memory: 128 }],
        tags: [
          { key: 'preview-env:prefix', value: 'app' },
          { key: 'preview-env:name', value: 'pr-605' },
        ],
      }),
    );
    const [stray] = await previews().list();
    expect(stray).toMatchObject({
      name: 'pr-605',
      status: 'incomplete',
      missing: ['service', 'target group', 'listener rule'],
    });
    expect((await previews().delete(stray?.name as string)).deleted).toBe(true);
    expect(await previews().list()).toEqual([]);
    expect(await inventory(fx)).toEqual(EMPTY);
  });
});
