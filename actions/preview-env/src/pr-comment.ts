import type { GitHubApi } from './github-api.ts';
import { GitHubApiError } from './github-api.ts';
import { code, link, table, utc } from './markdown.ts';

interface Comment {
  id: number;
  body?: string;
  user?: { type?: string } | null;
}

/** The hidden marker that identifies the comment of environment `name`. */
export function commentMarker(name: string): string {
  return `<!-- berth:preview-env name=${name} -->`;
}

/** What the comment shows: the environment's state and what it runs. */
export type CommentState =
  | {
      /** `running`: deployed and (with `wait`) healthy; `deploying`: tasks are starting. */
      status: 'running' | 'deploying';
      url: string;
      image?: string;
      sha?: string;
      at: Date;
      runUrl: string;
      /** A line under the table, e.g. who woke it. */
      note?: string;
    }
  | { status: 'asleep'; url: string; at: Date; runUrl: string; note?: string }
  | {
      status: 'failed';
      image?: string;
      sha?: string;
      at: Date;
      runUrl: string;
      error: string;
      note?: string;
    }
  | { status: 'deleted'; at: Date; runUrl: string; reason: string };

const LABEL = {
  running: '✅ Running',
  deploying: '⏳ Deploying',
  asleep: '💤 Asleep',
  failed: '❌ Failed',
  deleted: '🗑️ Deleted',
} as const;

const COMMANDS =
  'Comment `/preview sleep`, `/preview wake` or `/preview delete` to change it (write access needed).';

/** Renders the comment body for environment `name`. */
export function renderComment(name: string, state: CommentState): string {
  const run = state.runUrl ? ` · [run log](${state.runUrl})` : '';
  const lines = [commentMarker(name), `### Preview environment ${code(name)}`, ''];
  const what = (s: { image?: string; sha?: string }) => [
    ...(s.image ? ([['Image', code(s.image)]] as const) : []),
    ...(s.sha ? ([['Commit', code(s.sha.slice(0, 12))]] as const) : []),
  ];
  const updated = ['Updated', `${utc(state.at)}${run}`] as const;
  if (state.status === 'running' || state.status === 'deploying') {
    lines.push(
      table([['State', LABEL[state.status]], ['URL', link(state.url)], ...what(state), updated]),
    );
    if (state.status === 'deploying') {
      lines.push('', 'Tasks are starting; the URL answers once they are healthy.');
    }
  } else if (state.status === 'asleep') {
    lines.push(
      table([['State', LABEL.asleep], ['URL', link(state.url)], updated]),
      '',
      'Asleep to save cost: nothing runs, and the URL shows a page saying so. Comment `/preview wake` to wake it.',
    );
  } else if (state.status === 'failed') {
    lines.push(
      table([
        ['State', LABEL.failed],
        ...what(state),
        ['Error', code(state.error.slice(0, 300))],
        updated,
      ]),
      '',
      'Any earlier deployment of this environment is unchanged; the next push tries again.',
    );
  } else if (state.status === 'deleted') {
    lines.push(
      table([['State', LABEL.deleted], updated]),
      '',
      `The preview environment is gone: ${state.reason}. Its AWS resources were removed.`,
    );
  }
  if (state.status !== 'deleted' && state.note) lines.push('', state.note);
  if (state.status !== 'deleted') lines.push('', COMMANDS);
  lines.push('', '<sub>Managed by Berth preview-env; this comment is updated in place.</sub>');
  return `${lines.join('\n')}\n`;
}

/**
 * Finds the environment's comment on the pull request by its marker. A comment written by a
 * bot wins over one a person wrote (who may have quoted the marker).
 */
export async function findComment(
  api: GitHubApi,
  issue: number,
  name: string,
): Promise<Comment | undefined> {
  const marker = commentMarker(name);
  const comments = await api.list<Comment>(`/issues/${issue}/comments`);
  const ours = comments.filter((c) => c.body?.startsWith(marker));
  return ours.find((c) => c.user?.type === 'Bot') ?? ours[0];
}

/**
 * Creates the environment's comment, or updates it in place. With `onlyUpdate` (delete) a
 * missing comment is not created: a closed pull request needs no new comment.
 */
export async function upsertComment(
  api: GitHubApi,
  issue: number,
  name: string,
  body: string,
  options: { onlyUpdate?: boolean } = {},
): Promise<'created' | 'updated' | 'none'> {
  const existing = await findComment(api, issue, name);
  if (existing) {
    try {
      await api.request('PATCH', `/issues/comments/${existing.id}`, { body });
      return 'updated';
    } catch (error) {
      // A comment someone else wrote (403) or one deleted meanwhile (404): write our own. A
      // rate-limited 403 is neither: a new comment then would be a second one.
      if (
        !(error instanceof GitHubApiError) ||
        error.rateLimited ||
        (error.status !== 403 && error.status !== 404)
      ) {
        throw error;
      }
    }
  }
  if (options.onlyUpdate) return 'none';
  await api.request('POST', `/issues/${issue}/comments`, { body });
  return 'created';
}
