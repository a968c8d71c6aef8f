import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type Clock, formatDuration } from '@berth/internal';
import { PreviewEnvError } from './errors.ts';
import { awsStep, type ProgressLogger } from './steps.ts';

const POLL_MS = 5_000;

/**
 * Waits while a service of the environment's name is DRAINING (AWS refuses to reuse the name
 * until it is INACTIVE). Returns the service if it became ACTIVE again meanwhile (someone
 * re-created it), undefined when the name is free.
 */
export async function waitWhileDraining(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
  timeoutMs: number,
  clock: Clock,
  log: ProgressLogger,
): Promise<Service | undefined> {
  const deadline = clock.now() + timeoutMs;
  log.info(
    `service ${serviceName} is still draining from an earlier delete; waiting up to ${formatDuration(timeoutMs)}`,
  );
  for (;;) {
    if (clock.now() >= deadline) {
      throw new PreviewEnvError(
        'E_DRAINING',
        `service ${serviceName} in cluster ${cluster} is still DRAINING after ${formatDuration(timeoutMs)}; AWS cannot reuse the name until it is INACTIVE: retry later or raise drainTimeout`,
        { step: 'wait for draining service', resource: serviceName, retryable: true },
      );
    }
    await clock.sleep(POLL_MS);
    const out = await awsStep('read service', serviceName, () =>
      ecs.send(
        new DescribeServicesCommand({ cluster, services: [serviceName], include: ['TAGS'] }),
      ),
    );
    const s = out.services?.find((x) => x.serviceName === serviceName);
    if (!s || s.status === 'INACTIVE') return undefined;
    if (s.status === 'ACTIVE') return s;
  }
}

/** What {@link waitForEnvironment} watches. */
export interface WaitTarget {
  cluster: string;
  serviceName: string;
  targetGroupArn: string;
  taskDefinitionArn: string;
  timeoutMs: number;
}

/**
 * Waits until the service runs the given task definition in one finished deployment with
 * every task running, and the target group has at least as many healthy targets. Unlike the
 * SDK waiter, a failed deployment (rollout FAILED, or the circuit breaker rolling back to
 * another revision) ends the wait at once with an error instead of looking like success.
 */
export async function waitForEnvironment(
  ecs: ECSClient,
  elbv2: ElasticLoadBalancingV2Client,
  target: WaitTarget,
  clock: Clock,
  log: ProgressLogger,
): Promise<void> {
  const deadline = clock.now() + target.timeoutMs;
  let last = '';
  for (;;) {
    const [services, health] = await Promise.all([
      awsStep('read service', target.serviceName, () =>
        ecs.send(
          new DescribeServicesCommand({ cluster: target.cluster, services: [target.serviceName] }),
        ),
      ),
      awsStep('read target health', target.targetGroupArn, () =>
        elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: target.targetGroupArn })),
      ),
    ]);
    const svc = services.services?.find((s) => s.serviceName === target.serviceName);
    if (svc?.status !== 'ACTIVE') {
      throw new PreviewEnvError(
        'E_DEPLOYMENT_FAILED',
        `service ${target.serviceName} disappeared while waiting (status ${svc?.status ?? 'missing'})`,
        {
          step: 'wait',
          resource: target.serviceName,
        },
      );
    }
    const primary = svc.deployments?.find((d) => d.status === 'PRIMARY');
    if (primary?.rolloutState === 'FAILED') {
      throw new PreviewEnvError(
        'E_DEPLOYMENT_FAILED',
        `the deployment of ${target.serviceName} failed: ${primary.rolloutStateReason ?? 'no reason given'}; see the service events in the ECS console`,
        { step: 'wait', resource: target.serviceName },
      );
    }
    if (primary?.taskDefinition && primary.taskDefinition !== target.taskDefinitionArn) {
      throw new PreviewEnvError(
        'E_DEPLOYMENT_FAILED',
        `the deployment of ${target.serviceName} was rolled back to ${primary.taskDefinition} (the circuit breaker stopped ${target.taskDefinitionArn})`,
        { step: 'wait', resource: target.serviceName },
      );
    }
    const desired = svc.desiredCount ?? 0;
    const healthy = (health.TargetHealthDescriptions ?? []).filter(
      (t) => t.TargetHealth?.State === 'healthy',
    ).length;
    const stable =
      (svc.deployments?.length ?? 0) <= 1 &&
      (svc.runningCount ?? 0) === desired &&
      (primary?.rolloutState ?? 'COMPLETED') === 'COMPLETED';
    if (stable && healthy >= desired) return;
    const state = `${svc.runningCount ?? 0}/${desired} tasks running, ${healthy} healthy target(s)`;
    if (state !== last) log.info(`waiting: ${state}`);
    last = state;
    if (clock.now() + POLL_MS > deadline) {
      throw new PreviewEnvError(
        'E_WAIT_TIMEOUT',
        `${target.serviceName} was not ready after ${formatDuration(target.timeoutMs)} (${state}); raise waitTimeout or check the service events`,
        { step: 'wait', resource: target.serviceName, retryable: true },
      );
    }
    await clock.sleep(POLL_MS);
  }
}
