import { quoteInput } from '@berth/internal';
import { parseDocument } from 'yaml';
import { HeartbeatError } from '../errors.ts';
import { isTimeZone, readSchedule } from './schedule.ts';

/** The tag `heartbeat sync` adds to the checks it manages (only those are ever pruned). */
export const DEFAULT_MANAGED_TAG = 'managed-by:heartbeat-sync';

/** Channels of a check in the file: `*` (all), `` (none), or channel names or ids. */
export type ChannelSelection = '*' | readonly string[];

/** One check as the file describes it, defaults applied and values checked. */
export interface CheckDefinition {
  /** The key in the file: the check's slug. */
  slug: string;
  /** Default: the slug. */
  name: string;
  desc: string;
  /** Tags from the file (defaults first); the managed tag is added when syncing. */
  tags: string[];
  /** Period in seconds (simple checks); absent for schedule checks. */
  timeout?: number;
  /** Cron or OnCalendar expression (without an `OnCalendar=` prefix). */
  schedule?: string;
  /** Time zone of `schedule` (default `UTC`). */
  tz?: string;
  /** Grace time in seconds (default 3600, the server's). */
  grace: number;
  channels: ChannelSelection;
  methods: '' | 'POST';
  manual_resume: boolean;
}

/** A `heartbeat.yml`, read and checked. */
export interface HeartbeatFile {
  /** The tag that marks checks this file manages (default `managed-by:heartbeat-sync`). */
  managedTag: string;
  checks: CheckDefinition[];
}

const CHECK_KEYS = [
  'name',
  'desc',
  'tags',
  'timeout',
  'schedule',
  'tz',
  'grace',
  'channels',
  'methods',
  'manual_resume',
] as const;
const TOP_KEYS = ['defaults', 'checks', 'managed-tag'];
const SLUG = /^[a-z0-9-_]+$/;
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };
const MIN_SECONDS = 60;
const MAX_SECONDS = 31_536_000;

type Raw = Record<string, unknown>;

/** A value from the file as an error message shows it: strings quoted and capped. */
function shown(value: unknown): string {
  return typeof value === 'string' ? quoteInput(value) : JSON.stringify(value);
}

function isMap(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Seconds from `15m`, `1h30m`, `2d` or a number of seconds. */
function seconds(value: unknown): number | string {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? value : `${value} is not a whole number of seconds`;
  }
  if (typeof value !== 'string') return 'must be a duration such as 90s, 15m, 1h or 2d';
  const text = value.trim();
  const parts = [...text.matchAll(/(\d+)(s|m|h|d|w)/gy)];
  if (text === '' || parts.map((p) => p[0]).join('') !== text) {
    return `"${value}" is not a duration; use forms like 90s, 15m, 1h, 2d or 1h30m`;
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] as string] as number), 0);
}

function describeSeconds(s: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (s % size === 0) return `${s / size}${unit}`;
  }
  return `${s}s`;
}

class Problems {
  readonly list: string[] = [];
  add(where: string, message: string): void {
    this.list.push(`${where}: ${message}`);
  }
}

function readTags(value: unknown, where: string, problems: Problems): string[] {
  const list =
    typeof value === 'string'
      ? value.split(/\s+/).filter((t) => t !== '')
      : Array.isArray(value)
        ? value
        : undefined;
  if (!list) {
    problems.add(where, 'must be a list of tags, e.g. [prod, db]');
    return [];
  }
  const tags: string[] = [];
  for (const tag of list) {
    if (typeof tag !== 'string' || tag === '' || /\s/.test(tag)) {
      problems.add(where, `${shown(tag)} is not a tag (one word, no spaces)`);
    } else tags.push(tag);
  }
  return tags;
}

function readChannels(value: unknown, where: string, problems: Problems): ChannelSelection {
  if (value === '*') return '*';
  if (value === '' || value === null) return [];
  const list =
    typeof value === 'string'
      ? value.split(',').map((c) => c.trim())
      : Array.isArray(value)
        ? value
        : undefined;
  if (!list || list.some((c) => typeof c !== 'string' || c.trim() === '')) {
    problems.add(where, 'must be "*" (all channels), "" (none), or a list of channel names');
    return [];
  }
  return (list as string[]).map((c) => c.trim());
}

/** Reads one check's fields (defaults or a check), recording every problem. */
function readFields(raw: Raw, where: string, problems: Problems): Partial<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (!(CHECK_KEYS as readonly string[]).includes(key)) {
      problems.add(`${where}.${key}`, `unknown field; the fields are ${CHECK_KEYS.join(', ')}`);
    }
  }
  const at = (key: string) => `${where}.${key}`;
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string' || raw.name.trim() === '')
      problems.add(at('name'), 'must be a non-empty text');
    else if ([...raw.name].length > 100) {
      problems.add(at('name'), `is ${[...raw.name].length} characters; the limit is 100`);
    } else out.name = raw.name;
  }
  if (raw.desc !== undefined) {
    if (typeof raw.desc !== 'string') problems.add(at('desc'), 'must be a text');
    else out.desc = raw.desc;
  }
  if (raw.tags !== undefined) out.tags = readTags(raw.tags, at('tags'), problems);
  for (const key of ['timeout', 'grace'] as const) {
    if (raw[key] === undefined) continue;
    const s = seconds(raw[key]);
    if (typeof s === 'string') problems.add(at(key), s);
    else if (s < MIN_SECONDS || s > MAX_SECONDS) {
      problems.add(
        at(key),
        `${describeSeconds(s)} is out of range; it must be from 1m (60 s) to 365d`,
      );
    } else out[key] = s;
  }
  if (raw.schedule !== undefined) {
    if (typeof raw.schedule !== 'string')
      problems.add(at('schedule'), 'must be a cron or OnCalendar expression in quotes');
    else {
      const read = readSchedule(raw.schedule);
      if ('error' in read) problems.add(at('schedule'), read.error);
      else if (read.schedule.length > 100)
        problems.add(at('schedule'), 'is longer than 100 characters');
      else out.schedule = read.schedule;
    }
  }
  if (raw.timeout !== undefined && raw.schedule !== undefined) {
    problems.add(where, 'give timeout (a period) or schedule (cron or OnCalendar), not both');
  }
  if (raw.tz !== undefined) {
    if (typeof raw.tz !== 'string' || !isTimeZone(raw.tz)) {
      problems.add(at('tz'), `${shown(raw.tz)} is not an IANA time zone (e.g. Europe/Berlin, UTC)`);
    } else out.tz = raw.tz;
  }
  if (raw.channels !== undefined)
    out.channels = readChannels(raw.channels, at('channels'), problems);
  if (raw.methods !== undefined) {
    if (raw.methods !== '' && raw.methods !== 'POST')
      problems.add(at('methods'), 'must be "" or "POST"');
    else out.methods = raw.methods;
  }
  if (raw.manual_resume !== undefined) {
    if (typeof raw.manual_resume !== 'boolean')
      problems.add(at('manual_resume'), 'must be true or false');
    else out.manual_resume = raw.manual_resume;
  }
  return out;
}

