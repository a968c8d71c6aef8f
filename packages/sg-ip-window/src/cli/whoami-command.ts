import { defineCommand } from '@berth/internal';
import { detectPublicIp } from '../detect-public-ip.ts';
import { detectFromValues, detectOptions } from './window-options.ts';

/** `sg-ip-window whoami`: the address a window would admit. */
export const whoamiCommand = defineCommand({
  name: 'whoami',
  summary:
    'Print the public IP address this machine would be admitted as, and which source said so',
  usage: 'whoami [--family 4|6] [--ip-source <url>...] [--json]',
  description:
    'Prints "<address> <source>"; with --json also the time taken and the failed sources.',
  options: detectOptions,
  json: true,
  async run({ values, log, json, print, printJson, signal, clock }) {
    const result = await detectPublicIp({ ...detectFromValues(values, signal), clock });
    if (json) {
      printJson(result);
      return 0;
    }
    for (const f of result.failures) log.debug(`${f.source}: ${f.reason}`);
    print(`${result.ip} ${result.source}`);
    return 0;
  },
});
