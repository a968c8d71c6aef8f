import { defineCommand, runChild } from '@berth/internal';
import { openWindow, type Window } from '../open-window.ts';
import { stopSignal } from '../signal-guard.ts';
import { processOwner } from '../tags.ts';
import { interruptedOpen, logClosed, logOpened } from './report.ts';
import { windowFromValues, windowOptions } from './window-options.ts';

/** `sg-ip-window exec`: open, run the command, always close. */
export const execCommand = defineCommand({
  name: 'exec',
  summary: 'Open the window, run a command inside it, close it when the command ends',
  usage:
    'exec --group <sg-id>[,<sg-id>...] --port <n|a-b> [--protocol tcp|udp] [--ip auto|<address>] [--ttl 1h] -- <command> [args...]',
  description: `SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded to the command; the window is
closed after the command ends, whatever ended it. A signal while the window is being opened
(also during a call to AWS that hangs) stops the opening and closes what was opened.
Every AWS call has a time limit (BERTH_AWS_TIMEOUT, default 30s an attempt).

Exit codes: the command's own; 128+n when it was killed by signal n (or when signal n
arrived before it started); 127 command not found; 1 when the window could not be opened,
or the command succeeded but the window could not be closed; 2 usage error.`,
  options: windowOptions,
  passThrough: true,
  async run({ values, rest, io, log, signal, clock }) {
    const stop = stopSignal(signal);
    try {
      const options = windowFromValues(values, io.env, stop.signal, clock);
      // exec closes its own window: a holder of its own, so a concurrent exec or action step
      // behind the same address (same default owner) keeps the rule when this one closes.
      options.owner ??= processOwner(io.env);
      let window: Window;
      try {
        window = await openWindow(options);
      } catch (error) {
        return interruptedOpen(log, error, stop);
      }
      logOpened(log, window);
      let exitCode: number;
      if (stop.received) {
        log.warn(`received ${stop.received} while opening: not running the command`);
        exitCode = stop.exitCode();
      } else {
        const [command, ...args] = rest as [string, ...string[]];
        const result = await runChild(command, args, { env: io.env });
        if (result.spawnError) log.error(`could not run ${command}: ${result.spawnError.message}`);
        exitCode = result.exitCode;
      }
      try {
        logClosed(log, await window.close());
      } catch (error) {
        log.error((error as Error).message);
        return exitCode === 0 ? 1 : exitCode;
      }
      return exitCode;
    } finally {
      stop.release();
    }
  },
});
