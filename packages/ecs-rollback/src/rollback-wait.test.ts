import type { Deployment } from '@aws-sdk/client-ecs';
import { fakeClock } from '@berth/testkit';
import { describe, expect, it } from 'vitest';
import { fakeEcs } from '../test/fake-ecs.ts';
import type { RollbackPlan } from './plan.ts';
import { rollback } from './rollback.ts';

// Waiting for a rollback needs a deployment that progresses, which the emulator never does.
const TD = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${n}`;
const plan: RollbackPlan = {
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
    taskDefinitionArn: TD(6),
    family: 'web',
    revision: 6,
    status: 'ACTIVE',
    containers: [],
  },
  reason: 'test',
  willRegister: false,
  source: 'task-definition-family',
};

function ecsRollingBack(outcome: 'COMPLETED' | 'FAILED') {
  const clock = fakeClock();
  let updatedAt: number | undefined;
  const ecs = fakeEcs({
    DescribeServices: () => {
      const deployments: Deployment[] = [];
      if (updatedAt !== undefined) {
        const done = clock.now() - updatedAt >= 20_000;
        deployments.push({
          id: 'ecs-svc/9',
          status: 'PRIMARY',
          taskDefinition: TD(6),
          desiredCount: 2,
          runningCount: done ? 2 : 0,
          createdAt: new Date(updatedAt),
          rolloutState: done ? outcome : 'IN_PROGRESS',
          ...(done && outcome === 'FAILED' ? { rolloutStateReason: 'tasks failed to start' } : {}),
        });
      }
      return {
        services: [
          {
            serviceName: 'web',
            status: 'ACTIVE',
            taskDefinition: updatedAt === undefined ? TD(7) : TD(6),
            deployments,
          },
        ],
      };
    },
    UpdateService: () => {
      updatedAt = clock.now();
      return {
        service: { deployments: [{ id: 'ecs-svc/9', status: 'PRIMARY', taskDefinition: TD(6) }] },
      };
    },
    ListTasks: () => ({ taskArns: [] }),
    DeregisterTaskDefinition: () => ({}),
  });
  return { ecs, clock };
}

describe('rollback with wait', () => {
  it('waits for the rollback deployment, then deregisters the failed revision', async () => {
    const { ecs, clock } = ecsRollingBack('COMPLETED');
    const result = await rollback(plan, { clients: { ecs }, clock, deregisterFailed: true });
    expect(result.status).toBe('succeeded');
    expect(result.deployment?.deploymentId).toBe('ecs-svc/9');
    expect(result.deployment?.elapsedMs).toBe(20_000);
    expect(result.deregistered).toBe(TD(7));
    expect(result.reason).toMatch(/^rolled back web: web:7 -> web:6 \(existing revision reused\)/);
    expect(ecs.calls.find((c) => c.operation === 'DeregisterTaskDefinition')?.input).toEqual({
      taskDefinition: TD(7),
    });
  });

  it('reports a failed rollback deployment and deregisters nothing', async () => {
    const { ecs, clock } = ecsRollingBack('FAILED');
    const result = await rollback(plan, { clients: { ecs }, clock, deregisterFailed: true });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/tasks failed to start/);
    expect(result.deregistered).toBeUndefined();
    expect(ecs.calls.some((c) => c.operation === 'DeregisterTaskDefinition')).toBe(false);
  });
});
