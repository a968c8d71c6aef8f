import { SgIpWindowError } from './errors.ts';
import { type OpenWindowOptions, openWindow, type Window } from './open-window.ts';
import { processOwner } from './tags.ts';

/**
 * Opens a window, runs `fn` inside it, and always closes it, whether `fn` returns or throws.
 * If closing fails, that error is thrown (a rule left open must not go unnoticed), with the
 * error of `fn`, if any, as its `cause`.
 *
 * Without `owner`, the holder is {@link defaultOwner} plus `/pid-<pid>` (and a counter): two
 * `withWindow` calls behind one address, in one process or two on the same host, each hold
 * the shared rule, so the first to finish does not revoke it under the other.
 *
 * @example
 * ```ts
 * await withWindow({ groupIds: ['sg-0123456789abcdef0'], ports: 22 }, async (window) => {
 *   console.log(`port 22 open for ${window.ip}`);
 *   await deployOverSsh();
 * });
 * ```
 */
export async function withWindow<T>(
  options: OpenWindowOptions,
  fn: (window: Window) => Promise<T> | T,
): Promise<T> {
  const window = await openWindow(
    options.owner === undefined ? { ...options, owner: processOwner(options.env) } : options,
  );
  let value: T;
  try {
    value = await fn(window);
  } catch (error) {
    try {
      await window.close();
    } catch (closeError) {
      throw new SgIpWindowError(
        'E_CLOSE_FAILED',
        `${(closeError as Error).message}\n(the callback had failed too: ${(error as Error)?.message ?? String(error)})`,
        { cause: error },
      );
    }
    throw error;
  }
  await window.close();
  return value;
}
