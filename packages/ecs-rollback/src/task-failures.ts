import type { Task } from '@aws-sdk/client-ecs';
import { shortTaskDefinition } from './task-definitions.ts';

/** A task of the watched deployment that stopped, and why. */
export interface StoppedTask {
  taskArn: string;
  taskDefinitionArn?: string;
  stoppedAt?: Date;
  /** ECS's stop code, e.g. `TaskFailedToStart`, `EssentialContainerExited`. */
  stopCode?: string;
  /** ECS's `stoppedReason`, e.g. `Task failed ELB health checks in (target-group ...)`. */
  stoppedReason?: string;
  /** Containers that exited non-zero or failed, with their exit code and reason. */
  containers: { name: string; exitCode?: number; reason?: string }[];
  /** One line: what happened to the task. */
  summary: string;
}

// Stops that say nothing about the new version: people, Spot, host retirement, and the
// scheduler draining tasks during a deployment or scale-in.
const NOT_A_FAILURE = new Set(['UserInitiated', 'SpotInterruption', 'TerminationNotice']);
const FAILURE_REASON =
  /health ?check|unhealthy|CannotPull|CannotStart|CannotCreate|ResourceInitializationError|OutOfMemory|OOM|failed|error|exited/i;

/**
 * Reads a stopped task: a {@link StoppedTask} when it stopped because the version is bad
 * (failed to start, an essential container exited, failed health checks), else undefined.
 */
export function taskFailure(task: Task): StoppedTask | undefined {
  const code = task.stopCode;
  if (code && NOT_A_FAILURE.has(code)) return undefined;
  const reason = task.stoppedReason ?? '';
  const containers = (task.containers ?? [])
    .filter((c) => (c.exitCode !== undefined && c.exitCode !== 0) || (c.reason && c.reason !== ''))
    .map((c) => ({
      name: c.name ?? '?',
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(c.reason ? { reason: c.reason } : {}),
    }));
  const failed =
    code === 'TaskFailedToStart' ||
    code === 'EssentialContainerExited' ||
    containers.length > 0 ||
    FAILURE_REASON.test(reason);
  if (!failed) return undefined;
  const id = (task.taskArn ?? '').slice((task.taskArn ?? '').lastIndexOf('/') + 1);
  const td = task.taskDefinitionArn ? ` (${shortTaskDefinition(task.taskDefinitionArn)})` : '';
  const details = containers
    .map(
      (c) =>
        `${c.name}: ${c.exitCode !== undefined ? `exit code ${c.exitCode}` : ''}${c.exitCode !== undefined && c.reason ? ', ' : ''}${c.reason ?? ''}`,
    )
    .join('; ');
  const summary = `task ${id}${td} stopped: ${reason || code || 'no reason given'}${details ? ` [${details}]` : ''}`;
  return {
    taskArn: task.taskArn ?? '',
    ...(task.taskDefinitionArn ? { taskDefinitionArn: task.taskDefinitionArn } : {}),
    ...(task.stoppedAt ? { stoppedAt: task.stoppedAt } : {}),
    ...(code ? { stopCode: code } : {}),
    ...(reason ? { stoppedReason: reason } : {}),
    containers,
    summary,
  };
}
