export type { HealthchecksApiOptions } from './api-client.ts';
export {
  DEFAULT_API_BUDGET_MS,
  DEFAULT_API_RETRIES,
  DEFAULT_API_TIMEOUT_MS,
  DEFAULT_API_URL,
  HealthchecksApi,
} from './api-client.ts';
export type {
  BadgeUrls,
  Channel,
  Check,
  CheckFields,
  CheckRef,
  CheckSpec,
  DeregisterResult,
  Flip,
  FlipFilter,
  PingRecord,
  RegisterResult,
  RegisterSpec,
  StoredPingBody,
  UniqueField,
  UpsertResult,
} from './api-types.ts';
export type { OutputTail, PingBody } from './body-fit.ts';
export { DEFAULT_BODY_LIMIT, defaultBodyLimit, HOSTED_BODY_LIMIT } from './body-fit.ts';
export type { HeartbeatErrorCode, HeartbeatErrorOptions } from './errors.ts';
export { HeartbeatError } from './errors.ts';
export type { HttpOptions } from './http.ts';
export type { MonitorContext, MonitorOptions } from './monitor.ts';
export { monitor } from './monitor.ts';
export type { PingTargetOptions } from './ping-target.ts';
export { DEFAULT_PING_BASE, maskPingUrl, pingTargetSecrets } from './ping-target.ts';
export type { PingCallOptions, PingerOptions, PingKind, PingResult } from './pinger.ts';
export {
  DEFAULT_PING_BUDGET_MS,
  DEFAULT_PING_RETRIES,
  DEFAULT_PING_TIMEOUT_MS,
  Pinger,
} from './pinger.ts';
export type { RunJobOptions, RunJobResult } from './run-job.ts';
export { runJob, TIMED_OUT_EXIT_CODE } from './run-job.ts';
export type { ChannelSelection, CheckDefinition, HeartbeatFile } from './sync/heartbeat-file.ts';
export { DEFAULT_MANAGED_TAG, parseHeartbeatFile } from './sync/heartbeat-file.ts';
export type {
  FieldChange,
  SyncOptions,
  SyncPlan,
  SyncResult,
  SyncStep,
} from './sync/sync-checks.ts';
export { planSync, syncChecks } from './sync/sync-checks.ts';
