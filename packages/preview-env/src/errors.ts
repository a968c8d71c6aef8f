import { BerthError, type BerthErrorOptions } from '@berth/internal';
import type { HookReport } from './hooks.ts';

/**
 * Stable codes of {@link PreviewEnvError}:
 * - `E_CONFIG`: the configuration (file, flag or environment variable) is invalid; names the key.
 * - `E_NAME`: the environment name cannot be turned into a DNS label.
 * - `E_INPUT`: another input is invalid (image, `--env`, options).
 * - `E_REFERENCE`: the reference service cannot be copied (missing, not behind a load balancer...).
 * - `E_CONFLICT`: a resource with the environment's name exists but is not this environment's.
 * - `E_CAPACITY`: the shared load balancer has no room for another environment.
 * - `E_DRAINING`: a service of the same name is still draining after the wait.
 * - `E_AWS`: an AWS call failed; the message names the step and the resource.
 * - `E_ROLLBACK`: a failed create could not remove everything it created.
 * - `E_WAIT_TIMEOUT`: `wait` gave up before the service was stable and its targets healthy.
 * - `E_DEPLOYMENT_FAILED`: the deployment failed or was rolled back while waiting.
 * - `E_NOT_FOUND`: `sleep` or `wake` of an environment that does not exist (or has no listener rule).
 * - `E_HOOK_FAILED`: a hook's task failed (exit code not 0), timed out or could not start.
 */
export type PreviewEnvErrorCode =
  | 'E_CONFIG'
  | 'E_NAME'
  | 'E_INPUT'
  | 'E_REFERENCE'
  | 'E_CONFLICT'
  | 'E_CAPACITY'
  | 'E_DRAINING'
  | 'E_AWS'
  | 'E_ROLLBACK'
  | 'E_WAIT_TIMEOUT'
  | 'E_DEPLOYMENT_FAILED'
  | 'E_NOT_FOUND'
  | 'E_HOOK_FAILED';

/** Extra context some errors carry. */
export interface PreviewEnvErrorDetails {
  /** The create/delete step that failed, e.g. `create listener rule`. */
  step?: string;
  /** The resource the step worked on (name or ARN). */
  resource?: string;
  /** The AWS error code behind an `E_AWS` error. */
  awsCode?: string;
  /** Resources a failed rollback left behind (`E_ROLLBACK`). */
  leftovers?: string[];
  /** Environments idle longest, oldest first (`E_CAPACITY`). */
  idleEnvironments?: { name: string; idleMs: number }[];
  /** The failed hook: exit code, stopped reason, last log lines (`E_HOOK_FAILED`). */
  hook?: HookReport;
}

/** The one error class of `@berth/preview-env`; match on `code`. */
export class PreviewEnvError extends BerthError<PreviewEnvErrorCode> {
  override readonly name = 'PreviewEnvError';
  /** Step that failed, when the error comes from an AWS call. */
  readonly step: string | undefined;
  /** Resource the failing step worked on. */
  readonly resource: string | undefined;
  /** AWS error code behind the failure. */
  readonly awsCode: string | undefined;
  /** What a failed rollback left behind (remove with `preview-env delete <name>`). */
  readonly leftovers: string[];
  /** For `E_CAPACITY`: the environments idle longest. */
  readonly idleEnvironments: { name: string; idleMs: number }[];
  /** For `E_HOOK_FAILED`: how the hook ended. */
  readonly hook: HookReport | undefined;

  constructor(
    code: PreviewEnvErrorCode,
    message: string,
    options: BerthErrorOptions & PreviewEnvErrorDetails = {},
  ) {
    const usage = code === 'E_CONFIG' || code === 'E_NAME' || code === 'E_INPUT';
    super(code, message, { exitCode: usage ? 2 : 1, ...options });
    this.step = options.step;
    this.resource = options.resource;
    this.awsCode = options.awsCode;
    this.leftovers = options.leftovers ?? [];
    this.idleEnvironments = options.idleEnvironments ?? [];
    this.hook = options.hook;
  }

  /** JSON form for `--json` output (never the cause). */
  override toJSON(): ReturnType<BerthError<PreviewEnvErrorCode>['toJSON']> &
    PreviewEnvErrorDetails {
    return {
      ...super.toJSON(),
      ...(this.step ? { step: this.step } : {}),
      ...(this.resource ? { resource: this.resource } : {}),
      ...(this.awsCode ? { awsCode: this.awsCode } : {}),
      ...(this.leftovers.length ? { leftovers: this.leftovers } : {}),
      ...(this.idleEnvironments.length ? { idleEnvironments: this.idleEnvironments } : {}),
      ...(this.hook ? { hook: this.hook } : {}),
    };
  }
}
