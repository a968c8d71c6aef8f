import {
  DeregisterTaskDefinitionCommand,
  ECSClient,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { useAws } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, REPO, registerRevisions } from '../test/ecs-fixtures.ts';
import { EcsRollbackError } from './errors.ts';
import { history } from './history.ts';

const aws = useAws();
let ecs: ECSClient;
let arns: string[];

beforeAll(async () => {
  ecs = new ECSClient(aws.clientConfig);
  arns = await registerRevisions(ecs, 'shop', ['v1', 'v2', 'v3', 'v4', 'v5']);
  await createService(ecs, 'prod', 'shop', arns[2] as string);
  await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arns[0] }));
});
afterAll(() => ecs.destroy());

describe('history over the task definition family', () => {
  it('lists every revision newest first with images, status and the current one', async () => {
    const h = await history({ cluster: 'prod', service: 'shop', clients: { ecs } });
    expect(h.source).toBe('task-definition-family');
    expect(h.note).toMatch(/ListServiceDeployments unavailable/);
    expect(h.currentTaskDefinitionArn).toBe(arns[2]);
    expect(h.versions.map((v) => v.revision)).toEqual([5, 4, 3, 2, 1]);
    expect(h.versions.map((v) => v.current)).toEqual([false, false, true, false, false]);
    expect(h.versions[4]?.status).toBe('INACTIVE');
    expect(h.versions[0]?.containers).toEqual([
      { container: 'web', image: `${REPO}:v5`, repository: REPO, tag: 'v5' },
    ]);
    // The emulator's service reports its first deployment as in progress.
    expect(h.versions[2]?.outcome).toBe('in-progress');
  });

  it('honours the limit and always includes the current version', async () => {
    const h = await history({ cluster: 'prod', service: 'shop', limit: 2, clients: { ecs } });
    expect(h.versions.map((v) => v.revision)).toEqual([5, 3]);
    await ecs.send(
      new UpdateServiceCommand({ cluster: 'prod', service: 'shop', taskDefinition: arns[4] }),
    );
    const after = await history({ cluster: 'prod', service: 'shop', limit: 2, clients: { ecs } });
    expect(after.versions.map((v) => v.revision)).toEqual([5, 4]);
    expect(after.versions[0]?.current).toBe(true);
  });

  it('refuses a bad limit', async () => {
    const error = await history({
      cluster: 'prod',
      service: 'shop',
      limit: 0,
      clients: { ecs },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(EcsRollbackError);
    expect(error.code).toBe('E_INPUT');
  });
});
