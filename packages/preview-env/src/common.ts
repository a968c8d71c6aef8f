import type { AwsClientOptions, Clock } from '@berth/internal';
import type { PreviewEnvClients } from './clients.ts';
import {
  loadConfig,
  type PreviewEnvConfig,
  type PreviewEnvConfigInput,
  resolveConfig,
} from './config.ts';
import type { ProgressLogger } from './steps.ts';

/** Options every operation accepts. */
export interface OperationOptions {
  /** The configuration; default: {@link loadConfig} (file `preview-env.yml` and `PREVIEW_ENV_*`). */
  config?: PreviewEnvConfig | PreviewEnvConfigInput;
  /** Keys that win over `config`. */
  overrides?: PreviewEnvConfigInput;
  /** Injected AWS clients (tests, custom credentials). */
  clients?: PreviewEnvClients;
  /** Options for the clients this call creates (credentials, endpoint, attempts). */
  aws?: AwsClientOptions;
  /** Time source and sleep (polling, retries, timestamps); default the system clock. */
  clock?: Clock;
  /** Progress messages (the CLI prints them on stderr). */
  logger?: ProgressLogger;
}

/** The configuration of an operation: given, or loaded from the file and the environment. */
export function configOf(
  options: Pick<OperationOptions, 'config' | 'overrides'>,
): PreviewEnvConfig {
  if (options.config) return resolveConfig(options.config, options.overrides);
  return loadConfig(options.overrides ? { overrides: options.overrides } : {});
}
