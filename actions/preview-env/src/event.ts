import { readFileSync } from 'node:fs';
import { PreviewEnvActionError } from './errors.ts';
import type { Mode } from './inputs.ts';

/** The pull request of a `pull_request` / `pull_request_target` event, as far as the action needs it. */
export interface PullRequestInfo {
  number: number;
  headSha: string;
  headRef: string;
  /** True when the head branch lives in another repository (or a deleted fork). */
  fork: boolean;
  /** `open` or `closed` when the event was sent. */
  state: string;
}

/** Who may give `/preview` commands: users with write access to the repository. */
export const COMMAND_ASSOCIATIONS: readonly string[] = ['OWNER', 'MEMBER', 'COLLABORATOR'];

/** What a `/preview` comment asks for. */
export type CommentCommand = 'wake' | 'sleep' | 'delete';

/** The comment of an `issue_comment` event, as far as the action needs it. */
export interface CommentInfo {
  /** The comment's id (reactions go on it). */
  id: number;
  body: string;
  /** `author_association` of the comment: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE... */
  authorAssociation: string;
  /** Login of the comment's author. */
  user: string;
  /** Number of the issue or pull request commented on. */
  issueNumber: number;
  /** True when the issue is a pull request (its payload has `pull_request`). */
  onPullRequest: boolean;
  /** `open` or `closed`. */
  issueState: string;
}

/** The run's event and GitHub context. */
export interface EventContext {
  /** `GITHUB_EVENT_NAME`, e.g. `pull_request`. */
  name: string;
  /** The payload's `action` (`opened`, `closed`...), empty for events without one. */
  action: string;
  pullRequest: PullRequestInfo | undefined;
  /** `owner/name` of the repository the workflow runs in. */
  repository: string;
  /** Commit the run is for (the PR head for pull request events). */
  sha: string;
  /** Link to this run's log, for deployment statuses and comments. */
  runUrl: string;
  /** The comment of an `issue_comment` event. */
  comment?: CommentInfo;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function readPayload(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PreviewEnvActionError(
      'E_EVENT',
      `cannot read the event payload at GITHUB_EVENT_PATH (${path}); run the action inside a GitHub Actions job`,
      { cause: error },
    );
  }
  try {
    return record(JSON.parse(text));
  } catch (error) {
    throw new PreviewEnvActionError('E_EVENT', `the event payload at ${path} is not JSON`, {
      cause: error,
    });
  }
}

/** Reads the event the runner describes in `GITHUB_EVENT_NAME` / `GITHUB_EVENT_PATH`. */
export function readEvent(env: NodeJS.ProcessEnv = process.env): EventContext {
  const payload = readPayload(env.GITHUB_EVENT_PATH);
  const name = env.GITHUB_EVENT_NAME ?? '';
  const repository = env.GITHUB_REPOSITORY ?? String(record(payload.repository).full_name ?? '');
  const pr = record(payload.pull_request);
  let pullRequest: PullRequestInfo | undefined;
  if (typeof pr.number === 'number') {
    const head = record(pr.head);
    const base = record(pr.base);
    const headRepo = record(head.repo);
    const baseRepo = record(base.repo);
    const headName = typeof headRepo.full_name === 'string' ? headRepo.full_name : '';
    const baseName = typeof baseRepo.full_name === 'string' ? baseRepo.full_name : repository;
    pullRequest = {
      number: pr.number,
      headSha: typeof head.sha === 'string' ? head.sha : '',
      headRef: typeof head.ref === 'string' ? head.ref : '',
      fork: headName === '' || headName.toLowerCase() !== baseName.toLowerCase(),
      state: typeof pr.state === 'string' ? pr.state : 'open',
    };
  }
  const comment = commentOf(payload);
  if (comment?.onPullRequest && !pullRequest) {
    // The comment's pull request: its number names the environment. Its head is not in the
    // payload; comment commands deploy nothing, so they do not need it.
    pullRequest = {
      number: comment.issueNumber,
      headSha: '',
      headRef: '',
      fork: false,
      state: comment.issueState,
    };
  }
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    name,
    action: typeof payload.action === 'string' ? payload.action : '',
    pullRequest,
    repository,
    sha: pullRequest?.headSha || env.GITHUB_SHA || '',
    runUrl:
      repository && env.GITHUB_RUN_ID
        ? `${server}/${repository}/actions/runs/${env.GITHUB_RUN_ID}${
            env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''
          }`
        : '',
    ...(comment ? { comment } : {}),
  };
}

function commentOf(payload: Record<string, unknown>): CommentInfo | undefined {
  const comment = record(payload.comment);
  const issue = record(payload.issue);
  if (typeof comment.id !== 'number' || typeof issue.number !== 'number') return undefined;
  return {
    id: comment.id,
    body: typeof comment.body === 'string' ? comment.body : '',
    authorAssociation:
      typeof comment.author_association === 'string' ? comment.author_association : 'NONE',
    user: String(record(comment.user).login ?? ''),
    issueNumber: issue.number,
    onPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
    issueState: typeof issue.state === 'string' ? issue.state : 'open',
  };
}

/**
 * The command of a comment: its first line is `/preview wake`, `/preview sleep` or
 * `/preview delete` (any case, surrounding blanks allowed); anything else is no command.
 */
