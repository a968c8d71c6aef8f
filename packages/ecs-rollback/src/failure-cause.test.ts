import { describe, expect, it } from 'vitest';
import { classifyFailure, type FailureCause } from './failure-cause.ts';

// Stopped reasons and service event messages as the AWS documentation's troubleshooting pages
// print them (placeholders as the pages have them), with the page each comes from.
const DOCS = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide';
const documented: [string, FailureCause, string][] = [
  [
    'CannotPullContainerError: API error (500): Get https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/: net/http: request canceled while waiting for connection"',
    'registry-unreachable',
    `${DOCS}/task_cannot_pull_image.html`,
  ],
  [
    'CannotPullContainerError: API error (404): repository 111122223333.dkr.ecr.us-east-1.amazonaws.com/<repo>/<image> not found',
    'image-not-found',
    `${DOCS}/task_cannot_pull_image.html`,
  ],
  [
    'CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob111111111: no space left on device',
    'host-disk-full',
    `${DOCS}/task_cannot_pull_image.html`,
  ],
  [
    'ERROR: toomanyrequests: Too Many Requests.',
    'registry-rate-limited',
    `${DOCS}/task_cannot_pull_image.html`,
  ],
  [
    'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limits.',
    'registry-rate-limited',
    `${DOCS}/task_cannot_pull_image.html`,
  ],
  [
    'CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReaderSeeker: failed open: unexpected status code',
    'image-access-denied',
    `${DOCS}/task_cannot_pull_image.html`,
  ],
  [
    'CannotCreateContainerError: API error (500): devmapper: Thin Pool has 4350 free data blocks which is less than minimum required 4454 free data blocks. Create more free space in thin pool or use dm.min_free_space option to change behavior ',
    'host-disk-full',
    `${DOCS}/CannotCreateContainerError.html`,
  ],
  [
    'Task failed ELB health checks in (elb elb-name)',
    'elb-health-check',
    `${DOCS}/stopped-task-errors.html`,
  ],
  ['Essential container in task exited', 'container-exited', `${DOCS}/stopped-task-errors.html`],
  [
    'OutOfMemoryError: Container killed due to memory usage',
    'out-of-memory',
    `${DOCS}/out-of-memory.html`,
  ],
  [
    'service (service-name) was unable to place a task because no container instance met all of its requirements.',
    'no-capacity',
    `${DOCS}/service-event-messages.html`,
  ],
  [
    'service (service-name) was unable to place a task because no container instance met all of its requirements. The closest matching container-instance container-instance-id has insufficient CPU units available.',
    'no-capacity',
    `${DOCS}/service-event-messages.html`,
  ],
  [
    'service (service-name) was unable to place a task because no container instance met all of its requirements. The closest matching container-instance container-instance-id encountered error "AGENT".',
    'no-capacity',
    `${DOCS}/service-event-messages.html`,
  ],
  [
    'The closest matching container-instance is already using a port required by your task.',
    'no-capacity',
    `${DOCS}/service-event-messages.html`,
  ],
  [
    'service (service-name) (instance instance-id) is unhealthy in (elb elb-name) due to (reason Instance has failed at least the UnhealthyThreshold number of health checks consecutively.)',
    'elb-health-check',
    `${DOCS}/service-event-messages.html`,
  ],
  [
    '(service service-name) (task task-id) (port port-number) is unhealthy in (target-group target-group-name) due to (reason failure-reason)',
    'elb-health-check',
    `${DOCS}/service-unhealthy-event-messages.html`,
  ],
  [
    'service (service-name) is unable to consistently start tasks successfully.',
    'tasks-failed-to-start',
    `${DOCS}/service-event-messages.html`,
  ],
  [
    "service (service-name) was unable to place a task. Reason: You've reached the limit on the number of tasks you can run concurrently",
    'quota-exceeded',
    `${DOCS}/service-event-messages.html`,
  ],
  [
    'service (service-name) was unable to place a task. Reason: The requested CPU configuration is above your limit.',
    'quota-exceeded',
    `${DOCS}/service-event-messages.html`,
  ],
  [
    'service (service-name) was unable to place a task. Reason: You’ve reached the limit on the number of vCPUs you can run concurrently',
    'quota-exceeded',
    `${DOCS}/service-event-messages.html`,
  ],
  [
    'service (service-name) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.',
    'deployment-configuration',
    `${DOCS}/service-event-messages.html`,
  ],
];

// Full messages as users reported them from real tasks (the documentation abbreviates these).
const field: [string, FailureCause][] = [
  [
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:111122223333:secret:app/dev/database-url-LB1bMG from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    'secrets-unreadable',
  ],
  [
    'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post "https://api.ecr.eu-west-1.amazonaws.com/": dial tcp 63.34.62.189:443: i/o timeout. Please check your task network configuration.',
    'registry-unreachable',
  ],
  [
    'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.',
    'logging-setup-failed',
  ],
  [
    'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. status code: 400',
    'logging-setup-failed',
  ],
  [
    'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/tryretool/backend:2.110.5: failed to do request: Head "https://registry-1.docker.io/v2/tryretool/backend/manifests/2.110.5": dial tcp 34.205.13.154:443: i/o timeout',
    'registry-unreachable',
  ],
  [
    'CannotPullContainerError: API error (404): manifest for 687531504312.dkr.ecr.us-east-1.amazonaws.com/ichain/core:it_test not found',
    'image-not-found',
  ],
  ['Task failed container health checks', 'container-health-check'],
];

describe('classifyFailure', () => {
  it('has at least 15 distinct documented messages', () => {
    expect(new Set(documented.map(([m]) => m)).size).toBeGreaterThanOrEqual(15);
  });

  it.each(documented)('%s', (message, cause) => {
    const d = classifyFailure({ message });
    expect(d.cause).toBe(cause);
    expect(d.remedy).not.toBe('');
    expect(d.remedy).not.toContain('\n');
    expect(d.evidence).toBe(message);
  });

  it.each(field)('%s', (message, cause) => {
    expect(classifyFailure({ message }).cause).toBe(cause);
  });

  it('reads exit codes and container reasons of a stopped task', () => {
    const oom = classifyFailure({
      message: 'Essential container in task exited',
      stopCode: 'EssentialContainerExited',
      containers: [
        {
          name: 'web',
          exitCode: 137,
          reason: 'OutOfMemoryError: Container killed due to memory usage',
        },
      ],
    });
    expect(oom.cause).toBe('out-of-memory');

    const crashed = classifyFailure({
      message: 'Essential container in task exited',
      stopCode: 'EssentialContainerExited',
      containers: [{ name: 'web', exitCode: 1 }],
    });
    expect(crashed.cause).toBe('container-exited');
    expect(crashed.remedy).toMatch(/^the essential container web exited with exit code 1 /);

    const killed = classifyFailure({
      stopCode: 'EssentialContainerExited',
      containers: [{ name: 'web', exitCode: 137 }],
    });
    expect(killed.cause).toBe('container-exited');
    expect(killed.remedy).toMatch(
      /exit code 137, SIGKILL\): out of memory if it reached its memory limit/,
    );

    expect(classifyFailure({ stopCode: 'TaskFailedToStart' }).cause).toBe('tasks-failed-to-start');
    expect(classifyFailure({ message: 'something new' }).cause).toBe('unknown');
  });
});
