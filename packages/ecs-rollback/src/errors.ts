import { BerthError, type BerthErrorOptions } from '@berth/internal';

/**
 * Stable codes of {@link EcsRollbackError}.
 *
 * - `E_INPUT`: an option is malformed (exit 2).
 * - `E_CLUSTER_NOT_FOUND`, `E_SERVICE_NOT_FOUND`: the cluster or service does not exist (exit 2).
 * - `E_CONTAINER`: the container is unknown, or several containers make `--container` necessary (exit 2).
 * - `E_NO_PREVIOUS`: no earlier version to roll back to (exit 3).
 * - `E_TAG_NOT_FOUND`: no ACTIVE revision runs the tag or digest; the message lists those that do exist (exit 3).
 * - `E_TARGET_NOT_FOUND`: the revision or task definition ARN does not exist (exit 3).
 * - `E_TARGET_INACTIVE`: the target revision is INACTIVE (deregistered) and `register` is off (exit 3).
 * - `E_ALREADY_CURRENT`: the service already runs the target (exit 3).
 * - `E_IMAGE_MISSING`: an image of the target is gone from its ECR repository; the message names
 *   revisions whose images exist (exit 3).
 * - `E_PLAN_STALE`: the service changed between planning and acting (exit 1).
 * - `E_AWS`: an AWS call failed (exit 1; `retryable` for throttling and 5xx).
 */
export type EcsRollbackErrorCode =
  | 'E_INPUT'
  | 'E_CLUSTER_NOT_FOUND'
  | 'E_SERVICE_NOT_FOUND'
  | 'E_CONTAINER'
  | 'E_NO_PREVIOUS'
  | 'E_TAG_NOT_FOUND'
  | 'E_TARGET_NOT_FOUND'
  | 'E_TARGET_INACTIVE'
  | 'E_ALREADY_CURRENT'
  | 'E_IMAGE_MISSING'
  | 'E_PLAN_STALE'
  | 'E_AWS';

const EXIT_CODES: Record<EcsRollbackErrorCode, number> = {
  E_INPUT: 2,
  E_CLUSTER_NOT_FOUND: 2,
  E_SERVICE_NOT_FOUND: 2,
  E_CONTAINER: 2,
  E_NO_PREVIOUS: 3,
  E_TAG_NOT_FOUND: 3,
  E_TARGET_NOT_FOUND: 3,
  E_TARGET_INACTIVE: 3,
  E_ALREADY_CURRENT: 3,
  E_IMAGE_MISSING: 3,
  E_PLAN_STALE: 1,
  E_AWS: 1,
};

/**
 * The one error class of `@berth/ecs-rollback`. Match on `code`; `exitCode` is what the CLI
 * exits with (2 bad input, 3 nothing to roll back to, 1 anything else).
 *
 * @example
 * ```ts
 * try {
 *   await planRollback({ cluster: 'prod', service: 'web', to: 'v1.4.2' });
 * } catch (error) {
 *   if (error instanceof EcsRollbackError && error.code === 'E_TAG_NOT_FOUND') {
 *     console.error(error.message); // lists the tags that do exist
 *   }
 * }
 * ```
 */
export class EcsRollbackError extends BerthError<EcsRollbackErrorCode> {
  override readonly name = 'EcsRollbackError';
  constructor(
    code: EcsRollbackErrorCode,
    message: string,
    options: Omit<BerthErrorOptions, 'exitCode'> = {},
  ) {
    super(code, message, { ...options, exitCode: EXIT_CODES[code] });
  }
}
