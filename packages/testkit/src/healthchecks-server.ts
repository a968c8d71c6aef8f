import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest } from './http-server.ts';

/**
 * A Healthchecks-compatible server (pinging API and Management API v3) on loopback. Its
 * answers follow the recorded answers of a real Healthchecks v3.11 server
 * (`packages/heartbeat-client/test/fixtures/healthchecks-v3.11`, checked by
 * `fake-server.test.ts` there): field sets and order, nulls, Python-style JSON, HTML 404
 * pages for unknown checks, plain-text 409, 400 validation messages, read-only keys with
 * `unique_key`, badges, status and flips. Beyond that, from the team notes
 * (`healthchecks-api.md`): `Ping-Body-Limit`, body truncation, `rid` validation, slug
 * auto-provisioning, ambiguous slugs, hosted-style `OK (not found)` / `OK (rate-limited)`,
 * unique upserts, the check limit, and injected slow, hanging and failing responses.
 */

/** One ping as the fake server stored it. */
export interface FakePing {
  /** 1-based ping number within its check (the API's `n`). */
  n: number;
  /** `ign` when the check only accepts POST and the ping used another method. */
  kind: 'start' | 'success' | 'fail' | 'log' | 'ign';
  exitStatus?: number;
  rid?: string;
  method: string;
  ua: string;
  /** The stored body, already truncated to the ping body limit. */
  body: Buffer;
  /** Bytes the client sent (before truncation). */
  receivedBytes: number;
  date: string;
}

/** A check held by the fake server. Mutating it changes what the server answers. */
export interface FakeCheck {
  uuid: string;
  name: string;
  slug: string;
  tags: string;
  desc: string;
  /** `cron` and `oncalendar` checks have a `schedule`; `simple` ones a `timeout`. */
  kind: 'simple' | 'cron' | 'oncalendar';
  /** Seconds. */
  timeout: number;
  /** Seconds. */
  grace: number;
  schedule: string;
  tz: string;
  status: 'new' | 'up' | 'down' | 'paused';
  started: boolean;
  manualResume: boolean;
  methods: '' | 'POST';
  /** Channel ids. */
  channels: string[];
  lastPing: string | null;
  /** The key of the check's badge URL (UUID-shaped, not the check's UUID). */
  badgeKey?: string;
  pings: FakePing[];
  flips: { timestamp: string; up: 0 | 1 }[];
}

/** A notification channel of the fake project. */
export interface FakeChannel {
  id: string;
  name: string;
  kind: string;
}

/** An injected misbehaviour, applied to matching requests before normal handling. */
export interface HealthchecksFault {
  /** Which routes: pings, the management API, or both (default both). */
  target?: 'ping' | 'api' | 'all';
  /**
   * `fail`: answer `status` (default 500) with `body`; `hang`: never answer; `slow`: wait
   * `delayMs` then answer normally; `reset`: destroy the connection without an answer.
   */
  kind: 'fail' | 'hang' | 'slow' | 'reset';
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  /** How many matching requests the fault applies to (default: all of them). */
  times?: number;
}

/** Options of {@link startHealthchecksServer}. */
export interface HealthchecksServerOptions {
  /** Bytes of a ping body kept (the `Ping-Body-Limit` header). Default 10,000 (self-hosted). */
  pingBodyLimit?: number;
  /** Send the `Ping-Body-Limit` header (default true). */
  sendBodyLimitHeader?: boolean;
  /**
   * Answer uuid pings as healthchecks.io does: unknown uuid -> 200 `OK (not found)`, rate
   * limited -> 200 `OK (rate-limited)` (slug pings keep 404 / 429). Default false.
   */
  hosted?: boolean;
  /** Pings accepted per check per minute before rate limiting (default unlimited). */
  pingRateLimit?: number;
  /** Management API requests accepted per minute before 429 (default unlimited). */
  apiRateLimit?: number;
  /** Checks the project may hold before create answers 403 (default 20). */
  checkLimit?: number;
  /** Read-write API key (32 characters; default random `hcw_...`). */
  apiKey?: string;
  /** Read-only API key (32 characters; default random `hcr_...`). */
  readOnlyKey?: string;
  /** The project's ping key for slug URLs (default random, 22 characters). */
  pingKey?: string;
  /** Notification channels (default two: an email and a Slack channel). */
  channels?: FakeChannel[];
}

