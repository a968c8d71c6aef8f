import { BatchDeleteImageCommand, DeleteRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { useAws } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createService,
  digestOf,
  ecrRepository,
  pushImage,
  REPO,
  registerRevisions,
  serviceTaskDefinition,
} from '../test/ecs-fixtures.ts';
import { interceptOperations } from '../test/fake-ecs.ts';
import { EcsRollbackError } from './errors.ts';
import { history } from './history.ts';
import { ecrLocation } from './image-check.ts';
import { planRollback } from './plan.ts';
import { rollback } from './rollback.ts';

// The ECR check against the emulator's ECR (CreateRepository, PutImage, DescribeImages,
// BatchDeleteImage and DeleteRepository work there); the library builds its own ECR client
// from the environment, so every call goes through this file's proxy.
const aws = useAws();
const cluster = 'imgs';
let ecs: ECSClient;
let ecr: ECRClient;
let n = 0;

beforeAll(() => {
  ecs = new ECSClient(aws.clientConfig);
  ecr = new ECRClient(aws.clientConfig);
});
afterAll(() => {
  ecs.destroy();
  ecr.destroy();
});

/** A repository with tags v1..vN pushed, one revision per tag, the service on the last. */
async function setup(tags: string[], options: { pin?: boolean } = {}) {
  n++;
  const name = `team/app${n}`;
  const repository = ecrRepository(aws.accountId, name);
  for (const tag of tags) await pushImage(ecr, name, tag, digestOf(`${name}:${tag}`));
  const refs = options.pin ? tags.map((t) => `@${digestOf(`${name}:${t}`)}`) : tags;
  const family = `img${n}`;
  const service = `svc${n}`;
  const arns = await registerRevisions(ecs, family, refs, { repository });
  await createService(ecs, cluster, service, arns[arns.length - 1] as string);
  return { name, repository, family, service, arns, opts: { cluster, service } };
}

async function failure(promise: Promise<unknown>): Promise<EcsRollbackError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EcsRollbackError);
  return error as EcsRollbackError;
}

describe('ecrLocation', () => {
  it('reads registry, region and repository of ECR images only', () => {
    expect(ecrLocation('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web:v1')).toEqual({
      registryId: '123456789012',
      region: 'eu-west-1',
      repositoryName: 'team/web',
      tag: 'v1',
    });
    expect(
      ecrLocation(`123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web@${digestOf('x')}`),
    ).toMatchObject({ region: 'cn-north-1', digest: digestOf('x') });
    expect(ecrLocation('public.ecr.aws/nginx/nginx:1.27')).toBeUndefined();
    expect(ecrLocation('ghcr.io/berth-dev/app:v1')).toBeUndefined();
    expect(ecrLocation('nginx:1.27')).toBeUndefined();
  });
});

