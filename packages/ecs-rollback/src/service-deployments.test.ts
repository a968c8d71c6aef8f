import { ECSClient } from '@aws-sdk/client-ecs';
import { useAws } from '@berth/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createService, REPO, registerRevisions } from '../test/ecs-fixtures.ts';
import { awsError, fakeEcs, interceptOperations } from '../test/fake-ecs.ts';
import { EcsRollbackError } from './errors.ts';
import { history } from './history.ts';
import { planRollback } from './plan.ts';
import { deploymentApiUnavailable, readDeploymentHistory } from './service-deployments.ts';

// The emulator has no service deployment APIs: these tests answer ListServiceDeployments and
// DescribeServiceRevisions from a fake on an otherwise real client.
const aws = useAws();
const cluster = 'prod';
const clients: ECSClient[] = [];
let n = 0;

beforeAll(() => {
  clients.push(new ECSClient(aws.clientConfig));
});
afterEach(() => {
  for (const c of clients.splice(1)) c.destroy();
});

const DIGEST = `sha256:${'a'.repeat(64)}`;

interface FakeDeployment {
  status: string;
  arn: string;
  finishedAt: string;
  statusReason?: string;
}

async function setup(tags: string[], deployments: (arns: string[]) => FakeDeployment[]) {
  n++;
  const base = clients[0] as ECSClient;
  const family = `fam${n}`;
  const service = `svc${n}`;
  const arns = await registerRevisions(base, family, tags);
  await createService(base, cluster, service, arns[arns.length - 1] as string);
  const ecs = new ECSClient(aws.clientConfig);
  clients.push(ecs);
  const list = deployments(arns);
  const seen: Record<string, unknown>[] = [];
  interceptOperations(ecs, {
    ListServiceDeployments: (input) => {
      seen.push(input);
      const statuses = input.status as string[] | undefined;
      return {
        serviceDeployments: list
          .filter((d) => !statuses || statuses.includes(d.status))
          .map((d, i) => ({
            serviceDeploymentArn: `arn:aws:ecs:us-east-1:123456789012:service-deployment/${cluster}/${service}/d${i}`,
            status: d.status,
            ...(d.statusReason ? { statusReason: d.statusReason } : {}),
            finishedAt: new Date(d.finishedAt),
            targetServiceRevisionArn: `rev-${i}`,
          })),
      };
    },
    DescribeServiceRevisions: (input) => ({
      serviceRevisions: (input.serviceRevisionArns as string[]).map((arn) => {
        const d = list[Number(arn.slice(4))] as FakeDeployment;
        return {
          serviceRevisionArn: arn,
          taskDefinition: d.arn,
          containerImages: [
            {
              containerName: 'web',
              image: 'ignored',
              imageDigest: d.arn === arns[0] ? DIGEST : undefined,
            },
          ],
        };
      }),
    }),
  });
  return { arns, ecs, seen, opts: { cluster, service, clients: { ecs } } };
}

describe('previous from the service deployment history', () => {
  it('takes the last successful deployment before the current one, not the newest older revision', async () => {
    // Revision 2 was registered but its deployment was rolled back: the family path would
    // pick it; the deployment history knows revision 1 is the last good one.
    const { arns, opts, seen } = await setup(['v1', 'v2', 'v3'], (a) => [
      { status: 'SUCCESSFUL', arn: a[0] as string, finishedAt: '2026-01-01T10:00:00Z' },
      { status: 'SUCCESSFUL', arn: a[2] as string, finishedAt: '2026-01-03T10:00:00Z' },
      { status: 'ROLLBACK_SUCCESSFUL', arn: a[1] as string, finishedAt: '2026-01-02T10:00:00Z' },
    ]);
    const plan = await planRollback(opts);
    // One read of the history serves the image check's digests and `previous`.
    expect(seen).toHaveLength(1);
    await planRollback({ ...opts, skipImageCheck: true });
    expect(seen[1]?.status).toEqual(['SUCCESSFUL']);
    expect(plan.source).toBe('service-deployments');
    expect(plan.target.taskDefinitionArn).toBe(arns[0]);
    expect(plan.reason).toMatch(
      /last successful deployment before the current one \(d0, finished 2026-01-01T10:00:00.000Z\)/,
    );
    expect(plan.note).toBeUndefined();
  });

  it('sorts deployments itself: the API documents no order', async () => {
    const { arns, opts } = await setup(['v1', 'v2', 'v3'], (a) => [
      { status: 'SUCCESSFUL', arn: a[0] as string, finishedAt: '2026-01-01T10:00:00Z' },
      { status: 'SUCCESSFUL', arn: a[1] as string, finishedAt: '2026-01-02T10:00:00Z' },
    ]);
    expect((await planRollback(opts)).target.taskDefinitionArn).toBe(arns[1]);
  });

  it('falls back to the family when the history has no other successful deployment', async () => {
    const { arns, opts } = await setup(['v1', 'v2'], (a) => [
      { status: 'SUCCESSFUL', arn: a[1] as string, finishedAt: '2026-01-03T10:00:00Z' },
    ]);
    const plan = await planRollback(opts);
    expect(plan.source).toBe('task-definition-family');
    expect(plan.target.taskDefinitionArn).toBe(arns[0]);
    expect(plan.note).toMatch(/no successful deployment of another revision/);
  });

  it('finds a digest ECS resolved for a revision', async () => {
    const { arns, opts } = await setup(['v1', 'v2'], (a) => [
      { status: 'SUCCESSFUL', arn: a[0] as string, finishedAt: '2026-01-01T10:00:00Z' },
    ]);
    const plan = await planRollback({ ...opts, to: DIGEST });
    expect(plan.target.taskDefinitionArn).toBe(arns[0]);
    expect(plan.target.containers[0]?.digest).toBe(DIGEST);
  });

  it('shows outcomes and digests in history', async () => {
    const { arns, opts } = await setup(['v1', 'v2', 'v3'], (a) => [
      { status: 'SUCCESSFUL', arn: a[0] as string, finishedAt: '2026-01-01T10:00:00Z' },
      {
        status: 'ROLLBACK_SUCCESSFUL',
        arn: a[1] as string,
        finishedAt: '2026-01-02T10:00:00Z',
        statusReason: 'circuit breaker: tasks failed to start',
      },
      { status: 'IN_PROGRESS', arn: a[2] as string, finishedAt: '2026-01-03T10:00:00Z' },
    ]);
    const h = await history(opts);
    expect(h.source).toBe('service-deployments');
    expect(h.versions.map((v) => v.taskDefinitionArn)).toEqual([arns[2], arns[1], arns[0]]);
    expect(h.versions.map((v) => v.outcome)).toEqual(['in-progress', 'rolled-back', 'succeeded']);
    expect(h.versions[1]?.outcomeReason).toMatch(/circuit breaker/);
    expect(h.versions[2]?.containers[0]).toMatchObject({
      image: `${REPO}:v1`,
      tag: 'v1',
      digest: DIGEST,
    });
    expect(h.versions[0]?.current).toBe(true);
  });
});

