import {
  type CommandContext,
  defineCommand,
  formatDuration,
  type OptionSpecs,
  type ProgramSpec,
  parseDuration,
  quoteInput,
  UsageError,
} from '@berth/internal';
import pkg from '../package.json' with { type: 'json' };
import { sleepCommand } from './cli/sleep-command.ts';
import { wakeCommand } from './cli/wake-command.ts';
import { loadConfig, type PreviewEnvConfig, type PreviewEnvConfigInput } from './config.ts';
import { CONFIG_KEYS } from './config-keys.ts';
import { PreviewEnvError } from './errors.ts';
import { createPreviewEnv } from './preview-env.ts';

const PER_ENVIRONMENT = new Set(['env', 'secretsFrom']);

/** `--config` and one flag per configuration key (but the per-environment ones). */
const configOptions: OptionSpecs = {
  config: {
    type: 'string',
    valueName: '<file>',
    description: 'Config file, YAML or JSON (default preview-env.yml; PREVIEW_ENV_CONFIG)',
  },
  ...Object.fromEntries(
    CONFIG_KEYS.filter((k) => !PER_ENVIRONMENT.has(k.key)).map((k) => [
      k.flag,
      {
        type: 'string' as const,
        valueName: k.valueName,
        description: `${k.description} (${k.env})`,
      },
    ]),
  ),
};

// biome-ignore lint/suspicious/noExplicitAny: every command carries its own option types
type AnyContext = CommandContext<any>;

function configFrom(ctx: AnyContext): PreviewEnvConfig {
  const overrides: Record<string, string> = {};
  for (const k of CONFIG_KEYS) {
    const v = ctx.values[k.flag];
    if (typeof v === 'string' && !PER_ENVIRONMENT.has(k.key)) overrides[k.key] = v;
  }
  return loadConfig({
    env: ctx.io.env,
    ...(typeof ctx.values.config === 'string' ? { file: ctx.values.config } : {}),
    overrides: overrides as PreviewEnvConfigInput,
    overridesAre: 'flag',
  });
}

/** Runs a command body; with `--json`, a failure is also printed as `{ "error": ... }` on stdout. */
async function guarded(
  ctx: AnyContext,
  body: () => Promise<number | undefined>,
): Promise<number | undefined> {
  try {
    return await body();
  } catch (error) {
    if (ctx.json && error instanceof PreviewEnvError) ctx.printJson({ error: error.toJSON() });
    throw error;
  }
}

