import { defineCommand } from '@berth/internal';
import { configOptions, previewsFrom } from './config-options.ts';

/** `preview-env sleep <name>`. */
export const sleepCommand = defineCommand({
  name: 'sleep',
  summary: 'Put environment <name> to sleep: no tasks, its URL answers an "asleep" page (503)',
  usage: 'sleep <name> [--config FILE] [--json]',
  description: `Scales the service to 0 and makes the listener rule answer a small HTML page saying the
preview is asleep and how to wake it. What wake restores is kept in tags. Idempotent.
Exit codes: 0 ok, 1 AWS failure or no such environment (E_NOT_FOUND), 2 usage or config.`,
  positionals: { min: 1, max: 1, names: '<name>' },
  json: true,
  options: { ...configOptions },
  async run(ctx) {
    const previews = previewsFrom(ctx);
    const result = await previews.sleep(ctx.positionals[0] as string, { signal: ctx.signal });
    if (ctx.json) ctx.printJson(result);
    else
      ctx.print(result.changed ? `${result.name} is asleep` : `${result.name} was asleep already`);
    return 0;
  },
});
