import type { Deployment, ServiceEvent, Task } from '@aws-sdk/client-ecs';
import { fakeEcs } from './fake-ecs.ts';

/** What goes wrong in a simulated deployment. */
export type SimScenario =
  /** Tasks start and turn healthy; the rollout completes. */
  | 'succeeds'
  /** The new image crashes on start (exit code 1), over and over. */
  | 'crash'
  /** Tasks start but fail the load balancer health checks. */
  | 'health-check'
  /** No capacity: ECS cannot place the tasks. */
  | 'placement';

/** Settings of {@link simulateDeployment}. */
export interface SimOptions {
  /** Reads the (fake) time. */
  now(): number;
  scenario: SimScenario;
  /** Desired task count (default 2). */
  desired?: number;
  /** Seconds from launching a task to it running or failing (default 45). */
  taskSeconds?: number;
  /** Seconds for old tasks to drain once new ones run (default 30). */
  drainSeconds?: number;
  /** Circuit breaker: off, on, or on with rollback (default off). */
  circuitBreaker?: 'off' | 'on' | 'rollback';
}

const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/prod';
const OLD_TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:6';
const NEW_TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';
const OLD_ID = 'ecs-svc/1111111111111111111';
const NEW_ID = 'ecs-svc/2222222222222222222';
const ROLLBACK_ID = 'ecs-svc/3333333333333333333';

/**
 * A simulated ECS service in the middle of a deployment from web:6 to web:7 that started
 * at the time `now()` first reads. Its DescribeServices, ListTasks and DescribeTasks answers
 * follow the scenario as the fake time moves on, the way ECS reports them: deployments with
 * rollout states and failed task counts, service events, stopped tasks with reasons and exit
 * codes, and the circuit breaker's threshold (0.5 x desired, min 3) and rollback.
 */