function parseEnvFlags(values: readonly string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const item of values ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env ${quoteInput(item)}: expected KEY=VALUE`);
    const key = item.slice(0, eq);
    if (key in env) throw new UsageError(`--env ${quoteInput(key)} given more than once`);
    env[key] = item.slice(eq + 1);
  }
  return env;
}

function ago(when: Date | undefined, now: number): string {
  if (!when) return '-';
  const t = when.getTime();
  const age = Math.max(0, now - t);
  // Minutes are the useful resolution for environments that live for days.
  return age < 60_000 ? '<1m ago' : `${formatDuration(age - (age % 60_000))} ago`;
}

const create = defineCommand({
  name: 'create',
  summary: 'Create environment <name>, or deploy a new image to it; prints its URL',
  usage:
    'create <name> --image <uri> [--config FILE] [--env K=V]... [--secrets-from <secret-id>] [--wait] [--json]',
  description: `<name> is a pull request number (123 -> pr-123) or a branch name (made a DNS label).
Idempotent: an unchanged re-create changes nothing. On failure everything this call created
is removed and the error names the step. Exit codes: 0 ok, 1 AWS failure, 2 usage or config.`,
  positionals: { min: 1, max: 1, names: '<name>' },
  json: true,
  options: {
    image: { type: 'string', valueName: '<uri>', description: 'Image of the container (required)' },
    env: {
      type: 'string',
      multiple: true,
      valueName: '<K=V>',
      description: 'Variable for this environment',
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
  run: (ctx) =>
    guarded(ctx, async () => {
      const image = ctx.values.image;
      if (typeof image !== 'string' || image === '') throw new UsageError('missing --image <uri>');
      const env = parseEnvFlags(ctx.values.env as string[] | undefined);
      const config = configFrom(ctx);
      const secrets = ctx.values['secrets-from'];
      const previews = createPreviewEnv({ config, logger: ctx.log });
      const result = await previews.create(ctx.positionals[0] as string, {
        image,
        env,
        ...(typeof secrets === 'string' ? { secretsFrom: secrets } : {}),
        wait: Boolean(ctx.values.wait),
      });
      if (ctx.json) ctx.printJson(result);
      else ctx.print(result.url);
      return 0;
    }),
});

const remove = defineCommand({
  name: 'delete',
  summary: 'Delete environment <name>: service, rule, target group, DNS record, task definitions',
  usage: 'delete <name> [--config FILE] [--json]',
  description:
    'Idempotent: missing pieces are fine. Exit codes: 0 ok, 1 AWS failure, 2 usage or config.',
  positionals: { min: 1, max: 1, names: '<name>' },
  json: true,
  options: { ...configOptions },
  run: (ctx) =>
    guarded(ctx, async () => {
      const previews = createPreviewEnv({ config: configFrom(ctx), logger: ctx.log });
      const result = await previews.delete(ctx.positionals[0] as string);
      if (ctx.json) ctx.printJson(result);
      else
        ctx.print(result.deleted ? `deleted ${result.name}` : `${result.name}: nothing to delete`);
      return 0;
    }),
});

const ls = defineCommand({
  name: 'ls',
  summary: 'List environments: name, URL, image, created, last deployed, status',
  usage: 'ls [--config FILE] [--json]',
  json: true,
  options: { ...configOptions },
  run: (ctx) =>
    guarded(ctx, async () => {
      const now = Date.now();
      const envs = await createPreviewEnv({ config: configFrom(ctx), logger: ctx.log }).list();
      if (ctx.json) {
        ctx.printJson(envs);
        return 0;
      }
      if (envs.length === 0) {
        ctx.log.info('no environments');
        return 0;
      }
      const rows = [
        ['NAME', 'STATUS', 'DEPLOYED', 'CREATED', 'IMAGE', 'URL'],
        ...envs.map((e) => [
          e.name,
          e.missing.length ? `${e.status} (no ${e.missing.join(', ')})` : e.status,
          ago(e.deployedAt, now),
          ago(e.createdAt, now),
          e.image ?? '-',
          e.url,
        ]),
      ];
      const widths =
        rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
      for (const r of rows)
        ctx.print(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '));
      return 0;
    }),
});

const sweep = defineCommand({
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
      valueName: '<name>',
      description: 'Environment never swept',
    },
    'dry-run': { type: 'boolean', description: 'Show what would be deleted; change nothing' },
    ...configOptions,
  },
  run: (ctx) =>
    guarded(ctx, async () => {
      const olderThan = ctx.values['older-than'];
      const olderThanMs =
        typeof olderThan === 'string' ? parseDuration(olderThan, '--older-than') : undefined;
      const previews = createPreviewEnv({ config: configFrom(ctx), logger: ctx.log });
      const result = await previews.sweep({
        ...(olderThanMs === undefined ? {} : { olderThanMs }),
        keep: (ctx.values.keep as string[] | undefined) ?? [],
        dryRun: Boolean(ctx.values['dry-run']),
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
    }),
});

/** The `preview-env` CLI. */
export const program: ProgramSpec = {
  name: 'preview-env',
  version: pkg.version,
  summary: 'per-pull-request environments on ECS behind one shared load balancer',
  commands: [
    create,
    remove,
    ls,
    sweep,
    sleepCommand({ configOptions, configFrom, guarded }),
    wakeCommand({ configOptions, configFrom, guarded }),
  ],
};
