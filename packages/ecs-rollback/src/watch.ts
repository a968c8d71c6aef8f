import type { Deployment, ECSClient, Service } from '@aws-sdk/client-ecs';
import { type Clock, formatDuration } from '@berth/internal';
import { withSession } from './ecs-client.ts';
import { EcsRollbackError } from './errors.ts';
import {
  classifyFailure,
  type FailureCause,
  type FailureDiagnosis,
  remedyFor,
} from './failure-cause.ts';
import { healthCheckRemedy } from './health-check.ts';
import { checkServiceRef, describeService } from './service.ts';
import { shortTaskDefinition } from './task-definitions.ts';
import { listServiceTasks } from './task-digests.ts';
import { type StoppedTask, taskFailure } from './task-failures.ts';
import type { EcsRollbackOptions, ServiceRef } from './types.ts';

/** How a watched deployment ended. */
export type WatchStatus = 'succeeded' | 'failed' | 'rolled-back' | 'timeout';

/** Something seen while watching: an ECS service event, a stopped task, progress, a poll error. */
export interface WatchEvent {
  at: Date;
  kind: 'service-event' | 'task-stopped' | 'progress' | 'poll-error';
  message: string;
}

/** Options of {@link watchDeployment}. */
export interface WatchDeploymentOptions extends EcsRollbackOptions, ServiceRef {
  /** Give up after this long (default 15 minutes). */
  timeoutMs?: number;
  /** Time between polls (default 5 s): failures are reported within one poll. */
  pollMs?: number;
  /**
   * Task definition the deployment must end on (default: the one the service is set to run
   * when watching starts). A deployment that ends on another one is not a success.
   */
  taskDefinition?: string;
  /** ECS deployment id (`ecs-svc/...`) to watch, when known. */
  deploymentId?: string;
  /** Failed tasks of the deployment before it is reported failed (default 1). */
  failedTaskThreshold?: number;
  /** Stops watching (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Called for each event as it is seen (progress for people). */
  onEvent?: (event: WatchEvent) => void;
}

/** What {@link watchDeployment} found. */
export interface WatchResult {
  status: WatchStatus;
  /** Why, in one line (ECS's own reason when it gave one). */
  reason: string;
  /** Everything seen while watching, oldest first. */
  events: WatchEvent[];
  /** The task definition the deployment had to end on. */
  taskDefinitionArn: string;
  /** The ECS deployment watched, once known. */
  deploymentId?: string;
  /** Where ECS rolled back to, for `rolled-back`. */
  rolledBackTo?: string;
  /** Tasks of the deployment that stopped because of a failure. */
  failedTasks: StoppedTask[];
  /**
   * Why it did not succeed, as a stable code (absent for `succeeded`): read from the first
   * failed task (stopped reason, stop code, exit codes), else from ECS's reason.
   */
  cause?: FailureCause;
  /** What to do about `cause`, in one line. */
  remedy?: string;
  /** Time spent watching, by the injected clock. */
  elapsedMs: number;
  /** DescribeServices polls made. */
  polls: number;
}

const DEFAULT_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_POLL_MS = 5_000;
const PLACEMENT = /unable to place a task/i;
const DEPLOYMENT_FAILED = /deployment failed|circuit breaker/i;
const ROLLING_BACK = /rolling back|rolled back/i;

type Verdict = { status: WatchStatus; reason: string; rolledBackTo?: string };

/**
 * Watches the service's deployment in progress (started by any tool) until it succeeds,
 * fails, is rolled back by ECS, or the time runs out.
 *
 * Success: the PRIMARY deployment runs the expected task definition, its rollout is
 * COMPLETED and its running count equals its desired count. Failure is reported within one
 * poll of ECS showing it: rollout FAILED, the circuit breaker tripping or rolling back,
 * tasks of the deployment stopping with a failure (reason and container exit codes from
 * DescribeTasks), or "unable to place a task" service events. A circuit-breaker rollback to
 * the old version is `rolled-back`, never success. Throttling and 5xx answers of a poll are
 * recorded and the next poll retries.
 *
 * @example
 * ```ts
 * const result = await watchDeployment({ cluster: 'prod', service: 'web', timeoutMs: 600_000 });
 * if (result.status !== 'succeeded') console.error(result.status, result.reason);
 * ```
 */
