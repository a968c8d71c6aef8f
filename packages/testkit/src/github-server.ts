import type { ServerResponse } from 'node:http';
import { type RecordedRequest, startHttpServer, type TestHttpServer } from './http-server.ts';

/** Options of {@link startGitHubServer}. */
export interface FakeGitHubOptions {
  /** The one repository the server knows, `owner/name` (default `berth-dev/demo`, as `runAction`). */
  repository?: string;
  /** Token every request must carry (`Authorization: Bearer|token <token>`); default `ghs_fake_token`. */
  token?: string;
  /** The user comments are created as (default `github-actions[bot]`, a Bot). */
  user?: FakeGitHubUser;
}

/** A GitHub user as the REST API shows it. */
export interface FakeGitHubUser {
  login: string;
  type: 'Bot' | 'User';
}

/** A deployment status, as recorded. */
export interface FakeDeploymentStatus {
  id: number;
  state: string;
  description: string;
  environment_url: string;
  log_url: string;
  created_at: string;
}

/** A deployment with its statuses (oldest status first). */
export interface FakeDeployment {
  id: number;
  ref: string;
  sha: string;
  environment: string;
  task: string;
  description: string;
  transient_environment: boolean;
  production_environment: boolean;
  payload: unknown;
  created_at: string;
  statuses: FakeDeploymentStatus[];
}

/** An issue or pull request comment. */
export interface FakeComment {
  id: number;
  issue_number: number;
  body: string;
  user: FakeGitHubUser;
  created_at: string;
  updated_at: string;
}

/** A reaction on an issue or pull request comment. */
export interface FakeReaction {
  id: number;
  comment_id: number;
  content: string;
  user: FakeGitHubUser;
  created_at: string;
}

/** A pull request, as far as `GET /pulls/{n}` shows it. */
export interface FakePull {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  title: string;
  head: { ref: string; sha: string };
  base: { ref: string };
}

/** A failure injected into matching requests. */
export interface FakeGitHubFault {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Matched against the request path (without the query). */
  path: RegExp;
  /** Status to answer with (default 500). */
  status?: number;
  /** How many matching requests fail (default: all until removed). */
  times?: number;
  /** The error body's `message` (default `Injected failure`), e.g. GitHub's rate-limit text. */
  message?: string;
  /** Response headers, e.g. `retry-after` or `x-ratelimit-remaining` for a rate limit. */
  headers?: Record<string, string>;
}

/** The fake GitHub REST API, with everything it stored. */
export interface FakeGitHub {
  /** Base URL to put in `GITHUB_API_URL`. */
  url: string;
  token: string;
  repository: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  deployments: FakeDeployment[];
  comments: FakeComment[];
  /** Reactions on comments (`POST /issues/comments/{id}/reactions`), in order. */
  reactions: FakeReaction[];
  pulls: Map<number, FakePull>;
  /** Numbers of plain issues (not pull requests) that accept comments. */
  issues: Set<number>;
  /** Adds or replaces a pull request (number, state, head...). */
  setPull(pull: Partial<FakePull> & { number: number }): FakePull;
  /** Adds a plain issue (not a pull request) that comments can be listed and written on. */
  setIssue(issueNumber: number): void;
  /** Reactions on comment `commentId`, in order. */
  reactionsOn(commentId: number): FakeReaction[];
  /** Adds a comment written by someone else (e.g. a human), returns it. */
  addComment(issueNumber: number, body: string, user?: FakeGitHubUser): FakeComment;
  /** Deployments of `environment`, oldest first. */
  deploymentsOf(environment: string): FakeDeployment[];
  /** Requests whose method and path match (query ignored). */
  requestsTo(method: string, path: RegExp): RecordedRequest[];
  /** Makes matching requests fail; returns a function that removes the fault. */
  fail(fault: FakeGitHubFault): () => void;
  close(): Promise<void>;
}

const GITHUB_TIMESTAMP = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const REACTIONS = new Set(['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes']);
const DEPLOYMENT_STATES = new Set([
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
]);

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a fake of the GitHub REST API on loopback, enough for actions that manage
 * deployments, pull request comments and read pull requests: it stores what it is sent,
 * answers with GitHub's shapes and status codes (201 on create, 404 for unknown things, 401
 * without the token, 422 for invalid bodies), paginates with `Link` headers, and can fail
 * chosen requests. Tests assert on its state (`deployments`, `comments`) and `requests`.
 *
 * @example
 * ```ts
 * const gh = await startGitHubServer();
 * gh.setPull({ number: 7, state: 'open' });
 * await runAction(dir, { env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: gh.token } });
 * expect(gh.comments).toHaveLength(1);
 * await gh.close();
 * ```
 */
