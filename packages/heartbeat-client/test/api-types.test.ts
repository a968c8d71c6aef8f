import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BadgeUrls, Channel, Check, Flip, PingRecord } from '../src/index.ts';

// The client's types must say what a real server sends. Each type has a field table below
// whose flags are tied to the type by the compiler (`optional` must be true exactly when the
// field is optional, `nullable` exactly when it may be null, `kind` must match), so the
// table cannot drift from the type; the test then holds every recorded answer of a real
// Healthchecks v3.11 server to the table: no unknown field, no missing required field, no
// null where the type has none, no value of another kind.

type Kind<V> = [NonNullable<V>] extends [string]
  ? 'string'
  : [NonNullable<V>] extends [number]
    ? 'number'
    : [NonNullable<V>] extends [boolean]
      ? 'boolean'
      : 'object';
interface Rule<V> {
  kind: Kind<V>;
  optional: undefined extends V ? true : false;
  nullable: null extends V ? true : false;
}
type FieldTable<T> = { [K in keyof T]-?: Rule<T[K]> };

const str = { kind: 'string', optional: false, nullable: false } as const;
const num = { kind: 'number', optional: false, nullable: false } as const;
const bool = { kind: 'boolean', optional: false, nullable: false } as const;
const optional = <R extends { kind: string }>(r: R) => ({ ...r, optional: true }) as const;
const nullable = <R extends { kind: string }>(r: R) => ({ ...r, nullable: true }) as const;

const CHECK: FieldTable<Check> = {
  name: str,
  slug: str,
  tags: str,
  desc: str,
  grace: num,
  n_pings: num,
  status: str,
  started: bool,
  last_ping: nullable(str),
  next_ping: nullable(str),
  manual_resume: bool,
  methods: str,
  subject: str,
  subject_fail: str,
  start_kw: str,
  success_kw: str,
  failure_kw: str,
  filter_subject: bool,
  filter_body: bool,
  last_duration: optional(num),
  badge_url: str,
  uuid: optional(str),
  ping_url: optional(str),
  update_url: optional(str),
  pause_url: optional(str),
  resume_url: optional(str),
  channels: optional(str),
  unique_key: optional(str),
  timeout: optional(num),
  schedule: optional(str),
  tz: optional(str),
};

const PING: FieldTable<PingRecord> = {
  type: str,
  date: str,
  n: nullable(num),
  scheme: str,
  remote_addr: nullable(str),
  method: str,
  ua: str,
  rid: nullable(str),
  body_url: nullable(str),
  duration: optional(num),
};

const FLIP: FieldTable<Flip> = { timestamp: str, up: num };
const CHANNEL: FieldTable<Channel> = { id: str, name: str, kind: str };
const BADGE: FieldTable<BadgeUrls> = {
  svg: str,
  svg3: str,
  json: str,
  json3: str,
  shields: str,
  shields3: str,
};

type Table = Record<string, { kind: string; optional: boolean; nullable: boolean }>;

/** Every way `value` disagrees with `table`, as readable lines. */
function mismatches(value: Record<string, unknown>, table: Table, where: string): string[] {
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const rule = table[key];
    if (!rule) out.push(`${where}.${key}: sent by the server, missing in the type`);
    else if (v === null) {
      if (!rule.nullable)
        out.push(`${where}.${key}: null from the server, not nullable in the type`);
    } else if (typeof v !== rule.kind) {
      out.push(`${where}.${key}: ${typeof v} from the server, ${rule.kind} in the type`);
    }
  }
  for (const [key, rule] of Object.entries(table)) {
    if (!rule.optional && !(key in value))
      out.push(`${where}.${key}: required in the type, not sent`);
  }
  return out;
}

const FIXTURES = join(import.meta.dirname, 'fixtures', 'healthchecks-v3.11');
function load(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

describe('API types agree with the answers of a real Healthchecks v3.11 server', () => {
  it('checks (read-write and read-only keys, simple and cron)', () => {
    const checks: [string, Record<string, unknown>][] = [
      ['check-cron.json', load('check-cron.json')],
      ['check-simple-new.json', load('check-simple-new.json')],
      ['check-paused.json', load('check-paused.json')],
      ...(['checks-list-by-tag.json', 'checks-list-readonly-key.json'] as const).flatMap((f) =>
        (load(f).checks as Record<string, unknown>[]).map(
          (c, i) => [`${f}[${i}]`, c] as [string, Record<string, unknown>],
        ),
      ),
    ];
    expect(checks.flatMap(([where, c]) => mismatches(c, CHECK as Table, where))).toEqual([]);
  });

  it('pings, flips, channels and badges', () => {
    const errors = [
      ...(load('pings.json').pings as Record<string, unknown>[]).flatMap((p, i) =>
        mismatches(p, PING as Table, `pings[${i}]`),
      ),
      ...(load('flips.json').flips as Record<string, unknown>[]).flatMap((f, i) =>
        mismatches(f, FLIP as Table, `flips[${i}]`),
      ),
      ...(load('channels.json').channels as Record<string, unknown>[]).flatMap((c, i) =>
        mismatches(c, CHANNEL as Table, `channels[${i}]`),
      ),
      ...Object.entries(
        load('badges.json').badges as Record<string, Record<string, unknown>>,
      ).flatMap(([tag, b]) => mismatches(b, BADGE as Table, `badges[${tag}]`)),
    ];
    expect(errors).toEqual([]);
  });

  it('the table check itself catches what the old types got wrong', () => {
    const old = { ...PING, body_url: optional(str), exitstatus: optional(num) } as Table;
    const ping = (load('pings.json').pings as Record<string, unknown>[])[1] as Record<
      string,
      unknown
    >;
    expect(mismatches(ping, old, 'p')).toEqual([
      'p.body_url: null from the server, not nullable in the type',
    ]);
  });
});