export async function watchDeployment(options: WatchDeploymentOptions): Promise<WatchResult> {
  checkServiceRef(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const threshold = options.failedTaskThreshold ?? 1;
  for (const [name, value] of [
    ['timeoutMs', timeoutMs],
    ['pollMs', pollMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new EcsRollbackError(
        'E_INPUT',
        `${name} must be a positive number of milliseconds, got ${value}`,
      );
    }
  }
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new EcsRollbackError(
      'E_INPUT',
      `failedTaskThreshold must be a positive integer, got ${threshold}`,
    );
  }
  return withSession(options, ({ ecs, clock }) =>
    new Watcher(ecs, options, { timeoutMs, pollMs, threshold }, clock).run(),
  );
}

class Watcher {
  readonly #ecs: ECSClient;
  readonly #ref: ServiceRef;
  readonly #options: WatchDeploymentOptions;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #threshold: number;
  readonly #clock: Clock;
  readonly #events: WatchEvent[] = [];
  readonly #seenEvents = new Set<string>();
  readonly #seenTasks = new Set<string>();
  readonly #failedTasks: StoppedTask[] = [];
  #expected: string | undefined;
  #deploymentId: string | undefined;
  #deploymentSeen = false;
  /** Revisions of the other deployments seen beside the watched one (rollback candidates). */
  readonly #others = new Set<string>();
  #since: number;
  #start: number;
  #polls = 0;
  #lastProgress = '';
  #lastState = 'no poll has answered yet';
  #lastService: Service | undefined;

  constructor(
    ecs: ECSClient,
    options: WatchDeploymentOptions,
    limits: { timeoutMs: number; pollMs: number; threshold: number },
    clock: Clock,
  ) {
    this.#ecs = ecs;
    this.#ref = { cluster: options.cluster, service: options.service };
    this.#options = options;
    this.#timeoutMs = limits.timeoutMs;
    this.#pollMs = limits.pollMs;
    this.#threshold = limits.threshold;
    this.#clock = clock;
    this.#expected = options.taskDefinition;
    this.#deploymentId = options.deploymentId;
    this.#start = clock.now();
    this.#since = this.#start;
  }

  async run(): Promise<WatchResult> {
    for (;;) {
      this.#options.signal?.throwIfAborted();
      this.#polls++;
      const verdict = await this.#poll();
      if (verdict) return await this.#result(verdict);
      const elapsed = this.#clock.now() - this.#start;
      if (elapsed >= this.#timeoutMs) {
        return await this.#result({
          status: 'timeout',
          reason: `no result within ${formatDuration(this.#timeoutMs)}: ${this.#lastState}`,
        });
      }
      await this.#clock.sleep(
        Math.min(this.#pollMs, this.#timeoutMs - elapsed),
        this.#options.signal,
      );
    }
  }

  async #poll(): Promise<Verdict | undefined> {
    let service: Service;
    try {
      service = await describeService(this.#ecs, this.#ref);
    } catch (error) {
      if (this.#transient(error)) return undefined;
      throw error;
    }
    this.#lastService = service;
    const controller = service.deploymentController?.type;
    if (controller && controller !== 'ECS') {
      throw new EcsRollbackError(
        'E_INPUT',
        `service ${this.#ref.service} uses the ${controller} deployment controller, whose deployments are task sets ECS does not report as service deployments: watch them in ${controller === 'CODE_DEPLOY' ? 'CodeDeploy' : 'the controller'}`,
      );
    }
    this.#expected ??= service.taskDefinition as string;
    const deployments = service.deployments ?? [];
    const primary = deployments.find((d) => d.status === 'PRIMARY');
    const watched = this.#findWatched(deployments);

    // Service events first: they carry ECS's reasons in words.
    const fromEvents = this.#readEvents(service, watched);

    if (!watched) {
      if (this.#deploymentSeen || service.taskDefinition !== this.#expected) {
        const now = primary?.taskDefinition ?? service.taskDefinition ?? '?';
        // ECS rolls back to a revision that was deployed when the watched one started; a
        // revision seen nowhere before is someone else's newer deployment.
        const rolledBack =
          fromEvents?.status === 'rolled-back' ||
          (this.#rollbackEnabled(service) && (this.#others.size === 0 || this.#others.has(now)));
        if (rolledBack) {
          return {
            status: 'rolled-back',
            reason: `the deployment of ${shortTaskDefinition(this.#expected)} was rolled back to ${shortTaskDefinition(now)}${fromEvents ? `: ${fromEvents.reason}` : ''}`,
            rolledBackTo: now,
          };
        }
        return (
          fromEvents ?? {
            status: 'failed',
            reason: `superseded: the service now runs ${shortTaskDefinition(now)}, not ${shortTaskDefinition(this.#expected)}`,
          }
        );
      }
      this.#lastState = `ECS shows no deployment of ${shortTaskDefinition(this.#expected)} yet (deployments: ${
        deployments
          .map((d) =>
            `${d.status} ${shortTaskDefinition(d.taskDefinition ?? '?')} ${d.rolloutState ?? ''}`.trim(),
          )
          .join(', ') || 'none'
      })`;
      this.#progress(this.#lastState);
      return fromEvents?.status === 'failed' ? fromEvents : undefined;
    }

    this.#lastState = describeDeployment(watched);
    this.#progress(this.#lastState);

    if (watched.rolloutState === 'FAILED') {
      const why = watched.rolloutStateReason ?? 'rollout FAILED';
      if (primary && primary.id !== watched.id) {
        return {
          status: 'rolled-back',
          reason: `ECS rolled back to ${shortTaskDefinition(primary.taskDefinition ?? '?')}: ${why}`,
          ...(primary.taskDefinition ? { rolledBackTo: primary.taskDefinition } : {}),
        };
      }
      if (this.#rollbackEnabled(service) || ROLLING_BACK.test(why)) {
        return { status: 'rolled-back', reason: `ECS is rolling back: ${why}` };
      }
      return { status: 'failed', reason: why };
    }
    if (watched.status !== 'PRIMARY' && primary && primary.taskDefinition !== this.#expected) {
      if (
        fromEvents?.status === 'rolled-back' ||
        ROLLING_BACK.test(primary.rolloutStateReason ?? '')
      ) {
        return {
          status: 'rolled-back',
          reason: `ECS rolled back to ${shortTaskDefinition(primary.taskDefinition ?? '?')}${fromEvents ? `: ${fromEvents.reason}` : ''}`,
          ...(primary.taskDefinition ? { rolledBackTo: primary.taskDefinition } : {}),
        };
      }
      return {
        status: 'failed',
        reason: `superseded by a deployment of ${shortTaskDefinition(primary.taskDefinition ?? '?')} before it completed`,
      };
    }
    const completed =
      watched.status === 'PRIMARY' &&
      (watched.rolloutState ? watched.rolloutState === 'COMPLETED' : deployments.length === 1) &&
      (watched.runningCount ?? 0) === (watched.desiredCount ?? 0);
    // A deployment ECS already completed is judged by how it ended: "unable to place" events
    // and tasks stopped since (a scale-out short of capacity, a task replaced an hour later)
    // are not failures of it. Only a rollback of it still counts.
    if (fromEvents && !(completed && fromEvents.status === 'failed')) return fromEvents;

    if (!completed) return this.#readStoppedTasks(service, watched);
    return {
      status: 'succeeded',
      reason: `${shortTaskDefinition(this.#expected)} is deployed: ${watched.runningCount ?? 0}/${watched.desiredCount ?? 0} tasks running, rollout COMPLETED`,
    };
  }

  #findWatched(deployments: Deployment[]): Deployment | undefined {
    // By id when known; otherwise (or when ECS replaced it with a forced redeployment of the
    // same revision) the newest deployment of the expected revision, PRIMARY first.
    const found =
      (this.#deploymentId ? deployments.find((d) => d.id === this.#deploymentId) : undefined) ??
      deployments
        .filter((d) => d.taskDefinition === this.#expected)
        .sort(
          (a, b) =>
            Number(b.status === 'PRIMARY') - Number(a.status === 'PRIMARY') ||
            (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0),
        )[0];
    if (found) {
      if (!this.#deploymentSeen && found.createdAt) {
        this.#since = Math.min(this.#since, found.createdAt.getTime());
      }
      if (found.status === 'PRIMARY') {
        for (const d of deployments) {
          if (d !== found && d.taskDefinition) this.#others.add(d.taskDefinition);
        }
      }
      this.#deploymentSeen = true;
      this.#deploymentId = found.id;
    }
    return found;
  }

  #rollbackEnabled(service: Service): boolean {
    return service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback === true;
  }

  #readEvents(service: Service, watched: Deployment | undefined): Verdict | undefined {
    const fresh = (service.events ?? [])
      .filter((e) => e.id && !this.#seenEvents.has(e.id))
      .filter((e) => (e.createdAt?.getTime() ?? Number.POSITIVE_INFINITY) >= this.#since)
      .sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
    let verdict: Verdict | undefined;
    for (const e of fresh) {
      this.#seenEvents.add(e.id as string);
      const message = e.message ?? '';
      this.#record({
        at: e.createdAt ?? new Date(this.#clock.now()),
        kind: 'service-event',
        message,
      });
      if (verdict) continue;
      const otherDeployment = /\(deployment (ecs-svc\/\d+)\)/.exec(message)?.[1];
      const aboutUs = !otherDeployment || !watched?.id || otherDeployment === watched.id;
      if (ROLLING_BACK.test(message) && aboutUs) {
        verdict = { status: 'rolled-back', reason: message };
      } else if (DEPLOYMENT_FAILED.test(message) && aboutUs) {
        verdict = { status: 'failed', reason: message };
      } else if (PLACEMENT.test(message)) {
        verdict = { status: 'failed', reason: message };
      }
    }
    return verdict;
  }

  async #readStoppedTasks(service: Service, watched: Deployment): Promise<Verdict | undefined> {
    let tasks: Awaited<ReturnType<typeof listServiceTasks>>;
    try {
      tasks = await listServiceTasks(
        this.#ecs,
        service.clusterArn ?? this.#ref.cluster,
        service.serviceName ?? this.#ref.service,
        'STOPPED',
        { skip: this.#seenTasks },
      );
    } catch (error) {
      if (this.#transient(error)) return undefined;
      throw error;
    }
    const createdAt = watched.createdAt?.getTime() ?? this.#since;
    for (const task of tasks.sort(
      (a, b) => (a.stoppedAt?.getTime() ?? 0) - (b.stoppedAt?.getTime() ?? 0),
    )) {
      if (task.taskArn) this.#seenTasks.add(task.taskArn);
      const ours =
        (watched.id !== undefined && task.startedBy === watched.id) ||
        (task.taskDefinitionArn === this.#expected &&
          (task.createdAt?.getTime() ?? 0) >= createdAt);
      if (!ours) continue;
      const failure = taskFailure(task);
      if (!failure) continue;
      this.#failedTasks.push(failure);
      this.#record({
        at: task.stoppedAt ?? new Date(this.#clock.now()),
        kind: 'task-stopped',
        message: failure.summary,
      });
    }
    const count = Math.max(this.#failedTasks.length, watched.failedTasks ?? 0);
    if (count >= this.#threshold) {
      const first = this.#failedTasks[0];
      return {
        status: 'failed',
        reason: first
          ? `${count} task${count === 1 ? '' : 's'} of the deployment failed; ${first.summary}`
          : `${count} task${count === 1 ? '' : 's'} of the deployment failed to start (ECS failedTasks)`,
      };
    }
    return undefined;
  }

  #transient(error: unknown): boolean {
    if (!(error instanceof EcsRollbackError) || !error.retryable) return false;
    this.#record({
      at: new Date(this.#clock.now()),
      kind: 'poll-error',
      message: `${error.message}; polling again`,
    });
    this.#lastState = `last poll failed: ${error.message}`;
    return true;
  }

  #progress(state: string): void {
    if (state === this.#lastProgress) return;
    this.#lastProgress = state;
    this.#record({ at: new Date(this.#clock.now()), kind: 'progress', message: state });
  }

  #record(event: WatchEvent): void {
    this.#events.push(event);
    this.#options.onEvent?.(event);
  }

  async #diagnose(verdict: Verdict): Promise<FailureDiagnosis | undefined> {
    if (verdict.status === 'succeeded') return undefined;
    const task = this.#failedTasks[0];
    let diagnosis: FailureDiagnosis = task
      ? classifyFailure({
          ...(task.stoppedReason ? { message: task.stoppedReason } : {}),
          ...(task.stopCode ? { stopCode: task.stopCode } : {}),
          containers: task.containers,
        })
      : classifyFailure({ message: verdict.reason });
    if (verdict.status === 'timeout' && !task && diagnosis.cause === 'unknown') {
      diagnosis = { ...diagnosis, cause: 'timeout', remedy: remedyFor('timeout') };
    }
    if (diagnosis.cause === 'elb-health-check') {
      const remedy = await healthCheckRemedy(diagnosis.evidence, this.#lastService, this.#options);
      if (remedy) diagnosis = { ...diagnosis, remedy };
    }
    return diagnosis;
  }

  async #result(verdict: Verdict): Promise<WatchResult> {
    const diagnosis = await this.#diagnose(verdict);
    return {
      status: verdict.status,
      reason: verdict.reason,
      events: this.#events,
      taskDefinitionArn: this.#expected ?? '',
      ...(this.#deploymentId ? { deploymentId: this.#deploymentId } : {}),
      ...(verdict.rolledBackTo ? { rolledBackTo: verdict.rolledBackTo } : {}),
      ...(diagnosis ? { cause: diagnosis.cause, remedy: diagnosis.remedy } : {}),
      failedTasks: this.#failedTasks,
      elapsedMs: this.#clock.now() - this.#start,
      polls: this.#polls,
    };
  }
}

function describeDeployment(d: Deployment): string {
  return `deployment ${d.id ?? '?'} of ${shortTaskDefinition(d.taskDefinition ?? '?')} is ${d.rolloutState ?? d.status ?? '?'}: ${d.runningCount ?? 0}/${d.desiredCount ?? 0} running, ${d.pendingCount ?? 0} pending, ${d.failedTasks ?? 0} failed`;
}
