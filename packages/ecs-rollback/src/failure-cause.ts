/**
 * Why a deployment failed, as a stable code. One of:
 *
 * | cause | what ECS said |
 * |---|---|
 * | `image-not-found` | CannotPullContainerError: the repository, tag or manifest does not exist |
 * | `image-access-denied` | the image pull was refused (401/403, no credentials, no ECR permissions) |
 * | `registry-unreachable` | the registry could not be reached (timeouts, canceled requests) |
 * | `registry-rate-limited` | the registry throttled the pull (Docker Hub `toomanyrequests`) |
 * | `image-pull-failed` | any other CannotPullContainerError |
 * | `host-disk-full` | the container instance ran out of disk (no space left, devmapper thin pool) |
 * | `secrets-unreadable` | ResourceInitializationError: secrets or parameters could not be read |
 * | `logging-setup-failed` | ResourceInitializationError: the log driver could not be set up |
 * | `container-start-failed` | CannotStartContainerError / CannotCreateContainerError |
 * | `out-of-memory` | a container was killed for using more memory than its limit |
 * | `container-exited` | an essential container exited (with its exit code) |
 * | `elb-health-check` | tasks failed the load balancer's health checks |
 * | `container-health-check` | tasks failed the container health check |
 * | `no-capacity` | no container instance (or capacity) could take the task |
 * | `subnet-ip-exhausted` | the subnets have no free IP addresses |
 * | `quota-exceeded` | an account quota (tasks, vCPUs) was reached |
 * | `deployment-configuration` | minimumHealthyPercent / maximumPercent leave no room to deploy |
 * | `tasks-failed-to-start` | ECS reports tasks failing to start without saying why |
 * | `timeout` | no result within the time allowed |
 * | `unknown` | none of the above |
 */
export type FailureCause =
  | 'image-not-found'
  | 'image-access-denied'
  | 'registry-unreachable'
  | 'registry-rate-limited'
  | 'image-pull-failed'
  | 'host-disk-full'
  | 'secrets-unreadable'
  | 'logging-setup-failed'
  | 'container-start-failed'
  | 'out-of-memory'
  | 'container-exited'
  | 'elb-health-check'
  | 'container-health-check'
  | 'no-capacity'
  | 'subnet-ip-exhausted'
  | 'quota-exceeded'
  | 'deployment-configuration'
  | 'tasks-failed-to-start'
  | 'timeout'
  | 'unknown';

/** A failure with its cause and what to do about it. */
export interface FailureDiagnosis {
  cause: FailureCause;
  /** One line: what to do. */
  remedy: string;
  /** The ECS message the cause was read from. */
  evidence: string;
}

/** What {@link classifyFailure} reads: a stopped task, or a service event or rollout reason. */
export interface FailureEvidence {
  /** A stopped task's `stoppedReason`, a service event, or a rollout state reason. */
  message?: string;
  /** A stopped task's stop code (`TaskFailedToStart`, `EssentialContainerExited`, ...). */
  stopCode?: string;
  /** Containers of a stopped task that failed, with exit codes and reasons. */
  containers?: readonly { name: string; exitCode?: number; reason?: string }[];
}

