export type { EcsRollbackErrorCode } from './errors.ts';
export { EcsRollbackError } from './errors.ts';
export type { FailureCause, FailureDiagnosis, FailureEvidence } from './failure-cause.ts';
export { classifyFailure } from './failure-cause.ts';
export type { HistoryOptions } from './history.ts';
export { history } from './history.ts';
export type { ImageReference } from './image.ts';
export { parseImage } from './image.ts';
export type { ImageCheck, ImageState } from './image-check.ts';
export type { RollbackMethod } from './native-rollback.ts';
export type { PlannedVersion, PlanRollbackOptions, PlanSource, RollbackPlan } from './plan.ts';
export { planRollback } from './plan.ts';
export type { RollbackOptions, RollbackResult, RollbackStatus } from './rollback.ts';
export { rollback } from './rollback.ts';
export type { RollbackTo } from './target.ts';
export { parseRollbackTo } from './target.ts';
export type { StoppedTask } from './task-failures.ts';
export type {
  ContainerImageInfo,
  DeploymentOutcome,
  EcsRollbackOptions,
  HistorySource,
  ServiceHistory,
  ServiceRef,
  ServiceVersion,
  TaskDefinitionVersion,
} from './types.ts';
export type { WatchDeploymentOptions, WatchEvent, WatchResult, WatchStatus } from './watch.ts';
export { watchDeployment } from './watch.ts';
