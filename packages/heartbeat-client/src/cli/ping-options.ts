import {
  type Logger,
  type OptionValues,
  parseDuration,
  quoteInput,
  UsageError,
} from '@berth/internal';
import { Pinger } from '../pinger.ts';

/** Options naming the check to ping, and how hard to try; shared by `run` and `ping`. */
export const PING_OPTIONS = {
  'ping-url': {
    type: 'string',
    valueName: '<url>',
    description: "The check's ping URL (default $HC_PING_URL)",
  },
  uuid: {
    type: 'string',
    valueName: '<uuid>',
    description: "The check's UUID, pinged under --base-url",
  },
  slug: { type: 'string', valueName: '<slug>', description: "The check's slug, with --ping-key" },
  'ping-key': {
    type: 'string',
    valueName: '<key>',
    description: "The project's ping key for --slug (default $HC_PING_KEY)",
  },
  'base-url': {
    type: 'string',
    valueName: '<url>',
    description: 'Ping endpoint base (default $HC_BASE_URL, else https://hc-ping.com)',
  },
  create: { type: 'boolean', description: 'With --slug: create the check if it does not exist' },
  timeout: {
    type: 'string',
    valueName: '<duration>',
    description: 'Timeout of each ping attempt (default 10s)',
  },
  retries: {
    type: 'string',
    valueName: '<n>',
    description: 'Retries of a failed ping (default 3)',
  },
  'body-limit': {
    type: 'string',
    valueName: '<bytes>',
    description:
      "Server's ping body limit, until it states one (default 100000 for hc-ping.com, else 10000)",
  },
  budget: {
    type: 'string',
    valueName: '<duration>',
    description: 'Most time a ping may take, retries included (default 30s)',
  },
} as const;

type PingValues = OptionValues<typeof PING_OPTIONS>;

/** Default of `--budget` (ms). */
export const DEFAULT_CLI_BUDGET_MS = 30_000;

/** Parses `--retries`: a whole number from 0 to 10. */
export function parseRetries(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 10) {
    throw new UsageError(`--retries: ${quoteInput(text)} is not a whole number from 0 to 10`);
  }
  return Number(text);
}

/** The budget from `--budget` (ms). */
export function budgetOf(values: PingValues): number {
  return values.budget === undefined
    ? DEFAULT_CLI_BUDGET_MS
    : positiveDuration(values.budget, '--budget');
}

/** A duration option that must be more than 0 (ms). */
export function positiveDuration(text: string, what: string): number {
  const ms = parseDuration(text, what);
  if (ms <= 0) throw new UsageError(`${what} must be more than 0`);
  return ms;
}

/**
 * Builds the pinger from flags, then the environment (`HC_PING_URL`, `HC_PING_KEY`,
 * `HC_BASE_URL`). Flags win; naming the check twice on the command line is a usage error.
 */
export function pingerFromCli(
  values: PingValues,
  env: NodeJS.ProcessEnv,
  log: Logger,
  extra: { runId?: string; signal?: AbortSignal } = {},
): Pinger {
  const named = (['ping-url', 'uuid', 'slug'] as const).filter((k) => values[k] !== undefined);
  if (named.length > 1) {
    throw new UsageError(`give only one of ${named.map((k) => `--${k}`).join(', ')}`);
  }
  const envUrl = env.HC_PING_URL?.trim() || undefined;
  const pingKey = values['ping-key'] ?? (env.HC_PING_KEY?.trim() || undefined);
  const baseUrl = values['base-url'] ?? (env.HC_BASE_URL?.trim() || undefined);
  let target: { pingUrl: string } | { uuid: string } | { slug: string; pingKey?: string };
  if (values['ping-url'] !== undefined) target = { pingUrl: values['ping-url'] };
  else if (values.uuid !== undefined) target = { uuid: values.uuid };
  else if (values.slug !== undefined)
    target = { slug: values.slug, ...(pingKey ? { pingKey } : {}) };
  else if (envUrl) target = { pingUrl: envUrl };
  else {
    throw new UsageError(
      'no check to ping: give --ping-url, --uuid, or --slug with --ping-key (or set HC_PING_URL)',
    );
  }
  if (values.create && !('slug' in target) && !('pingUrl' in target)) {
    throw new UsageError('--create works with --slug (a UUID names an existing check)');
  }
  const timeoutMs =
    values.timeout === undefined ? undefined : positiveDuration(values.timeout, '--timeout');
  const retries = parseRetries(values.retries);
  const limitText = values['body-limit'];
  if (limitText !== undefined && !/^[1-9]\d*$/.test(limitText)) {
    throw new UsageError(
      `--body-limit: ${quoteInput(limitText)} is not a positive number of bytes`,
    );
  }
  return new Pinger({
    ...target,
    ...('pingUrl' in target ? {} : baseUrl ? { baseUrl } : {}),
    ...(values.create ? { create: true } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(retries !== undefined ? { retries } : {}),
    budgetMs: budgetOf(values),
    ...(limitText !== undefined ? { bodyLimit: Number(limitText) } : {}),
    ...(extra.runId !== undefined ? { runId: extra.runId } : {}),
    ...(extra.signal ? { signal: extra.signal } : {}),
    onWarning: (message) => log.warn(message),
  });
}
