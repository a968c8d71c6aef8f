import { defineCommand } from '@berth/internal';
import { configOptions, previewsFrom } from './config-options.ts';

/** `preview-env delete <name>`. */
export const deleteCommand = defineCommand({
  name: 'delete',
  summary: 'Delete environment <name>: service, rule, target group, DNS record, task definitions',
  usage: 'delete <name> [--config FILE] [--json]',
  description: `Idempotent: missing pieces are fine. A failing predelete hook is reported and the delete
goes on. Exit codes: 0 ok, 1 AWS failure, 2 usage or config, 128+n interrupted by a signal.`,
  positionals: { min: 1, max: 1, names: '<name>' },
  json: true,
  options: { ...configOptions },
  async run(ctx) {
    const previews = previewsFrom(ctx);
    const result = await previews.delete(ctx.positionals[0] as string, { signal: ctx.signal });
    if (ctx.json) ctx.printJson(result);
    else ctx.print(result.deleted ? `deleted ${result.name}` : `${result.name}: nothing to delete`);
    return 0;
  },
});