/** A running fake Healthchecks server. */
export interface HealthchecksServer {
  /** Site root, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Ping endpoint base (`<url>/ping`): pings go to `<pingBase>/<uuid>`. */
  pingBase: string;
  /** Management API base (`<url>/api/v3/`). */
  apiUrl: string;
  apiKey: string;
  readOnlyKey: string;
  pingKey: string;
  /** Every request received, in order (management and ping routes). */
  requests: RecordedRequest[];
  /** The project's checks, live. */
  checks: FakeCheck[];
  channels: FakeChannel[];
  /** Adds a check directly (no API call); unspecified fields take the API's defaults. */
  addCheck(fields?: Partial<Omit<FakeCheck, 'pings' | 'flips'>>): FakeCheck;
  /** The check with `uuid`, if any. */
  check(uuid: string): FakeCheck | undefined;
  /** The ping URL of a check (uuid form). */
  pingUrlOf(check: FakeCheck | string): string;
  /** The `unique_key` read-only keys see for a check (by the check or its UUID). */
  uniqueKeyOf(check: FakeCheck | string): string;
  /** Management API requests that write (POST, DELETE), in order. */
  writeRequests(): RecordedRequest[];
  /** Every stored ping of every check (deleted checks included), in arrival order. */
  allPings(): (FakePing & { check: string })[];
  /** Adds a fault; faults are matched in the order added. */
  fault(rule: HealthchecksFault): void;
  clearFaults(): void;
  /** Changes the body limit (and the header) from now on. */
  setPingBodyLimit(bytes: number): void;
  setHosted(hosted: boolean): void;
  /** Forgets rate-limit counters. */
  resetRateLimits(): void;
  close(): Promise<void>;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNIQUE_KEY_RE = /^[0-9a-f]{40}$/;
const SLUG_RE = /^[a-z0-9-_]*$/;
const UNIQUE_FIELDS = new Set(['name', 'slug', 'tags', 'timeout', 'grace']);
const STRING_FIELDS = [
  'name',
  'slug',
  'tags',
  'desc',
  'schedule',
  'tz',
  'channels',
  'subject',
  'subject_fail',
  'start_kw',
  'success_kw',
  'failure_kw',
];
const BOOLEAN_FIELDS = ['manual_resume', 'filter_subject', 'filter_body'];

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return !/^[+-]?\d/.test(name);
  } catch {
    return false;
  }
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** A cron field as cronsim (the server's cron library) reads it; true when valid. */
function cronField(text: string, min: number, max: number, names: string[], dow: boolean) {
  const value = (v: string) => {
    const i = names.indexOf(v.toLowerCase());
    if (i >= 0) return names === MONTHS ? i + 1 : i;
    if (!/^\d+$/.test(v)) return Number.NaN;
    return Number(v);
  };
  const inRange = (n: number) => Number.isInteger(n) && n >= min && n <= max;
  for (const item of text.split(',')) {
    if (item === '') return false;
    if (dow && /^\d+L$/.test(item)) {
      if (!inRange(value(item.slice(0, -1)))) return false;
      continue;
    }
    if (dow && /^\w+#\d$/.test(item)) {
      const [d, k] = item.split('#') as [string, string];
      if (!inRange(value(d)) || Number(k) < 1 || Number(k) > 5) return false;
      continue;
    }
    if (!dow && min === 1 && max === 31 && (item === 'L' || item === 'LW')) continue;
    const [range, step, extra] = item.split('/');
    if (extra !== undefined || range === undefined) return false;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return false;
    if (range === '*') continue;
    const [a, b, more] = range.split('-');
    if (more !== undefined || a === undefined || !inRange(value(a))) return false;
    if (b !== undefined && (!inRange(value(b)) || value(b) < value(a))) return false;
  }
  return true;
}

/** Whether `schedule` is a cron expression (five fields) the server accepts. */
function validCron(schedule: string): boolean {
  const f = schedule.trim().split(/\s+/);
  if (f.length !== 5) return false;
  return (
    cronField(f[0] as string, 0, 59, [], false) &&
    cronField(f[1] as string, 0, 23, [], false) &&
    cronField(f[2] as string, 1, 31, [], false) &&
    cronField(f[3] as string, 1, 12, MONTHS, false) &&
    cronField(f[4] as string, 0, 7, DAYS, true)
  );
}

/** A loose OnCalendar check: weekdays, a date and a time, or a shorthand (`daily`, ...). */
function validOnCalendar(schedule: string): boolean {
  const shorthands =
    /^(minutely|hourly|daily|weekly|monthly|yearly|annually|quarterly|semiannually)$/i;
  return schedule
    .split('\n')
    .filter((line) => line.trim() !== '')
    .every((line) => {
      const parts = line.trim().split(/\s+/);
      if (parts.length === 1 && shorthands.test(parts[0] as string)) return true;
      if (parts.length > 3) return false;
      const day = '(mon|tue|wed|thu|fri|sat|sun)[a-z]*';
      const weekdays = new RegExp(`^${day}((\\.\\.|,)${day})*$`, 'i');
      const num = '(\\*|\\d+)([-.][.]?\\d+)*(/\\d+)?(,(\\d+)([-.][.]?\\d+)*(/\\d+)?)*';
      const date = new RegExp(`^(${num}-)?${num}-${num}$`);
      const time = new RegExp(`^${num}:${num}(:${num})?$`);
      let i = 0;
      if (weekdays.test(parts[i] ?? '')) i++;
      if (i < parts.length && date.test(parts[i] as string) && !time.test(parts[i] as string)) i++;
      if (i < parts.length && time.test(parts[i] as string)) i++;
      return i === parts.length && i > 0;
    });
}

/** JSON as Django's JsonResponse writes it (Python's `json.dumps`: `", "` and `": "`). */
export function pythonJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([, v]) => v !== undefined,
  );
  return `{${entries.map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(', ')}}`;
}

