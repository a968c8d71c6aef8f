import { type AwsClientOptions, type Clock, systemClock } from '@berth/internal';
import { abortableClients, type PreviewEnvClients, withPreviewClients } from './clients.ts';
import {
  loadConfig,
  type PreviewEnvConfig,
  type PreviewEnvConfigInput,
  resolveConfig,
} from './config.ts';
import type { OperationContext } from './context.ts';
import { type CreateOptions, type CreateResult, createWith } from './create/run.ts';
import { type DeleteResult, deleteWith } from './delete.ts';
import { type EnvironmentSummary, listWith } from './list.ts';
import { type EnvironmentNames, environmentNames } from './names.ts';
import {
  type SleepResult,
  sleepWith,
  type WakeOptions,
  type WakeResult,
  wakeWith,
} from './sleep.ts';
import { type ProgressLogger, silentLogger } from './steps.ts';
import { type SweepOptions, type SweepResult, sweepWith } from './sweep.ts';

/** Options of {@link createPreviewEnv}. */
export interface PreviewEnvOptions {
  /** The configuration; default: {@link loadConfig} (file `preview-env.yml` and `PREVIEW_ENV_*`). */
  config?: PreviewEnvConfig | PreviewEnvConfigInput;
  /** Injected AWS clients (tests, custom credentials); the missing ones are made per call. */
  clients?: PreviewEnvClients;
  /** Options for the clients a call makes (credentials, endpoint, attempts, timeout). */
  aws?: AwsClientOptions;
  /** Time source and sleep (polling, retries, timestamps); default the system clock. */
  clock?: Clock;
  /** Progress messages (the CLI prints them on stderr). */
  logger?: ProgressLogger;
}

/** Options every call accepts. */
export interface CallOptions {
  /** Stops the call's forward work; what it made so far is cleaned up as on a failure. */
  signal?: AbortSignal;
  /** Progress messages of this call (default: the instance's logger). */
  logger?: ProgressLogger;
}

/**
 * Preview environments of one configuration: one shared listener, one cluster, one prefix.
 * Used by the CLI and the GitHub Action alike. Each call makes the AWS clients it needs
 * (unless injected) and releases them when it ends.
 */
export class PreviewEnv {
  /** The validated configuration. */
  readonly config: PreviewEnvConfig;
  readonly #clients: PreviewEnvClients;
  readonly #aws: AwsClientOptions;
  readonly #clock: Clock;
  readonly #logger: ProgressLogger;

  constructor(options: PreviewEnvOptions = {}) {
    this.config = options.config ? resolveConfig(options.config) : loadConfig();
    this.#clients = options.clients ?? {};
    this.#aws = options.aws ?? {};
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
  }

  /**
   * The environment name an input maps to (`123` -> `pr-123`) and every derived resource
   * name (host, URL, service, family, target group). No AWS call.
   */
  names(input: string): EnvironmentNames {
    return environmentNames(input, this.config);
  }

  /**
   * Creates environment `name` (a pull request number or a branch name), or deploys
   * `image` to it when it exists. At most 4 sequential rounds of AWS calls; an unchanged
   * re-create changes nothing (`outcome: 'unchanged'`). On any failure, what this call
   * created is removed (newest first) and the error names the step.
   *
   * @throws PreviewEnvError `E_CONFIG`, `E_NAME`, `E_INPUT`, `E_REFERENCE`, `E_CONFLICT`,
   *   `E_CAPACITY`, `E_DRAINING`, `E_AWS`, `E_ROLLBACK`, `E_WAIT_TIMEOUT`,
   *   `E_DEPLOYMENT_FAILED`.
   */
  create(name: string, options: CreateOptions & CallOptions): Promise<CreateResult> {
    return this.#run(options, (ctx) => createWith(ctx, name, options));
  }

  /**
   * Deletes environment `name`: service, listener rule, target group, DNS record and every
   * task definition revision. Idempotent; pieces not tagged as the environment's are left
   * alone and reported in `skipped`.
   */
  delete(name: string, options: CallOptions = {}): Promise<DeleteResult> {
    return this.#run(options, (ctx) => deleteWith(ctx, name));
  }

  /** The environments of the configuration's prefix, found by their tags. */
  list(options: CallOptions = {}): Promise<EnvironmentSummary[]> {
    return this.#run(options, (ctx) => listWith(ctx));
  }

  /** Deletes environments not deployed for longer than `olderThanMs` (default `ttl`). */
  sweep(options: SweepOptions & CallOptions = {}): Promise<SweepResult> {
    return this.#run(options, (ctx) => sweepWith(ctx, options));
  }

  /**
   * Puts environment `name` to sleep: its service scales to 0 tasks and its listener rule
   * answers a small HTML page (503) saying it is asleep and how to wake it. What `wake` needs
   * is kept in tags. Idempotent (`changed: false` when it was asleep); on a failure what was
   * changed is put back.
   *
   * @throws PreviewEnvError `E_NOT_FOUND`, `E_CONFLICT`, `E_AWS`, `E_ROLLBACK`.
   * @example
   * ```ts
   * await previews.sleep('123'); // pr-123 runs no tasks until woken
   * ```
   */
  sleep(name: string, options: CallOptions = {}): Promise<SleepResult> {
    return this.#run(options, (ctx) => sleepWith(ctx, name));
  }

  /**
   * Wakes environment `name`: restores its desired count and its rule's actions exactly as
   * they were (authenticate actions included); with `wait`, waits until it is stable and
   * healthy. Idempotent (`changed: false` when it was awake).
   *
   * @throws PreviewEnvError `E_NOT_FOUND`, `E_CONFLICT`, `E_AWS`, `E_ROLLBACK`,
   *   `E_WAIT_TIMEOUT`, `E_DEPLOYMENT_FAILED`.
   * @example
   * ```ts
   * const { url } = await previews.wake('123', { wait: true });
   * ```
   */
  wake(name: string, options: WakeOptions & CallOptions = {}): Promise<WakeResult> {
    return this.#run(options, (ctx) => wakeWith(ctx, name, options));
  }

  /** Runs one call with its own context; releases the clients it made, always. */
  #run<T>(call: CallOptions, fn: (ctx: OperationContext) => Promise<T>): Promise<T> {
    return withPreviewClients(this.config, this.#clients, this.#aws, (clients) =>
      fn({
        config: this.config,
        clients: abortableClients(clients, call.signal),
        cleanupClients: clients,
        clock: this.#clock,
        log: call.logger ?? this.#logger,
        signal: call.signal,
      }),
    );
  }
}

/**
 * The preview environments of a configuration.
 *
 * @example
 * ```ts
 * const previews = createPreviewEnv({ config: loadConfig() });
 * const env = await previews.create('123', { image: 'ghcr.io/acme/app:sha-3f2a1c9' });
 * console.log(env.url, env.outcome); // https://pr-123.preview.example.com created
 * for (const e of await previews.list()) console.log(e.name, e.status);
 * await previews.delete('123');
 * ```
 */
export function createPreviewEnv(options: PreviewEnvOptions = {}): PreviewEnv {
  return new PreviewEnv(options);
}
