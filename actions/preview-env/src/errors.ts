import { BerthError, type BerthErrorOptions } from '@berth/internal';

/**
 * Stable codes of {@link PreviewEnvActionError}:
 * - `E_INPUT`: an input of the action is invalid; the message names it.
 * - `E_EVENT`: the triggering event cannot be handled (no pull request to name the
 *   environment after, an event `mode: auto` does not know).
 */
export type PreviewEnvActionErrorCode = 'E_INPUT' | 'E_EVENT';

/** The one error class of the preview-env action; input and event problems, exit code 2. */
export class PreviewEnvActionError extends BerthError<PreviewEnvActionErrorCode> {
  override readonly name = 'PreviewEnvActionError';
  constructor(
    code: PreviewEnvActionErrorCode,
    message: string,
    options: Omit<BerthErrorOptions, 'exitCode'> = {},
  ) {
    super(code, message, { ...options, exitCode: 2 });
  }
}