describe('when the deployment APIs fail', () => {
  it('falls back to the family when access is denied', async () => {
    n++;
    const base = clients[0] as ECSClient;
    const arns = await registerRevisions(base, `fam${n}`, ['v1', 'v2']);
    await createService(base, cluster, `svc${n}`, arns[1] as string);
    const ecs = new ECSClient(aws.clientConfig);
    clients.push(ecs);
    interceptOperations(ecs, {
      ListServiceDeployments: () => {
        throw awsError(
          'AccessDeniedException',
          400,
          'not authorized to perform ecs:ListServiceDeployments',
        );
      },
    });
    const plan = await planRollback({ cluster, service: `svc${n}`, clients: { ecs } });
    expect(plan.source).toBe('task-definition-family');
    expect(plan.note).toMatch(/AccessDeniedException/);
  });

  it('does not silently change the answer when throttled: the error is retryable', async () => {
    n++;
    const base = clients[0] as ECSClient;
    const arns = await registerRevisions(base, `fam${n}`, ['v1', 'v2']);
    await createService(base, cluster, `svc${n}`, arns[1] as string);
    const ecs = new ECSClient(aws.clientConfig);
    clients.push(ecs);
    interceptOperations(ecs, {
      ListServiceDeployments: () => {
        throw awsError('ThrottlingException', 400, 'Rate exceeded');
      },
    });
    const error = await planRollback({ cluster, service: `svc${n}`, clients: { ecs } }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(EcsRollbackError);
    expect(error.code).toBe('E_AWS');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(
      /^could not call ecs:ListServiceDeployments: ThrottlingException: Rate exceeded \(temporary: try again\)/,
    );
  });

  it('classifies errors', () => {
    const html = Object.assign(new SyntaxError('Unexpected token <'), {
      $metadata: { httpStatusCode: 404 },
    });
    expect(deploymentApiUnavailable(html)).toBe(true);
    expect(deploymentApiUnavailable(awsError('UnknownOperationException'))).toBe(true);
    expect(deploymentApiUnavailable(awsError('AccessDeniedException'))).toBe(true);
    expect(deploymentApiUnavailable(awsError('ThrottlingException'))).toBe(false);
    expect(deploymentApiUnavailable(awsError('ServerException', 500))).toBe(false);
  });
});

describe('readDeploymentHistory', () => {
  it('follows pages and describes at most 20 service revisions per call, as ECS allows', async () => {
    const td = (i: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${i}`;
    const brief = (i: number) => ({
      serviceDeploymentArn: `arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/d${i}`,
      status: i === 44 ? 'IN_PROGRESS' : 'SUCCESSFUL',
      startedAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      ...(i === 44 ? {} : { finishedAt: new Date(Date.UTC(2026, 0, 1, 0, i, 30)) }),
      targetServiceRevisionArn: `arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/r${i}`,
    });
    const all = Array.from({ length: 45 }, (_, i) => brief(i));
    const ecs = fakeEcs({
      // Two pages, in no particular order.
      ListServiceDeployments: (input) =>
        input.nextToken === 'p2'
          ? { serviceDeployments: all.slice(0, 20) }
          : { serviceDeployments: all.slice(20).reverse(), nextToken: 'p2' },
      DescribeServiceRevisions: (input) => {
        const arns = input.serviceRevisionArns as string[];
        if (arns.length > 20) throw awsError('InvalidParameterException', 400, 'too many ARNs');
        return {
          serviceRevisions: arns.map((a) => ({
            serviceRevisionArn: a,
            taskDefinition: td(Number(a.slice(a.lastIndexOf('/r') + 2))),
            containerImages: [{ containerName: 'web', image: 'app:v1', imageDigest: DIGEST }],
          })),
          failures: [],
        };
      },
    });
    const history = await readDeploymentHistory(ecs, 'prod', 'web');
    expect(history.available).toBe(true);
    if (!history.available) return;
    expect(history.deployments).toHaveLength(45);
    expect(history.deployments.map((d) => d.taskDefinitionArn).slice(0, 3)).toEqual([
      td(44),
      td(43),
      td(42),
    ]);
    const describes = ecs.calls.filter((c) => c.operation === 'DescribeServiceRevisions');
    expect(describes.map((c) => (c.input.serviceRevisionArns as string[]).length)).toEqual([
      20, 20, 5,
    ]);
    expect(ecs.calls.filter((c) => c.operation === 'ListServiceDeployments')).toHaveLength(2);
  });
});
