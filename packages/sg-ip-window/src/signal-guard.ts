import { FORWARDED_SIGNALS } from '@berth/internal';

/** Catches the signals a shell `trap` would, for as long as a window may be open. */
export interface SignalGuard {
  /** The first signal received, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** Aborts when the first signal arrives (to cut IP detection short). */
  readonly signal: AbortSignal;
  release(): void;
}

/**
 * Installs listeners for SIGINT, SIGTERM, SIGHUP and SIGQUIT so none of them kills the
 * process while a window is being opened, used or closed: the caller closes the window and
 * exits 128+n itself. (While the child runs, `runChild` also forwards them to it.)
 */
export function guardSignals(): SignalGuard {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handlers = FORWARDED_SIGNALS.map((sig) => {
    const handler = () => {
      received ??= sig;
      controller.abort(new Error(`received ${sig}`));
    };
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  return {
    get received() {
      return received;
    },
    signal: controller.signal,
    release() {
      for (const [sig, handler] of handlers) process.off(sig, handler);
    },
  };
}