export function parseCommand(body: string): CommentCommand | undefined {
  const first = body.replace(/^\s+/, '').split(/\r?\n/)[0] ?? '';
  const m = /^\/preview\s+(wake|sleep|delete)\s*$/i.exec(first.trim());
  return m ? ((m[1] as string).toLowerCase() as CommentCommand) : undefined;
}

/** What one run of the action does. */
export type Plan =
  | { kind: 'create' | 'delete' | 'sweep' | 'ls' | 'sleep' | 'wake'; command?: CommentCommand }
  | { kind: 'skip'; reason: string; fork: boolean };

const CREATE_ACTIONS = new Set(['opened', 'synchronize', 'reopened', 'labeled']);
const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);

/**
 * Decides what to do. `auto`: pull request opened/synchronize/reopened/labeled creates or
 * updates, closed deletes, schedule and workflow_dispatch sweep. Pull requests from forks
 * are skipped: their `pull_request` runs get no secrets (no AWS credentials) and a read-only
 * token, and deploying a fork's code with the base repository's credentials is exactly what
 * an attacker wants.
 */
export function planRun(mode: Mode, event: EventContext): Plan {
  const pr = event.pullRequest;
  const forkSkip = (): Plan => ({
    kind: 'skip',
    fork: true,
    reason: `pull request #${pr?.number} comes from a fork: GitHub gives fork pull requests no secrets (so no AWS credentials) and a read-only token, so no preview environment is made. A maintainer can deploy it with a workflow_dispatch run (mode: create) after reviewing the code.`,
  });
  if (mode !== 'auto') {
    if ((mode === 'create' || mode === 'delete') && pr?.fork && event.name === 'pull_request') {
      return forkSkip();
    }
    return { kind: mode };
  }
  if (PR_EVENTS.has(event.name)) {
    if (!pr) {
      throw new PreviewEnvActionError(
        'E_EVENT',
        `the ${event.name} event payload has no pull_request; is GITHUB_EVENT_PATH the runner's file?`,
      );
    }
    if (pr.fork) return forkSkip();
    if (CREATE_ACTIONS.has(event.action) && pr.state === 'closed') {
      // A label added to a closed pull request sends "labeled" too; recreating the
      // environment then would leave it running until the next sweep.
      return {
        kind: 'skip',
        fork: false,
        reason: `pull request #${pr.number} is closed: a "${event.action}" event on it makes no preview environment`,
      };
    }
    if (CREATE_ACTIONS.has(event.action)) return { kind: 'create' };
    if (event.action === 'closed') return { kind: 'delete' };
    return {
      kind: 'skip',
      fork: false,
      reason: `nothing to do for a pull request "${event.action}" event (mode auto acts on opened, synchronize, reopened, labeled and closed)`,
    };
  }
  if (event.name === 'issue_comment') return planComment(event);
  if (event.name === 'schedule' || event.name === 'workflow_dispatch') return { kind: 'sweep' };
  throw new PreviewEnvActionError(
    'E_EVENT',
    `mode auto does not know what to do on a "${event.name || 'unknown'}" event: run it on pull_request (create/delete), issue_comment (/preview commands) or schedule/workflow_dispatch (sweep), or set input "mode" to create, delete, sweep, ls, sleep or wake`,
  );
}

const skip = (reason: string): Plan => ({ kind: 'skip', fork: false, reason });

/**
 * `issue_comment` in `auto` mode: a new comment `/preview wake|sleep|delete` on a pull request
 * from a user with write access (author association OWNER, MEMBER or COLLABORATOR) runs that
 * command on the pull request's environment. Anything else does nothing and says why.
 */
function planComment(event: EventContext): Plan {
  const c = event.comment;
  if (!c) {
    throw new PreviewEnvActionError(
      'E_EVENT',
      "the issue_comment event payload has no comment or issue; is GITHUB_EVENT_PATH the runner's file?",
    );
  }
  if (event.action !== 'created') {
    return skip(
      `comment ${event.action || 'event'}: only new comments are read for /preview commands`,
    );
  }
  const command = parseCommand(c.body);
  if (!command) return skip(`comment #${c.id} is not a /preview command`);
  if (!c.onPullRequest) {
    return skip(
      `/preview ${command} on issue #${c.issueNumber}, which is not a pull request: /preview commands work on pull requests only; no action`,
    );
  }
  if (!COMMAND_ASSOCIATIONS.includes(c.authorAssociation)) {
    return skip(
      `/preview ${command} from @${c.user} (author association ${c.authorAssociation}) ignored: only users with write access (${COMMAND_ASSOCIATIONS.join(', ')}) may run /preview commands; no action`,
    );
  }
  if (command === 'wake' && c.issueState === 'closed') {
    return skip(
      `/preview wake on pull request #${c.issueNumber} ignored: it is closed, and a closed pull request's preview is deleted; no action`,
    );
  }
  return { kind: command, command };
}

/** The environment name: input `name`, else the pull request number. */
export function environmentInputName(inputName: string, event: EventContext): string {
  if (inputName !== '') return inputName;
  if (event.pullRequest) return String(event.pullRequest.number);
  throw new PreviewEnvActionError(
    'E_INPUT',
    `input "name" is empty and the "${event.name || 'unknown'}" event has no pull request to name the environment after; set name (for example name: \${{ github.ref_name }})`,
  );
}
