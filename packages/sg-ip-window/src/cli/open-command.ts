import { defineCommand } from '@berth/internal';
import { openWindow, type Window } from '../open-window.ts';
import { stopSignal } from '../signal-guard.ts';
import { interruptedOpen, logOpened, windowJson } from './report.ts';
import { windowFromValues, windowOptions } from './window-options.ts';

/** `sg-ip-window open`: open and print the rule ids; closing is up to the caller. */
export const openCommand = defineCommand({
  name: 'open',
  summary:
    'Open the window and print its rule ids (close it later with close, or let sweep remove it)',
  usage:
    'open --group <sg-id>[,<sg-id>...] --port <n|a-b> [--protocol tcp|udp] [--ip auto|<address>] [--ttl 1h] [--json]',
  description: `Prints one rule id per line (with --json: the address, owner, expiry and rules).
Close with: sg-ip-window close --group <sg-id> --rule-id <sgr-id>... (same --owner, if given).
If a signal arrives while opening, the rules opened so far are closed again (exit 128+n).`,
  options: windowOptions,
  json: true,
  async run({ values, io, log, json, print, printJson, signal, clock }) {
    const stop = stopSignal(signal);
    try {
      let window: Window;
      try {
        window = await openWindow(windowFromValues(values, io.env, stop.signal, clock));
      } catch (error) {
        return interruptedOpen(log, error, stop);
      }
      if (stop.received) {
        log.warn(`received ${stop.received} while opening: closing again`);
        await window.close();
        return stop.exitCode();
      }
      logOpened(log, window);
      if (json) printJson(windowJson(window));
      else for (const id of window.ruleIds) print(id);
      return 0;
    } finally {
      stop.release();
    }
  },
});
