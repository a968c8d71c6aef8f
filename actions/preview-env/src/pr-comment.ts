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

/** What the comment shows. */
export type CommentState =
  | { status: 'ready'; url: string; image: string; sha: string; at: Date; runUrl: string }
  | { status: 'failed'; image: string; sha: string; at: Date; runUrl: string; error: string }
  | { status: 'deleted'; at: Date; runUrl: string; reason: string };

/** Renders the comment body for environment `name`. */
export function renderComment(name: string, state: CommentState): string {
  const run = state.runUrl ? ` · [run log](${state.runUrl})` : '';
  const lines = [commentMarker(name), `### Preview environment ${code(name)}`, ''];
  if (state.status === 'ready') {
    lines.push(
      table([
        ['Status', '✅ Ready'],
        ['URL', link(state.url)],
        ['Image', code(state.image)],
        ...(state.sha ? ([['Commit', code(state.sha.slice(0, 12))]] as const) : []),
        ['Updated', `${utc(state.at)}${run}`],
      ]),
    );
  } else if (state.status === 'failed') {
    lines.push(
      table([
        ['Status', '❌ Deployment failed'],
        ['Image', code(state.image)],
        ...(state.sha ? ([['Commit', code(state.sha.slice(0, 12))]] as const) : []),
        ['Error', code(state.error.slice(0, 300))],
        ['Updated', `${utc(state.at)}${run}`],
      ]),
      '',
      'Any earlier deployment of this environment is unchanged; the next push tries again.',
    );
  } else {
    lines.push(
      table([
        ['Status', '🗑️ Deleted'],
        ['Updated', `${utc(state.at)}${run}`],
      ]),
      '',
      `The preview environment is gone: ${state.reason}. Its AWS resources were removed.`,
    );
  }
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
