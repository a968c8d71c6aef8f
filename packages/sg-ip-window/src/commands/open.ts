import { defineCommand, signalExitCode } from '@berth/internal';
import { SgIpWindowError } from '../errors.ts';
import { openWindow, type Window } from '../open-window.ts';
import { guardSignals } from '../signal-guard.ts';
import { logOpened, windowJson } from './report.ts';
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
  async run({ values, io, log, json, print, printJson }) {
    const guard = guardSignals();
    try {
      let window: Window;
      try {
        window = await openWindow(windowFromValues(values, io.env, guard.signal));
      } catch (error) {
        if (guard.received) {
          log.error(`interrupted by ${guard.received} before the window was open`);
          if (!(error instanceof SgIpWindowError && error.code === 'E_IP_DETECTION_FAILED')) {
            log.error((error as Error).message);
          }
          return signalExitCode(guard.received);
        }
        throw error;
      }
      if (guard.received) {
        log.warn(`received ${guard.received} while opening: closing again`);
        await window.close();
        return signalExitCode(guard.received);
      }
      logOpened(log, window);
      if (json) printJson(windowJson(window));
      else for (const id of window.ruleIds) print(id);
      return 0;
    } finally {
      guard.release();
    }
  },
});