/** Timestamps as the server writes them: `2026-12-05T07:23:58+00:00` (no milliseconds). */
function isoSeconds(date: Date | string): string {
  return new Date(date).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}
/** Ping dates keep microseconds: `2026-12-05T07:23:58.822110+00:00`. */
function isoMicros(date: Date | string): string {
  return new Date(date).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

function randomKey(prefix: string): string {
  return `${prefix}${randomBytes(21)
    .toString('base64url')
    .slice(0, 32 - prefix.length)}`;
}

function text(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

/** Django answers with `text/html` unless told otherwise (`HttpResponse("OK")`). */
function html(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(body);
}

/**
 * The site's 404 page, as Healthchecks renders it for an unknown check or route: a whole
 * HTML page (which, like the real one, carries the path it was asked for).
 */
function notFoundPage(res: ServerResponse, path: string) {
  const escaped = path.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  html(
    res,
    404,
    `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Not Found - Healthchecks</title>
  <link rel="canonical" href="${escaped}">
  <link rel="stylesheet" href="/static/CACHE/css/output.css" type="text/css">
</head>
<body class="page-404">
  <nav class="navbar"><a class="navbar-brand" href="/">Healthchecks</a></nav>
  <div class="container">
    <h1>Not Found</h1>
    <p>The requested resource <code>${escaped}</code> was not found on this server.</p>
  </div>
</body>
</html>
`,
  );
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(pythonJson(body));
}

/** A fixed-window per-minute counter. */
class RateCounter {
  #windows = new Map<string, { start: number; count: number }>();
  hit(key: string, limit: number | undefined): boolean {
    if (limit === undefined) return true;
    const now = Date.now();
    const w = this.#windows.get(key);
    if (!w || now - w.start >= 60_000) {
      this.#windows.set(key, { start: now, count: 1 });
      return 1 <= limit;
    }
    w.count++;
    return w.count <= limit;
  }
  reset() {
    this.#windows.clear();
  }
}

/**
 * Starts a fake Healthchecks server on 127.0.0.1.
 *
 * @example
 * ```ts
 * const hc = await startHealthchecksServer({ pingBodyLimit: 1000 });
 * const check = hc.addCheck({ name: 'backup' });
 * await fetch(`${hc.pingUrlOf(check)}/start`, { method: 'POST' });
 * await hc.close();
 * ```
 */
export async function startHealthchecksServer(
  options: HealthchecksServerOptions = {},
): Promise<HealthchecksServer> {
  let bodyLimit = options.pingBodyLimit ?? 10_000;
  let hosted = options.hosted ?? false;
  const sendLimitHeader = options.sendBodyLimitHeader ?? true;
  const checkLimit = options.checkLimit ?? 20;
  const apiKey = options.apiKey ?? randomKey('hcw_');
  const readOnlyKey = options.readOnlyKey ?? randomKey('hcr_');
  const pingKey = options.pingKey ?? randomBytes(16).toString('base64url').slice(0, 22);
  const channels: FakeChannel[] = options.channels ?? [
    { id: randomUUID(), name: 'Ops email', kind: 'email' },
    { id: randomUUID(), name: 'Slack #alerts', kind: 'slack' },
  ];
  const checks: FakeCheck[] = [];
  const pingLog: (FakePing & { check: string })[] = [];
  const faults: (HealthchecksFault & { left: number })[] = [];
  const pingRate = new RateCounter();
  const apiRate = new RateCounter();
  // Badge URLs carry a key per tag (8 characters, as the server's), never a check's UUID.
  const badgeKeys = new Map<string, string>();
  const projectBadgeKey = randomUUID();
  let base = '';

  const addCheck = (fields: Partial<Omit<FakeCheck, 'pings' | 'flips'>> = {}): FakeCheck => {
    const check: FakeCheck = {
      uuid: randomUUID(),
      name: '',
      slug: '',
      tags: '',
      desc: '',
      kind: 'simple',
      timeout: 86_400,
      grace: 3_600,
      schedule: '* * * * *',
      tz: 'UTC',
      status: 'new',
      started: false,
      manualResume: false,
      methods: '',
      channels: [],
      lastPing: null,
      badgeKey: randomUUID(),
      ...fields,
      pings: [],
      flips: [],
    };
    checks.push(check);
    return check;
  };

  const pingUrlOf = (check: FakeCheck | string) =>
    `${base}/ping/${typeof check === 'string' ? check : check.uuid}`;

  const uniqueKey = (check: FakeCheck) =>
    createHash('sha1').update(check.uuid.replace(/-/g, '')).digest('hex');

  // Field order as the server's Check.to_dict writes it.
  const toDict = (check: FakeCheck, readonly: boolean): Record<string, unknown> => {
    const d: Record<string, unknown> = {
      name: check.name,
      slug: check.slug,
      tags: check.tags,
      desc: check.desc,
      grace: check.grace,
      n_pings: check.pings.length,
      status: check.status,
      started: check.started,
      last_ping: check.lastPing === null ? null : isoSeconds(check.lastPing),
      next_ping:
        check.lastPing && check.kind === 'simple' && check.status !== 'paused'
          ? isoSeconds(new Date(Date.parse(check.lastPing) + check.timeout * 1000))
          : null,
      manual_resume: check.manualResume,
      methods: check.methods,
      subject: '',
      subject_fail: '',
      start_kw: '',
      success_kw: '',
      failure_kw: '',
      filter_subject: false,
      filter_body: false,
      badge_url: `${base}/b/2/${check.badgeKey ?? uniqueKey(check).slice(0, 32)}.svg`,
    };
    if (readonly) {
      d.unique_key = uniqueKey(check);
    } else {
      d.uuid = check.uuid;
      d.ping_url = pingUrlOf(check);
      d.update_url = `${base}/api/v3/checks/${check.uuid}`;
      d.pause_url = `${base}/api/v3/checks/${check.uuid}/pause`;
      d.resume_url = `${base}/api/v3/checks/${check.uuid}/resume`;
      d.channels = check.channels.join(',');
    }
    if (check.kind === 'simple') d.timeout = check.timeout;
    else {
      d.schedule = check.schedule;
      d.tz = check.tz;
    }
    return d;
  };

  const flip = (check: FakeCheck, status: FakeCheck['status']) => {
    if (check.status === status) return;
    check.status = status;
    if (status === 'up' || status === 'down') {
      check.flips.push({ timestamp: new Date().toISOString(), up: status === 'up' ? 1 : 0 });
    }
  };

  // ---- pinging API --------------------------------------------------------------------
  const handlePing = (
    req: RecordedRequest,
    raw: Buffer,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ) => {
    if (!['GET', 'HEAD', 'POST'].includes(req.method)) return text(res, 405, 'method not allowed');
    const parts = path.split('/').filter((p) => p !== '');
    let check: FakeCheck | undefined;
    let action: string | undefined;
    let created = false;
    const isUuidForm = parts.length >= 1 && UUID_RE.test(parts[0] as string);
    if (isUuidForm) {
      if (parts.length > 2) return text(res, 404, 'not found');
      action = parts[1];
      check = checks.find((c) => c.uuid === (parts[0] as string).toLowerCase());
      if (!check) return hosted ? text(res, 200, 'OK (not found)') : text(res, 404, 'not found');
    } else {
      if (parts.length < 2 || parts.length > 3) return text(res, 404, 'not found');
      const [key, slug] = parts as [string, string];
      action = parts[2];
      if (!/^[-a-zA-Z0-9_]+$/.test(slug)) return text(res, 404, 'not found');
      if (slug !== slug.toLowerCase()) return text(res, 400, 'invalid slug');
      if (key !== pingKey) return text(res, 404, 'not found');
      const matches = checks.filter((c) => c.slug === slug);
      if (matches.length > 1) return text(res, 409, 'ambiguous slug');
      check = matches[0];
      if (!check) {
        if (query.get('create') !== '1') return text(res, 404, 'not found');
        if (checks.length >= checkLimit) return text(res, 404, 'not found');
        check = addCheck({ name: slug, slug, channels: channels.map((c) => c.id) });
        created = true;
      }
    }
    let kind: FakePing['kind'] = 'success';
    let exitStatus: number | undefined;
    if (action === undefined) kind = 'success';
    else if (action === 'start' || action === 'fail' || action === 'log') kind = action;
    else if (/^\d+$/.test(action)) {
      exitStatus = Number(action);
      if (exitStatus > 255) return text(res, 400, 'invalid url format');
      kind = exitStatus === 0 ? 'success' : 'fail';
    } else return text(res, 404, 'not found');

    const ridText = query.get('rid');
    if (ridText !== null && !UUID_RE.test(ridText)) return text(res, 400, 'invalid uuid format');

    if (!pingRate.hit(check.uuid, options.pingRateLimit)) {
      return isUuidForm && hosted
        ? text(res, 200, 'OK (rate-limited)')
        : text(res, 429, 'rate limited');
    }

    const ping: FakePing = {
      n: check.pings.length + 1,
      kind: check.methods === 'POST' && req.method !== 'POST' ? 'ign' : kind,
      ...(exitStatus !== undefined ? { exitStatus } : {}),
      ...(ridText !== null ? { rid: ridText.toLowerCase() } : {}),
      method: req.method,
      ua: String(req.headers['user-agent'] ?? ''),
      body: raw.subarray(0, bodyLimit),
      receivedBytes: raw.length,
      date: new Date().toISOString(),
    };
    check.pings.push(ping);
    pingLog.push({ ...ping, check: check.uuid });
    if (ping.kind !== 'ign') {
      check.lastPing = ping.date;
      if (check.status === 'paused' && check.manualResume) {
        // A manually resumed check ignores pings while paused.
      } else if (ping.kind === 'start') {
        check.started = true;
        if (check.status === 'paused') check.status = 'new';
      } else if (ping.kind === 'success') {
        check.started = false;
        flip(check, 'up');
      } else if (ping.kind === 'fail') {
        check.started = false;
        flip(check, 'down');
      }
    }
    const headers: Record<string, string> = sendLimitHeader
      ? { 'Ping-Body-Limit': String(bodyLimit) }
      : {};
    return created ? text(res, 201, 'Created', headers) : text(res, 200, 'OK', headers);
  };

  // ---- management API -----------------------------------------------------------------
  type Auth = 'rw' | 'ro';
  const authenticate = (
    req: RecordedRequest,
    res: ServerResponse,
    readOk: boolean,
  ): Auth | undefined => {
    let key = String(req.headers['x-api-key'] ?? '');
    if (key === '' && req.method === 'POST' && req.body) {
      try {
        const parsed = JSON.parse(req.body) as { api_key?: unknown };
        if (typeof parsed.api_key === 'string') key = parsed.api_key;
      } catch {
        // an unparseable body is reported by the route itself
      }
    }
    if (key.length !== 32) {
      json(res, 401, { error: 'missing api key' });
      return undefined;
    }
    if (key === apiKey) return 'rw';
    if (readOk && key === readOnlyKey) return 'ro';
    json(res, 401, { error: 'wrong api key' });
    return undefined;
  };

  /** Validates a create/update body as the server's Spec does; returns the error message. */
  const validateSpec = (spec: Record<string, unknown>): string | undefined => {
    const err = (m: string) => `json validation error: ${m}`;
    for (const f of STRING_FIELDS) {
      if (f in spec && typeof spec[f] !== 'string') return err(`${f} is not a string`);
    }
    // The server counts characters (code points), not UTF-16 units.
    if (typeof spec.name === 'string' && [...spec.name].length > 100)
      return err('name is too long');
    if (typeof spec.slug === 'string') {
      if (spec.slug.length > 100) return err('slug is too long');
      if (!SLUG_RE.test(spec.slug)) return err('slug does not match pattern');
    }
    for (const f of ['timeout', 'grace']) {
      if (!(f in spec)) continue;
      const v = spec[f];
      if (typeof v !== 'number' || !Number.isInteger(v)) return err(`${f} is not a number`);
      if (v < 60) return err(`${f} is too small`);
      if (v > 31_536_000) return err(`${f} is too large`);
    }
    if (typeof spec.schedule === 'string') {
      if (spec.schedule.length > 100) return err('schedule is too long');
      if (!validCron(spec.schedule) && !validOnCalendar(spec.schedule)) {
        return err('schedule is not a valid cron or OnCalendar expression');
      }
    }
    if (typeof spec.tz === 'string' && !isTimeZone(spec.tz))
      return err('tz is not a valid timezone');
    for (const f of BOOLEAN_FIELDS) {
      if (f in spec && typeof spec[f] !== 'boolean') return err(`${f} is not a boolean`);
    }
    if ('methods' in spec && spec.methods !== '' && spec.methods !== 'POST') {
      return err('methods has unexpected value');
    }
    if ('unique' in spec) {
      if (!Array.isArray(spec.unique)) return err('unique is not an array');
      if (spec.unique.some((u) => typeof u !== 'string' || !UNIQUE_FIELDS.has(u))) {
        return err("an item in 'unique' has unexpected value");
      }
    }
    return undefined;
  };

  const resolveChannels = (value: string): string[] | { error: string } => {
    if (value === '*') return channels.map((c) => c.id);
    if (value === '') return [];
    const out = new Set<string>();
    for (const s of value.split(',')) {
      if (s === '') return { error: 'empty channel identifier' };
      const matches = channels.filter((c) => c.id === s || c.name === s);
      if (matches.length === 0) return { error: `invalid channel identifier: ${s}` };
      if (matches.length > 1) return { error: `non-unique channel identifier: ${s}` };
      out.add((matches[0] as FakeChannel).id);
    }
    return [...out];
  };

  const applySpec = (check: FakeCheck, spec: Record<string, unknown>): string | undefined => {
    let newChannels: string[] | undefined;
    if (typeof spec.channels === 'string') {
      const r = resolveChannels(spec.channels);
      if (!Array.isArray(r)) return r.error;
      newChannels = r;
    }
    if (typeof spec.name === 'string') check.name = spec.name;
    if (typeof spec.schedule === 'string') {
      check.kind = validCron(spec.schedule) ? 'cron' : 'oncalendar';
      check.schedule = spec.schedule;
    } else if (typeof spec.timeout === 'number') {
      check.kind = 'simple';
      check.timeout = spec.timeout;
    }
    if (typeof spec.timeout === 'number') check.timeout = spec.timeout;
    if (typeof spec.slug === 'string') check.slug = spec.slug;
    if (typeof spec.tags === 'string')
      check.tags = spec.tags.trim().split(/\s+/).filter(Boolean).join(' ');
    if (typeof spec.desc === 'string') check.desc = spec.desc;
    if (typeof spec.tz === 'string') check.tz = spec.tz;
    if (typeof spec.grace === 'number') check.grace = spec.grace;
    if (typeof spec.manual_resume === 'boolean') check.manualResume = spec.manual_resume;
    if (spec.methods === '' || spec.methods === 'POST') check.methods = spec.methods;
    if (newChannels) check.channels = newChannels;
    return undefined;
  };

  const lookupUnique = (spec: Record<string, unknown>): FakeCheck | undefined => {
    const unique = spec.unique as string[] | undefined;
    if (!unique || unique.length === 0) return undefined;
    if (unique.some((f) => spec[f] === undefined)) return undefined;
    return checks.find((c) =>
      unique.every((f) => {
        if (f === 'name') return c.name === spec.name;
        if (f === 'slug') return c.slug === spec.slug;
        if (f === 'tags') return c.tags === spec.tags;
        if (f === 'timeout') return c.timeout === spec.timeout;
        return c.grace === spec.grace;
      }),
    );
  };

  const parseBody = (req: RecordedRequest): Record<string, unknown> | undefined => {
    if (req.body === '') return {};
    try {
      const parsed = JSON.parse(req.body) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const copy = { ...(parsed as Record<string, unknown>) };
        delete copy.api_key;
        return copy;
      }
    } catch {
      // fall through
    }
    return undefined;
  };

  const badgeUrls = (tag: string) => {
    let key = badgeKeys.get(tag);
    if (!key) {
      key = randomBytes(6).toString('base64url').slice(0, 8);
      badgeKeys.set(tag, key);
    }
    const file = tag === '*' ? '' : `/${encodeURIComponent(tag)}`;
    const url = (v2: boolean, ext: string) =>
      `${base}/badge/${projectBadgeKey}/${key}${v2 ? '-2' : ''}${file}.${ext}`;
    return {
      svg: url(true, 'svg'),
      svg3: url(false, 'svg'),
      json: url(true, 'json'),
      json3: url(false, 'json'),
      shields: url(true, 'shields'),
      shields3: url(false, 'shields'),
    };
  };

  const flipsAnswer = (check: FakeCheck, query: URLSearchParams, res: ServerResponse) => {
    // FlipsFiltersForm: whole non-negative numbers; anything else is an empty 400.
    const filters: Record<string, number> = {};
    for (const key of ['seconds', 'start', 'end']) {
      const v = query.get(key);
      if (v === null) continue;
      if (!/^\d+$/.test(v) || (key === 'seconds' && Number(v) < 1)) {
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        res.end();
        return;
      }
      filters[key] = Number(v);
    }
    const now = Date.now();
    const list = check.flips.filter((f) => {
      const t = Date.parse(f.timestamp);
      if (filters.seconds !== undefined && t < now - filters.seconds * 1000) return false;
      if (filters.start !== undefined && t < filters.start * 1000) return false;
      if (filters.end !== undefined && t > filters.end * 1000) return false;
      return true;
    });
    return json(res, 200, {
      flips: [...list].reverse().map((f) => ({ timestamp: isoSeconds(f.timestamp), up: f.up })),
    });
  };

  const handleApi = (
    req: RecordedRequest,
    res: ServerResponse,
    fullPath: string,
    path: string,
    query: URLSearchParams,
  ) => {
    if (!apiRate.hit('api', options.apiRateLimit)) {
      return json(res, 429, { error: 'rate limit exceeded' });
    }
    const parts = path.split('/').filter((p) => p !== '');
    const [first, id, sub, n, tail] = parts;
    const m = req.method;
    const notFound = () => notFoundPage(res, fullPath);

    if (first === 'status' && parts.length === 1 && m === 'GET') return html(res, 200, 'OK');
    if (first === 'channels' && parts.length === 1 && m === 'GET') {
      if (!authenticate(req, res, false)) return;
      return json(res, 200, { channels });
    }
    if (first === 'badges' && parts.length === 1 && m === 'GET') {
      if (!authenticate(req, res, true)) return;
      const tags = new Set<string>();
      for (const c of checks) for (const t of c.tags.split(' ')) if (t) tags.add(t);
      const badges: Record<string, unknown> = {};
      for (const t of [...tags].sort()) badges[t] = badgeUrls(t);
      badges['*'] = badgeUrls('*');
      return json(res, 200, { badges });
    }
    if (first !== 'checks') return notFound();

    if (parts.length === 1) {
      if (m === 'GET') {
        const auth = authenticate(req, res, true);
        if (!auth) return;
        const tags = query.getAll('tag');
        const slug = query.get('slug');
        const list = checks.filter(
          (c) =>
            tags.every((t) => c.tags.split(' ').includes(t)) && (slug ? c.slug === slug : true),
        );
        return json(res, 200, { checks: list.map((c) => toDict(c, auth === 'ro')) });
      }
      if (m === 'POST') {
        if (!authenticate(req, res, false)) return;
        const spec = parseBody(req);
        if (!spec) return json(res, 400, { error: 'could not parse request body' });
        const invalid = validateSpec(spec);
        if (invalid) return json(res, 400, { error: invalid });
        const existing = lookupUnique(spec);
        if (existing) {
          const e = applySpec(existing, spec);
          if (e) return json(res, 400, { error: e });
          return json(res, 200, toDict(existing, false));
        }
        if (checks.length >= checkLimit) {
          res.writeHead(403);
          res.end();
          return;
        }
        const draft = addCheck();
        const e = applySpec(draft, spec);
        if (e) {
          checks.splice(checks.indexOf(draft), 1);
          return json(res, 400, { error: e });
        }
        return json(res, 201, toDict(draft, false));
      }
      return text(res, 405, 'method not allowed');
    }

    // checks/<unique_key> and checks/<unique_key>/flips/ for read-only keys
    if (
      id &&
      UNIQUE_KEY_RE.test(id) &&
      m === 'GET' &&
      (parts.length === 2 || (sub === 'flips' && parts.length === 3))
    ) {
      const auth = authenticate(req, res, true);
      if (!auth) return;
      const check = checks.find((c) => uniqueKey(c) === id);
      if (!check) return notFound();
      return sub === 'flips'
        ? flipsAnswer(check, query, res)
        : json(res, 200, toDict(check, auth === 'ro'));
    }
    if (!id || !UUID_RE.test(id)) return notFound();
    const readOnlyRoute = (parts.length === 2 && m === 'GET') || (sub === 'flips' && m === 'GET');
    const auth = authenticate(req, res, readOnlyRoute);
    if (!auth) return;
    const check = checks.find((c) => c.uuid === id.toLowerCase());
    if (!check) return notFound();

    if (parts.length === 2) {
      if (m === 'GET') return json(res, 200, toDict(check, auth === 'ro'));
      if (m === 'DELETE') {
        checks.splice(checks.indexOf(check), 1);
        return json(res, 200, toDict(check, false));
      }
      if (m === 'POST') {
        const spec = parseBody(req);
        if (!spec) return json(res, 400, { error: 'could not parse request body' });
        const invalid = validateSpec(spec);
        if (invalid) return json(res, 400, { error: invalid });
        const e = applySpec(check, spec);
        if (e) return json(res, 400, { error: e });
        return json(res, 200, toDict(check, false));
      }
      return text(res, 405, 'method not allowed');
    }
    if (sub === 'pause' && parts.length === 3 && m === 'POST') {
      check.status = 'paused';
      check.started = false;
      return json(res, 200, toDict(check, false));
    }
    if (sub === 'resume' && parts.length === 3 && m === 'POST') {
      if (check.status !== 'paused') return html(res, 409, 'check is not paused');
      check.status = 'new';
      check.lastPing = null;
      return json(res, 200, toDict(check, false));
    }
    if (sub === 'pings' && m === 'GET') {
      if (parts.length === 3) {
        const out = check.pings.map((p, i) => {
          const entry: Record<string, unknown> = {
            type: p.kind,
            date: isoMicros(p.date),
            n: p.n,
            scheme: 'http',
            remote_addr: '127.0.0.1',
            method: p.method,
            ua: p.ua,
            rid: p.rid ?? null,
            body_url:
              p.body.length > 0 ? `${base}/api/v3/checks/${check.uuid}/pings/${p.n}/body` : null,
          };
          // The duration of a success or failure: since the latest earlier start of the
          // same run id (none when a success or failure of that run came in between).
          if (p.kind === 'success' || p.kind === 'fail') {
            for (let j = i - 1; j >= 0; j--) {
              const earlier = check.pings[j] as FakePing;
              if (earlier.rid !== p.rid) continue;
              if (earlier.kind === 'start') {
                entry.duration = (Date.parse(p.date) - Date.parse(earlier.date)) / 1000;
                break;
              }
              if (earlier.kind === 'success' || earlier.kind === 'fail') break;
            }
          }
          return entry;
        });
        return json(res, 200, { pings: out.reverse() });
      }
      if (parts.length === 5 && tail === 'body' && n && /^\d+$/.test(n)) {
        const ping = check.pings.find((p) => p.n === Number(n));
        if (!ping || ping.body.length === 0) return notFound();
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(ping.body);
        return;
      }
    }
    if (sub === 'flips' && parts.length === 3 && m === 'GET') return flipsAnswer(check, query, res);
    return notFound();
  };

  const applyFault = async (res: ServerResponse, route: 'ping' | 'api') => {
    const rule = faults.find(
      (f) => f.left > 0 && (f.target ?? 'all') !== (route === 'ping' ? 'api' : 'ping'),
    );
    if (!rule) return false;
    rule.left--;
    if (rule.kind === 'hang') return true;
    if (rule.kind === 'reset') {
      res.socket?.destroy();
      return true;
    }
    if (rule.kind === 'slow') {
      await new Promise((r) => setTimeout(r, rule.delayMs ?? 1_000));
      return false;
    }
    res.writeHead(rule.status ?? 500, { 'content-type': 'text/plain', ...rule.headers });
    res.end(rule.body ?? 'server error');
    return true;
  };

  const requests: RecordedRequest[] = [];
  const handle = async (req: RecordedRequest, raw: Buffer, res: ServerResponse) => {
    const url = new URL(req.url, 'http://localhost');
    const path = url.pathname;
    if (path.startsWith('/ping/')) {
      if (await applyFault(res, 'ping')) return;
      return handlePing(req, raw, res, path.slice('/ping/'.length), url.searchParams);
    }
    const api = /^\/api\/v[123]\/(.*)$/.exec(path);
    if (api) {
      if (await applyFault(res, 'api')) return;
      return handleApi(req, res, path, api[1] as string, url.searchParams);
    }
    return notFoundPage(res, path);
  };
  // Its own server (not startHttpServer): ping bodies are bytes, kept as sent.
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: raw.toString(),
      };
      requests.push(recorded);
      try {
        await handle(recorded, raw, res);
      } catch (error) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    pingBase: `${base}/ping`,
    apiUrl: `${base}/api/v3/`,
    apiKey,
    readOnlyKey,
    pingKey,
    requests,
    checks,
    channels,
    addCheck,
    check: (uuid) => checks.find((c) => c.uuid === uuid),
    pingUrlOf,
    uniqueKeyOf: (check) =>
      uniqueKey(
        typeof check === 'string' ? (checks.find((c) => c.uuid === check) as FakeCheck) : check,
      ),
    writeRequests: () =>
      requests.filter(
        (r) => r.url.startsWith('/api/') && r.method !== 'GET' && r.method !== 'HEAD',
      ),
    allPings: () => [...pingLog],
    fault: (rule) => {
      faults.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults: () => {
      faults.length = 0;
    },
    setPingBodyLimit: (bytes) => {
      bodyLimit = bytes;
    },
    setHosted: (value) => {
      hosted = value;
    },
    resetRateLimits: () => {
      pingRate.reset();
      apiRate.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
