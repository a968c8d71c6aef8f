import { InterruptedError, signalExitCode } from '@berth/internal';

/** What stops a command: the program's signal (SIGINT, SIGTERM, SIGHUP) or SIGQUIT. */
export interface StopSignal {
  /** Aborts on the program's signal or on SIGQUIT. */
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** 128+n for the signal received (1 when none). */
  exitCode(): number;
  release(): void;
}

/**
 * `main()` aborts the command's signal on SIGINT, SIGTERM and SIGHUP. A window must also not
 * be left open by SIGQUIT (which would otherwise end the process at once): it is caught here
 * and stops the command the same way, for as long as a window may be open.
 */
export function stopSignal(programSignal: AbortSignal): StopSignal {
  const quit = new AbortController();
  const onQuit = () => {
    if (!quit.signal.aborted) quit.abort(new InterruptedError('SIGQUIT'));
  };
  process.on('SIGQUIT', onQuit);
  const signal = AbortSignal.any([programSignal, quit.signal]);
  const received = (): NodeJS.Signals | undefined => {
    if (!signal.aborted) return undefined;
    const reason = signal.reason as { signal?: unknown } | undefined;
    return typeof reason?.signal === 'string' ? (reason.signal as NodeJS.Signals) : 'SIGTERM';
  };
  return {
    signal,
    get received() {
      return received();
    },
    exitCode() {
      const sig = received();
      return sig ? signalExitCode(sig) : 1;
    },
    release() {
      process.off('SIGQUIT', onQuit);
    },
  };
}
