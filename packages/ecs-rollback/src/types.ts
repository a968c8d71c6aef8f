import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClientOptions, Clock } from '@berth/internal';
import type { ImageCheck } from './image-check.ts';

/** Options every function of this package accepts: AWS settings, injected clients and clock. */
export interface EcsRollbackOptions extends Omit<AwsClientOptions, 'timeoutMs'> {
  /**
   * Timeout of each AWS request attempt, in ms (default `BERTH_AWS_TIMEOUT`, else 30 s); the
   * total per call is bounded by the attempts. (`timeoutMs` of `rollback` and
   * `watchDeployment` is how long to wait for a deployment.)
   */
  awsTimeoutMs?: number;
  /**
   * Stops the work: AWS calls in flight are aborted and waits end (the promise rejects with
   * the signal's reason). Cleanup that must happen (deregistering a revision registered for
   * an update that was not applied) still runs, without the signal.
   */
  signal?: AbortSignal;
  /**
   * Injected SDK clients (tests, custom middleware); they are built from the options otherwise.
   * An injected `ecr` client is used for images of every region; `elbv2` reads the target
   * group's health check when tasks fail it.
   */
  clients?: { ecs?: ECSClient; ecr?: ECRClient; elbv2?: ElasticLoadBalancingV2Client };
  /** Time source and sleep (default the system clock); inject one to test polling. */
  clock?: Clock;
}

/** Where a service is: its cluster and name (or ARN). */
export interface ServiceRef {
  /** Cluster name or ARN. */
  cluster: string;
  /** Service name or ARN. */
  service: string;
}

/** One container's image in a task definition revision. */
export interface ContainerImageInfo {
  /** Container name. */
  container: string;
  /** The image as the task definition names it. */
  image: string;
  /** Image without tag and digest. */
  repository: string;
  /** Tag, when the reference has one. */
  tag?: string;
  /** `sha256:...`: pinned in the reference, or resolved by ECS when it ran the image. */
  digest?: string;
}

/** One task definition revision and the images it runs. */
export interface TaskDefinitionVersion {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  /** `ACTIVE`, `INACTIVE` (deregistered) or `DELETE_IN_PROGRESS`. */
  status: string;
  /** When the revision was registered, when ECS says. */
  registeredAt?: Date;
  containers: ContainerImageInfo[];
}

/**
 * How a deployment of a version ended, where known: from the ECS service deployment history,
 * or from the service's current deployments.
 */
export type DeploymentOutcome = 'succeeded' | 'failed' | 'rolled-back' | 'stopped' | 'in-progress';

/** Where the version history came from. */
export type HistorySource = 'service-deployments' | 'task-definition-family';

/** One version of a service in {@link ServiceHistory}. */
export interface ServiceVersion extends TaskDefinitionVersion {
  /** The latest deployment outcome of this revision on this service, where known. */
  outcome?: DeploymentOutcome;
  /** ECS's reason for that outcome, when it gave one. */
  outcomeReason?: string;
  /** When this revision was last deployed to the service, where known. */
  deployedAt?: Date;
  /** True for the revision the service is set to run. */
  current: boolean;
  /** What ECR said about each image (absent when the check was skipped). */
  imageChecks?: ImageCheck[];
  /** True when an image of this revision is gone from ECR: rolling back to it would fail. */
  imagesGone?: boolean;
}

/** What {@link history} returns. */
export interface ServiceHistory {
  cluster: string;
  service: string;
  serviceArn: string;
  /** The task definition the service is set to run. */
  currentTaskDefinitionArn: string;
  /**
   * `service-deployments` when ECS's service deployment APIs answered and outcomes come from
   * them; `task-definition-family` when only the family's revisions were available.
   */
  source: HistorySource;
  /** Newest first. */
  versions: ServiceVersion[];
  /** Why the deployment APIs were not used, when they were not. */
  note?: string;
}