describe('the image check before a rollback', () => {
  it('finds an image present by tag and by digest', async () => {
    const byTag = await setup(['v1', 'v2']);
    const plan = await planRollback({ ...byTag.opts, to: 'v1' });
    expect(plan.imageChecks).toEqual([
      expect.objectContaining({
        container: 'web',
        state: 'present',
        currentDigest: digestOf(`${byTag.name}:v1`),
      }),
    ]);
    expect(plan.warnings).toBeUndefined();

    const byDigest = await setup(['v1', 'v2'], { pin: true });
    const pinned = await planRollback({ ...byDigest.opts, to: '1' });
    expect(pinned.imageChecks?.[0]).toMatchObject({ state: 'present' });
    expect(pinned.imageChecks?.[0]?.detail).toMatch(/^digest sha256:/);
  });

  it('refuses a target whose tag was deleted, naming the image and the revisions that work', async () => {
    const { name, opts, service, arns } = await setup(['v1', 'v2', 'v3']);
    await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'v1' }] }),
    );
    aws.proxy.resetStats();
    const error = await failure(rollback({ ...opts, to: 'v1' }, { wait: false }));
    expect(error.code).toBe('E_IMAGE_MISSING');
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain(
      `web=${ecrRepository(aws.accountId, name)}:v1 (missing: tag v1 no longer exists`,
    );
    expect(error.message).toMatch(/Revisions whose images exist: img\d+:2 /);
    expect(error.message).toMatch(/--skip-image-check/);
    // Checked before any write: nothing changed.
    const ops = aws.proxy.calls.map((c) => c.operation);
    expect(ops).toContain('DescribeImages');
    for (const write of ['UpdateService', 'RegisterTaskDefinition', 'DeregisterTaskDefinition']) {
      expect(ops).not.toContain(write);
    }
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[2]);
  });

  it('checks before it writes, and skips the check on request', async () => {
    const { name, opts, service, arns } = await setup(['v1', 'v2']);
    aws.proxy.resetStats();
    await rollback({ ...opts, to: 'v1' }, { wait: false });
    const ops = aws.proxy.calls.map((c) => c.operation);
    expect(ops.indexOf('DescribeImages')).toBeGreaterThanOrEqual(0);
    expect(ops.indexOf('DescribeImages')).toBeLessThan(ops.indexOf('UpdateService'));
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[0]);

    await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'v2' }] }),
    );
    aws.proxy.resetStats();
    const skipped = await rollback({ ...opts, to: 'v2', skipImageCheck: true }, { wait: false });
    expect(skipped.plan.imageChecks).toBeUndefined();
    expect(aws.proxy.calls.map((c) => c.operation)).not.toContain('DescribeImages');
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[1]);
  });

  it('runs the check in a dry run too', async () => {
    const { name, opts } = await setup(['v1', 'v2']);
    await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'v1' }] }),
    );
    const error = await failure(rollback({ ...opts, to: '1' }, { dryRun: true }));
    expect(error.code).toBe('E_IMAGE_MISSING');
    expect(error.message).toMatch(
      /No other ACTIVE revision of img\d+ among the newest 0 has all its images/,
    );
  });

  it('passes over a previous revision whose image is gone, and says so', async () => {
    const { name, opts, arns } = await setup(['v1', 'v2', 'v3']);
    await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'v2' }] }),
    );
    const plan = await planRollback(opts);
    expect(plan.target.taskDefinitionArn).toBe(arns[0]);
    expect(plan.warnings?.[0]).toMatch(
      /passed over because their images are gone: img\d+:2 \(web=.*:v2 \(missing/,
    );

    await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'v1' }] }),
    );
    const error = await failure(planRollback(opts));
    expect(error.code).toBe('E_NO_PREVIOUS');
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/images are gone from the registry: img\d+:2 .*; img\d+:1 /);
  });

  it('reports a deleted repository', async () => {
    const { name, opts } = await setup(['v1', 'v2']);
    await ecr.send(new DeleteRepositoryCommand({ repositoryName: name, force: true }));
    const error = await failure(planRollback({ ...opts, to: 'v1' }));
    expect(error.code).toBe('E_IMAGE_MISSING');
    expect(error.message).toMatch(
      /\(repository-missing: repository \d+\/team\/app\d+ \(us-east-1\) does not exist\)/,
    );
  });

  it('notes images of other registries as not checked', async () => {
    n++;
    const arns = await registerRevisions(ecs, `other${n}`, ['v1', 'v2']);
    await createService(ecs, cluster, `other${n}`, arns[1] as string);
    const plan = await planRollback({ cluster, service: `other${n}` });
    expect(plan.imageChecks).toEqual([
      {
        container: 'web',
        image: `${REPO}:v1`,
        state: 'not-checked',
        detail: 'not an Amazon ECR image: not checked',
      },
    ]);
  });

  it('reports a tag that now points at another digest than the one that ran', async () => {
    const { name, opts, arns, service } = await setup(['v1', 'v2']);
    // The history knows the digest revision 1 ran; the tag was pushed again since.
    const client = new ECSClient(aws.clientConfig);
    try {
      interceptOperations(client, {
        ListServiceDeployments: () => ({
          serviceDeployments: [
            {
              serviceDeploymentArn: `arn:aws:ecs:us-east-1:${aws.accountId}:service-deployment/${cluster}/${service}/d0`,
              status: 'SUCCESSFUL',
              finishedAt: new Date('2026-01-01T00:00:00Z'),
              targetServiceRevisionArn: 'rev-0',
            },
          ],
        }),
        DescribeServiceRevisions: () => ({
          serviceRevisions: [
            {
              serviceRevisionArn: 'rev-0',
              taskDefinition: arns[0],
              containerImages: [{ containerName: 'web', imageDigest: digestOf(`${name}:v1`) }],
            },
          ],
        }),
      });
      await pushImage(ecr, name, 'v1', digestOf('rebuilt'));
      const plan = await planRollback({ ...opts, to: 'v1', clients: { ecs: client } });
      expect(plan.target.taskDefinitionArn).toBe(arns[0]);
      expect(plan.imageChecks?.[0]).toMatchObject({
        state: 'tag-moved',
        currentDigest: digestOf('rebuilt'),
      });
      expect(plan.warnings?.[0]).toMatch(
        new RegExp(
          `tag v1 now points at .*, not .* which ran.*--to ${ecrRepository(aws.accountId, name)}@${digestOf(`${name}:v1`)} --register`,
        ),
      );
    } finally {
      client.destroy();
    }
  });
});

describe('history', () => {
  it('marks revisions whose images are gone', async () => {
    const { name, opts, arns } = await setup(['v1', 'v2', 'v3']);
    await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'v1' }] }),
    );
    const h = await history(opts);
    const byArn = new Map(h.versions.map((v) => [v.taskDefinitionArn, v]));
    expect(byArn.get(arns[0] as string)?.imagesGone).toBe(true);
    expect(byArn.get(arns[0] as string)?.imageChecks?.[0]?.state).toBe('missing');
    expect(byArn.get(arns[1] as string)?.imagesGone).toBe(false);
    const skipped = await history({ ...opts, skipImageCheck: true });
    expect(skipped.versions[0]?.imageChecks).toBeUndefined();
  });
});
