import { fakeClock } from '@berth/testkit';
import { describe, expect, it } from 'vitest';
import { simulateDeployment } from '../test/deployment-sim.ts';
import { awsError, fakeEcs } from '../test/fake-ecs.ts';
import { EcsRollbackError } from './errors.ts';
import { type WatchEvent, watchDeployment } from './watch.ts';

// ECS deployments never progress in the emulator: these tests use a simulated service whose
// answers follow a fake clock.
const ref = { cluster: 'prod', service: 'web' };

describe('watchDeployment', () => {
  it('succeeds when the new revision is PRIMARY, COMPLETED and fully running', async () => {
    const clock = fakeClock();
    const sim = simulateDeployment({ now: clock.now, scenario: 'succeeds' });
    const seen: WatchEvent[] = [];
    const result = await watchDeployment({
      ...ref,
      clients: { ecs: sim.ecs },
      clock,
      onEvent: (e) => seen.push(e),
    });
    expect(result.status).toBe('succeeded');
    expect(result.taskDefinitionArn).toBe(sim.newTaskDefinition);
    expect(result.deploymentId).toMatch(/^ecs-svc\//);
    expect(result.reason).toMatch(/web:7 is deployed: 2\/2 tasks running/);
    // Completes at 75 s; polls every 5 s from 0.
    expect(result.elapsedMs).toBe(75_000);
    expect(result.polls).toBe(16);
    expect(result.failedTasks).toEqual([]);
    expect(seen).toEqual(result.events);
    expect(
      seen.some((e) => e.kind === 'progress' && /IN_PROGRESS: 0\/2 running/.test(e.message)),
    ).toBe(true);
  });

  it('reports a crashing image within one poll of the first stopped task, with the exit code', async () => {
    const clock = fakeClock();
    const sim = simulateDeployment({ now: clock.now, scenario: 'crash', taskSeconds: 42 });
    const result = await watchDeployment({ ...ref, clients: { ecs: sim.ecs }, clock });
    expect(result.status).toBe('failed');
    expect(result.elapsedMs).toBeGreaterThanOrEqual(42_000);
    expect(result.elapsedMs - 42_000).toBeLessThanOrEqual(5_000);
    expect(result.reason).toMatch(/Essential container in task exited \[web: exit code 1\]/);
    expect(result.failedTasks.length).toBe(2);
    expect(result.failedTasks[0]).toMatchObject({
      stopCode: 'EssentialContainerExited',
      containers: [{ name: 'web', exitCode: 1 }],
    });
    // The old task drained by the scheduler is not a failure.
    expect(result.failedTasks.every((t) => !t.taskArn.endsWith('old0'))).toBe(true);
  });

  it('reports failed ELB health checks from stoppedReason', async () => {
    const clock = fakeClock();
    const sim = simulateDeployment({ now: clock.now, scenario: 'health-check', taskSeconds: 30 });
    const result = await watchDeployment({ ...ref, clients: { ecs: sim.ecs }, clock });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/failed ELB health checks/);
    expect(result.elapsedMs).toBe(90_000);
  });

  it('says why: a stable cause and a remedy, with the target group health check for ELB failures', async () => {
    const clock = fakeClock();
    const crash = simulateDeployment({ now: clock.now, scenario: 'crash' });
    const crashed = await watchDeployment({ ...ref, clients: { ecs: crash.ecs }, clock });
    expect(crashed.cause).toBe('container-exited');
    expect(crashed.remedy).toMatch(/^the essential container web exited with exit code 1 /);

    const asked: unknown[] = [];
    const elbv2 = {
      async send(command: { input: unknown }) {
        asked.push(command.input);
        return {
          TargetGroups: [
            {
              TargetGroupName: 'web',
              HealthCheckProtocol: 'HTTP',
              HealthCheckPath: '/healthz',
              HealthCheckPort: 'traffic-port',
              Port: 8080,
              HealthCheckTimeoutSeconds: 5,
              HealthCheckIntervalSeconds: 30,
              UnhealthyThresholdCount: 2,
              Matcher: { HttpCode: '200-299' },
            },
          ],
        };
      },
      destroy() {},
    } as unknown as import('@aws-sdk/client-elastic-load-balancing-v2').ElasticLoadBalancingV2Client;
    const hc = simulateDeployment({ now: clock.now, scenario: 'health-check' });
    const unhealthy = await watchDeployment({ ...ref, clients: { ecs: hc.ecs, elbv2 }, clock });
    expect(unhealthy.cause).toBe('elb-health-check');
    expect(asked).toEqual([
      {
        TargetGroupArns: [
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/abc',
        ],
      },
    ]);
    expect(unhealthy.remedy).toBe(
      'tasks failed the health check of target group web: HTTP /healthz on the traffic port (8080), success codes 200-299, 5 s timeout, unhealthy after 2 failures every 30 s: make the app answer there in time, or raise healthCheckGracePeriodSeconds (now 0 s) for a slow start',
    );

    const placement = simulateDeployment({ now: clock.now, scenario: 'placement' });
    const unplaced = await watchDeployment({ ...ref, clients: { ecs: placement.ecs }, clock });
    expect(unplaced.cause).toBe('no-capacity');

    const ok = simulateDeployment({ now: clock.now, scenario: 'succeeds' });
    const fine = await watchDeployment({ ...ref, clients: { ecs: ok.ecs }, clock });
    expect(fine.cause).toBeUndefined();
    expect(fine.remedy).toBeUndefined();
  });

  it('tolerates failed tasks up to failedTaskThreshold', async () => {
    const clock = fakeClock();
    const sim = simulateDeployment({
      now: clock.now,
      scenario: 'crash',
      taskSeconds: 40,
      desired: 2,
    });
    const result = await watchDeployment({
      ...ref,
      clients: { ecs: sim.ecs },
      clock,
      failedTaskThreshold: 3,
    });
    expect(result.status).toBe('failed');
    // 2 tasks fail at 40 s, 2 more at 80 s.
    expect(result.elapsedMs).toBe(80_000);
    expect(result.reason).toMatch(/^4 tasks of the deployment failed/);
  });

  it('reports a circuit-breaker rollback as rolled-back, never as success', async () => {
    const clock = fakeClock();
    const sim = simulateDeployment({
      now: clock.now,
      scenario: 'crash',
      circuitBreaker: 'rollback',
      desired: 2,
    });
    // Tolerate task failures so that the circuit breaker is what ends the watch.
    const result = await watchDeployment({
      ...ref,
      clients: { ecs: sim.ecs },
      clock,
      failedTaskThreshold: 100,
    });
    expect(result.status).toBe('rolled-back');
    expect(result.rolledBackTo).toBe(sim.oldTaskDefinition);
    expect(result.reason).toMatch(/circuit breaker/);
    // Threshold 3 of 2 desired: the second attempt (90 s) trips it.
    expect(result.elapsedMs).toBe(90_000);
  });

  it('is not fooled when it first looks after the rollback completed', async () => {
    const clock = fakeClock();
    const sim = simulateDeployment({
      now: clock.now,
      scenario: 'crash',
      circuitBreaker: 'rollback',
    });
    clock.advance(600_000);
    const result = await watchDeployment({
      ...ref,
      taskDefinition: sim.newTaskDefinition,
      clients: { ecs: sim.ecs },
      clock,
      failedTaskThreshold: 100,
    });
    // Only the old revision's COMPLETED deployment is left: the waiter's idea of success.
    expect(sim.state().deployments).toHaveLength(1);
    expect(result.status).toBe('rolled-back');
    expect(result.rolledBackTo).toBe(sim.oldTaskDefinition);
    expect(result.polls).toBe(1);
  });

  it('reports a circuit breaker without rollback as failed', async () => {
    const clock = fakeClock();
    const sim = simulateDeployment({ now: clock.now, scenario: 'crash', circuitBreaker: 'on' });
    const result = await watchDeployment({
      ...ref,
      clients: { ecs: sim.ecs },
      clock,
      failedTaskThreshold: 100,
    });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/deployment failed: tasks failed to start|circuit breaker/);
  });

  it('reports "unable to place" events within one poll', async () => {
    const clock = fakeClock();
    const sim = simulateDeployment({ now: clock.now, scenario: 'placement' });
    const result = await watchDeployment({
      ...ref,
      clients: { ecs: sim.ecs },
      clock,
      pollMs: 2_000,
    });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/unable to place a task/);
    expect(result.elapsedMs).toBe(6_000);
    expect(result.events.some((e) => e.kind === 'service-event')).toBe(true);
  });

  it('times out by the injected clock, saying where the deployment was', async () => {
    const clock = fakeClock();
    const sim = simulateDeployment({ now: clock.now, scenario: 'succeeds', taskSeconds: 3_600 });
    const result = await watchDeployment({
      ...ref,
      clients: { ecs: sim.ecs },
      clock,
      timeoutMs: 60_000,
      pollMs: 7_000,
    });
    expect(result.status).toBe('timeout');
    expect(result.elapsedMs).toBe(60_000);
    expect(result.reason).toMatch(
      /^no result within 1m: deployment ecs-svc\/\d+ of web:7 is IN_PROGRESS: 0\/2 running/,
    );
    expect(result.cause).toBe('timeout');
  });

  it('keeps polling through throttling', async () => {
    const clock = fakeClock();
    const sim = simulateDeployment({ now: clock.now, scenario: 'succeeds' });
    let describeCalls = 0;
    const ecs = fakeEcs({
      DescribeServices: (input) => {
        describeCalls++;
        if (describeCalls === 2 || describeCalls === 3)
          throw awsError('ThrottlingException', 400, 'Rate exceeded');
        return sim.ecs.send({ constructor: { name: 'DescribeServicesCommand' }, input } as never);
      },
      ListTasks: () => {
        throw awsError('ServiceUnavailableException', 503, 'try later');
      },
    });
    const result = await watchDeployment({ ...ref, clients: { ecs }, clock });
    expect(result.status).toBe('succeeded');
    const errors = result.events.filter((e) => e.kind === 'poll-error');
    expect(
      errors.filter((e) => /ecs:DescribeServices: ThrottlingException/.test(e.message)),
    ).toHaveLength(2);
    expect(errors.some((e) => /ecs:ListTasks: ServiceUnavailableException/.test(e.message))).toBe(
      true,
    );
  });

  it('stops on errors that retrying cannot fix', async () => {
    const ecs = fakeEcs({
      DescribeServices: () => {
        throw awsError('AccessDeniedException', 400, 'no');
      },
    });
    const error = await watchDeployment({ ...ref, clients: { ecs }, clock: fakeClock() }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(EcsRollbackError);
    expect(error.message).toMatch(/\(the caller needs ecs:DescribeServices\)/);
  });

  it('succeeds at once when nothing is being deployed', async () => {
    const clock = fakeClock();
    const sim = simulateDeployment({ now: clock.now, scenario: 'succeeds' });
    clock.advance(3_600_000);
    const result = await watchDeployment({ ...ref, clients: { ecs: sim.ecs }, clock });
    expect(result.status).toBe('succeeded');
    expect(result.polls).toBe(1);
  });

  it('does not fail a deployment that completed over later placement events or task stops', async () => {
    // Deployed yesterday; since then a scale-out could not place a task for a while and one
    // task was OOM-killed and replaced. Neither is a failure of the deployment.
    const clock = fakeClock();
    const td = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';
    const ago = (s: number) => new Date(clock.now() - s * 1000);
    const ecs = fakeEcs({
      DescribeServices: () => ({
        services: [
          {
            status: 'ACTIVE',
            serviceName: 'web',
            taskDefinition: td,
            deployments: [
              {
                id: 'ecs-svc/1',
                status: 'PRIMARY',
                taskDefinition: td,
                rolloutState: 'COMPLETED',
                desiredCount: 2,
                runningCount: 2,
                createdAt: ago(86_400),
              },
            ],
            events: [
              {
                id: 'e1',
                createdAt: ago(3_600),
                message:
                  '(service web) was unable to place a task because no container instance met all of its requirements.',
              },
            ],
          },
        ],
      }),
      ListTasks: () => ({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/prod/t1'] }),
      DescribeTasks: () => ({
        tasks: [
          {
            taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/t1',
            taskDefinitionArn: td,
            startedBy: 'ecs-svc/1',
            createdAt: ago(80_000),
            stoppedAt: ago(600),
            stopCode: 'EssentialContainerExited',
            stoppedReason: 'Essential container in task exited',
            containers: [{ name: 'web', exitCode: 137, reason: 'OutOfMemoryError' }],
          },
        ],
      }),
    });
    const result = await watchDeployment({ ...ref, clients: { ecs }, clock });
    expect(result.status).toBe('succeeded');
    expect(result.polls).toBe(1);
  });

  it('reports a deployment superseded by another revision as failed', async () => {
    const clock = fakeClock();
    const sim = simulateDeployment({ now: clock.now, scenario: 'succeeds' });
    const result = await watchDeployment({
      ...ref,
      taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:5',
      clients: { ecs: sim.ecs },
      clock,
    });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/superseded: the service now runs web:7, not web:5/);
  });

  it('tells a newer deployment by someone else from a circuit-breaker rollback', async () => {
    const td = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${n}`;
    const deployment = (id: string, status: string, n: number, state: string) => ({
      id,
      status,
      taskDefinition: td(n),
      rolloutState: state,
      desiredCount: 2,
      runningCount: 0,
      createdAt: new Date('2026-01-01T00:00:00Z'),
    });
    let polls = 0;
    const ecs = fakeEcs({
      DescribeServices: () => {
        polls++;
        return {
          services: [
            {
              status: 'ACTIVE',
              serviceName: 'web',
              deploymentConfiguration: {
                deploymentCircuitBreaker: { enable: true, rollback: true },
              },
              // Poll 1: web:7 rolling out over web:6. Poll 2: web:8 deployed by another tool
              // replaced both before web:7 completed.
              ...(polls === 1
                ? {
                    taskDefinition: td(7),
                    deployments: [
                      deployment('ecs-svc/7', 'PRIMARY', 7, 'IN_PROGRESS'),
                      deployment('ecs-svc/6', 'ACTIVE', 6, 'COMPLETED'),
                    ],
                  }
                : {
                    taskDefinition: td(8),
                    deployments: [deployment('ecs-svc/8', 'PRIMARY', 8, 'IN_PROGRESS')],
                  }),
            },
          ],
        };
      },
      ListTasks: () => ({ taskArns: [] }),
    });
    const result = await watchDeployment({ ...ref, clients: { ecs }, clock: fakeClock() });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/superseded: the service now runs web:8, not web:7/);
    expect(result.rolledBackTo).toBeUndefined();
  });

  it('stops when the signal aborts', async () => {
    const clock = fakeClock();
    const sim = simulateDeployment({ now: clock.now, scenario: 'succeeds', taskSeconds: 3_600 });
    const controller = new AbortController();
    const watching = watchDeployment({
      ...ref,
      clients: { ecs: sim.ecs },
      clock,
      signal: controller.signal,
      onEvent: () => controller.abort(new Error('stop')),
    });
    await expect(watching).rejects.toThrow('stop');
  });

  it('refuses services whose deployments another controller runs', async () => {
    const ecs = fakeEcs({
      DescribeServices: () => ({
        services: [
          {
            status: 'ACTIVE',
            taskDefinition: 'web:1',
            deploymentController: { type: 'CODE_DEPLOY' },
          },
        ],
      }),
    });
    const error = await watchDeployment({ ...ref, clients: { ecs }, clock: fakeClock() }).catch(
      (e) => e,
    );
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toMatch(/CODE_DEPLOY deployment controller/);
  });

  it('refuses bad settings', async () => {
    for (const bad of [{ timeoutMs: 0 }, { pollMs: -1 }, { failedTaskThreshold: 0 }]) {
      const error = await watchDeployment({ ...ref, ...bad, clients: { ecs: fakeEcs({}) } }).catch(
        (e) => e,
      );
      expect(error.code).toBe('E_INPUT');
    }
  });
});
