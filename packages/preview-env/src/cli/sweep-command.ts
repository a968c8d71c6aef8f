import { defineCommand, formatDuration, parseDurationOption } from '@berth/internal';
import { configOptions, previewsFrom } from './config-options.ts';

/** `preview-env sweep`. */
export const sweepCommand = defineCommand({
  name: 'sweep',
  summary:
    'Delete environments not deployed for longer than --older-than (default: ttl); with --sleep-after, put idle ones to sleep',
  usage:
    'sweep [--older-than 3d] [--sleep-after 12h] [--keep <name>]... [--dry-run] [--config FILE] [--json]',
  description: 'Exit codes: 0 ok, 1 when an environment could not be deleted, 2 usage or config.',
  json: true,
  options: {
    'older-than': {
      type: 'string',
      valueName: '<duration>',
      description: 'Idle time to sweep after (default: ttl)',
    },
    keep: {
      type: 'string',
      multiple: true,
      default: [],
      valueName: '<name>',
      description: 'Environment never swept (repeatable)',
    },
    'dry-run': { type: 'boolean', description: 'Show what would be deleted; change nothing' },
    ...configOptions,
  },
  async run(ctx) {
    const olderThan = ctx.values['older-than'];
    const olderThanMs =
      typeof olderThan === 'string' ? parseDurationOption('--older-than', olderThan) : undefined;
    const previews = previewsFrom(ctx);
    const result = await previews.sweep({
      ...(olderThanMs === undefined ? {} : { olderThanMs }),
      keep: ctx.values.keep as string[],
      dryRun: Boolean(ctx.values['dry-run']),
      signal: ctx.signal,
    });
    if (ctx.json) {
      ctx.printJson({
        ...result,
        failed: result.failed.map((f) => ({
          name: f.name,
          ...(f.action ? { action: f.action } : {}),
          error: f.error.toJSON(),
        })),
      });
    } else {
      const verb = result.dryRun ? 'would sweep' : 'swept';
      for (const s of result.swept)
        ctx.print(`${verb} ${s.name} (idle ${formatDuration(s.idleMs)})`);
      const sleepVerb = result.dryRun ? 'would put to sleep' : 'put to sleep';
      for (const s of result.slept) ctx.print(`${sleepVerb} ${s.name}`);
      for (const f of result.failed) ctx.print(`failed ${f.name}: ${f.error.message}`);
    }
    return result.failed.length ? 1 : 0;
  },
});
