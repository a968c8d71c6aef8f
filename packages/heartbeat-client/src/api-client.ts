import { maskToken } from '@berth/internal';
import type {
  BadgeUrls,
  Channel,
  Check,
  CheckFields,
  CheckRef,
  CheckSpec,
  DeregisterResult,
  Flip,
  FlipFilter,
  PingRecord,
  RegisterResult,
  RegisterSpec,
  StoredPingBody,
  UniqueField,
  UpsertResult,
} from './api-types.ts';
import { checkFieldsBody, checkSpecBody } from './check-spec.ts';
import { HeartbeatError } from './errors.ts';
import {
  attemptsText,
  exchange,
  type HttpAnswer,
  type HttpOptions,
  noAnswerReason,
  type RetryRule,
} from './http.ts';
import { maskSecrets, UUID_PATTERN } from './ping-target.ts';
import { maskUuids, serverText } from './server-text.ts';

/** The hosted Management API (healthchecks.io, v3). */
export const DEFAULT_API_URL = 'https://healthchecks.io/api/v3/';

/** Options of {@link HealthchecksApi}. */
export interface HealthchecksApiOptions extends HttpOptions {
  /** The project's API key (`X-Api-Key`); read-write for anything but reading. */
  apiKey: string;
  /**
   * Management API base (default `https://healthchecks.io/api/v3/`). A site root such as
   * `https://hc.example.com` gets `/api/v3/` added.
   */
  apiUrl?: string | URL;
}

/** Per-attempt timeout of an API request (ms). */
export const DEFAULT_API_TIMEOUT_MS = 10_000;
/** Retries of an API request after its first attempt. */
export const DEFAULT_API_RETRIES = 3;
/** Time one API call may take, retries and waits included (ms). */
export const DEFAULT_API_BUDGET_MS = 60_000;

const UNIQUE_KEY_PATTERN = /^[0-9a-f]{40}$/;

interface CallSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: [string, string][];
  body?: Record<string, unknown>;
  /** Safe to repeat after a lost answer (network error, 5xx). 429 is always retried. */
  idempotent: boolean;
  /** What the call does, in words, for error messages. */
  what: string;
  /** 403 means the check limit (create). */
  creating?: boolean;
}

function invalid(message: string): HeartbeatError {
  return new HeartbeatError('E_INPUT', message);
}

/** Resolves the API base: keeps `/api/vN/`, else adds `/api/v3/` to a site root. */
export function resolveApiUrl(value: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw invalid('the API URL is not a URL; give e.g. https://healthchecks.io/api/v3/');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`the API URL must use http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  url.search = '';
  url.hash = '';
  if (/\/api\/v\d+\/?$/.test(url.pathname)) {
    if (!url.pathname.endsWith('/')) url.pathname += '/';
  } else {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v3/`;
  }
  return url;
}

/** A check UUID, or the `unique_key` read-only keys see. */
function requireRef(ref: string, what: string): string {
  if (!UUID_PATTERN.test(ref) && !UNIQUE_KEY_PATTERN.test(ref)) {
    throw invalid(`${what}: "${maskToken(ref)}" is neither a check UUID nor a unique key`);
  }
  return ref.toLowerCase();
}

function requireUuid(uuid: string, what: string): string {
  if (!UUID_PATTERN.test(uuid)) {
    throw invalid(`${what}: "${maskToken(uuid)}" is not a check UUID (8-4-4-4-12 hex digits)`);
  }
  return uuid.toLowerCase();
}

/**
 * Client of the Healthchecks Management API (v3), authenticated with `X-Api-Key`. Every
 * method resolves to the API's own JSON, or rejects with a {@link HeartbeatError} whose code
 * says what went wrong (`E_VALIDATION`, `E_UNAUTHORIZED`, `E_CHECK_LIMIT`, `E_NOT_FOUND`,
 * `E_CONFLICT`, `E_RATE_LIMITED`, `E_NETWORK`, ...). 429 answers are retried with backoff;
 * network errors and 5xx are retried for requests that are safe to repeat.
 *
 * @example
 * ```ts
 * const api = new HealthchecksApi({ apiKey: process.env.HC_API_KEY! });
 * const { pingUrl } = await api.register({ name: `worker ${host}`, slug: `worker-${host}`, tags: ['worker'] });
 * // ... on scale-in:
 * await api.deregister({ slug: `worker-${host}` });
 * ```
 */
