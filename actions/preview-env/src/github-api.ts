/** A failed GitHub REST call: method, path and status, never the token. */
export class GitHubApiError extends Error {
  override readonly name = 'GitHubApiError';
  readonly status: number;
  constructor(method: string, path: string, status: number, detail: string, cause?: unknown) {
    super(
      `GitHub API ${method} ${path} failed: ${status === 0 ? 'no response' : `HTTP ${status}`}${
        detail ? ` (${detail})` : ''
      }${status === 403 || status === 404 ? hintFor(path) : ''}`,
      cause === undefined ? undefined : { cause },
    );
    this.status = status;
  }
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
}

/**
 * The few GitHub REST calls the action makes, over `fetch` with the run's token. Small on
 * purpose: the bundle carries no Octokit.
 */
export class GitHubApi {
  readonly repository: string;
  readonly #token: string;
  readonly #base: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: GitHubApiOptions) {
    this.repository = options.repository;
    this.#token = options.token;
    this.#base = (options.apiUrl || 'https://api.github.com').replace(/\/+$/, '');
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
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
      throw new GitHubApiError(method, display, 0, (error as Error).message, error);
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = '';
      try {
        detail = String((JSON.parse(text) as { message?: unknown }).message ?? '');
      } catch {
        detail = text.slice(0, 200);
      }
      throw new GitHubApiError(method, display, res.status, detail);
    }
    return {
      data: (text === '' ? undefined : JSON.parse(text)) as T,
      link: res.headers.get('link'),
    };
  }
}
