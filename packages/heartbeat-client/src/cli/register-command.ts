import { defineCommand, maskToken, parseDuration, quoteInput, UsageError } from '@berth/internal';
import type { RegisterSpec, UniqueField } from '../api-types.ts';
import { isUniqueField } from '../check-spec.ts';
import { API_URL_OPTION, apiFromEnv, redactCheck } from './api-from-env.ts';

function seconds(text: string, what: string): number {
  const ms = parseDuration(text, what);
  if (ms % 1000 !== 0) throw new UsageError(`${what}: use whole seconds, not ${text}`);
  const s = ms / 1000;
  if (s < 60 || s > 31_536_000) {
    throw new UsageError(`${what}: ${text} is out of range; use 1m to 365d`);
  }
  return s;
}

function parseUnique(text: string): UniqueField[] {
  const fields = text
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (fields.length === 0) throw new UsageError('--unique needs at least one field');
  for (const f of fields) {
    if (!isUniqueField(f)) {
      throw new UsageError(
        `--unique: ${quoteInput(f)} is not one of name, slug, tags, timeout, grace`,
      );
    }
  }
  return fields as UniqueField[];
}

/** `heartbeat register`: creates or updates a check (scale-out). */
export const registerCommand = defineCommand({
  name: 'register',
  summary: 'Create or update a check and print its ping URL',
  usage:
    'register --name N [--slug S] [--tags "a b"] [--timeout 1d | --schedule CRON --tz ZONE] [--grace 12h] [--channels "*"] [--unique name,slug] [--json]',
  description: `Idempotent: the check matching --unique (default: the slug when given, else the name) is
updated instead of a new one added, so running it on every boot is safe. Prints the ping URL
on stdout. Needs HC_API_KEY (read-write); HC_API_URL for a self-hosted server.`,
  options: {
    name: {
      type: 'string',
      required: true,
      valueName: '<name>',
      description: 'Check name (at most 100 characters)',
    },
    slug: {
      type: 'string',
      valueName: '<slug>',
      description: 'Slug (a-z, 0-9, -, _), for slug ping URLs',
    },
    tags: { type: 'string', valueName: '"<a b>"', description: 'Space-separated tags' },
    desc: { type: 'string', valueName: '<text>', description: 'Description' },
    timeout: {
      type: 'string',
      valueName: '<duration>',
      description: 'Expected period between pings (1m..365d)',
    },
    schedule: {
      type: 'string',
      valueName: '<cron>',
      description: 'Cron (or OnCalendar) schedule instead of --timeout',
    },
    tz: {
      type: 'string',
      valueName: '<zone>',
      description: 'Time zone of --schedule, e.g. Europe/Berlin',
    },
    grace: {
      type: 'string',
      valueName: '<duration>',
      description: 'Grace time after a missed ping (1m..365d)',
    },
    channels: {
      type: 'string',
      valueName: '<list>',
      description: '"*" all, "" none, or channel ids/names, comma-separated',
    },
    unique: {
      type: 'string',
      valueName: '<fields>',
      description: 'Fields that identify the check: name,slug,tags,timeout,grace',
    },
    ...API_URL_OPTION,
  },
  json: true,
  async run({ values, io, log, json, print, printJson, signal }) {
    if (values.name.trim() === '') throw new UsageError('--name must not be empty');
    if (values.timeout !== undefined && values.schedule !== undefined) {
      throw new UsageError('give --timeout (a period) or --schedule (cron), not both');
    }
    if (values.tz !== undefined && values.schedule === undefined) {
      throw new UsageError('--tz applies to --schedule; add --schedule');
    }
    const spec: RegisterSpec = {
      name: values.name,
      ...(values.slug !== undefined ? { slug: values.slug } : {}),
      ...(values.tags !== undefined
        ? {
            tags: values.tags
              .trim()
              .split(/\s+/)
              .filter((t) => t !== ''),
          }
        : {}),
      ...(values.desc !== undefined ? { desc: values.desc } : {}),
      ...(values.timeout !== undefined ? { timeout: seconds(values.timeout, '--timeout') } : {}),
      ...(values.schedule !== undefined ? { schedule: values.schedule } : {}),
      ...(values.tz !== undefined ? { tz: values.tz } : {}),
      ...(values.grace !== undefined ? { grace: seconds(values.grace, '--grace') } : {}),
      ...(values.channels !== undefined ? { channels: values.channels } : {}),
      ...(values.unique !== undefined ? { unique: parseUnique(values.unique) } : {}),
    };
    const api = apiFromEnv(io.env, values['api-url'], signal);
    const { check, created, pingUrl } = await api.register(spec);
    log.info(
      `${created ? 'created' : 'updated'} check "${check.name}" (uuid ${maskToken(check.uuid ?? '')})`,
    );
    if (json) printJson({ created, pingUrl, check: redactCheck(check) });
    else print(pingUrl);
    return 0;
  },
});
