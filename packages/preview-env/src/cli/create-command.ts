import { defineCommand, quoteInput, UsageError } from '@berth/internal';
import { configOptions, previewsFrom } from './config-options.ts';

/** `--env K=V` flags as a map; a key given twice is refused (which one would win?). */
function parseEnvFlags(values: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const item of values) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env ${quoteInput(item)}: expected KEY=VALUE`);
    const key = item.slice(0, eq);
    if (key in env) throw new UsageError(`--env ${quoteInput(key)} given more than once`);
    env[key] = item.slice(eq + 1);
  }
  return env;
}

/** `preview-env create <name> --image <ref>`. */
export const createCommand = defineCommand({
  name: 'create',
  summary: 'Create environment <name>, or deploy a new image to it; prints its URL',
  usage:
    'create <name> --image <ref> [--config FILE] [--env K=V]... [--secrets-from <secret-id>] [--wait] [--json]',
  description: `<name> is a pull request number (123 -> pr-123) or a branch name (made a DNS label).
Idempotent: an unchanged re-create changes nothing. On failure everything this call created
is removed and the error names the step. Exit codes: 0 ok, 1 AWS or hook failure, 2 usage or
config, 128+n interrupted by a signal (after cleaning up).`,
  positionals: { min: 1, max: 1, names: '<name>' },
  json: true,
  options: {
    image: {
      type: 'string',
      required: true,
      valueName: '<ref>',
      description: 'Image of the container: <registry>/<repository>:<tag> or @sha256:<digest>',
    },
    env: {
      type: 'string',
      multiple: true,
      default: [],
      valueName: '<K=V>',
      description: 'Variable for this environment (repeatable)',
    },
    'secrets-from': {
      type: 'string',
      valueName: '<secret-id>',
      description: 'JSON secret whose keys become container secrets (PREVIEW_ENV_SECRETS_FROM)',
    },
    wait: {
      type: 'boolean',
      description: 'Wait until the service is stable and its targets healthy',
    },
    ...configOptions,
  },
  async run(ctx) {
    const image = ctx.values.image as string;
    const env = parseEnvFlags(ctx.values.env as string[]);
    const secrets = ctx.values['secrets-from'];
    const previews = previewsFrom(ctx);
    const result = await previews.create(ctx.positionals[0] as string, {
      image,
      env,
      ...(typeof secrets === 'string' ? { secretsFrom: secrets } : {}),
      wait: Boolean(ctx.values.wait),
      signal: ctx.signal,
    });
    if (ctx.json) ctx.printJson(result);
    else ctx.print(result.url);
    return 0;
  },
});