export async function startGitHubServer(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const repository = options.repository ?? 'berth-dev/demo';
  const token = options.token ?? 'ghs_fake_token';
  const botUser: FakeGitHubUser = options.user ?? { login: 'github-actions[bot]', type: 'Bot' };
  const deployments: FakeDeployment[] = [];
  const comments: FakeComment[] = [];
  const pulls = new Map<number, FakePull>();
  const issues = new Set<number>();
  const reactions: FakeReaction[] = [];
  const faults: Array<FakeGitHubFault & { left: number }> = [];
  let nextId = 1000;
  let server: TestHttpServer | undefined;

  const now = () => GITHUB_TIMESTAMP(new Date());
  const page = <T>(req: URL, items: T[], res: ServerResponse) => {
    const perPage = Math.min(
      Math.max(Number(req.searchParams.get('per_page') ?? 30) || 30, 1),
      100,
    );
    const pageNo = Math.max(Number(req.searchParams.get('page') ?? 1) || 1, 1);
    const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage);
    const headers: Record<string, string> = {};
    if (pageNo * perPage < items.length) {
      const next = new URL(req.toString());
      next.searchParams.set('page', String(pageNo + 1));
      next.searchParams.set('per_page', String(perPage));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    send(res, 200, slice, headers);
  };

  const deploymentView = (d: FakeDeployment) => {
    const { statuses: _statuses, ...rest } = d;
    return { ...rest, url: `${server?.url}/repos/${repository}/deployments/${d.id}` };
  };

  const handle = (req: RecordedRequest, res: ServerResponse) => {
    const url = new URL(req.url, server?.url ?? 'http://127.0.0.1');
    const path = url.pathname;
    for (const fault of faults) {
      if (fault.left <= 0) continue;
      if (fault.method && fault.method.toUpperCase() !== req.method) continue;
      if (!fault.path.test(path)) continue;
      fault.left--;
      return send(
        res,
        fault.status ?? 500,
        { message: fault.message ?? 'Injected failure' },
        fault.headers,
      );
    }
    const auth = String(req.headers.authorization ?? '');
    if (auth !== `Bearer ${token}` && auth !== `token ${token}`) {
      return send(res, 401, { message: 'Bad credentials' });
    }
    const prefix = `/repos/${repository}/`;
    if (!path.startsWith(prefix)) return send(res, 404, { message: 'Not Found' });
    const rest = path.slice(prefix.length);
    const body = req.body === '' ? {} : parseJson(req.body);
    if (req.method !== 'GET' && body === undefined) {
      return send(res, 400, { message: 'Problems parsing JSON' });
    }
    const input = body ?? {};
    const at = (re: RegExp, method?: string) =>
      method === undefined || req.method === method ? (re.exec(rest) ?? undefined) : undefined;

    if (rest === 'deployments' && req.method === 'GET') {
      const env = url.searchParams.get('environment');
      const sha = url.searchParams.get('sha');
      const ref = url.searchParams.get('ref');
      const list = deployments
        .filter((d) => (env === null || d.environment === env) && (sha === null || d.sha === sha))
        .filter((d) => ref === null || d.ref === ref)
        .slice()
        .reverse()
        .map(deploymentView);
      return page(url, list, res);
    }
    if (rest === 'deployments' && req.method === 'POST') {
      if (typeof input.ref !== 'string' || input.ref === '') {
        return send(res, 422, { message: 'Invalid request: "ref" is required' });
      }
      const ref = input.ref;
      const deployment: FakeDeployment = {
        id: nextId++,
        ref,
        sha: /^[0-9a-f]{40}$/.test(ref) ? ref : 'ffac537e6cbbf934b08745a378932722df287a53',
        environment: typeof input.environment === 'string' ? input.environment : 'production',
        task: typeof input.task === 'string' ? input.task : 'deploy',
        description: typeof input.description === 'string' ? input.description : '',
        transient_environment: input.transient_environment === true,
        production_environment: input.production_environment === true,
        payload: input.payload ?? {},
        created_at: now(),
        statuses: [],
      };
      deployments.push(deployment);
      return send(res, 201, deploymentView(deployment));
    }
    const oneDeployment = at(/^deployments\/(\d+)$/, 'GET');
    if (oneDeployment) {
      const d = deployments.find((x) => x.id === Number(oneDeployment[1]));
      return d ? send(res, 200, deploymentView(d)) : send(res, 404, { message: 'Not Found' });
    }
    const statuses = at(/^deployments\/(\d+)\/statuses$/);
    if (statuses) {
      const d = deployments.find((x) => x.id === Number(statuses[1]));
      if (!d) return send(res, 404, { message: 'Not Found' });
      if (req.method === 'GET') return page(url, d.statuses.slice().reverse(), res);
      if (req.method === 'POST') {
        const state = String(input.state ?? '');
        if (!DEPLOYMENT_STATES.has(state)) {
          return send(res, 422, { message: `Invalid request: state "${state}" is not valid` });
        }
        const status: FakeDeploymentStatus = {
          id: nextId++,
          state,
          description: typeof input.description === 'string' ? input.description : '',
          environment_url: typeof input.environment_url === 'string' ? input.environment_url : '',
          log_url: typeof input.log_url === 'string' ? input.log_url : '',
          created_at: now(),
        };
        if (status.description.length > 140) {
          return send(res, 422, { message: 'description is too long (maximum is 140 characters)' });
        }
        d.statuses.push(status);
        return send(res, 201, status);
      }
    }
    const issueComments = at(/^issues\/(\d+)\/comments$/);
    if (issueComments) {
      const issue = Number(issueComments[1]);
      if (!pulls.has(issue) && !issues.has(issue)) return send(res, 404, { message: 'Not Found' });
      if (req.method === 'GET')
        return page(
          url,
          comments.filter((c) => c.issue_number === issue),
          res,
        );
      if (req.method === 'POST') {
        if (typeof input.body !== 'string' || input.body === '') {
          return send(res, 422, { message: 'Invalid request: "body" is required' });
        }
        const comment: FakeComment = {
          id: nextId++,
          issue_number: issue,
          body: input.body,
          user: botUser,
          created_at: now(),
          updated_at: now(),
        };
        comments.push(comment);
        return send(res, 201, comment);
      }
    }
    const commentReactions = at(/^issues\/comments\/(\d+)\/reactions$/);
    if (commentReactions) {
      const id = Number(commentReactions[1]);
      if (!comments.some((c) => c.id === id)) return send(res, 404, { message: 'Not Found' });
      if (req.method === 'GET') {
        return page(
          url,
          reactions.filter((r) => r.comment_id === id),
          res,
        );
      }
      if (req.method === 'POST') {
        const content = String(input.content ?? '');
        if (!REACTIONS.has(content)) {
          return send(res, 422, { message: `Invalid request: content "${content}" is not valid` });
        }
        // One reaction of a kind per user: GitHub answers 200 with the existing one.
        const existing = reactions.find(
          (r) => r.comment_id === id && r.content === content && r.user.login === botUser.login,
        );
        if (existing) return send(res, 200, existing);
        const reaction: FakeReaction = {
          id: nextId++,
          comment_id: id,
          content,
          user: botUser,
          created_at: now(),
        };
        reactions.push(reaction);
        return send(res, 201, reaction);
      }
    }
    const oneComment = at(/^issues\/comments\/(\d+)$/, 'PATCH');
    if (oneComment) {
      const comment = comments.find((c) => c.id === Number(oneComment[1]));
      if (!comment) return send(res, 404, { message: 'Not Found' });
      if (comment.user.login !== botUser.login) {
        return send(res, 403, { message: 'Resource not accessible by integration' });
      }
      if (typeof input.body !== 'string' || input.body === '') {
        return send(res, 422, { message: 'Invalid request: "body" is required' });
      }
      comment.body = input.body;
      comment.updated_at = now();
      return send(res, 200, comment);
    }
    const onePull = at(/^pulls\/(\d+)$/, 'GET');
    if (onePull) {
      const pull = pulls.get(Number(onePull[1]));
      return pull ? send(res, 200, pull) : send(res, 404, { message: 'Not Found' });
    }
    return send(res, 404, { message: 'Not Found' });
  };

  server = await startHttpServer(handle);
  const running = server;
  return {
    url: running.url,
    token,
    repository,
    requests: running.requests,
    deployments,
    comments,
    reactions,
    pulls,
    issues,
    setIssue(issueNumber) {
      issues.add(issueNumber);
    },
    reactionsOn: (commentId) => reactions.filter((r) => r.comment_id === commentId),
    setPull(pull) {
      const full: FakePull = {
        state: 'open',
        merged: false,
        title: `Pull request ${pull.number}`,
        head: { ref: `branch-${pull.number}`, sha: 'ffac537e6cbbf934b08745a378932722df287a53' },
        base: { ref: 'main' },
        ...pulls.get(pull.number),
        ...pull,
      };
      pulls.set(pull.number, full);
      return full;
    },
    addComment(issueNumber, body, user = { login: 'octocat', type: 'User' }) {
      const comment: FakeComment = {
        id: nextId++,
        issue_number: issueNumber,
        body,
        user,
        created_at: now(),
        updated_at: now(),
      };
      comments.push(comment);
      return comment;
    },
    deploymentsOf: (environment) => deployments.filter((d) => d.environment === environment),
    requestsTo: (method, path) =>
      running.requests.filter(
        (r) => r.method === method && path.test(new URL(r.url, running.url).pathname),
      ),
    fail(fault) {
      const entry = { ...fault, left: fault.times ?? Number.POSITIVE_INFINITY };
      faults.push(entry);
      return () => {
        entry.left = 0;
      };
    },
    close: () => running.close(),
  };
}
