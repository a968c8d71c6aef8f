export { writeFileAtomic } from './atomic-write.ts';
export type {
  AwsClientConfig,
  AwsClientOptions,
  AwsCredentialsInput,
  AwsErrorInfo,
} from './aws.ts';
export { AwsConfigError, awsClientConfig, awsErrorInfo, isAwsError } from './aws.ts';
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
export { formatDuration, parseDuration } from './duration.ts';
export { taskDefinitionSettings } from './ecs-task-definition.ts';
export type { BerthErrorOptions } from './errors.ts';
export { BerthError, isBerthError, UsageError } from './errors.ts';
export { mapLimit } from './map-limit.ts';
export { maskToken } from './mask.ts';
export type { ChildResult, RunChildOptions } from './run-child.ts';
export { FORWARDED_SIGNALS, runChild, signalExitCode } from './run-child.ts';
export { TailBuffer } from './tail-buffer.ts';