const REMEDIES: Record<Exclude<FailureCause, 'container-exited'>, string> = {
  'image-not-found':
    'the image does not exist (deleted by a lifecycle policy, or never pushed): push it again, or roll back to a revision whose image exists (ecs-rollback history marks the gone ones)',
  'image-access-denied':
    'the pull was refused: give the task execution role ecr:GetAuthorizationToken, ecr:BatchGetImage and ecr:GetDownloadUrlForLayer (and the repository policy the account, for another account), or set repositoryCredentials for a private registry',
  'registry-unreachable':
    'the tasks have no network path to the registry: a public IP in a public subnet, a NAT gateway, or VPC endpoints for ecr.api, ecr.dkr and S3 (and a security group allowing outbound 443)',
  'registry-rate-limited':
    'the registry throttled anonymous pulls: authenticate them (repositoryCredentials) or serve the image from ECR (a pull through cache rule)',
  'image-pull-failed':
    'the image could not be pulled: check the image reference, the execution role and the network path to the registry',
  'host-disk-full':
    'the container instance is out of disk: remove unused images and stopped containers, cap json-file logs (max-size), or use larger volumes',
  'secrets-unreadable':
    'a secret or parameter of the task definition could not be read: the task execution role needs secretsmanager:GetSecretValue / ssm:GetParameters (and kms:Decrypt for a customer key) on each valueFrom, the secret must exist, and the tasks need a network path to Secrets Manager / SSM',
  'logging-setup-failed':
    'the log driver could not start: create the log group (or set awslogs-create-group with logs:CreateLogGroup), allow the execution role logs:CreateLogStream and logs:PutLogEvents, and give the tasks a network path to CloudWatch Logs',
  'container-start-failed':
    'the container runtime could not create or start the container: check the container definition (command, mounts, ulimits, memory) against the message',
  'out-of-memory':
    "a container used more memory than its limit and was killed: raise the container's memory (or the task's) in the task definition, or find the leak",
  'elb-health-check':
    'tasks did not pass the target group health check: make the app answer the health check path with a success code within the timeout, on the container port the target group uses, or raise healthCheckGracePeriodSeconds for a slow start',
  'container-health-check':
    "the container's healthCheck command failed: run it by hand in the image, and give a slow start a longer startPeriod",
  'no-capacity':
    'ECS found no capacity for the task: add container instances or a capacity provider, free the host ports it needs (use dynamic host ports), or lower its cpu and memory',
  'subnet-ip-exhausted':
    "the service's subnets have no free IP addresses: add subnets or use larger ones",
  'quota-exceeded':
    'an account quota was reached: request an increase in Service Quotas, or stop other tasks',
  'deployment-configuration':
    'minimumHealthyPercent and maximumPercent leave ECS no room to replace tasks: lower the minimum or raise the maximum',
  'tasks-failed-to-start':
    'ECS reports tasks failing to start: look at the stopped tasks of the deployment for their stopped reason',
  timeout:
    'the deployment neither succeeded nor failed in time: look at the service events and the stopped tasks; raise --timeout for a service that starts slowly',
  unknown: 'read the stopped reason and the service events in the output',
};

/** The one-line remedy of a cause (container-exited without an exit code). */
export function remedyFor(cause: FailureCause): string {
  return cause === 'container-exited' ? exitedRemedy(undefined, undefined) : REMEDIES[cause];
}

function exitedRemedy(name: string | undefined, code: number | undefined): string {
  const who = name ? `the essential container ${name}` : 'an essential container';
  if (code === 137) {
    return `${who} was killed (exit code 137, SIGKILL): out of memory if it reached its memory limit, otherwise stopped forcibly; read its logs, and raise its memory if it runs close to the limit`;
  }
  if (code === 143) {
    return `${who} was stopped (exit code 143, SIGTERM): something stopped it, or it exits on SIGTERM at start; read its logs`;
  }
  return `${who} exited${code === undefined ? '' : ` with exit code ${code}`} soon after it started: read its logs (a missing setting, a dependency it cannot reach, a bad command)`;
}

const PULL =
  /CannotPullContainer|pull image manifest|ref pull has been retried|toomanyrequests|pull rate limit/i;
const NETWORK =
  /i\/o timeout|timed out|timeout|context canceled|context deadline exceeded|request canceled|dial tcp|connection (?:reset|refused)|send request failed|RequestCanceled|network/i;

/**
 * Reads ECS's words for a failure (a stopped task's reason, stop code and containers, a service
 * event, a rollout reason) into a stable {@link FailureCause} with a one-line remedy.
 *
 * @example
 * ```ts
 * classifyFailure({ message: 'CannotPullContainerError: API error (404): repository 1111.dkr.ecr.us-east-1.amazonaws.com/web not found' });
 * // { cause: 'image-not-found', remedy: 'the image does not exist ...', evidence: '...' }
 * ```
 */