export function simulateDeployment(options: SimOptions) {
  const start = options.now();
  const desired = options.desired ?? 2;
  const taskSeconds = options.taskSeconds ?? 45;
  const drainSeconds = options.drainSeconds ?? 30;
  const breaker = options.circuitBreaker ?? 'off';
  const threshold = Math.min(200, Math.max(3, Math.ceil(desired * 0.5)));
  const at = (s: number) => new Date(start + s * 1000);
  const stoppedTasks: Task[] = [];

  const state = () => {
    const t = (options.now() - start) / 1000;
    const events: ServiceEvent[] = [];
    const event = (s: number, message: string) => {
      if (t >= s)
        events.unshift({
          id: `${s}:${message}`,
          createdAt: at(s),
          message: `(service web) ${message}`,
        });
    };
    let failed = 0;
    stoppedTasks.length = 0;
    const failing = options.scenario === 'crash' || options.scenario === 'health-check';
    let failedAt: number | undefined;
    if (failing) {
      // Each attempt launches `desired` tasks that fail after taskSeconds (health checks take longer).
      const attempt = options.scenario === 'health-check' ? taskSeconds + 60 : taskSeconds;
      for (let k = 1; k * attempt <= t; k++) {
        for (let i = 0; i < desired; i++) {
          failed++;
          const id = `arn:aws:ecs:us-east-1:123456789012:task/prod/${k}x${i}`;
          stoppedTasks.push(
            options.scenario === 'crash'
              ? {
                  taskArn: id,
                  taskDefinitionArn: NEW_TD,
                  startedBy: NEW_ID,
                  createdAt: at((k - 1) * attempt),
                  stoppedAt: at(k * attempt),
                  lastStatus: 'STOPPED',
                  stopCode: 'EssentialContainerExited',
                  stoppedReason: 'Essential container in task exited',
                  containers: [{ name: 'web', exitCode: 1, lastStatus: 'STOPPED' }],
                }
              : {
                  taskArn: id,
                  taskDefinitionArn: NEW_TD,
                  startedBy: NEW_ID,
                  createdAt: at((k - 1) * attempt),
                  stoppedAt: at(k * attempt),
                  lastStatus: 'STOPPED',
                  stopCode: 'ServiceSchedulerInitiated',
                  stoppedReason:
                    'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/abc)',
                  containers: [{ name: 'web', lastStatus: 'STOPPED' }],
                },
          );
          if (failedAt === undefined && breaker !== 'off' && failed >= threshold)
            failedAt = k * attempt;
        }
        if (failedAt !== undefined) break;
      }
    }
    // An old task drained by the scheduler: not a failure of the new version.
    stoppedTasks.push({
      taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/old0',
      taskDefinitionArn: OLD_TD,
      startedBy: OLD_ID,
      createdAt: at(-3600),
      stoppedAt: at(-5),
      lastStatus: 'STOPPED',
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/0000)',
      containers: [{ name: 'web', exitCode: 0, lastStatus: 'STOPPED' }],
    });

    const base = {
      desiredCount: desired,
      pendingCount: 0,
      failedTasks: 0,
      launchType: 'FARGATE' as const,
    };
    const oldDeployment: Deployment = {
      ...base,
      id: OLD_ID,
      status: 'ACTIVE',
      taskDefinition: OLD_TD,
      runningCount: desired,
      createdAt: at(-86_400),
      rolloutState: 'COMPLETED',
    };
    const newDeployment: Deployment = {
      ...base,
      id: NEW_ID,
      status: 'PRIMARY',
      taskDefinition: NEW_TD,
      runningCount: 0,
      pendingCount: desired,
      createdAt: at(0),
      failedTasks: failed,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${NEW_ID} in progress.`,
    };
    let deployments: Deployment[] = [newDeployment, oldDeployment];
    let taskDefinition = NEW_TD;
    let running = desired;

    if (options.scenario === 'succeeds') {
      if (t >= taskSeconds)
        Object.assign(newDeployment, { runningCount: desired, pendingCount: 0 });
      running = desired + (t >= taskSeconds ? desired : 0);
      if (t >= taskSeconds + drainSeconds) {
        Object.assign(newDeployment, {
          rolloutState: 'COMPLETED',
          rolloutStateReason: `ECS deployment ${NEW_ID} completed.`,
        });
        deployments = [newDeployment];
        running = desired;
        event(taskSeconds + drainSeconds, 'has reached a steady state.');
      }
    } else if (options.scenario === 'placement') {
      for (let s = 5; s <= t; s += 60) {
        event(
          s,
          'was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.',
        );
      }
    } else if (failedAt !== undefined) {
      event(failedAt, `(deployment ${NEW_ID}) deployment failed: tasks failed to start.`);
      Object.assign(newDeployment, {
        rolloutState: 'FAILED',
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
      });
      if (breaker === 'rollback') {
        event(failedAt, `rolling back to deployment ${OLD_ID}.`);
        newDeployment.status = 'ACTIVE';
        taskDefinition = OLD_TD;
        const rollbackDeployment: Deployment = {
          ...base,
          id: ROLLBACK_ID,
          status: 'PRIMARY',
          taskDefinition: OLD_TD,
          runningCount: desired,
          createdAt: at(failedAt),
          rolloutState: 'IN_PROGRESS',
        };
        deployments = [rollbackDeployment, newDeployment];
        if (t >= failedAt + drainSeconds) {
          Object.assign(rollbackDeployment, { rolloutState: 'COMPLETED' });
          deployments = [rollbackDeployment];
          event(failedAt + drainSeconds, 'has reached a steady state.');
        }
      }
    }
    return {
      serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
      serviceName: 'web',
      clusterArn: CLUSTER,
      status: 'ACTIVE',
      taskDefinition,
      desiredCount: desired,
      runningCount: running,
      pendingCount: 0,
      deployments,
      events,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: breaker !== 'off', rollback: breaker === 'rollback' },
      },
    };
  };

  const ecs = fakeEcs({
    DescribeServices: () => ({ services: [state()], failures: [] }),
    ListTasks: (input) => {
      state();
      return {
        taskArns: input.desiredStatus === 'STOPPED' ? stoppedTasks.map((x) => x.taskArn) : [],
      };
    },
    DescribeTasks: (input) => ({
      tasks: stoppedTasks.filter((x) => (input.tasks as string[]).includes(x.taskArn as string)),
    }),
  });
  return { ecs, state, oldTaskDefinition: OLD_TD, newTaskDefinition: NEW_TD, threshold };
}
