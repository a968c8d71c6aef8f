export { writeFileAtomic } from './atomic-write.ts';
export type {
  AwsClientConfig,
  AwsClientOptions,
  AwsCredentialsInput,
  AwsErrorInfo,
  AwsRequestHandlerOptions,
} from './aws.ts';
export {
  AwsConfigError,
  awsClientConfig,
  awsErrorInfo,
  awsTimeoutMs,
  DEFAULT_AWS_TIMEOUT_MS,
  isAwsError,
} from './aws.ts';
export type {
  AwsClientConstructor,
  ClientsOf,
  DestroyableClient,
  WithClientsOptions,
} from './aws-clients.ts';
export { abortable, withClients } from './aws-clients.ts';
export type { AwsFailure, AwsFailureContext } from './aws-failure.ts';
export { awsFailure, isLostResponse } from './aws-failure.ts';
export { chunk } from './chunk.ts';
export type {
  CliIo,
  CommandContext,
  CommandSpec,
  Logger,
  OptionSpec,
  OptionSpecs,
  OptionValues,
  ProgramSpec,
} from './cli.ts';
export {
  colorEnabled,
  createLogger,
  defineCommand,
  main,
  runProgram,
} from './cli.ts';
export type { BackoffOptions, Clock } from './clock.ts';
export { backoffDelay, systemClock } from './clock.ts';
export type { DurationBounds } from './duration.ts';
export { formatDuration, parseDuration, parseDurationOption } from './duration.ts';
export { taskDefinitionSettings } from './ecs-task-definition.ts';
export type { BerthErrorOptions } from './errors.ts';
export { BerthError, InterruptedError, isBerthError, UsageError } from './errors.ts';
export { parseIntegerOption } from './integer-option.ts';
export { mapLimit } from './map-limit.ts';
export { maskToken } from './mask.ts';
export type { Page } from './paginate.ts';
export { collectAll, paginate } from './paginate.ts';
export type { ErrorJson, RenderErrorOptions } from './render-error.ts';
export { errorJson, renderError } from './render-error.ts';
export type { ChildResult, RunChildOptions } from './run-child.ts';
export { FORWARDED_SIGNALS, runChild, signalExitCode } from './run-child.ts';
export { quoteInput, safeJson, safeLine } from './safe-text.ts';
export { TailBuffer } from './tail-buffer.ts';
