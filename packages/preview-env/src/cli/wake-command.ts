import { defineCommand } from '@berth/internal';
import { configOptions, previewsFrom } from './config-options.ts';

/** `preview-env wake <name> [--wait]`. */
export const wakeCommand = defineCommand({
  name: 'wake',
  summary: 'Wake environment <name>: its tasks and its listener rule back; prints its URL',
  usage: 'wake <name> [--wait] [--config FILE] [--json]',
  description: `Restores the desired count and the rule's actions exactly as before the sleep (sign-in
included). A create of a sleeping environment wakes it too. Idempotent.
Exit codes: 0 ok, 1 AWS failure, failed --wait or no such environment (E_NOT_FOUND), 2 usage or config.`,
  positionals: { min: 1, max: 1, names: '<name>' },
  json: true,
  options: {
    wait: {
      type: 'boolean',
      description: 'Wait until the service is stable and its targets healthy',
    },
    ...configOptions,
  },
  async run(ctx) {
    const previews = previewsFrom(ctx);
    const result = await previews.wake(ctx.positionals[0] as string, {
      wait: Boolean(ctx.values.wait),
      signal: ctx.signal,
    });
    if (ctx.json) ctx.printJson(result);
    else ctx.print(result.url);
    return 0;
  },
});
