import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type RecordedRequest, startHttpServer } from './http-server.ts';

/**
 * A Healthchecks-compatible server (pinging API and Management API v3) on loopback, built
 * from the behaviour described in the team notes (`healthchecks-api.md`): status codes,
 * `Ping-Body-Limit`, body truncation, `rid` validation, slug auto-provisioning, ambiguous
 * slugs, hosted-style `OK (not found)` / `OK (rate-limited)`, API key checks, unique upserts,
 * pause/resume, the check limit, and injected slow, hanging and failing responses.
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
  kind: 'simple' | 'cron';
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
const TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);

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

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
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
      ...fields,
      pings: [],
      flips: [],
    };
    checks.push(check);
    return check;
  };

  const pingUrlOf = (check: FakeCheck | string) =>
    `${base}/ping/${typeof check === 'string' ? check : check.uuid}`;

  // Badge URLs carry a key of their own, never the check's UUID.
  const badgeKey = (check: FakeCheck) =>
    createHash('sha256').update(`badge:${check.uuid}`).digest('hex').slice(0, 32);

  const uniqueKey = (check: FakeCheck) =>
    createHash('sha1').update(check.uuid.replace(/-/g, '')).digest('hex');

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
      last_ping: check.lastPing,
      next_ping:
        check.lastPing && check.kind === 'simple' && check.status !== 'paused'
          ? new Date(Date.parse(check.lastPing) + check.timeout * 1000).toISOString()
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
      badge_url: `${base}/b/2/${badgeKey(check)}.svg`,
    };
    if (check.kind === 'simple') d.timeout = check.timeout;
    else {
      d.schedule = check.schedule;
      d.tz = check.tz;
    }
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

    const received = Buffer.from(req.body);
    const ping: FakePing = {
      n: check.pings.length + 1,
      kind: check.methods === 'POST' && req.method !== 'POST' ? 'ign' : kind,
      ...(exitStatus !== undefined ? { exitStatus } : {}),
      ...(ridText !== null ? { rid: ridText.toLowerCase() } : {}),
      method: req.method,
      ua: String(req.headers['user-agent'] ?? ''),
      body: received.subarray(0, bodyLimit),
      receivedBytes: received.length,
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

  /** Validates a create/update body as the server's pydantic Spec does; returns an error. */
  const validateSpec = (spec: Record<string, unknown>): string | undefined => {
    const err = (m: string) => `json validation error: ${m}`;
    for (const f of STRING_FIELDS) {
      if (f in spec && typeof spec[f] !== 'string') return err(`${f} is not a string`);
    }
    if (typeof spec.name === 'string' && spec.name.length > 100) return err('name is too long');
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
      const fields = spec.schedule.trim().split(/\s+/);
      if (fields.length !== 5 || fields.some((x) => !/^[\d*,/\-A-Za-z?LW#]+$/.test(x))) {
        return err('schedule is not a valid cron or OnCalendar expression');
      }
    }
    if (typeof spec.tz === 'string' && !TIME_ZONES.has(spec.tz))
      return err('tz is not a valid timezone');
    if ('manual_resume' in spec && typeof spec.manual_resume !== 'boolean') {
      return err('manual_resume is not a boolean');
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
      check.kind = 'cron';
      check.schedule = spec.schedule;
    } else if (typeof spec.timeout === 'number') {
      check.kind = 'simple';
      check.timeout = spec.timeout;
    }
    if (typeof spec.slug === 'string') check.slug = spec.slug;
    if (typeof spec.tags === 'string') check.tags = spec.tags;
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

  const handleApi = (
    req: RecordedRequest,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ) => {
    if (!apiRate.hit('api', options.apiRateLimit)) {
      return json(res, 429, { error: 'rate limit exceeded' });
    }
    const parts = path.split('/').filter((p) => p !== '');
    const [first, id, sub, n, tail] = parts;
    const m = req.method;

    if (first === 'channels' && parts.length === 1 && m === 'GET') {
      if (!authenticate(req, res, false)) return;
      return json(res, 200, { channels });
    }
    if (first !== 'checks') return text(res, 404, 'not found');

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

    // checks/<unique_key> for read-only keys
    if (id && !UUID_RE.test(id) && parts.length === 2 && m === 'GET') {
      const auth = authenticate(req, res, true);
      if (!auth) return;
      const check = checks.find((c) => uniqueKey(c) === id);
      return check ? json(res, 200, toDict(check, auth === 'ro')) : text(res, 404, 'not found');
    }
    if (!id || !UUID_RE.test(id)) return text(res, 404, 'not found');
    const readOnlyRoute = (parts.length === 2 && m === 'GET') || (sub === 'flips' && m === 'GET');
    const auth = authenticate(req, res, readOnlyRoute);
    if (!auth) return;
    const check = checks.find((c) => c.uuid === id.toLowerCase());
    if (!check) return text(res, 404, 'not found');

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
      if (check.status !== 'paused') return text(res, 409, 'check is not paused');
      check.status = 'new';
      check.lastPing = null;
      return json(res, 200, toDict(check, false));
    }
    if (sub === 'pings' && m === 'GET') {
      if (parts.length === 3) {
        const starts = new Map<string | undefined, number>();
        const out = check.pings.map((p) => {
          const entry: Record<string, unknown> = {
            type: p.kind,
            date: p.date,
            n: p.n,
            scheme: 'http',
            remote_addr: '127.0.0.1',
            method: p.method,
            ua: p.ua,
            rid: p.rid ?? null,
          };
          if (p.exitStatus !== undefined) entry.exitstatus = p.exitStatus;
          if (p.kind === 'start') starts.set(p.rid, Date.parse(p.date));
          else if (p.kind === 'success' || p.kind === 'fail') {
            const s = starts.get(p.rid);
            if (s !== undefined) entry.duration = (Date.parse(p.date) - s) / 1000;
            starts.delete(p.rid);
          }
          if (p.body.length > 0)
            entry.body_url = `${base}/api/v3/checks/${check.uuid}/pings/${p.n}/body`;
          return entry;
        });
        return json(res, 200, { pings: out.reverse() });
      }
      if (parts.length === 5 && tail === 'body' && n && /^\d+$/.test(n)) {
        const ping = check.pings.find((p) => p.n === Number(n));
        if (!ping || ping.body.length === 0) return text(res, 404, 'not found');
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(ping.body);
        return;
      }
    }
    if (sub === 'flips' && parts.length === 3 && m === 'GET') {
      const seconds = query.get('seconds');
      if (seconds !== null && !/^\d+$/.test(seconds)) return text(res, 400, 'bad request');
      const since = seconds === null ? 0 : Date.now() - Number(seconds) * 1000;
      return json(res, 200, {
        flips: check.flips.filter((f) => Date.parse(f.timestamp) >= since).reverse(),
      });
    }
    return text(res, 404, 'not found');
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

  const server = await startHttpServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const path = url.pathname;
    if (path.startsWith('/ping/')) {
      if (await applyFault(res, 'ping')) return;
      return handlePing(req, res, path.slice('/ping/'.length), url.searchParams);
    }
    const api = /^\/api\/v[123]\/(.*)$/.exec(path);
    if (api) {
      if (await applyFault(res, 'api')) return;
      return handleApi(req, res, api[1] as string, url.searchParams);
    }
    return text(res, 404, 'not found');
  });
  base = server.url;

  return {
    url: server.url,
    pingBase: `${server.url}/ping`,
    apiUrl: `${server.url}/api/v3/`,
    apiKey,
    readOnlyKey,
    pingKey,
    requests: server.requests,
    checks,
    channels,
    addCheck,
    check: (uuid) => checks.find((c) => c.uuid === uuid),
    pingUrlOf,
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
    close: () => server.close(),
  };
}
