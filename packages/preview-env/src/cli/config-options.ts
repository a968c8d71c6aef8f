import type { CliIo, Clock, OptionSpec } from '@berth/internal';
import { loadConfig, type PreviewEnvConfig, type PreviewEnvConfigInput } from '../config.ts';
import { CONFIG_KEYS } from '../config-keys.ts';
import { createPreviewEnv, type PreviewEnv } from '../preview-env.ts';
import type { ProgressLogger } from '../steps.ts';

/** Keys set per environment by `create`'s own flags (`--env`, `--secrets-from`). */
const PER_ENVIRONMENT = new Set(['env', 'secretsFrom']);

/** `--config` and one flag per configuration key (but the per-environment ones). */
export const configOptions: Record<string, OptionSpec> = {
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

/** The configuration: `--config` (or the default file), `PREVIEW_ENV_*`, then the flags. */
export function configFrom(ctx: {
  values: Readonly<Record<string, unknown>>;
  io: Pick<CliIo, 'env'>;
}): PreviewEnvConfig {
  const overrides: Record<string, string> = {};
  for (const k of CONFIG_KEYS) {
    const v = ctx.values[k.flag];
    if (typeof v === 'string' && !PER_ENVIRONMENT.has(k.key)) overrides[k.key] = v;
  }
  const file = ctx.values.config;
  return loadConfig({
    env: ctx.io.env,
    ...(typeof file === 'string' ? { file } : {}),
    overrides: overrides as PreviewEnvConfigInput,
    overridesAre: 'flag',
  });
}

/** The preview environments a command works on: its configuration, logger and clock. */
export function previewsFrom(
  ctx: Parameters<typeof configFrom>[0] & {
    log: ProgressLogger;
    clock: Clock;
  },
): PreviewEnv {
  return createPreviewEnv({ config: configFrom(ctx), logger: ctx.log, clock: ctx.clock });
}
