import type { GitHubApi } from './github-api.ts';

/** The reactions the action puts on a `/preview` comment. */
export type Reaction = 'eyes' | '+1' | 'confused';

/** Reacts to an issue or pull request comment (one reaction of a kind per user). */
export async function addReaction(
  api: GitHubApi,
  commentId: number,
  reaction: Reaction,
): Promise<void> {
  await api.request('POST', `/issues/comments/${commentId}/reactions`, { content: reaction });
}
