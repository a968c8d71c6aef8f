import { type Clock, systemClock } from '@berth/internal';

/** A failed GitHub REST call: method, path and status, never the token. */
export class GitHubApiError extends Error {
  override readonly name = 'GitHubApiError';
  readonly status: number;
  /**
   * True when GitHub refused the call for a rate limit (429, or 403 with an exhausted
   * `x-ratelimit-remaining` or a `retry-after`), not for a missing permission.
   */
  readonly rateLimited: boolean;
  /** How long GitHub asked to wait before trying again (rate limits only). */
  readonly retryAfterMs: number | undefined;
  constructor(
    method: string,
    path: string,
    status: number,
    detail: string,
    options: { cause?: unknown; rateLimit?: RateLimit } = {},
  ) {
    const limit = options.rateLimit;
    super(
      `GitHub API ${method} ${path} failed: ${status === 0 ? 'no response' : `HTTP ${status}`}${
        detail ? ` (${detail})` : ''
      }${
        limit
          ? `; rate limited${limit.resetAt ? ` until ${limit.resetAt.toISOString()}` : ''}, try again later`
          : status === 403 || status === 404
            ? hintFor(path)
            : ''
      }`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.status = status;
    this.rateLimited = limit !== undefined;
    this.retryAfterMs = limit?.waitMs;
  }
}

/** A rate-limit answer: how long GitHub asks to wait, and when the limit resets. */
interface RateLimit {
  waitMs: number;
  resetAt?: Date;
}

/**
 * Reads GitHub's rate-limit answer (docs: "Rate limits for the REST API"): 429, or 403 with
 * `x-ratelimit-remaining: 0` (primary limit, wait until `x-ratelimit-reset`) or with
 * `retry-after` (secondary limit). A 403 saying "secondary rate limit" without headers means
 * waiting at least a minute. Any other 403 is a permission problem.
 */
function rateLimitOf(res: Response, detail: string, now: number): RateLimit | undefined {
  if (res.status !== 403 && res.status !== 429) return undefined;
  const retryAfter = Number(res.headers.get('retry-after'));
  const remaining = res.headers.get('x-ratelimit-remaining');
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  const resetAt = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : undefined;
  if (res.headers.has('retry-after') && Number.isFinite(retryAfter)) {
    return {
      waitMs: Math.max(0, retryAfter) * 1000,
      ...(remaining === '0' && resetAt ? { resetAt } : {}),
    };
  }
  if (remaining === '0') {
    return {
      waitMs: resetAt ? Math.max(0, resetAt.getTime() - now) + 1000 : 60_000,
      ...(resetAt ? { resetAt } : {}),
    };
  }
  if (res.status === 429 || /rate limit/i.test(detail)) return { waitMs: 60_000 };
  return undefined;
}

function hintFor(path: string): string {
  if (path.includes('/deployments')) return '; does the job grant "deployments: write"?';
  if (path.includes('/comments')) return '; does the job grant "pull-requests: write"?';
  if (path.includes('/pulls/')) return '; does the job grant "pull-requests: read"?';
  return '';
}

/** Options of {@link GitHubApi}. */
export interface GitHubApiOptions {
  token: string;
  /** `owner/name`. */
  repository: string;
  /** `GITHUB_API_URL` (default https://api.github.com; GitHub Enterprise sets its own). */
  apiUrl?: string;
  /** Injected for tests. */
  fetch?: typeof fetch;
  /** Per-request timeout (default 15 s): a stuck API must not hold the job. */
  timeoutMs?: number;
  /** Time source and sleep between retries (injected in tests). */
  clock?: Clock;
  /**
   * Longest wait for a rate limit before giving up (default 60 s): GitHub's secondary limits
   * ask for a minute at most, a primary limit resetting later would hold the job too long.
   */
  maxRateLimitWaitMs?: number;
}

/** Retries after a rate limit or a failure that changed nothing (at most, per call). */
const RETRIES = 2;

/**
 * The few GitHub REST calls the action makes, over `fetch` with the run's token. Small on
 * purpose: the bundle carries no Octokit. A rate-limited call is retried after the wait
 * GitHub asks for (up to `maxRateLimitWaitMs`); a GET or PATCH that got no answer or a 5xx is
 * retried once more after a short pause. A POST is never repeated after a 5xx or no answer:
 * it may have been applied, and a second one would duplicate a comment or deployment.
 */
export class GitHubApi {
  readonly repository: string;
  readonly #token: string;
  readonly #base: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #maxRateLimitWaitMs: number;

  constructor(options: GitHubApiOptions) {
    this.repository = options.repository;
    this.#token = options.token;
    this.#base = (options.apiUrl || 'https://api.github.com').replace(/\/+$/, '');
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#clock = options.clock ?? systemClock;
    this.#maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 60_000;
  }

  /** Makes one call to `/repos/{owner}/{repo}{path}`; returns the parsed JSON body. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { data } = await this.#send<T>(
      method,
      `${this.#base}/repos/${this.repository}${path}`,
      body,
    );
    return data;
  }

  /** GETs every page of a list (following `Link: rel="next"`), up to `maxPages`. */
  async list<T>(path: string, maxPages = 10): Promise<T[]> {
    const out: T[] = [];
    const sep = path.includes('?') ? '&' : '?';
    let url: string | undefined = `${this.#base}/repos/${this.repository}${path}${sep}per_page=100`;
    for (let pageNo = 0; url && pageNo < maxPages; pageNo++) {
      const { data, link }: { data: T[]; link: string | null } = await this.#send<T[]>('GET', url);
      out.push(...data);
      url = /<([^>]+)>;\s*rel="next"/.exec(link ?? '')?.[1];
    }
    return out;
  }

  async #send<T>(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ data: T; link: string | null }> {
    const idempotent = method === 'GET' || method === 'PATCH';
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#sendOnce<T>(method, url, body);
      } catch (error) {
        if (!(error instanceof GitHubApiError) || attempt >= RETRIES) throw error;
        const wait = this.#retryWait(error, idempotent, attempt);
        if (wait === undefined) throw error;
        await this.#clock.sleep(wait);
      }
    }
  }

  /** How long to wait before trying `error`'s call again, or undefined to give up. */
  #retryWait(error: GitHubApiError, idempotent: boolean, attempt: number): number | undefined {
    if (error.retryAfterMs !== undefined) {
      return error.retryAfterMs <= this.#maxRateLimitWaitMs ? error.retryAfterMs : undefined;
    }
    if (idempotent && attempt === 0 && (error.status === 0 || error.status >= 500)) {
      return 1000;
    }
    return undefined;
  }

  async #sendOnce<T>(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ data: T; link: string | null }> {
    const display = url.startsWith(this.#base)
      ? (url.slice(this.#base.length).split('?')[0] ?? url)
      : url;
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.#token}`,
          'user-agent': 'berth-preview-env-action',
          'x-github-api-version': '2022-11-28',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new GitHubApiError(method, display, 0, (error as Error).message, { cause: error });
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = '';
      try {
        detail = String((JSON.parse(text) as { message?: unknown }).message ?? '');
      } catch {
        detail = text.slice(0, 200);
      }
      const rateLimit = rateLimitOf(res, detail, this.#clock.now());
      throw new GitHubApiError(method, display, res.status, detail, {
        ...(rateLimit ? { rateLimit } : {}),
      });
    }
    return {
      data: (text === '' ? undefined : JSON.parse(text)) as T,
      link: res.headers.get('link'),
    };
  }
}
