/**
 * Event payloads shaped like the ones GitHub writes to GITHUB_EVENT_PATH (trimmed to the
 * fields that matter, with their real nesting and types).
 */

const OWNER = { login: 'berth-dev', id: 1001, type: 'Organization' };
const SENDER = { login: 'octocat', id: 583231, type: 'User' };
const REPO = {
  id: 5001,
  node_id: 'R_kgDOdemo',
  name: 'demo',
  full_name: 'berth-dev/demo',
  private: true,
  owner: OWNER,
  html_url: 'https://github.com/berth-dev/demo',
  fork: false,
  default_branch: 'main',
};
const FORK = {
  ...REPO,
  id: 6001,
  full_name: 'mallory/demo',
  owner: { login: 'mallory', id: 666, type: 'User' },
  html_url: 'https://github.com/mallory/demo',
  fork: true,
};

/** A 40-hex commit id derived from `n`. */
export const sha = (n: number): string => n.toString(16).padStart(8, '0').repeat(5);

/** Options of {@link pullRequestEvent}. */
export interface PullRequestEventOptions {
  number: number;
  headSha: string;
  headRef?: string;
  title?: string;
  fork?: boolean;
  merged?: boolean;
  before?: string;
}

/** A `pull_request` event: opened, synchronize, reopened, labeled, closed... */
export function pullRequestEvent(
  action: string,
  o: PullRequestEventOptions,
): { name: string; payload: unknown } {
  const closed = action === 'closed';
  const headRepo = o.fork ? FORK : REPO;
  const ref = o.headRef ?? `feature/pr-${o.number}`;
  return {
    name: 'pull_request',
    payload: {
      action,
      number: o.number,
      ...(action === 'synchronize' ? { before: o.before ?? sha(0), after: o.headSha } : {}),
      ...(action === 'labeled' ? { label: { id: 1, name: 'preview', color: '0e8a16' } } : {}),
      pull_request: {
        url: `https://api.github.com/repos/berth-dev/demo/pulls/${o.number}`,
        id: 900000 + o.number,
        html_url: `https://github.com/berth-dev/demo/pull/${o.number}`,
        number: o.number,
        state: closed ? 'closed' : 'open',
        locked: false,
        title: o.title ?? `Change ${o.number}`,
        user: o.fork ? FORK.owner : SENDER,
        body: null,
        created_at: '2026-11-20T10:00:00Z',
        updated_at: '2026-11-22T10:00:00Z',
        closed_at: closed ? '2026-11-22T10:00:00Z' : null,
        merged_at: closed && o.merged ? '2026-11-22T10:00:00Z' : null,
        merge_commit_sha: closed && o.merged ? sha(999) : null,
        draft: false,
        head: {
          label: `${headRepo.owner.login}:${ref}`,
          ref,
          sha: o.headSha,
          user: headRepo.owner,
          repo: headRepo,
        },
        base: { label: 'berth-dev:main', ref: 'main', sha: sha(4242), user: OWNER, repo: REPO },
        merged: closed && o.merged === true,
        mergeable: null,
        commits: 1,
      },
      repository: REPO,
      organization: { login: OWNER.login, id: OWNER.id },
      sender: o.fork ? FORK.owner : SENDER,
    },
  };
}

/** A `schedule` event. */
export function scheduleEvent(cron = '17 3 * * *'): { name: string; payload: unknown } {
  return {
    name: 'schedule',
    payload: { schedule: cron, workflow: '.github/workflows/preview-sweep.yml' },
  };
}

/** A `workflow_dispatch` event. */
export function dispatchEvent(inputs: Record<string, string> = {}): {
  name: string;
  payload: unknown;
} {
  return {
    name: 'workflow_dispatch',
    payload: {
      inputs,
      ref: 'refs/heads/main',
      repository: REPO,
      organization: OWNER,
      sender: SENDER,
      workflow: '.github/workflows/preview.yml',
    },
  };
}

/** Options of {@link issueCommentEvent}. */
export interface IssueCommentEventOptions {
  /** Issue or pull request number. */
  number: number;
  /** The comment's id (as the fake GitHub stored it, so reactions can find it). */
  commentId: number;
  body: string;
  /** `author_association` of the comment (default MEMBER). */
  association?: string;
  /** Login of the commenter (default octocat). */
  login?: string;
  /** False for a plain issue (no `pull_request` key), default true. */
  onPullRequest?: boolean;
  /** `created` (default), `edited` or `deleted`. */
  action?: string;
  state?: 'open' | 'closed';
}

/** An `issue_comment` event, on a pull request or a plain issue. */
export function issueCommentEvent(o: IssueCommentEventOptions): { name: string; payload: unknown } {
  const user = { login: o.login ?? 'octocat', id: 583231, type: 'User' };
  const onPull = o.onPullRequest !== false;
  return {
    name: 'issue_comment',
    payload: {
      action: o.action ?? 'created',
      issue: {
        url: `https://api.github.com/repos/berth-dev/demo/issues/${o.number}`,
        id: 800000 + o.number,
        number: o.number,
        title: `Change ${o.number}`,
        user: SENDER,
        state: o.state ?? 'open',
        locked: false,
        comments: 1,
        created_at: '2026-11-20T10:00:00Z',
        updated_at: '2026-11-22T10:00:00Z',
        author_association: 'MEMBER',
        body: null,
        ...(onPull
          ? {
              pull_request: {
                url: `https://api.github.com/repos/berth-dev/demo/pulls/${o.number}`,
                html_url: `https://github.com/berth-dev/demo/pull/${o.number}`,
                merged_at: null,
              },
            }
          : {}),
      },
      comment: {
        url: `https://api.github.com/repos/berth-dev/demo/issues/comments/${o.commentId}`,
        html_url: `https://github.com/berth-dev/demo/pull/${o.number}#issuecomment-${o.commentId}`,
        id: o.commentId,
        user,
        created_at: '2026-11-22T11:00:00Z',
        updated_at: '2026-11-22T11:00:00Z',
        author_association: o.association ?? 'MEMBER',
        body: o.body,
      },
      repository: REPO,
      organization: { login: OWNER.login, id: OWNER.id },
      sender: user,
    },
  };
}