/**
 * Reads a `heartbeat.yml`: `defaults` (any check field), `checks` (a map from slug to
 * fields) and, optionally, `managed-tag`. A check's fields replace the defaults, except
 * `tags`, which add to the default tags. Every problem is reported at once, each naming
 * the check and the field (`checks.nightly-backup.grace: ...`).
 *
 * @param source the file's text; `file` names it in messages.
 * @throws HeartbeatError `E_INPUT` (exit 2) listing every problem.
 *
 * @example
 * ```ts
 * const file = parseHeartbeatFile(readFileSync('heartbeat.yml', 'utf8'), 'heartbeat.yml');
 * ```
 */
export function parseHeartbeatFile(source: string, file = 'heartbeat.yml'): HeartbeatFile {
  const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0] as { message: string; linePos?: [{ line: number; col: number }] };
    const pos = first.linePos?.[0];
    throw new HeartbeatError(
      'E_INPUT',
      `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${first.message.split('\n')[0]}`,
    );
  }
  const root = doc.toJS() as unknown;
  const problems = new Problems();
  if (!isMap(root)) {
    throw new HeartbeatError('E_INPUT', `${file}: expected a map with "checks:" (and "defaults:")`);
  }
  for (const key of Object.keys(root)) {
    if (!TOP_KEYS.includes(key))
      problems.add(key, `unknown top-level key; the keys are ${TOP_KEYS.join(', ')}`);
  }
  const managedTag = root['managed-tag'] ?? DEFAULT_MANAGED_TAG;
  if (typeof managedTag !== 'string' || managedTag === '' || /\s/.test(managedTag)) {
    problems.add('managed-tag', 'must be one word (a tag), e.g. managed-by:heartbeat-sync');
  }
  let defaults: Partial<Record<string, unknown>> = {};
  if (root.defaults !== undefined && root.defaults !== null) {
    if (!isMap(root.defaults)) problems.add('defaults', 'must be a map of check fields');
    else defaults = readFields(root.defaults, 'defaults', problems);
  }
  const checks: CheckDefinition[] = [];
  if (!isMap(root.checks)) {
    problems.add('checks', "must be a map from each check's slug to its fields");
  } else {
    for (const [slug, value] of Object.entries(root.checks)) {
      const where = `checks.${slug}`;
      if (!SLUG.test(slug) || slug.length > 100) {
        problems.add(
          where,
          "the key is the check's slug: lowercase a-z, 0-9, - and _, at most 100 characters",
        );
        continue;
      }
      if (value !== null && !isMap(value)) {
        problems.add(where, 'must be a map of fields ({} for all defaults)');
        continue;
      }
      const own = readFields(value ?? {}, where, problems);
      const pick = <T>(key: string, fallback: T): T =>
        (own[key] !== undefined
          ? own[key]
          : defaults[key] !== undefined
            ? defaults[key]
            : fallback) as T;
      // The check's own period kind wins over the defaults'.
      const ownKind =
        own.schedule !== undefined ? 'schedule' : own.timeout !== undefined ? 'timeout' : undefined;
      const kind = ownKind ?? (defaults.schedule !== undefined ? 'schedule' : 'timeout');
      const tags = [...((defaults.tags as string[] | undefined) ?? [])];
      for (const t of (own.tags as string[] | undefined) ?? []) if (!tags.includes(t)) tags.push(t);
      const definition: CheckDefinition = {
        slug,
        name: pick('name', slug),
        desc: pick('desc', ''),
        tags,
        grace: pick('grace', 3_600),
        channels: pick<ChannelSelection>('channels', []),
        methods: pick('methods', ''),
        manual_resume: pick('manual_resume', false),
        ...(kind === 'schedule'
          ? { schedule: pick('schedule', ''), tz: pick('tz', 'UTC') }
          : { timeout: pick('timeout', 86_400) }),
      };
      if (typeof managedTag === 'string' && tags.includes(managedTag)) {
        problems.add(`${where}.tags`, `${managedTag} is the managed tag; sync adds it itself`);
      }
      checks.push(definition);
    }
  }
  if (problems.list.length > 0) {
    throw new HeartbeatError(
      'E_INPUT',
      `${file}: ${problems.list.length} problem${problems.list.length === 1 ? '' : 's'}: ${problems.list.join('; ')}`,
    );
  }
  return { managedTag: managedTag as string, checks };
}
