import type { Deployment } from '@aws-sdk/client-ecs';
import { fakeClock } from '@berth/testkit';
import { describe, expect, it } from 'vitest';
import { awsError, fakeEcs } from '../test/fake-ecs.ts';
import type { RollbackPlan } from './plan.ts';
import { rollback } from './rollback.ts';
import { watchDeployment } from './watch.ts';

// The emulator has no StopServiceDeployment (nor the service deployment APIs): a scripted ECS
// whose deployment of web:7 (from web:6) is in progress and failing.
const TD = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${n}`;
const SD = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/Rt7xK2'; // web:6 -> web:7
const REV = (n: number) => `arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/r${n}`;

function planTo(target: number): RollbackPlan {
  return {
    cluster: 'prod',
    service: 'web',
    serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
    to: 'previous',
    current: {
      taskDefinitionArn: TD(7),
      family: 'web',
      revision: 7,
      status: 'ACTIVE',
      containers: [],
    },
    target: {
      taskDefinitionArn: TD(target),
      family: 'web',
      revision: target,
      status: 'ACTIVE',
      containers: [],
    },
    reason: 'test',
    willRegister: false,
    source: 'service-deployments',
  };
}

type StopBehaviour = 'ok' | 'lost' | Error;

/**
 * A service in the middle of a failing deployment of web:7. After StopServiceDeployment
 * (ROLLBACK) ECS takes 10 s to show a new PRIMARY deployment of web:6, which completes 20 s
 * later; UpdateService switches at once.
 */
function ecsInProgress(stop: StopBehaviour, options: { rolloutState?: string } = {}) {
  const clock = fakeClock();
  const start = clock.now();
  let stoppedAt: number | undefined;
  let updatedTo: string | undefined;
  let updatedAt = 0;
  const ecs = fakeEcs({
    DescribeServices: () => {
      const t = clock.now();
      const failing: Deployment = {
        id: 'ecs-svc/2',
        status: 'PRIMARY',
        taskDefinition: TD(7),
        desiredCount: 2,
        runningCount: 0,
        failedTasks: 2,
        createdAt: new Date(start - 60_000),
        rolloutState: (options.rolloutState ?? 'IN_PROGRESS') as Deployment['rolloutState'],
      };
      const old: Deployment = {
        id: 'ecs-svc/1',
        status: 'ACTIVE',
        taskDefinition: TD(6),
        desiredCount: 2,
        runningCount: 2,
        createdAt: new Date(start - 86_400_000),
        rolloutState: 'COMPLETED',
      };
      let deployments: Deployment[] = [failing, old];
      let taskDefinition = TD(7);
      const switchedAt =
        stoppedAt !== undefined ? stoppedAt + 10_000 : updatedTo ? updatedAt : undefined;
      const to = updatedTo ?? TD(6);
      if (switchedAt !== undefined && t >= switchedAt) {
        const done = t >= switchedAt + 20_000;
        taskDefinition = to;
        deployments = [
          {
            id: 'ecs-svc/3',
            status: 'PRIMARY',
            taskDefinition: to,
            desiredCount: 2,
            runningCount: done ? 2 : 0,
            createdAt: new Date(switchedAt),
            rolloutState: done ? 'COMPLETED' : 'IN_PROGRESS',
          },
          ...(done ? [] : [{ ...failing, status: 'ACTIVE' }]),
        ];
      }
      return {
        services: [
          {
            serviceName: 'web',
            serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
            clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
            status: 'ACTIVE',
            taskDefinition,
            deployments,
            events: [],
          },
        ],
      };
    },
    ListServiceDeployments: () => ({
      serviceDeployments: [
        { serviceDeploymentArn: SD, status: 'IN_PROGRESS', startedAt: new Date(start - 60_000) },
      ],
    }),
    DescribeServiceDeployments: () => ({
      serviceDeployments: [
        {
          serviceDeploymentArn: SD,
          status: stoppedAt !== undefined ? 'ROLLBACK_IN_PROGRESS' : 'IN_PROGRESS',
          sourceServiceRevisions: [{ arn: REV(6) }],
          targetServiceRevision: { arn: REV(7) },
        },
      ],
    }),
    DescribeServiceRevisions: (input) => ({
      serviceRevisions: (input.serviceRevisionArns as string[]).map((arn) => ({
        serviceRevisionArn: arn,
        taskDefinition: TD(Number(arn.slice(-1))),
      })),
    }),
    StopServiceDeployment: (input) => {
      expect(input).toEqual({ serviceDeploymentArn: SD, stopType: 'ROLLBACK' });
      if (stop instanceof Error) throw stop;
      stoppedAt = clock.now();
      if (stop === 'lost') {
        throw Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });
      }
      return { serviceDeploymentArn: SD };
    },
    UpdateService: (input) => {
      updatedTo = input.taskDefinition as string;
      updatedAt = clock.now();
      return {
        service: {
          deployments: [{ id: 'ecs-svc/3', status: 'PRIMARY', taskDefinition: updatedTo }],
        },
      };
    },
    ListTasks: (input) => ({
      taskArns:
        input.desiredStatus === 'STOPPED'
          ? ['arn:aws:ecs:us-east-1:123456789012:task/prod/f1']
          : [],
    }),
    DescribeTasks: () => ({
      tasks: [
        {
          taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/f1',
          taskDefinitionArn: TD(7),
          startedBy: 'ecs-svc/2',
          createdAt: new Date(start - 50_000),
          stoppedAt: new Date(start - 10_000),
          stopCode: 'TaskFailedToStart',
          stoppedReason:
            'CannotPullContainerError: API error (404): repository 111122223333.dkr.ecr.us-east-1.amazonaws.com/web not found',
          containers: [{ name: 'web', lastStatus: 'STOPPED' }],
        },
      ],
    }),
  });
  const ops = () => ecs.calls.map((c) => c.operation);
  return { ecs, clock, ops };
}

describe('rolling back a deployment in progress with ECS StopServiceDeployment', () => {
  it('lets ECS roll back the failing deployment, then watches the rollback to the end', async () => {
    const { ecs, clock, ops } = ecsInProgress('ok');
    // What watch --rollback-on-failure does: the watch fails, then the rollback follows.
    const watched = await watchDeployment({
      cluster: 'prod',
      service: 'web',
      clients: { ecs },
      clock,
    });
    expect(watched.status).toBe('failed');
    expect(watched.cause).toBe('image-not-found');
    const result = await rollback(planTo(6), { clients: { ecs }, clock, pollMs: 5_000 });
    expect(result.method).toBe('stop-service-deployment');
    expect(result.methodReason).toMatch(
      /^ECS rolls back its deployment in progress \(Rt7xK2\) to the previous service revision/,
    );
    expect(result.status).toBe('succeeded');
    expect(result.reason).toMatch(
      /^rolled back web: web:7 -> web:6 \(ECS rolled back its deployment in progress\): web:6 is deployed/,
    );
    expect(ops()).toContain('StopServiceDeployment');
    expect(ops()).not.toContain('UpdateService');
    // The draining deployment of web:6 seen before ECS switched was not taken for the rollback.
    expect(result.deployment?.deploymentId).toBe('ecs-svc/3');
  });

  it.each([
    [
      'UnsupportedFeatureException',
      awsError(
        'UnsupportedFeatureException',
        400,
        'The specified task is not supported in this Region.',
      ),
      /UnsupportedFeatureException/,
    ],
    [
      'UnsupportedOperation',
      awsError('UnsupportedOperation', 400, 'not supported'),
      /UnsupportedOperation/,
    ],
    [
      'AccessDeniedException',
      awsError(
        'AccessDeniedException',
        400,
        'not authorized to perform: ecs:StopServiceDeployment',
      ),
      /grant ecs:StopServiceDeployment/,
    ],
    [
      'not in progress',
      awsError('ConflictException', 400, 'The service deployment is not in progress.'),
      /ConflictException: The service deployment is not in progress/,
    ],
  ])('falls back to UpdateService when ECS refuses: %s', async (_name, error, reason) => {
    const { ecs, clock, ops } = ecsInProgress(error);
    const result = await rollback(planTo(6), { clients: { ecs }, clock });
    expect(result.method).toBe('update-service');
    expect(result.methodReason).toMatch(
      /^UpdateService, not ECS's own rollback: ecs:StopServiceDeployment refused: /,
    );
    expect(result.methodReason).toMatch(reason);
    expect(result.status).toBe('succeeded');
    expect(ops().filter((o) => o === 'UpdateService')).toHaveLength(1);
    expect(ecs.calls.find((c) => c.operation === 'UpdateService')?.input).toMatchObject({
      taskDefinition: TD(6),
    });
  });

  it('takes a lost StopServiceDeployment answer as applied when the deployment is rolling back', async () => {
    const { ecs, clock, ops } = ecsInProgress('lost');
    const result = await rollback(planTo(6), { clients: { ecs }, clock });
    expect(result.method).toBe('stop-service-deployment');
    expect(result.methodReason).toMatch(
      /answer was lost \(ECONNRESET: socket hang up\) but the deployment is ROLLBACK_IN_PROGRESS/,
    );
    expect(ops()).not.toContain('UpdateService');
    expect(result.status).toBe('succeeded');
  });

  it('uses UpdateService when nothing is in progress, or ECS would go elsewhere', async () => {
    const done = ecsInProgress('ok', { rolloutState: 'COMPLETED' });
    const r1 = await rollback(planTo(6), {
      clients: { ecs: done.ecs },
      clock: done.clock,
      wait: false,
    });
    expect(r1.method).toBe('update-service');
    expect(r1.methodReason).toMatch(/no deployment in progress \(the current one is COMPLETED\)/);
    expect(done.ops()).not.toContain('StopServiceDeployment');

    const elsewhere = ecsInProgress('ok');
    const r2 = await rollback(planTo(5), {
      clients: { ecs: elsewhere.ecs },
      clock: elsewhere.clock,
      wait: false,
    });
    expect(r2.method).toBe('update-service');
    expect(r2.methodReason).toMatch(/ECS would roll back to web:6, not web:5/);
    expect(elsewhere.ops()).not.toContain('StopServiceDeployment');

    const off = ecsInProgress('ok');
    const r3 = await rollback(planTo(6), {
      clients: { ecs: off.ecs },
      clock: off.clock,
      wait: false,
      nativeRollback: false,
    });
    expect(r3.method).toBe('update-service');
    expect(off.ops()).not.toContain('StopServiceDeployment');
  });

  it('falls back when the deployment APIs are not there', async () => {
    const { ecs, clock } = ecsInProgress('ok');
    const html = Object.assign(new SyntaxError('Unexpected token <'), {
      $metadata: { httpStatusCode: 404 },
    });
    const original = ecs.send.bind(ecs);
    (ecs as { send: typeof ecs.send }).send = (async (command: {
      constructor: { name: string };
    }) => {
      if (command.constructor.name === 'ListServiceDeploymentsCommand') throw html;
      return original(command as never);
    }) as typeof ecs.send;
    const result = await rollback(planTo(6), { clients: { ecs }, clock, wait: false });
    expect(result.method).toBe('update-service');
    expect(result.methodReason).toMatch(
      /could not read the deployment in progress: the endpoint does not answer this API/,
    );
  });
});
