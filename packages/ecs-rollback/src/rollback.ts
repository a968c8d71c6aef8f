import {
  DeregisterTaskDefinitionCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { awsErrorInfo } from '@berth/internal';
import { cloneTaskDefinition } from './clone.ts';
import { awsCall, awsFailure, withSession } from './ecs-client.ts';
import { EcsRollbackError } from './errors.ts';
import { type PlanRollbackOptions, planRollback, type RollbackPlan } from './plan.ts';
import { describeService } from './service.ts';
import { shortTaskDefinition, TaskDefinitionReader } from './task-definitions.ts';
import type { EcsRollbackOptions } from './types.ts';
import { type WatchEvent, type WatchResult, type WatchStatus, watchDeployment } from './watch.ts';

/** Options of {@link rollback}. */
export interface RollbackOptions extends EcsRollbackOptions {
  /** Wait for the rollback deployment to finish (default true). */
  wait?: boolean;
  /** How long to wait (default 15 minutes). */
  timeoutMs?: number;
  /** Time between polls while waiting (default 5 s). */
  pollMs?: number;
  /** Failed tasks of the rollback deployment before it counts as failed (default 1). */
  failedTaskThreshold?: number;
  /**
   * Deregister the revision rolled back from, once the rollback succeeded (or, with
   * `wait: false`, once ECS accepted it). Never deregisters the target.
   */
  deregisterFailed?: boolean;
  /** Change nothing; report what would be done. */
  dryRun?: boolean;
  /** Stops waiting (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Progress while waiting. */
  onEvent?: (event: WatchEvent) => void;
}

/** How a rollback ended: a deployment outcome, `started` (not waited for) or `dry-run`. */
export type RollbackStatus = WatchStatus | 'started' | 'dry-run';

/** What {@link rollback} did. */
export interface RollbackResult {
  status: RollbackStatus;
  /** Why, in one line. */
  reason: string;
  plan: RollbackPlan;
  /** The task definition the service was updated to (absent in a dry run that would register one). */
  taskDefinitionArn?: string;
  /** True when a new revision was registered. */
  registered: boolean;
  /** The revision deregistered by `deregisterFailed`. */
  deregistered?: string;
  /** The wait, when there was one. */
  deployment?: WatchResult;
  /** Things that went wrong without failing the rollback (e.g. a deregistration). */
  warnings: string[];
}

function isPlan(value: RollbackPlan | PlanRollbackOptions): value is RollbackPlan {
  return 'current' in value && 'target' in value && 'willRegister' in value;
}

/**
 * Rolls the service back: plans (unless given a plan), registers a revision only when the
 * plan says so, points the service at the target with UpdateService, and waits for the
 * deployment unless `wait: false`. All or nothing: when UpdateService fails, a revision
 * registered for it is deregistered again.
 *
 * @example
 * ```ts
 * const plan = await planRollback({ cluster: 'prod', service: 'web' });
 * const result = await rollback(plan, { timeoutMs: 10 * 60_000, deregisterFailed: true });
 * if (result.status !== 'succeeded') process.exitCode = 1;
 * ```
 */
export async function rollback(
  planOrOptions: RollbackPlan | PlanRollbackOptions,
  options: RollbackOptions = {},
): Promise<RollbackResult> {
  const clientOptions: EcsRollbackOptions = isPlan(planOrOptions)
    ? options
    : { ...planOrOptions, ...options };
  const plan = isPlan(planOrOptions)
    ? planOrOptions
    : await planRollback({ ...planOrOptions, ...options });
  const from = shortTaskDefinition(plan.current.taskDefinitionArn);
  const to = plan.target.taskDefinitionArn
    ? shortTaskDefinition(plan.target.taskDefinitionArn)
    : `a new revision of ${plan.target.family}`;

  if (options.dryRun) {
    return {
      status: 'dry-run',
      reason: `dry run, nothing changed: would ${plan.willRegister ? 'register a new revision and ' : ''}update ${plan.service} from ${from} to ${to}`,
      plan,
      ...(plan.target.taskDefinitionArn
        ? { taskDefinitionArn: plan.target.taskDefinitionArn }
        : {}),
      registered: false,
      warnings: [],
    };
  }

  return withSession(clientOptions, async ({ ecs, clock }) => {
    const ref = { cluster: plan.cluster, service: plan.service };
    const service = await describeService(ecs, ref);
    if (service.taskDefinition !== plan.current.taskDefinitionArn) {
      throw new EcsRollbackError(
        'E_PLAN_STALE',
        `the service changed since the plan was made: it now runs ${shortTaskDefinition(service.taskDefinition ?? '?')}, not ${from}; plan again`,
      );
    }
    const warnings: string[] = [];
    let targetArn = plan.target.taskDefinitionArn;
    let registered = false;
    if (plan.willRegister) {
      targetArn = await registerClone(ecs, plan);
      registered = true;
    }
    if (!targetArn) throw new EcsRollbackError('E_INPUT', 'the plan has no target task definition');

    let deploymentId: string | undefined;
    try {
      const out = await ecs.send(
        new UpdateServiceCommand({
          cluster: plan.cluster,
          service: plan.service,
          taskDefinition: targetArn,
        }),
      );
      deploymentId = out.service?.deployments?.find(
        (d) => d.status === 'PRIMARY' && d.taskDefinition === targetArn,
      )?.id;
    } catch (error) {
      const failure = awsFailure('UpdateService', error);
      if (registered) {
        const undo = await deregister(ecs, targetArn);
        failure.message += undo
          ? `; the revision registered for it (${shortTaskDefinition(targetArn)}) could not be deregistered: ${undo}`
          : `; the revision registered for it (${shortTaskDefinition(targetArn)}) was deregistered again`;
      }
      throw failure;
    }

    const base = {
      plan,
      taskDefinitionArn: targetArn,
      registered,
      warnings,
    };
    const action = `${plan.service}: ${from} -> ${shortTaskDefinition(targetArn)}${registered ? ' (new revision registered)' : ' (existing revision reused)'}`;

    if (options.wait === false) {
      const deregistered = await maybeDeregister(ecs, plan, targetArn, options, warnings);
      return {
        ...base,
        status: 'started' as const,
        reason: `rolled back ${action}; not waiting for ECS to finish the deployment`,
        ...(deregistered ? { deregistered } : {}),
      };
    }

    const deployment = await watchDeployment({
      cluster: plan.cluster,
      service: plan.service,
      taskDefinition: targetArn,
      ...(deploymentId ? { deploymentId } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      ...(options.failedTaskThreshold !== undefined
        ? { failedTaskThreshold: options.failedTaskThreshold }
        : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      clients: { ecs },
      clock,
    });
    const deregistered =
      deployment.status === 'succeeded'
        ? await maybeDeregister(ecs, plan, targetArn, options, warnings)
        : undefined;
    return {
      ...base,
      status: deployment.status,
      reason:
        deployment.status === 'succeeded'
          ? `rolled back ${action}: ${deployment.reason}`
          : `rollback ${action} ${deployment.status}: ${deployment.reason}`,
      deployment,
      ...(deregistered ? { deregistered } : {}),
    };
  });
}

async function registerClone(ecs: ECSClient, plan: RollbackPlan): Promise<string> {
  const from = plan.registerFrom ?? plan.current.taskDefinitionArn;
  const { taskDefinition, tags } = await new TaskDefinitionReader(ecs).describe(from);
  const input = cloneTaskDefinition(taskDefinition, tags, plan.imageOverrides);
  const out = await awsCall('RegisterTaskDefinition', () =>
    ecs.send(new RegisterTaskDefinitionCommand(input)),
  );
  const arn = out.taskDefinition?.taskDefinitionArn;
  if (!arn)
    throw new EcsRollbackError(
      'E_AWS',
      'ecs:RegisterTaskDefinition returned no task definition ARN',
    );
  return arn;
}

async function maybeDeregister(
  ecs: ECSClient,
  plan: RollbackPlan,
  targetArn: string,
  options: RollbackOptions,
  warnings: string[],
): Promise<string | undefined> {
  const failed = plan.current.taskDefinitionArn;
  if (!options.deregisterFailed || failed === targetArn || plan.current.status !== 'ACTIVE')
    return undefined;
  const problem = await deregister(ecs, failed);
  if (problem) {
    warnings.push(`could not deregister ${shortTaskDefinition(failed)}: ${problem}`);
    return undefined;
  }
  return failed;
}

/** Deregisters; returns what went wrong, or undefined. */
async function deregister(ecs: ECSClient, arn: string): Promise<string | undefined> {
  try {
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    return undefined;
  } catch (error) {
    const info = awsErrorInfo(error);
    return `${info.code}: ${info.message}`;
  }
}
