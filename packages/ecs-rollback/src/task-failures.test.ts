import { describe, expect, it } from 'vitest';
import { taskFailure } from './task-failures.ts';

const arn = 'arn:aws:ecs:us-east-1:123456789012:task/prod/0f3c9a';
const td = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';

describe('taskFailure', () => {
  it('reads exit codes and reasons of crashed containers', () => {
    const f = taskFailure({
      taskArn: arn,
      taskDefinitionArn: td,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [
        {
          name: 'web',
          exitCode: 137,
          reason: 'OutOfMemoryError: Container killed due to memory usage',
        },
        { name: 'envoy', exitCode: 0 },
      ],
    });
    expect(f?.summary).toBe(
      'task 0f3c9a (web:7) stopped: Essential container in task exited [web: exit code 137, OutOfMemoryError: Container killed due to memory usage]',
    );
    expect(f?.containers).toEqual([
      {
        name: 'web',
        exitCode: 137,
        reason: 'OutOfMemoryError: Container killed due to memory usage',
      },
    ]);
  });

  it('reads tasks that never started', () => {
    const f = taskFailure({
      taskArn: arn,
      stopCode: 'TaskFailedToStart',
      stoppedReason:
        'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found',
    });
    expect(f?.summary).toMatch(/^task 0f3c9a stopped: CannotPullContainerError/);
  });

  it('ignores stops that say nothing about the version', () => {
    expect(
      taskFailure({
        taskArn: arn,
        stopCode: 'UserInitiated',
        stoppedReason: 'Task stopped by user',
      }),
    ).toBeUndefined();
    expect(
      taskFailure({
        taskArn: arn,
        stopCode: 'SpotInterruption',
        containers: [{ name: 'web', exitCode: 143 }],
      }),
    ).toBeUndefined();
    expect(
      taskFailure({
        taskArn: arn,
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/123)',
        containers: [{ name: 'web', exitCode: 0 }],
      }),
    ).toBeUndefined();
  });

  it('counts failed health checks', () => {
    const f = taskFailure({
      taskArn: arn,
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Task failed container health checks',
    });
    expect(f?.stoppedReason).toBe('Task failed container health checks');
  });
});