export function classifyFailure(evidence: FailureEvidence): FailureDiagnosis {
  const containers = evidence.containers ?? [];
  const text = [evidence.message ?? '', ...containers.map((c) => c.reason ?? '')]
    .filter(Boolean)
    .join(' | ');
  const out = (cause: FailureCause, remedy = remedyFor(cause)): FailureDiagnosis => ({
    cause,
    remedy,
    evidence: text || evidence.stopCode || '',
  });

  if (
    containers.some((c) => /OutOfMemory|out of memory|\bOOM/i.test(c.reason ?? '')) ||
    /OutOfMemoryError|Container killed due to memory/i.test(text)
  ) {
    return out('out-of-memory');
  }
  if (PULL.test(text)) {
    if (/toomanyrequests|Too Many Requests|pull rate limit/i.test(text))
      return out('registry-rate-limited');
    if (/no space left on device|Thin Pool/i.test(text)) return out('host-disk-full');
    if (/not found|manifest unknown|does not exist|\(404\)|\b404\b/i.test(text))
      return out('image-not-found');
    if (
      /\b40[13]\b|Forbidden|unauthori[sz]ed|denied|no basic auth|failed to copy|unexpected status code/i.test(
        text,
      )
    ) {
      return out('image-access-denied');
    }
    if (NETWORK.test(text)) return out('registry-unreachable');
    return out('image-pull-failed');
  }
  if (/ResourceInitializationError/i.test(text)) {
    if (/logger|log group|log stream|logging driver|CloudWatch/i.test(text))
      return out('logging-setup-failed');
    // "unable to pull secrets or registry auth" prefixes both: what follows says which.
    const detail = text.replace(/unable to pull secrets or registry auth:?/gi, '');
    if (
      /ecr registry auth|GetAuthorizationToken/i.test(detail) &&
      !/asm|secret|ssm|parameter/i.test(detail)
    ) {
      return out(NETWORK.test(detail) ? 'registry-unreachable' : 'image-access-denied');
    }
    return out('secrets-unreadable');
  }
  if (/failed to initialize logging driver|log group does not exist/i.test(text)) {
    return out('logging-setup-failed');
  }
  if (/no space left on device|Thin Pool/i.test(text)) return out('host-disk-full');
  if (/CannotStartContainer|CannotCreateContainer|CannotInspectContainer/i.test(text)) {
    return out('container-start-failed');
  }
  if (/failed ELB health checks|is unhealthy in \((?:target-group|elb)/i.test(text))
    return out('elb-health-check');
  if (/failed container health checks/i.test(text)) return out('container-health-check');
  if (
    /unable to place a task|no container instance met|closest matching container-instance/i.test(
      text,
    )
  ) {
    if (/IP address|free address|InsufficientFreeAddresses/i.test(text))
      return out('subnet-ip-exhausted');
    if (/limit on the number|above your limit|vCPUs you can run|quota/i.test(text))
      return out('quota-exceeded');
    return out('no-capacity');
  }
  if (/InsufficientFreeAddressesInSubnet|no free IP addresses/i.test(text))
    return out('subnet-ip-exhausted');
  if (/minimumHealthyPercent or maximumPercent/i.test(text)) return out('deployment-configuration');
  const exited = containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0);
  if (
    exited ||
    evidence.stopCode === 'EssentialContainerExited' ||
    /Essential container in task exited/i.test(text)
  ) {
    return out('container-exited', exitedRemedy(exited?.name, exited?.exitCode));
  }
  if (
    /unable to consistently start tasks|tasks failed to start|TaskFailedToStart/i.test(text) ||
    evidence.stopCode === 'TaskFailedToStart'
  ) {
    return out('tasks-failed-to-start');
  }
  return out('unknown');
}