export class HealthchecksApi {
  readonly #options: HealthchecksApiOptions;
  readonly #base: URL;

  /** @throws HeartbeatError `E_INPUT` for a missing key or a bad URL. */
  constructor(options: HealthchecksApiOptions) {
    if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
      throw invalid('no API key: set HC_API_KEY (Project Settings > API Access in Healthchecks)');
    }
    if (/\s/.test(options.apiKey)) {
      throw invalid(`the API key ${maskToken(options.apiKey)} contains whitespace; copy it again`);
    }
    this.#options = { ...options };
    this.#base = resolveApiUrl(options.apiUrl ?? DEFAULT_API_URL);
  }

  /** The API base in use. */
  get apiUrl(): string {
    return this.#base.toString();
  }

  /** Lists the project's checks, optionally those carrying every tag in `tags`, or a slug. */
  async listChecks(filter: { tags?: readonly string[]; slug?: string } = {}): Promise<Check[]> {
    const query: [string, string][] = (filter.tags ?? []).map((t) => ['tag', t]);
    if (filter.slug !== undefined) query.push(['slug', filter.slug]);
    const data = await this.#json<{ checks?: Check[] }>({
      method: 'GET',
      path: 'checks/',
      query,
      idempotent: true,
      what: 'list checks',
    });
    if (!Array.isArray(data.checks)) throw this.#badResponse('list checks', 'no "checks" list');
    return data.checks;
  }

  /** Gets one check by UUID (or, with a read-only key, by its `unique_key`). */
  async getCheck(ref: string): Promise<Check> {
    requireRef(ref, 'get check');
    return this.#json<Check>({
      method: 'GET',
      path: `checks/${ref.toLowerCase()}`,
      idempotent: true,
      what: `get check ${maskToken(ref)}`,
    });
  }

  /**
   * Creates a check; with `unique`, updates the check matching those fields instead (and
   * `created` is false).
   */
  async createCheck(spec: CheckSpec): Promise<UpsertResult> {
    const body = checkSpecBody(spec);
    const answer = await this.#call({
      method: 'POST',
      path: 'checks/',
      body,
      idempotent: spec.unique !== undefined && spec.unique.length > 0,
      what: `create check${spec.name ? ` "${spec.name}"` : ''}`,
      creating: true,
    });
    return { check: this.#parse<Check>(answer, 'create check'), created: answer.status === 201 };
  }

  /** Creates or updates the check matching `unique` (e.g. `['name']`). */
  async upsertCheck(fields: CheckFields, unique: readonly UniqueField[]): Promise<UpsertResult> {
    if (unique.length === 0) throw invalid('upsert needs at least one unique field');
    return this.createCheck({ ...fields, unique });
  }

  /** Updates the given fields of a check. */
  async updateCheck(uuid: string, fields: CheckFields): Promise<Check> {
    const id = requireUuid(uuid, 'update check');
    const body = checkFieldsBody(fields);
    return this.#json<Check>({
      method: 'POST',
      path: `checks/${id}`,
      body,
      idempotent: true,
      what: `update check ${maskToken(id)}`,
    });
  }

  /** Pauses monitoring of a check (a no-op when already paused). */
  async pauseCheck(uuid: string): Promise<Check> {
    const id = requireUuid(uuid, 'pause check');
    return this.#json<Check>({
      method: 'POST',
      path: `checks/${id}/pause`,
      idempotent: true,
      what: `pause check ${maskToken(id)}`,
    });
  }

  /** Resumes a paused check; `E_CONFLICT` when it is not paused. */
  async resumeCheck(uuid: string): Promise<Check> {
    const id = requireUuid(uuid, 'resume check');
    return this.#json<Check>({
      method: 'POST',
      path: `checks/${id}/resume`,
      idempotent: false,
      what: `resume check ${maskToken(id)}`,
    });
  }

  /** Deletes a check and resolves to its last state. */
  async deleteCheck(uuid: string): Promise<Check> {
    const id = requireUuid(uuid, 'delete check');
    return this.#json<Check>({
      method: 'DELETE',
      path: `checks/${id}`,
      idempotent: true,
      what: `delete check ${maskToken(id)}`,
    });
  }

  /** Lists a check's recent pings, newest first. */
  async listPings(uuid: string): Promise<PingRecord[]> {
    const id = requireUuid(uuid, 'list pings');
    const data = await this.#json<{ pings?: PingRecord[] }>({
      method: 'GET',
      path: `checks/${id}/pings/`,
      idempotent: true,
      what: `list pings of check ${maskToken(id)}`,
    });
    if (!Array.isArray(data.pings)) throw this.#badResponse('list pings', 'no "pings" list');
    return data.pings;
  }

  /**
   * Gets the stored body of ping number `n` of a check, byte for byte (bodies may be binary
   * or in any encoding); `text()` decodes it as UTF-8.
   *
   * @example
   * ```ts
   * const body = await api.getPingBody(uuid, 7);
   * console.log(body.bytes.length, body.text());
   * ```
   */
  async getPingBody(uuid: string, n: number): Promise<StoredPingBody> {
    const id = requireUuid(uuid, 'get ping body');
    if (!Number.isInteger(n) || n < 1)
      throw invalid(`ping number must be a positive integer, got ${n}`);
    const answer = await this.#call({
      method: 'GET',
      path: `checks/${id}/pings/${n}/body`,
      idempotent: true,
      what: `get body of ping ${n} of check ${maskToken(id)}`,
    });
    const bytes = new Uint8Array(answer.body);
    return { bytes, text: () => Buffer.from(bytes).toString('utf8') };
  }

  /**
   * Lists a check's status changes, newest first. `ref` is the check's UUID, or (with a
   * read-only key) its `unique_key`.
   */
  async listFlips(ref: string, filter: FlipFilter = {}): Promise<Flip[]> {
    const id = requireRef(ref, 'list flips');
    const query: [string, string][] = [];
    for (const key of ['seconds', 'start', 'end'] as const) {
      const v = filter[key];
      if (v === undefined) continue;
      if (!Number.isInteger(v) || v < 0)
        throw invalid(`flips ${key} must be a whole number of seconds`);
      query.push([key, String(v)]);
    }
    const data = await this.#json<{ flips?: Flip[] }>({
      method: 'GET',
      path: `checks/${id}/flips/`,
      query,
      idempotent: true,
      what: `list flips of check ${maskToken(id)}`,
    });
    if (!Array.isArray(data.flips)) throw this.#badResponse('list flips', 'no "flips" list');
    return data.flips;
  }

  /** Lists the project's notification channels. */
  async listChannels(): Promise<Channel[]> {
    const data = await this.#json<{ channels?: Channel[] }>({
      method: 'GET',
      path: 'channels/',
      idempotent: true,
      what: 'list channels',
    });
    if (!Array.isArray(data.channels))
      throw this.#badResponse('list channels', 'no "channels" list');
    return data.channels;
  }

  /**
   * Lists the project's badges: one entry per tag, and `*` for all checks. Works with
   * read-only keys.
   */
  async listBadges(): Promise<Record<string, BadgeUrls>> {
    const data = await this.#json<{ badges?: Record<string, BadgeUrls> }>({
      method: 'GET',
      path: 'badges/',
      idempotent: true,
      what: 'list badges',
    });
    if (!data.badges || typeof data.badges !== 'object' || Array.isArray(data.badges)) {
      throw this.#badResponse('list badges', 'no "badges" map');
    }
    return data.badges;
  }

  /**
   * Asks the server whether it is up (`GET status/`: it answers `OK` when it can reach its
   * database). Resolves to the answer's text; rejects (`E_SERVER`, `E_NETWORK`) otherwise.
   * Needs no valid key.
   */
  async getStatus(): Promise<string> {
    const answer = await this.#call({
      method: 'GET',
      path: 'status/',
      idempotent: true,
      what: 'get server status',
    });
    return serverText(answer, [this.#options.apiKey]).quoted ?? '';
  }

  /**
   * Creates the check, or updates the one matching `unique` (default: the slug when given,
   * else the name): running it again changes nothing. For scale-out.
   */
  async register(spec: RegisterSpec): Promise<RegisterResult> {
    if (typeof spec.name !== 'string' || spec.name.trim() === '') {
      throw invalid('register needs a check name');
    }
    const unique = spec.unique ?? (spec.slug ? ['slug'] : ['name']);
    const { check, created } = await this.createCheck({ ...spec, unique });
    if (typeof check.ping_url !== 'string') {
      throw new HeartbeatError(
        'E_BAD_RESPONSE',
        `register "${spec.name}": the answer has no ping URL; is the API key read-only?`,
      );
    }
    return { check, created, pingUrl: check.ping_url };
  }

  /**
   * Deletes the check named by UUID, slug or name; a missing check is not an error. More
   * than one match is `E_AMBIGUOUS` unless `all` is set. For scale-in.
   */
  async deregister(ref: CheckRef, options: { all?: boolean } = {}): Promise<DeregisterResult> {
    const uuids = 'uuid' in ref ? [ref.uuid] : await this.#matchingUuids(ref, options);
    const deleted: Check[] = [];
    for (const uuid of uuids) {
      try {
        deleted.push(await this.deleteCheck(uuid));
      } catch (error) {
        // Deleted by someone else between the lookup and now: the goal is reached.
        if (error instanceof HeartbeatError && error.code === 'E_NOT_FOUND') continue;
        throw error;
      }
    }
    return { deleted, missing: deleted.length === 0 };
  }

  /** The UUIDs of the checks a slug or name names (deregister). */
  async #matchingUuids(
    ref: { slug: string } | { name: string },
    options: { all?: boolean },
  ): Promise<string[]> {
    let matches: Check[];
    let what: string;
    if ('slug' in ref) {
      if (ref.slug === '') throw invalid('deregister: the slug is empty');
      matches = (await this.listChecks({ slug: ref.slug })).filter((c) => c.slug === ref.slug);
      what = `slug "${ref.slug}"`;
    } else {
      if (ref.name === '') throw invalid('deregister: the name is empty');
      matches = (await this.listChecks()).filter((c) => c.name === ref.name);
      what = `name "${ref.name}"`;
    }
    if (matches.length > 1 && !options.all) {
      throw new HeartbeatError(
        'E_AMBIGUOUS',
        `deregister: ${what} matches ${matches.length} checks; delete one by UUID, or all of them with all (--all)`,
      );
    }
    return matches.map((c) => {
      if (typeof c.uuid !== 'string') {
        throw new HeartbeatError(
          'E_UNAUTHORIZED',
          'deregister: the API key is read-only; use the read-write key',
        );
      }
      return c.uuid;
    });
  }

  // ---- transport ----------------------------------------------------------------------

  async #json<T>(spec: CallSpec): Promise<T> {
    return this.#parse<T>(await this.#call(spec), spec.what);
  }

  #parse<T>(answer: HttpAnswer, what: string): T {
    try {
      const value = JSON.parse(answer.body.toString('utf8')) as unknown;
      if (value && typeof value === 'object') return value as T;
    } catch {
      // reported below
    }
    throw this.#badResponse(what, `HTTP ${answer.status} with a body that is not JSON`);
  }

  #badResponse(what: string, detail: string): HeartbeatError {
    return new HeartbeatError(
      'E_BAD_RESPONSE',
      `${what}: unexpected answer from ${this.#base.origin}: ${detail}; is HC_API_URL the Management API?`,
    );
  }

  async #call(spec: CallSpec): Promise<HttpAnswer> {
    const url = new URL(spec.path, this.#base);
    for (const [k, v] of spec.query ?? []) url.searchParams.append(k, v);
    const retry: RetryRule = {
      status: (s) => s === 429 || (spec.idempotent && (s === 408 || s >= 500)),
      network: spec.idempotent,
    };
    const o = this.#options;
    const outcome = await exchange(
      {
        url: url.toString(),
        method: spec.method,
        headers: {
          'x-api-key': o.apiKey,
          accept: 'application/json',
          ...(spec.body ? { 'content-type': 'application/json' } : {}),
        },
        ...(spec.body ? { body: JSON.stringify(spec.body) } : {}),
      },
      retry,
      {
        ...o,
        timeoutMs: o.timeoutMs ?? DEFAULT_API_TIMEOUT_MS,
        retries: o.retries ?? DEFAULT_API_RETRIES,
        budgetMs: o.budgetMs ?? DEFAULT_API_BUDGET_MS,
      },
    );
    const tries = attemptsText(outcome);
    const answer = outcome.answer;
    if (!answer) {
      const why = noAnswerReason(outcome);
      throw new HeartbeatError(
        'E_NETWORK',
        this.#mask(`${spec.what}: no answer from ${this.#base.origin}: ${why} (${tries})`),
        { retryable: !outcome.aborted },
      );
    }
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw this.#httpError(spec, answer, tries);
  }

  #httpError(spec: CallSpec, answer: HttpAnswer, tries: string): HeartbeatError {
    // What the server said, safe to show: never an HTML page, UUIDs and the key masked.
    const said = serverText(answer, [this.#options.apiKey]);
    const detail = said.quoted ?? '';
    const s = answer.status;
    const say = (text: string) => `${spec.what}: ${text}`;
    const status = { status: s };
    if (s === 400)
      return new HeartbeatError(
        'E_VALIDATION',
        say(`the server refused it: ${detail || 'bad request'}`),
        status,
      );
    if (s === 401) {
      return new HeartbeatError(
        'E_UNAUTHORIZED',
        say(
          `the API key ${maskToken(this.#options.apiKey)} was refused (${detail || 'unauthorized'}); use the project's read-write key (HC_API_KEY)`,
        ),
        status,
      );
    }
    if (s === 403) {
      return spec.creating
        ? new HeartbeatError(
            'E_CHECK_LIMIT',
            say(
              "the account's check limit is reached; delete unused checks or raise the plan's limit",
            ),
            status,
          )
        : new HeartbeatError(
            'E_FORBIDDEN',
            say('the check belongs to another project than this API key'),
            status,
          );
    }
    if (s === 404)
      return new HeartbeatError(
        'E_NOT_FOUND',
        say(
          said.html
            ? 'not found (the server answered with its HTML "not found" page: no such check, or HC_API_URL is not the Management API)'
            : `not found (${detail || 'no such check'})`,
        ),
        status,
      );
    if (s === 409) return new HeartbeatError('E_CONFLICT', say(detail || 'conflict'), status);
    if (s === 429) {
      return new HeartbeatError(
        'E_RATE_LIMITED',
        say(`still rate-limited after ${tries}; the API allows about 100 requests a minute`),
        {
          ...status,
          retryable: true,
        },
      );
    }
    if (s >= 500) {
      return new HeartbeatError('E_SERVER', say(`the server failed: HTTP ${s} (${tries})`), {
        ...status,
        retryable: true,
      });
    }
    return new HeartbeatError(
      'E_BAD_RESPONSE',
      say(
        `unexpected HTTP ${s}${detail ? `: ${detail}` : said.html ? ' with an HTML page (is HC_API_URL the Management API?)' : ''}`,
      ),
      status,
    );
  }

  #mask(text: string): string {
    return maskUuids(maskSecrets(text, [this.#options.apiKey]));
  }
}
