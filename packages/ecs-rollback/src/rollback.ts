import { randomUUID } from 'node:crypto';
import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { Clock } from '@berth/internal';
import { cloneTaskDefinition } from './clone.ts';
import { awsFailure, withSession } from './ecs-client.ts';
import { EcsRollbackError } from './errors.ts';
import type { FailureCause } from './failure-cause.ts';
import { type RollbackMethod, tryNativeRollback } from './native-rollback.ts';
import { type PlanRollbackOptions, planRollback, type RollbackPlan } from './plan.ts';
import { describeService } from './service.ts';
import {
  listFamilyRevisions,
  shortTaskDefinition,
  TaskDefinitionReader,
} from './task-definitions.ts';
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
  /**
   * Let ECS roll back a deployment that is still in progress itself (StopServiceDeployment
   * with stopType ROLLBACK) when that goes to the plan's target (default true); UpdateService
   * is used otherwise, and whenever ECS refuses.
   */
  nativeRollback?: boolean;
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
  /**
   * How the service was moved: `stop-service-deployment` (ECS rolled back its deployment in
   * progress) or `update-service` (absent in a dry run).
   */
  method?: RollbackMethod;
  /** Why that method: why ECS's own rollback was used, or why not. */
  methodReason?: string;
  /** Why the rollback deployment did not succeed, as a stable code (see `WatchResult.cause`). */
  cause?: FailureCause;
  /** What to do about `cause`, in one line. */
  remedy?: string;
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

  return withSession(clientOptions, async ({ ecs, plain, clock }) => {
    const ref = { cluster: plan.cluster, service: plan.service };
    const service = await describeService(ecs, ref);
    if (service.taskDefinition !== plan.current.taskDefinitionArn) {
      throw new EcsRollbackError(
        'E_PLAN_STALE',
        `the service changed since the plan was made: it now runs ${shortTaskDefinition(service.taskDefinition ?? '?')}, not ${from}; plan again`,
      );
    }
    const warnings: string[] = [...(plan.warnings ?? [])];
    let targetArn = plan.target.taskDefinitionArn;
    let registered = false;

    const native =
      options.nativeRollback === false
        ? { used: false as const, reason: 'ECS rollback not asked for (nativeRollback: false)' }
        : await tryNativeRollback(ecs, service, plan);
    let deploymentId: string | undefined;
    if (!native.used) {
      if (plan.willRegister) {
        targetArn = await registerClone(ecs, plain, plan, warnings, options.signal);
        registered = true;
      }
      if (!targetArn)
        throw new EcsRollbackError('E_INPUT', 'the plan has no target task definition');
      deploymentId = await updateService(ecs, plain, plan, targetArn, registered, warnings);
    }
    const method: RollbackMethod = native.used ? 'stop-service-deployment' : 'update-service';
    const methodReason = native.used
      ? native.reason
      : `UpdateService, not ECS's own rollback: ${native.reason}`;
    if (!targetArn) throw new EcsRollbackError('E_INPUT', 'the plan has no target task definition');
    const finalArn = targetArn;

    const base = {
      plan,
      taskDefinitionArn: finalArn,
      registered,
      warnings,
      method,
      methodReason,
    };
    const how = native.used
      ? ' (ECS rolled back its deployment in progress)'
      : registered
        ? ' (new revision registered)'
        : ' (existing revision reused)';
    const action = `${plan.service}: ${from} -> ${shortTaskDefinition(finalArn)}${how}`;

    if (options.wait === false) {
      const deregistered = await maybeDeregister(ecs, plan, finalArn, options, warnings);
      return {
        ...base,
        status: 'started' as const,
        reason: `rolled back ${action}; not waiting for ECS to finish the deployment`,
        ...(deregistered ? { deregistered } : {}),
      };
    }

    const start = clock.now();
    if (native.used) {
      // ECS switches the service back asynchronously: watch once it shows the target as its
      // primary deployment, so the draining old deployment is not taken for the rollback.
      await untilPrimary(ecs, ref, finalArn, clock, options, start);
    }
    const remaining = Math.max(
      1,
      (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) - (clock.now() - start),
    );
    const deployment = await watchDeployment({
      cluster: plan.cluster,
      service: plan.service,
      taskDefinition: finalArn,
      ...(deploymentId ? { deploymentId } : {}),
      timeoutMs: remaining,
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
        ? await maybeDeregister(ecs, plan, finalArn, options, warnings)
        : undefined;
    return {
      ...base,
      status: deployment.status,
      reason:
        deployment.status === 'succeeded'
          ? `rolled back ${action}: ${deployment.reason}`
          : `rollback ${action} ${deployment.status}: ${deployment.reason}`,
      deployment,
      ...(deployment.cause ? { cause: deployment.cause } : {}),
      ...(deployment.remedy ? { remedy: deployment.remedy } : {}),
      ...(deregistered ? { deregistered } : {}),
    };
  });
}

const DEFAULT_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_POLL_MS = 5_000;

/** Polls until the service's PRIMARY deployment runs `arn`, or the time is up. */
async function untilPrimary(
  ecs: ECSClient,
  ref: { cluster: string; service: string },
  arn: string,
  clock: Clock,
  options: RollbackOptions,
  start: number,
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  for (;;) {
    options.signal?.throwIfAborted();
    const service = await describeService(ecs, ref);
    const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
    if (primary?.taskDefinition === arn) return;
    const elapsed = clock.now() - start;
    if (elapsed >= timeoutMs) return;
    await clock.sleep(Math.min(pollMs, timeoutMs - elapsed), options.signal);
  }
}

/**
 * UpdateService to `targetArn`; returns the new deployment's id. When the call fails or its
 * answer is lost, the service is read back: if it runs the target the update was applied
 * (a warning says so); otherwise the error is thrown, after deregistering a revision
 * registered for it (never one the service uses).
 */
async function updateService(
  ecs: ECSClient,
  plain: ECSClient,
  plan: RollbackPlan,
  targetArn: string,
  registered: boolean,
  warnings: string[],
): Promise<string | undefined> {
  try {
    const out = await ecs.send(
      new UpdateServiceCommand({
        cluster: plan.cluster,
        service: plan.service,
        taskDefinition: targetArn,
      }),
    );
    return out.service?.deployments?.find(
      (d) => d.status === 'PRIMARY' && d.taskDefinition === targetArn,
    )?.id;
  } catch (error) {
    const failure = awsFailure('UpdateService', error);
    // Read back with the plain client: after an abort, this and the cleanup must still run.
    const now = await readBack(plain, plan);
    if (now?.taskDefinition === targetArn) {
      warnings.push(
        `${failure.message}; but the service now runs ${shortTaskDefinition(targetArn)}: the update was applied`,
      );
      return now.deployments?.find((d) => d.status === 'PRIMARY' && d.taskDefinition === targetArn)
        ?.id;
    }
    const state = now
      ? `; the service still runs ${shortTaskDefinition(now.taskDefinition ?? '?')}`
      : '; the service could not be read back, so whether the update was applied is unknown';
    failure.message += state;
    if (registered) {
      if (!now || inUse(now, targetArn)) {
        failure.message += `; the revision registered for it (${shortTaskDefinition(targetArn)}) was left ACTIVE, as the service may use it`;
      } else {
        const undo = await deregister(plain, targetArn);
        failure.message += undo
          ? `; the revision registered for it (${shortTaskDefinition(targetArn)}) could not be deregistered: ${undo}`
          : `; the revision registered for it (${shortTaskDefinition(targetArn)}) was deregistered again`;
      }
    }
    throw failure;
  }
}

/** The service as it is now, or undefined when it cannot be read. */
async function readBack(
  ecs: ECSClient,
  plan: RollbackPlan,
): Promise<import('@aws-sdk/client-ecs').Service | undefined> {
  try {
    return await describeService(ecs, { cluster: plan.cluster, service: plan.service });
  } catch {
    return undefined;
  }
}

/** True when the service is set to run `arn` (what ECS starts new tasks from). */
function inUse(service: import('@aws-sdk/client-ecs').Service, arn: string): boolean {
  return service.taskDefinition === arn;
}

/** Tag on every revision `rollback` registers: finds it again when the answer was lost. */
export const REQUEST_TAG = 'berth:rollback-request';

/**
 * Registers the plan's new revision, tagged with a token of this request. RegisterTaskDefinition
 * has no idempotency token, so when its answer is lost (or the SDK retried a write AWS had
 * applied) the family's newest revisions are read back by that tag: one found is used (extra
 * copies are deregistered), none found means nothing was registered.
 */
async function registerClone(
  ecs: ECSClient,
  plain: ECSClient,
  plan: RollbackPlan,
  warnings: string[],
  signal: AbortSignal | undefined,
): Promise<string> {
  const from = plan.registerFrom ?? plan.current.taskDefinitionArn;
  const { taskDefinition, tags } = await new TaskDefinitionReader(ecs).describe(from);
  const token = randomUUID();
  const input = cloneTaskDefinition(taskDefinition, tags, plan.imageOverrides);
  input.tags = [...(input.tags ?? []), { key: REQUEST_TAG, value: token }];
  try {
    const out = await ecs.send(new RegisterTaskDefinitionCommand(input));
    const arn = out.taskDefinition?.taskDefinitionArn;
    if (!arn) {
      throw new EcsRollbackError(
        'E_AWS',
        'ecs:RegisterTaskDefinition returned no task definition ARN',
      );
    }
    if ((out.$metadata.attempts ?? 1) > 1) {
      // An earlier attempt may have registered a copy too.
      const copies = (await findRegistered(plain, plan.target.family, token)).filter(
        (a) => a !== arn,
      );
      for (const copy of copies) await deregister(plain, copy);
    }
    return arn;
  } catch (error) {
    if (error instanceof EcsRollbackError) throw error;
    const failure = awsFailure('RegisterTaskDefinition', error);
    let found: string[];
    try {
      found = await findRegistered(plain, plan.target.family, token);
    } catch {
      failure.message += `; whether a revision was registered could not be checked (look for the tag ${REQUEST_TAG}=${token})`;
      throw failure;
    }
    const [arn, ...copies] = found;
    if (!arn) {
      failure.message += '; nothing was registered (checked)';
      throw failure;
    }
    for (const copy of copies) await deregister(plain, copy);
    if (signal?.aborted) {
      // Interrupted: undo rather than go on.
      const undo = await deregister(plain, arn);
      failure.message += undo
        ? `; the revision it registered (${shortTaskDefinition(arn)}) could not be deregistered: ${undo}`
        : `; the revision it registered (${shortTaskDefinition(arn)}) was deregistered again`;
      throw failure;
    }
    warnings.push(
      `${failure.message}; but ${shortTaskDefinition(arn)} was registered (found by its ${REQUEST_TAG} tag): using it`,
    );
    return arn;
  }
}

/** ACTIVE revisions of `family` (the newest few) carrying this request's tag, newest first. */
async function findRegistered(ecs: ECSClient, family: string, token: string): Promise<string[]> {
  const newest = (await listFamilyRevisions(ecs, family, 'ACTIVE')).slice(0, 5);
  const reader = new TaskDefinitionReader(ecs);
  const found: string[] = [];
  for (const r of newest) {
    const { tags } = await reader.describe(r.taskDefinitionArn);
    if (tags.some((t) => t.key === REQUEST_TAG && t.value === token))
      found.push(r.taskDefinitionArn);
  }
  return found;
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
  // Never deregister a revision the service is set to run (someone deployed it again, or an
  // update that looked failed was applied after all).
  const now = await readBack(ecs, plan);
  if (!now || inUse(now, failed)) {
    warnings.push(
      `did not deregister ${shortTaskDefinition(failed)}: ${now ? 'the service runs it' : 'the service could not be read back'}`,
    );
    return undefined;
  }
  const problem = await deregister(ecs, failed);
  if (problem) {
    warnings.push(`could not deregister ${shortTaskDefinition(failed)}: ${problem}`);
    return undefined;
  }
  return failed;
}

/**
 * Deregisters; returns what went wrong, or undefined. A failed or unanswered call is checked:
 * a revision that is INACTIVE afterwards counts as deregistered.
 */
async function deregister(ecs: ECSClient, arn: string): Promise<string | undefined> {
  try {
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    return undefined;
  } catch (error) {
    try {
      const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
      if (out.taskDefinition?.status && out.taskDefinition.status !== 'ACTIVE') return undefined;
    } catch {
      // Fall through: report the original failure.
    }
    return awsFailure('DeregisterTaskDefinition', error).message;
  }
}
